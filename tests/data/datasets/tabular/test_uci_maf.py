"""The MAF paper's five datasets on small files written here in the archive's formats."""

import numpy as np
import pytest
import torch

from survae.data.datasets.tabular.uci_maf import (
    BSDS300Dataset,
    GasDataset,
    HEPMASSDataset,
    MiniBooNEDataset,
    PowerDataset,
    split_tail,
)
from tests.data import files

pytest.importorskip("pandas")
pytest.importorskip("h5py")


def splits(cls, root):
    return [cls(root, split=s) for s in ("train", "validation", "test")]


def test_split_tail_sizes():
    train, valid, test = split_tail(np.arange(1000))
    assert (len(train), len(valid), len(test)) == (810, 90, 100)
    assert test[0] == 900 and valid[0] == 810  # the tail, in file order


def test_power(tmp_path):
    rng = np.random.default_rng(0)
    raw = rng.normal(size=(200, 8)) * np.arange(1, 9)
    files.write_power(tmp_path, raw)
    train, valid, test = splits(PowerDataset, tmp_path)
    assert (len(train), len(valid), len(test)) == (162, 18, 20)
    assert train.x.dtype == torch.float32 and train[0].shape == (6,)
    both = torch.cat([train.x, valid.x]).double()
    assert torch.allclose(both.mean(0), torch.zeros(6, dtype=torch.float64), atol=1e-6)
    ones = torch.ones(6, dtype=torch.float64)
    assert torch.allclose(both.std(0, unbiased=False), ones, atol=1e-5)
    # the rows are a seeded shuffle: the same file gives the same splits, and the time column
    # (last, no noise) identifies the rows: columns 1 and 3 are the ones dropped
    again = PowerDataset(tmp_path, split="test")
    assert torch.equal(again.x, test.x)
    order = np.random.RandomState(42).permutation(200)
    time = raw[order, 7]
    t = time[:180]
    expected_test_time = (time[180:] - t.mean()) / t.std()
    assert np.allclose(test.x[:, 5].numpy(), expected_test_time, atol=1e-5)


def test_gas_drops_correlated_columns(tmp_path):
    rng = np.random.default_rng(1)
    base = rng.normal(size=(300, 10))
    sensors = np.concatenate([base, base[:, :3] * 2 + 1e-4 * rng.normal(size=(300, 3))], axis=1)
    files.write_gas(tmp_path, sensors)
    train, valid, test = splits(GasDataset, tmp_path)
    assert (len(train), len(valid), len(test)) == (243, 27, 30)
    assert train[0].shape == (10,)  # the three near-copies are gone, one at a time
    everything = torch.cat([train.x, valid.x, test.x]).double()
    assert torch.allclose(everything.std(0), torch.ones(10, dtype=torch.float64), atol=1e-5)
    # the first column of each correlated pair goes: the copies (appended last) remain
    kept = (everything[:, -3:] - everything[:, -3:].mean(0))
    assert torch.allclose(kept, torch.from_numpy((base[:, :3] - base[:, :3].mean(0))
                                                 / base[:, :3].std(0, ddof=1)), atol=1e-3)


def test_hepmass_signal_rows_and_repeated_minimum_features(tmp_path):
    rng = np.random.default_rng(2)

    def rows(n):
        features = rng.normal(size=(n, 27))
        features[:, 4] = np.maximum(features[:, 4], 0.5)  # its minimum repeats: dropped
        mass = rng.choice([500.0, 750.0, 1000.0], size=n)  # so does the mass's
        return np.column_stack([np.arange(n) % 2, features, mass])

    files.write_hepmass(tmp_path, rows(220), rows(60))
    train, valid, test = splits(HEPMASSDataset, tmp_path)
    assert (len(train), len(valid), len(test)) == (99, 11, 30)  # label-1 rows only
    assert train[0].shape == (26,) and test[0].shape == (26,)  # feature 4 and mass dropped
    assert not torch.isnan(test.x).any()
    joined = torch.cat([train.x, valid.x]).double()
    assert torch.allclose(joined.mean(0), torch.zeros(26, dtype=torch.float64), atol=1e-5)


def test_miniboone(tmp_path):
    files.write_miniboone(tmp_path, np.random.default_rng(3).normal(size=(100, 43)) * 3 + 2)
    train, valid, test = splits(MiniBooNEDataset, tmp_path)
    assert (len(train), len(valid), len(test)) == (81, 9, 10) and train[0].shape == (43,)
    joined = torch.cat([train.x, valid.x]).double()
    assert torch.allclose(joined.std(0, unbiased=False), torch.ones(43, dtype=torch.float64),
                          atol=1e-5)


def test_bsds300_as_stored(tmp_path):
    rng = np.random.default_rng(4)
    stored = {s: rng.normal(size=(n, 63)) for s, n in
              (("train", 20), ("validation", 5), ("test", 7))}
    files.write_bsds300(tmp_path, stored)
    for dataset in splits(BSDS300Dataset, tmp_path):
        assert torch.equal(dataset.x, torch.from_numpy(stored[dataset.split]).float())


def test_extracted_from_the_archive(tmp_path):
    import tarfile

    source = tmp_path / "source"
    files.write_miniboone(source, np.random.default_rng(5).normal(size=(50, 43)))
    (tmp_path / "root" / "uci_maf").mkdir(parents=True)
    with tarfile.open(tmp_path / "root" / "uci_maf" / "data.tar.gz", "w:gz") as archive:
        archive.add(source / "uci_maf" / "data", arcname="data")
    test = MiniBooNEDataset(tmp_path / "root", split="test")
    assert len(test) == 5
    with pytest.raises(ValueError, match="unknown split 'valid'"):
        MiniBooNEDataset(tmp_path / "root", split="valid")
