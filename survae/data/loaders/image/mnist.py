"""MNIST (LeCun et al., 1998) with 8-bit (or ``num_bits``) integer pixels: ``long (1, 28, 28)``.

Example:
    >>> try:
    ...     MNIST(root="/nonexistent", download=False)
    ... except FileNotFoundError as error:  # a DatasetNotFoundError
    ...     print(str(error).split("expected ")[1].split(" ")[0])
    /nonexistent/MNIST/raw/train-images-idx3-ubyte
"""

from __future__ import annotations

from survae.data.datasets.image import UnsupervisedMNIST
from survae.data.loaders.image._common import quantized
from survae.data.loaders.task_loaders import TrainTestLoader
from survae.data.path import resolve_root

__all__ = ["MNIST"]


class MNIST(TrainTestLoader):
    """``train`` (60,000) and ``test`` (10,000); ``pil_transforms`` augment the training split."""

    def __init__(self, root=None, download: bool = True, num_bits: int = 8, pil_transforms=()):
        self.root = resolve_root(root)
        self.train = UnsupervisedMNIST(self.root, train=True, download=download,
                                       transform=quantized(pil_transforms, num_bits))
        self.test = UnsupervisedMNIST(self.root, train=False, download=download,
                                      transform=quantized((), num_bits))
