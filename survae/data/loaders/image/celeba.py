"""CelebA at 64x64 with integer pixels: ``long (3, 64, 64)``; train / valid / test splits."""

from __future__ import annotations

from survae.data.datasets.image import CelebADataset
from survae.data.loaders.image._common import quantized
from survae.data.loaders.task_loaders import TrainValidTestLoader
from survae.data.path import resolve_root

__all__ = ["CelebA"]


class CelebA(TrainValidTestLoader):
    """``train`` (162,770), ``valid`` (19,867) and ``test`` (19,962) by the official partition."""

    def __init__(self, root=None, num_bits: int = 8, pil_transforms=()):
        self.root = resolve_root(root)
        self.train = CelebADataset(self.root, split="train",
                                   transform=quantized(pil_transforms, num_bits))
        self.valid = CelebADataset(self.root, split="valid", transform=quantized((), num_bits))
        self.test = CelebADataset(self.root, split="test", transform=quantized((), num_bits))
