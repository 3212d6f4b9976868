"""MNIST with dynamic binarization (Salakhutdinov & Murray, 2008): ``long (1, 28, 28)`` of 0/1,
drawn afresh at every access (``flatten=True``: ``(784,)``)."""

from __future__ import annotations

from survae.data.datasets.image import UnsupervisedMNIST
from survae.data.loaders.image._common import binarized
from survae.data.loaders.task_loaders import TrainTestLoader
from survae.data.path import resolve_root

__all__ = ["DynamicallyBinarizedMNIST"]


class DynamicallyBinarizedMNIST(TrainTestLoader):
    """``train`` (60,000) and ``test`` (10,000) dynamically binarized digits."""

    def __init__(self, root=None, download: bool = True, flatten: bool = False):
        from torchvision.transforms import ToTensor

        self.root = resolve_root(root)
        transform = binarized(ToTensor(), flatten=flatten)
        self.train = UnsupervisedMNIST(self.root, train=True, transform=transform,
                                       download=download)
        self.test = UnsupervisedMNIST(self.root, train=False, transform=transform,
                                      download=download)
