"""The downsampled ImageNet of van den Oord et al. (2016), 32x32 or 64x64, without labels.

Two on-disk forms are read, under ``<root>/imagenet{32,64}/`` (sub-folders are searched):

- the ``.npz`` batches distributed by image-net.org (``Imagenet32_train_npz.zip``,
  ``Imagenet32_val_npz.zip``, and the 64x64 ones): ``train_data_batch_1.npz`` ...
  ``train_data_batch_10.npz`` and ``val_data.npz``, each with ``data``, an ``(N, 3*R*R)`` uint8
  array of channel planes (R, then G, then B), read in batch order; uncompressed members are
  memory-mapped, not copied;
- the official library's form: PNG files in ``processed/train_RxR/`` and ``processed/valid_RxR/``
  (extracted from ``raw/train_RxR.tar`` and ``raw/valid_RxR.tar``, which are extracted there
  on first use if only they are present), read in sorted order.

An item is a PIL image (RGB, ``R x R``) passed through ``transform``.
"""

from __future__ import annotations

import glob
import os
import re
import tarfile
import zipfile
from collections.abc import Callable

import numpy as np
from torch.utils.data import Dataset

from survae.data._errors import missing
from survae.data.path import resolve_root

_HOW = ("Download Imagenet{r}_train_npz.zip and Imagenet{r}_val_npz.zip (64x64: the train parts "
        "and val) from https://image-net.org/download-images (an account is needed) and unzip "
        "them into that folder.")


def _npz_member(path: str, key: str) -> np.ndarray:
    """The array ``key`` of an ``.npz`` file, memory-mapped when stored uncompressed."""
    with zipfile.ZipFile(path) as archive:
        info = archive.getinfo(key + ".npy")
        readers = {(1, 0): np.lib.format.read_array_header_1_0,
                   (2, 0): np.lib.format.read_array_header_2_0}
        with archive.open(info) as member:
            version = np.lib.format.read_magic(member)
            if info.compress_type == zipfile.ZIP_STORED and version in readers:
                shape, fortran, dtype = readers[version](member)
                header = member.tell()
            else:
                header = None
        if header is not None:
            with open(path, "rb") as raw:  # the local file header precedes the member's bytes
                raw.seek(info.header_offset + 26)
                name_len, extra_len = np.frombuffer(raw.read(4), dtype="<u2")
            offset = info.header_offset + 30 + int(name_len) + int(extra_len) + header
            order = "F" if fortran else "C"
            return np.memmap(path, dtype=dtype, mode="r", shape=shape, offset=offset, order=order)
    return np.load(path)[key]


class DownsampledImageNet(Dataset):
    """ImageNet at ``resolution`` x ``resolution`` (``32`` or ``64``); see the module docstring."""

    resolution = 32

    def __init__(self, root: str | os.PathLike | None = None, train: bool = True,
                 transform: Callable | None = None, download: bool = False):
        self.root = resolve_root(root)
        self.train = train
        self.transform = transform
        self.folder = os.path.join(self.root, f"imagenet{self.resolution}")
        self.batches: list[np.ndarray] = []
        self.files: list[str] = []
        batch_files = self._npz_files()
        if batch_files:
            self.batches = [_npz_member(f, "data") for f in batch_files]
            self._ends = np.cumsum([len(b) for b in self.batches])
        else:
            self.files = self._png_files()
        if not self.batches and not self.files:
            name = type(self).__name__
            how = _HOW.format(r=self.resolution)
            if download:
                how = f"download=True cannot fetch ImageNet (it needs an account). {how}"
            wanted = "train_data_batch_1.npz ..." if train else "val_data.npz"
            raise missing(name, os.path.join(self.folder, wanted), how)

    def _npz_files(self) -> list[str]:
        if self.train:
            found = glob.glob(os.path.join(self.folder, "**", "train_data_batch_*.npz"),
                              recursive=True)
            return sorted(found, key=lambda f: int(re.findall(r"(\d+)\.npz$", f)[0]))
        return glob.glob(os.path.join(self.folder, "**", "val_data.npz"), recursive=True)[:1]

    def _png_files(self) -> list[str]:
        r = self.resolution
        split = "train" if self.train else "valid"
        folder = os.path.join(self.folder, "processed", f"{split}_{r}x{r}")
        tar = os.path.join(self.folder, "raw", f"{split}_{r}x{r}.tar")
        if not os.path.isdir(folder) and os.path.isfile(tar):
            with tarfile.open(tar) as archive:
                archive.extractall(os.path.join(self.folder, "processed"), filter="data")
        if not os.path.isdir(folder):
            return []
        return sorted(os.path.join(folder, f) for f in os.listdir(folder) if f.endswith(".png"))

    def __len__(self) -> int:
        return int(self._ends[-1]) if self.batches else len(self.files)

    def _array(self, index: int) -> np.ndarray:
        """Image ``index`` as an ``(R, R, 3)`` uint8 array."""
        if index < 0:
            index += len(self)
        if not 0 <= index < len(self):
            raise IndexError(f"{type(self).__name__}: index {index} out of range ({len(self)})")
        batch = int(np.searchsorted(self._ends, index, side="right"))
        row = index - (int(self._ends[batch - 1]) if batch else 0)
        r = self.resolution
        return np.asarray(self.batches[batch][row]).reshape(3, r, r).transpose(1, 2, 0)

    def __getitem__(self, index: int):
        from PIL import Image

        if self.batches:
            image = Image.fromarray(np.ascontiguousarray(self._array(index)))
        else:
            image = Image.open(self.files[index]).convert("RGB")
        return self.transform(image) if self.transform is not None else image
