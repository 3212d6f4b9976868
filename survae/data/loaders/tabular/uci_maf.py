"""Train / valid / test loader objects of the MAF paper's datasets (see
:mod:`survae.data.datasets.tabular.uci_maf` for the files and preprocessing).

Example:
    >>> try:
    ...     Power(root="/nonexistent", download=False)
    ... except FileNotFoundError as error:  # a DatasetNotFoundError
    ...     print(str(error).split("expected ")[1].split(" ")[0])
    /nonexistent/uci_maf/data/power/data.npy.
"""

from __future__ import annotations

from survae.data.datasets.tabular import uci_maf
from survae.data.loaders.task_loaders import TrainValidTestLoader
from survae.data.path import resolve_root

__all__ = ["BSDS300", "Gas", "HEPMASS", "MiniBooNE", "Power"]


class _MAFLoader(TrainValidTestLoader):
    """``train``, ``valid`` and ``test`` splits of ``dataset``. ``validation`` is accepted for the
    official signature and has no effect there either."""

    dataset: type[uci_maf.UCI_MAF_Dataset]

    def __init__(self, root=None, validation: bool = False, download: bool = True):
        self.root = resolve_root(root)
        self.train = self.dataset(self.root, split="train", download=download)
        self.valid = self.dataset(self.root, split="validation", download=download)
        self.test = self.dataset(self.root, split="test", download=download)


class BSDS300(_MAFLoader):
    dataset = uci_maf.BSDS300Dataset


class Gas(_MAFLoader):
    dataset = uci_maf.GasDataset


class HEPMASS(_MAFLoader):
    dataset = uci_maf.HEPMASSDataset


class MiniBooNE(_MAFLoader):
    dataset = uci_maf.MiniBooNEDataset


class Power(_MAFLoader):
    dataset = uci_maf.PowerDataset
