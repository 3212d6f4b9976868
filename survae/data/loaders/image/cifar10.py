"""CIFAR-10 (Krizhevsky, 2009) with integer pixels: ``long (3, 32, 32)``, ``0 .. 2**num_bits-1``."""

from __future__ import annotations

from survae.data.datasets.image import UnsupervisedCIFAR10
from survae.data.loaders.image._common import quantized
from survae.data.loaders.task_loaders import TrainTestLoader
from survae.data.path import resolve_root

__all__ = ["CIFAR10"]


class CIFAR10(TrainTestLoader):
    """``train`` (50,000) and ``test`` (10,000); ``pil_transforms`` augment the training split."""

    def __init__(self, root=None, download: bool = True, num_bits: int = 8, pil_transforms=()):
        self.root = resolve_root(root)
        self.train = UnsupervisedCIFAR10(self.root, train=True, download=download,
                                         transform=quantized(pil_transforms, num_bits))
        self.test = UnsupervisedCIFAR10(self.root, train=False, download=download,
                                        transform=quantized((), num_bits))
