"""CelebA (Liu et al., 2015) at 64x64, without labels, split by ``list_eval_partition.txt``.

Files, under ``<root>/celeba/``: ``list_eval_partition.txt`` (lines ``<file>.jpg <0|1|2>``: train,
valid, test) and the aligned photographs, either the official library's
``raw/img_align_celeba.zip`` (with ``raw/list_eval_partition.txt``) or torchvision's extracted
``img_align_celeba/*.jpg``. Images are decoded when indexed (no processed copy is written).

Each photograph (178x218) is resized to 64x64 (bilinear): that is what the official library's
preprocessing returns, and what its published CelebA numbers used (its crop to the 148x148 face
box at (40, 15) is computed and then not used). ``crop=True`` crops first, as RealNVP intended.
An item is a PIL image passed through ``transform``.
"""

from __future__ import annotations

import io
import os
import zipfile
from collections.abc import Callable

from torch.utils.data import Dataset

from survae.data._errors import missing
from survae.data.path import resolve_root

__all__ = ["CelebADataset"]

_SPLITS = {"train": "0", "valid": "1", "test": "2"}
_HOW = ("Download img_align_celeba.zip ('Align&Cropped Images') and list_eval_partition.txt "
        "from http://mmlab.ie.cuhk.edu.hk/projects/CelebA.html into celeba/raw/, or use "
        "torchvision.datasets.CelebA(root, download=True).")


class CelebADataset(Dataset):
    """CelebA 64x64 images of ``split`` (``'train'``, ``'valid'`` or ``'test'``)."""

    raw_folder = "celeba/raw"

    def __init__(self, root: str | os.PathLike | None = None, split: str = "train",
                 transform: Callable | None = None, crop: bool = False):
        if split not in _SPLITS:
            raise ValueError(
                f"CelebADataset: unknown split {split!r}; choose one of {list(_SPLITS)}"
            )
        self.root = resolve_root(root)
        self.split, self.transform, self.crop = split, transform, crop
        folder = os.path.join(self.root, "celeba")
        raw = os.path.join(self.root, self.raw_folder)
        candidates = [(os.path.join(raw, "img_align_celeba.zip"), raw),
                      (os.path.join(folder, "img_align_celeba"), folder)]
        pairs = [(i, os.path.join(t, "list_eval_partition.txt")) for i, t in candidates]
        found = [(i, t) for i, t in pairs if os.path.exists(i) and os.path.isfile(t)]
        if not found:
            raise missing(type(self).__name__,
                          [os.path.join(raw, "img_align_celeba.zip"),
                           os.path.join(raw, "list_eval_partition.txt")], _HOW)
        self.images, partition = found[0]
        with open(partition) as handle:
            rows = [line.split() for line in handle if line.strip()]
        self.files = [name for name, part in rows if part == _SPLITS[split]]
        self._zip: tuple[int, zipfile.ZipFile] | None = None

    def __len__(self) -> int:
        return len(self.files)

    def _read(self, name: str) -> bytes:
        if os.path.isdir(self.images):
            with open(os.path.join(self.images, name), "rb") as handle:
                return handle.read()
        if self._zip is None or self._zip[0] != os.getpid():  # one handle per worker process
            self._zip = (os.getpid(), zipfile.ZipFile(self.images))
        return self._zip[1].read("img_align_celeba/" + name)

    def __getitem__(self, index: int):
        from PIL import Image

        image = Image.open(io.BytesIO(self._read(self.files[index]))).convert("RGB")
        if self.crop:
            image = image.crop((15, 40, 15 + 148, 40 + 148))
        image = image.resize((64, 64), Image.BILINEAR)
        return self.transform(image) if self.transform is not None else image

    def __getstate__(self) -> dict:
        state = dict(self.__dict__)
        state["_zip"] = None
        return state
