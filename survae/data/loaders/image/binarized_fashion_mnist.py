"""Fashion-MNIST (Xiao et al., 2017) with dynamic binarization: ``long (1, 28, 28)`` of 0/1."""

from __future__ import annotations

from survae.data.datasets.image import UnsupervisedFashionMNIST
from survae.data.loaders.image._common import binarized
from survae.data.loaders.task_loaders import TrainTestLoader
from survae.data.path import resolve_root

__all__ = ["DynamicallyBinarizedFashionMNIST"]


class DynamicallyBinarizedFashionMNIST(TrainTestLoader):
    """``train`` (60,000) and ``test`` (10,000) dynamically binarized images."""

    def __init__(self, root=None, download: bool = True, flatten: bool = False):
        from torchvision.transforms import ToTensor

        self.root = resolve_root(root)
        transform = binarized(ToTensor(), flatten=flatten)
        self.train = UnsupervisedFashionMNIST(self.root, train=True, transform=transform,
                                              download=download)
        self.test = UnsupervisedFashionMNIST(self.root, train=False, transform=transform,
                                             download=download)
