"""CIFAR-10 without labels: torchvision's ``CIFAR10`` (``<root>/cifar-10-batches-py/``).

The files must be present (their MD5 sums are checked when torchvision downloads them, not at every
load, so a stand-in written in the same pickle format loads too). ``data`` is torchvision's
``(N, 32, 32, 3)`` uint8 array; with ``transform=None`` an item is a PIL image.
"""

from __future__ import annotations

import os
from collections.abc import Callable

from survae.data._errors import missing
from survae.data._torchvision import absent, load_cifar_meta_without_md5, torchvision_datasets
from survae.data.path import resolve_root

__all__ = ["UnsupervisedCIFAR10"]


class UnsupervisedCIFAR10(torchvision_datasets("CIFAR10").CIFAR10):
    """torchvision's CIFAR10; ``dataset[i]`` is the image only."""

    def __init__(self, root: str | os.PathLike | None = None, train: bool = True,
                 transform: Callable | None = None, download: bool = False):
        root = resolve_root(root)
        self.root = root
        lost = absent(self._files())
        if lost and not download:
            raise missing(type(self).__name__, lost,
                          "Pass download=True to fetch cifar-10-python.tar.gz and extract it, or "
                          "extract it there yourself.")
        super().__init__(root, train=train, transform=transform, download=download)

    def _files(self) -> list[str]:
        names = [name for name, _ in self.train_list + self.test_list] + [self.meta["filename"]]
        return [os.path.join(self.root, self.base_folder, name) for name in names]

    def _check_integrity(self) -> bool:
        return not absent(self._files())

    def _load_meta(self) -> None:
        load_cifar_meta_without_md5(self)

    def __getitem__(self, index: int):
        return super().__getitem__(index)[0]
