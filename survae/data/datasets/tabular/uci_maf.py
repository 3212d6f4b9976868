r"""The five tabular density-estimation datasets of the MAF paper, preprocessed and split as there.

Papamakarios, Pavlakou & Murray, *Masked Autoregressive Flow for Density Estimation* (NeurIPS 2017),
preprocessing of their repository (github.com/gpapamak/maf, ``datasets/``), reused by NSF and the
official SurVAE library. The files are the MAF authors' archive ``data.tar.gz``
(https://zenodo.org/record/1161203), extracted under ``<root>/uci_maf/``:

=============  =================================  ====  ==============================  ===========
dataset        file under ``uci_maf/data/``       dim   train / valid / test            normalised
=============  =================================  ====  ==============================  ===========
POWER          ``power/data.npy``                 6     1,615,917 / 180,013 / 204,928   train+valid
GAS            ``gas/ethylene_CO.pickle``         8     852,174 / 94,685 / 105,206      all rows
HEPMASS        ``hepmass/1000_{train,test}.csv``  21    315,123 / 35,013 / 174,987      train
MINIBOONE      ``miniboone/data.npy``             43    29,556 / 3,284 / 3,648          train+valid
BSDS300        ``BSDS300/BSDS300.hdf5``           63    1,000,000 / 50,000 / 250,000    (as stored)
=============  =================================  ====  ==============================  ===========

The steps, per dataset (``split_tail``: the last 10% of the rows are the test set, the last 10% of
the rest the validation set):

- POWER: rows shuffled by ``numpy.random.RandomState(42)``; columns 1 and 3 (reactive power,
  intensity) dropped; uniform noise from the same generator added to break ties (widths 0.001 on
  active power, 0.01 on voltage, 1 on the three sub-meterings, 0 on time); ``split_tail``;
  standardised with the mean and (population) std of train+valid.
- GAS: the ``Meth``, ``Eth`` and ``Time`` columns dropped, then, while some column has a
  correlation above 0.98 with another, the first such column dropped; standardised over all rows
  (sample std); ``split_tail``.
- HEPMASS: only the signal rows (label 1) of the ``1000`` files, label dropped (and the test file's
  last column); standardised with the training mean and sample std (matched to the test columns by
  name); features whose smallest training value occurs more than 5 times dropped; the last 10% of
  the training rows are the validation set.
- MINIBOONE: ``split_tail``; standardised with the mean and population std of train+valid.
- BSDS300: the stored ``train``, ``validation`` and ``test`` arrays (8x8 patches minus one pixel).

Reading GAS and HEPMASS needs pandas, BSDS300 h5py (``pip install 'survae[data]'``). The
preprocessing runs once per file and process for the three splits. An item is a float32 vector.
"""

from __future__ import annotations

import os
import tarfile
import urllib.request

import numpy as np
import torch
from torch import Tensor
from torch.utils.data import Dataset

from survae.data._errors import missing
from survae.data.path import resolve_root

__all__ = ["UCI_MAF_Dataset", "BSDS300Dataset", "GasDataset", "HEPMASSDataset",
           "MiniBooNEDataset", "PowerDataset", "MAF_DATASETS", "split_tail"]

SPLITS = ("train", "validation", "test")


def split_tail(data: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(train, validation, test)``: the last 10% of the rows, then the last 10% of the rest."""
    n_test = int(0.1 * len(data))
    rest, test = data[: len(data) - n_test], data[len(data) - n_test:]
    n_valid = int(0.1 * len(rest))
    return rest[: len(rest) - n_valid], rest[len(rest) - n_valid:], test


def _standardise(splits, reference: np.ndarray, ddof: int):
    mean, std = reference.mean(axis=0), reference.std(axis=0, ddof=ddof)
    return tuple((s - mean) / std for s in splits)


def _needs(module: str, dataset: str):
    try:
        return __import__(module)
    except ImportError as error:  # pragma: no cover - depends on the environment
        raise ImportError(f"{dataset} needs {module}: pip install 'survae[data]'") from error


class UCI_MAF_Dataset(Dataset):  # noqa: N801 - the official name
    """One split (``'train'``, ``'validation'`` or ``'test'``) of a MAF dataset; subclasses say
    which file (``raw_folder``, ``raw_file``) and how to preprocess it (``preprocess``)."""

    url = "https://zenodo.org/record/1161203/files/data.tar.gz?download=1"
    folder = "uci_maf"
    download_file = "data.tar.gz"
    raw_folder: str = ""
    raw_file: str = ""
    _cache: dict = {}

    def __init__(self, root: str | os.PathLike | None = None, split: str = "train",
                 download: bool = False):
        if split not in SPLITS:
            raise ValueError(
                f"{type(self).__name__}: unknown split {split!r}; choose one of {SPLITS}"
            )
        self.root = resolve_root(root)
        self.split = split
        if not self._check_raw():
            if not self._check_download():
                if not download:
                    raise missing(type(self).__name__, self.raw_data_path,
                                  f"Pass download=True, or download {self.url} to "
                                  f"{self.download_data_path}; it is extracted on first use.")
                self.download()
            self.extract()
        self.x = torch.from_numpy(self.load_data(split))

    def __getitem__(self, index) -> Tensor:
        return self.x[index]

    def __len__(self) -> int:
        return len(self.x)

    @property
    def download_data_path(self) -> str:
        return os.path.join(self.root, self.folder, self.download_file)

    @property
    def raw_data_path(self) -> str:
        return os.path.join(self.root, self.raw_folder, self.raw_file)

    def _check_download(self) -> bool:
        return os.path.isfile(self.download_data_path)

    def _check_raw(self) -> bool:
        return os.path.isfile(self.raw_data_path)

    def download(self) -> None:
        """Fetch the MAF authors' ``data.tar.gz`` (about 1 GB) into ``<root>/uci_maf/``."""
        os.makedirs(os.path.join(self.root, self.folder), exist_ok=True)
        urllib.request.urlretrieve(self.url, self.download_data_path)

    def extract(self) -> None:
        """Extract ``data.tar.gz`` into ``<root>/uci_maf/``."""
        with tarfile.open(self.download_data_path) as archive:
            archive.extractall(os.path.join(self.root, self.folder), filter="data")
        if not self._check_raw():
            raise missing(type(self).__name__, self.raw_data_path,
                          f"{self.download_data_path} does not hold it; download it again.")

    def load_data(self, split: str) -> np.ndarray:
        """The split ``split`` as a float32 array ``(N, D)`` (preprocessed once per file)."""
        stamp = os.stat(self.raw_data_path).st_mtime_ns
        key = (type(self).__name__, self.raw_data_path, stamp)
        if key not in UCI_MAF_Dataset._cache:
            arrays = self.preprocess()
            UCI_MAF_Dataset._cache.clear()  # keep one dataset's splits, not every one seen
            UCI_MAF_Dataset._cache[key] = dict(
                zip(SPLITS, (np.ascontiguousarray(a, dtype=np.float32) for a in arrays)))
        return UCI_MAF_Dataset._cache[key][split]

    def preprocess(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """``(train, validation, test)`` arrays from the raw file."""
        raise NotImplementedError(f"{type(self).__name__} must define preprocess")


class BSDS300Dataset(UCI_MAF_Dataset):
    """BSDS300 patches (63 dimensions)."""

    raw_folder = "uci_maf/data/BSDS300"
    raw_file = "BSDS300.hdf5"

    def preprocess(self):
        h5py = _needs("h5py", "BSDS300")
        with h5py.File(self.raw_data_path, "r") as handle:
            return tuple(np.asarray(handle[s]) for s in SPLITS)


class GasDataset(UCI_MAF_Dataset):
    """UCI gas sensor array under dynamic gas mixtures, ethylene-CO part (8 dimensions)."""

    raw_folder = "uci_maf/data/gas"
    raw_file = "ethylene_CO.pickle"

    def preprocess(self):
        pandas = _needs("pandas", "GAS")
        frame = pandas.read_pickle(self.raw_data_path).drop(columns=["Meth", "Eth", "Time"])
        data = frame.to_numpy(dtype=np.float64)
        while True:
            counts = (np.corrcoef(data, rowvar=False) > 0.98).sum(axis=1)
            redundant = np.flatnonzero(counts > 1)
            if len(redundant) == 0:
                break
            data = np.delete(data, redundant[0], axis=1)
        data = (data - data.mean(axis=0)) / data.std(axis=0, ddof=1)
        return split_tail(data)


class HEPMASSDataset(UCI_MAF_Dataset):
    """UCI HEPMASS, signal events of mass 1000 (21 dimensions)."""

    raw_folder = "uci_maf/data/hepmass"
    raw_file = "1000_train.csv"

    def preprocess(self):
        pandas = _needs("pandas", "HEPMASS")
        folder = os.path.dirname(self.raw_data_path)
        test_file = os.path.join(folder, "1000_test.csv")
        if not os.path.isfile(test_file):
            raise missing(type(self).__name__, test_file, f"Extract it from {self.url}.")
        train = pandas.read_csv(self.raw_data_path, index_col=False)
        test = pandas.read_csv(test_file, index_col=False)
        train = train[train.iloc[:, 0] == 1].iloc[:, 1:]
        test = test[test.iloc[:, 0] == 1].iloc[:, 1:-1]
        # Standardised as DataFrames, as in MAF: the statistics align with the test columns by
        # name (a training column missing from the test file comes back as NaN, then dropped).
        mean, std = train.mean(), train.std()
        train = ((train - mean) / std).to_numpy(np.float64)
        test = ((test - mean) / std).to_numpy(np.float64)
        repeated_minimum = (train == np.nanmin(train, axis=0)).sum(axis=0) > 5
        drop = np.flatnonzero(repeated_minimum)
        train = np.delete(train, drop, axis=1)
        test = np.delete(test, drop[drop < test.shape[1]], axis=1)
        n_valid = int(0.1 * len(train))
        return train[: len(train) - n_valid], train[len(train) - n_valid:], test


class MiniBooNEDataset(UCI_MAF_Dataset):
    """UCI MiniBooNE particle identification (43 dimensions)."""

    raw_folder = "uci_maf/data/miniboone"
    raw_file = "data.npy"

    def preprocess(self):
        train, valid, test = split_tail(np.load(self.raw_data_path).astype(np.float64))
        return _standardise((train, valid, test), np.vstack([train, valid]), ddof=0)


class PowerDataset(UCI_MAF_Dataset):
    """UCI individual household electric power consumption (6 dimensions)."""

    raw_folder = "uci_maf/data/power"
    raw_file = "data.npy"

    def preprocess(self):
        rng = np.random.RandomState(42)
        data = np.load(self.raw_data_path).astype(np.float64)
        rng.shuffle(data)
        n = len(data)
        data = np.delete(data, [1, 3], axis=1)
        voltage = 0.01 * rng.rand(n, 1)
        active = 0.001 * rng.rand(n, 1)
        sub_metering = rng.rand(n, 3)
        data = data + np.hstack([active, voltage, sub_metering, np.zeros((n, 1))])
        train, valid, test = split_tail(data)
        return _standardise((train, valid, test), np.vstack([train, valid]), ddof=0)


#: The five datasets by their lower-case names (``survae train tabular --dataset``).
MAF_DATASETS: dict[str, type[UCI_MAF_Dataset]] = {
    "power": PowerDataset,
    "gas": GasDataset,
    "hepmass": HEPMASSDataset,
    "miniboone": MiniBooNEDataset,
    "bsds300": BSDS300Dataset,
}
