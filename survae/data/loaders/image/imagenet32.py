"""ImageNet 32x32 (van den Oord et al., 2016) with integer pixels: ``long (3, 32, 32)``."""

from __future__ import annotations

from survae.data.datasets.image import ImageNet32Dataset
from survae.data.loaders.image._common import quantized
from survae.data.loaders.task_loaders import TrainTestLoader
from survae.data.path import resolve_root

__all__ = ["ImageNet32"]


class ImageNet32(TrainTestLoader):
    """``train`` (1,281,149 images) and ``test`` (the 50,000 validation images)."""

    def __init__(self, root=None, download: bool = True, num_bits: int = 8, pil_transforms=()):
        self.root = resolve_root(root)
        self.train = ImageNet32Dataset(self.root, train=True, download=download,
                                        transform=quantized(pil_transforms, num_bits))
        self.test = ImageNet32Dataset(self.root, train=False, download=download,
                                       transform=quantized((), num_bits))
