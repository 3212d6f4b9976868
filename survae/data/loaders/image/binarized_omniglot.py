"""OMNIGLOT (28x28, Burda et al., 2015) with dynamic binarization: ``long (1, 28, 28)`` of 0/1.

``flatten=True`` gives ``(784,)`` vectors (the official class raised a NameError there).
"""

from __future__ import annotations

from survae.data.datasets.image import OMNIGLOTDataset
from survae.data.loaders.image._common import binarized
from survae.data.loaders.task_loaders import TrainTestLoader
from survae.data.path import resolve_root

__all__ = ["DynamicallyBinarizedOMNIGLOT"]


class DynamicallyBinarizedOMNIGLOT(TrainTestLoader):
    """``train`` and ``test`` dynamically binarized characters."""

    def __init__(self, root=None, flatten: bool = False):
        self.root = resolve_root(root)
        transform = binarized(flatten=flatten)
        self.train = OMNIGLOTDataset(self.root, train=True, transform=transform)
        self.test = OMNIGLOTDataset(self.root, train=False, transform=transform)
