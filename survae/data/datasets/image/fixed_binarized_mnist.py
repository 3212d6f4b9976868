"""MNIST with the fixed binarization of Larochelle & Murray (2011) (50,000 / 10,000 / 10,000).

Files, under ``<root>/static_mnist/``: ``binarized_mnist_{train,valid,test}.amat`` (text, one
image of 784 zeros and ones per line), or the official library's ``data.h5`` made from them
(needs h5py). ``download=True`` fetches the ``.amat`` files. An item is a ``long`` tensor
``(1, 28, 28)`` of zeros and ones.
"""

from __future__ import annotations

import os
import urllib.request

import numpy as np
import torch
from torch import Tensor
from torch.utils.data import Dataset

from survae.data._errors import missing
from survae.data.path import resolve_root

__all__ = ["FixedBinaryMNISTDataset"]

_URL = "http://www.cs.toronto.edu/~larocheh/public/datasets/binarized_mnist/binarized_mnist_{}.amat"


class FixedBinaryMNISTDataset(Dataset):
    """Statically binarized MNIST of ``split`` (``'train'``, ``'valid'`` or ``'test'``)."""

    train_file = "binarized_mnist_train.amat"
    valid_file = "binarized_mnist_valid.amat"
    test_file = "binarized_mnist_test.amat"

    def __init__(self, root: str | os.PathLike | None = None, split: str = "train",
                 download: bool = False):
        if split not in ("train", "valid", "test"):
            raise ValueError(f"FixedBinaryMNISTDataset: unknown split {split!r}; "
                             "choose 'train', 'valid' or 'test'")
        self.root = os.path.join(resolve_root(root), "static_mnist")
        self.split = split
        amat = os.path.join(self.root, f"binarized_mnist_{split}.amat")
        h5 = os.path.join(self.root, "data.h5")
        if download and not (os.path.isfile(amat) or os.path.isfile(h5)):
            os.makedirs(self.root, exist_ok=True)
            urllib.request.urlretrieve(_URL.format(split), amat)
        if os.path.isfile(amat):
            data = np.loadtxt(amat, dtype=np.uint8).reshape(-1, 28, 28)
        elif os.path.isfile(h5):
            import h5py

            with h5py.File(h5, "r") as handle:
                data = np.asarray(handle[split]).reshape(-1, 28, 28)
        else:
            raise missing(type(self).__name__, amat, "Pass download=True to fetch it.")
        self.data = torch.from_numpy(data.astype(np.int64)).unsqueeze(1)

    def __getitem__(self, index: int) -> Tensor:
        return self.data[index]

    def __len__(self) -> int:
        return len(self.data)
