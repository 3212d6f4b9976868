"""The bundled 8x8 digits: fixed disjoint splits and the four representations."""

import pytest
import torch

from survae.data.digits import DigitsDataset, load_digits_tensors


def test_splits_are_disjoint_and_cover_everything():
    all_x, all_y = load_digits_tensors("all", "levels")
    train_x, _ = load_digits_tensors("train", "levels")
    test_x, _ = load_digits_tensors("test", "levels")
    assert len(train_x) + len(test_x) == len(all_x) == 1797
    rows = {tuple(r.tolist()) for r in train_x.flatten(1)}
    overlap = sum(tuple(r.tolist()) in rows for r in test_x.flatten(1))
    assert overlap < 10  # a few digits are pixel-identical duplicates in the data itself
    assert set(all_y.tolist()) == set(range(10))


@pytest.mark.parametrize(
    ("mode", "dtype", "high"),
    [("levels", torch.int64, 16), ("bits8", torch.int64, 255), ("binary", torch.float32, 1),
     ("probs", torch.float32, 1)],
)
def test_modes(mode, dtype, high):
    x, y = load_digits_tensors("test", mode)
    assert x.shape == (360, 1, 8, 8) and y.shape == (360,)
    assert x.dtype == dtype and x.min() >= 0 and x.max() == high
    if mode == "binary":
        assert set(x.unique().tolist()) == {0.0, 1.0}
        again, _ = load_digits_tensors("test", mode)
        assert torch.equal(x, again)  # binarized once, with a fixed seed


def test_dataset_and_bad_arguments():
    ds = DigitsDataset("train", mode="levels", transform=lambda t: t + 1)
    x, label = ds[3]
    assert x.shape == (1, 8, 8) and x.min() >= 1 and 0 <= int(label) <= 9
    assert abs(ds.num_bits - 4.087) < 1e-3 and DigitsDataset("test").num_bits == 8
    with pytest.raises(ValueError, match="unknown split"):
        DigitsDataset("valid")
    with pytest.raises(ValueError, match="unknown mode"):
        DigitsDataset("train", mode="rgb")
