"""MNIST without labels: torchvision's ``MNIST`` whose items are the (transformed) images only.

Files: ``<root>/MNIST/raw/{train,t10k}-{images-idx3,labels-idx1}-ubyte`` (torchvision's layout;
``download=True`` fetches them). With ``transform=None`` an item is a PIL image (mode ``L``).

Example:
    >>> try:
    ...     UnsupervisedMNIST("/nonexistent")
    ... except FileNotFoundError as error:  # a DatasetNotFoundError
    ...     print(str(error).split("expected ")[1].split(" ")[0])
    /nonexistent/MNIST/raw/train-images-idx3-ubyte
"""

from __future__ import annotations

import os
from collections.abc import Callable

from survae.data._errors import missing
from survae.data._torchvision import absent, torchvision_datasets
from survae.data.path import resolve_root

__all__ = ["UnsupervisedMNIST", "UnlabelledIdxDataset", "idx_files"]

_MNIST = torchvision_datasets("MNIST").MNIST


def idx_files(raw_folder: str, train: bool) -> list[str]:
    """The two IDX files of one split of an MNIST-format dataset."""
    prefix = "train" if train else "t10k"
    return [os.path.join(raw_folder, f"{prefix}-images-idx3-ubyte"),
            os.path.join(raw_folder, f"{prefix}-labels-idx1-ubyte")]


def check_idx_files(self, train: bool, download: bool) -> None:
    """Raise the dataset-not-found error unless the split's files exist or will be downloaded."""
    lost = absent(idx_files(self.raw_folder, train))
    if lost and not download:
        raise missing(type(self).__name__, lost,
                      "Pass download=True to fetch them, or copy the uncompressed IDX files there.")


class UnlabelledIdxDataset:
    """Mixin for torchvision's MNIST-format datasets: files under ``root/<folder>/raw``, items
    without their labels, and a clear error when a split's IDX files are missing."""

    folder: str

    def __init__(self, root: str | os.PathLike | None = None, train: bool = True,
                 transform: Callable | None = None, download: bool = False):
        self.root = resolve_root(root)
        check_idx_files(self, train, download)
        super().__init__(self.root, train=train, transform=transform, download=download)

    def __getitem__(self, index: int):
        return super().__getitem__(index)[0]

    @property
    def raw_folder(self) -> str:
        return os.path.join(self.root, self.folder, "raw")

    @property
    def processed_folder(self) -> str:
        return os.path.join(self.root, self.folder, "processed")


class UnsupervisedMNIST(UnlabelledIdxDataset, _MNIST):
    """torchvision's MNIST (``root/MNIST/raw``); ``dataset[i]`` is the image only."""

    folder = "MNIST"
