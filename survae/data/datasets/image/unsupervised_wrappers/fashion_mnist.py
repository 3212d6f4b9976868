"""Fashion-MNIST without labels (``<root>/FashionMNIST/raw/*-ubyte``, torchvision's layout)."""

from __future__ import annotations

import os
from collections.abc import Callable

from survae.data._torchvision import torchvision_datasets
from survae.data.datasets.image.unsupervised_wrappers.mnist import check_idx_files
from survae.data.path import resolve_root

__all__ = ["UnsupervisedFashionMNIST"]


class UnsupervisedFashionMNIST(torchvision_datasets("FashionMNIST").FashionMNIST):
    """torchvision's FashionMNIST (``root/FashionMNIST/raw``); ``dataset[i]`` is the image only."""

    folder = "FashionMNIST"

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
