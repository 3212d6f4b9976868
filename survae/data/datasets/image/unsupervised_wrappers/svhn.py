"""SVHN without labels: torchvision's ``SVHN`` (``<root>/{train,test,extra}_32x32.mat``).

The official loader object puts the files in ``<data folder>/SVHN/``. The ``.mat`` file must be
present (MD5 checked on download only). With ``transform=None`` an item is a PIL image.
"""

from __future__ import annotations

import os
from collections.abc import Callable

from survae.data._errors import missing
from survae.data._torchvision import torchvision_datasets
from survae.data.path import resolve_root

__all__ = ["UnsupervisedSVHN"]


class UnsupervisedSVHN(torchvision_datasets("SVHN").SVHN):
    """torchvision's SVHN; ``dataset[i]`` is the image only."""

    def __init__(self, root: str | os.PathLike | None = None, split: str = "train",
                 transform: Callable | None = None, download: bool = False):
        root = resolve_root(root)
        if split not in self.split_list:
            raise ValueError(f"UnsupervisedSVHN: unknown split {split!r}; "
                             f"choose one of {sorted(self.split_list)}")
        path = os.path.join(root, self.split_list[split][1])
        if not os.path.isfile(path) and not download:
            raise missing(type(self).__name__, path,
                          "Pass download=True to fetch it (needs scipy), or download it from "
                          "http://ufldl.stanford.edu/housenumbers/.")
        super().__init__(root, split=split, transform=transform, download=download)

    def _check_integrity(self) -> bool:
        return os.path.isfile(os.path.join(self.root, self.filename))

    def download(self) -> None:
        if not self._check_integrity():  # torchvision's fetches even when the file is there
            super().download()

    def __getitem__(self, index: int):
        return super().__getitem__(index)[0]
