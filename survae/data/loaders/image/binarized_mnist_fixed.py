"""MNIST with the fixed binarization of Larochelle & Murray (2011): ``long (1, 28, 28)`` of 0/1."""

from __future__ import annotations

from survae.data.datasets.image import FixedBinaryMNISTDataset
from survae.data.loaders.task_loaders import TrainValidTestLoader
from survae.data.path import resolve_root

__all__ = ["FixedBinarizedMNIST"]


class FixedBinarizedMNIST(TrainValidTestLoader):
    """``train`` (50,000), ``valid`` (10,000) and ``test`` (10,000)."""

    def __init__(self, root=None, download: bool = True):
        self.root = resolve_root(root)
        self.train = FixedBinaryMNISTDataset(self.root, split="train", download=download)
        self.valid = FixedBinaryMNISTDataset(self.root, split="valid", download=download)
        self.test = FixedBinaryMNISTDataset(self.root, split="test", download=download)
