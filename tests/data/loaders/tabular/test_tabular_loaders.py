"""Tabular loader objects: three splits of float32 vectors; DataLoaders over them."""

import numpy as np
import pytest
import torch

from survae.data.loaders.tabular import BSDS300, HEPMASS, Gas, MiniBooNE, Power
from tests.data import files

pytest.importorskip("pandas")


def test_miniboone_and_power_loaders(tmp_path):
    rng = np.random.default_rng(0)
    files.write_miniboone(tmp_path, rng.normal(size=(100, 43)))
    files.write_power(tmp_path, rng.normal(size=(100, 8)))
    for cls, dim in ((MiniBooNE, 43), (Power, 6)):
        data = cls(tmp_path, download=False)
        assert [len(data.train), len(data.valid), len(data.test)] == [81, 9, 10]
        train_loader, valid_loader, test_loader = data.get_data_loaders(32, num_workers=0)
        batch = next(iter(test_loader))
        assert batch.shape == (10, dim) and batch.dtype == torch.float32


@pytest.mark.parametrize("cls", [BSDS300, Gas, HEPMASS])
def test_missing_files_without_download(tmp_path, cls):
    with pytest.raises(FileNotFoundError, match="uci_maf/data/"):
        cls(tmp_path, download=False)
