"""What the torchvision-based datasets share: the import, file-presence checks, CIFAR's meta file.

torchvision checks the MD5 sums of CIFAR and SVHN files before using them (and downloads again when
they differ). The official-path wrappers check that the files are *present* instead (the MD5 sums
are still checked on download), so files written by hand, e.g. a small stand-in in the same format,
load too.
"""

from __future__ import annotations

import os
import pickle
from typing import Any


def torchvision_datasets(dataset: str) -> Any:
    """``torchvision.datasets``, or an ImportError naming ``dataset`` and the extra to install."""
    try:
        from torchvision import datasets
    except ImportError as error:  # pragma: no cover - depends on the environment
        raise ImportError(
            f"the {dataset} dataset needs torchvision: pip install 'survae[vision]'"
        ) from error
    return datasets


def absent(paths: list[str]) -> list[str]:
    """The paths of ``paths`` that are not files."""
    return [p for p in paths if not os.path.isfile(p)]


def load_cifar_meta_without_md5(self) -> None:
    """CIFAR's class names (``self.classes``), read without the MD5 check of the meta file."""
    path = os.path.join(self.root, self.base_folder, self.meta["filename"])
    with open(path, "rb") as handle:
        data = pickle.load(handle, encoding="latin1")
    self.classes = data[self.meta["key"]]
    self.class_to_idx = {name: i for i, name in enumerate(self.classes)}
