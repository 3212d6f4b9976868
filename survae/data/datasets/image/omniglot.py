"""OMNIGLOT (Lake et al., 2013) at 28x28 as processed by Burda et al. (2015), without labels.

Files, under ``<root>/``: ``omniglot/chardata.mat`` of the IWAE repository (24,345 training and
8,070 test images; the official library's source), or else torchvision's folders
``omniglot-py/images_background/`` (train) and ``omniglot-py/images_evaluation/`` (test) of
105x105 PNG strokes, resized to 28x28 and inverted (ink = 1). An item is a float tensor
``(1, 28, 28)`` in ``[0, 1]`` passed through ``transform``. As in the official library the
rows of ``chardata.mat`` are viewed as ``(1, 28, 28)`` as they are (so those images come out
transposed).
"""

from __future__ import annotations

import glob
import os
from collections.abc import Callable

import numpy as np
import torch
from torch import Tensor
from torch.utils.data import Dataset

from survae.data._errors import missing
from survae.data.path import resolve_root

__all__ = ["OMNIGLOTDataset"]


def _load_folders(folder: str) -> np.ndarray:
    from PIL import Image

    files = sorted(glob.glob(os.path.join(folder, "*", "*", "*.png")))
    images = [np.asarray(Image.open(f).convert("L").resize((28, 28), Image.BILINEAR),
                         dtype=np.float32) for f in files]
    return 1 - np.stack(images) / 255 if images else np.zeros((0, 28, 28), np.float32)


class OMNIGLOTDataset(Dataset):
    """OMNIGLOT training (``train=True``) or test images (see the module docstring)."""

    url = "https://github.com/yburda/iwae/tree/master/datasets/OMNIGLOT"
    file = "chardata.mat"

    def __init__(self, root: str | os.PathLike | None = None, train: bool = True,
                 transform: Callable | None = None):
        base = resolve_root(root)
        self.root = os.path.join(base, "omniglot")
        self.train, self.transform = train, transform
        folders = os.path.join(base, "omniglot-py",
                               "images_background" if train else "images_evaluation")
        if os.path.isfile(self.local_file):
            from scipy.io import loadmat

            mat = loadmat(self.local_file)
            data = mat["data" if train else "testdata"].astype(np.float32).T
        elif os.path.isdir(folders):
            data = _load_folders(folders)
        else:
            raise missing(type(self).__name__, self.local_file,
                          f"Download chardata.mat from {self.url}, or use "
                          "torchvision.datasets.Omniglot(root, download=True) for the folders.")
        self.data = torch.tensor(data, dtype=torch.float).view(-1, 1, 28, 28)

    @property
    def local_file(self) -> str:
        return os.path.join(self.root, self.file)

    def __getitem__(self, index: int) -> Tensor:
        sample = self.data[index]
        return self.transform(sample) if self.transform is not None else sample

    def __len__(self) -> int:
        return len(self.data)
