"""SVHN (Netzer et al., 2011) with integer pixels: ``long (3, 32, 32)``, files ``<root>/SVHN``."""

from __future__ import annotations

import os

from survae.data.datasets.image import UnsupervisedSVHN
from survae.data.loaders.image._common import quantized
from survae.data.loaders.task_loaders import TrainTestLoader
from survae.data.path import resolve_root

__all__ = ["SVHN"]


class SVHN(TrainTestLoader):
    """``train`` (73,257) and ``test`` (26,032) of ``<root>/SVHN/{train,test}_32x32.mat``."""

    def __init__(self, root=None, download: bool = True, num_bits: int = 8, pil_transforms=()):
        self.root = resolve_root(root)
        sub_root = os.path.join(self.root, "SVHN")
        self.train = UnsupervisedSVHN(sub_root, split="train", download=download,
                                      transform=quantized(pil_transforms, num_bits))
        self.test = UnsupervisedSVHN(sub_root, split="test", download=download,
                                     transform=quantized((), num_bits))
