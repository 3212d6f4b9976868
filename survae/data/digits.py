"""scikit-learn's bundled 8x8 handwritten digits: the real dataset that runs here with no download.

1797 gray-scale images of 8x8 pixels with 17 gray levels (0..16), ten classes, shipped inside
scikit-learn (``sklearn.datasets.load_digits``; needs the ``train`` extra). The split is fixed:
a seeded permutation puts 1437 images in ``"train"`` and 360 in ``"test"`` (``"all"``: every
image, in the original order).

Representations (``mode``):

- ``"levels"``: ``long`` tensor ``(N, 1, 8, 8)`` of the 17 gray levels, ``num_bits`` = log2(17)
  (discrete data for a ``Rounding``/dequantization layer with 17 bins);
- ``"bits8"``: ``long`` ``(N, 1, 8, 8)`` in 0..255 (levels rescaled, ``round(v * 255 / 16)``), so
  image models and bits-per-dim figures use the usual 8-bit convention;
- ``"binary"``: float ``(N, 1, 8, 8)`` in {0, 1}, binarized once with a fixed seed, each pixel
  Bernoulli(v / 16) (the "statically binarized MNIST" protocol of the VAE literature);
- ``"probs"``: float ``(N, 1, 8, 8)`` in [0, 1], ``v / 16``.

Example:
    >>> train = DigitsDataset("train", mode="bits8")
    >>> x, y = train[0]
    >>> len(train), tuple(x.shape), x.dtype, int(x.max()) <= 255
    (1437, (1, 8, 8), torch.int64, True)
"""

from __future__ import annotations

import functools

import numpy as np
import torch
from torch import Tensor
from torch.utils.data import Dataset

DIGITS_SPLITS = ("train", "test", "all")
DIGITS_MODES = ("levels", "bits8", "binary", "probs")
DIGITS_NUM_TEST = 360
DIGITS_LEVELS = 17
_SPLIT_SEED = 0
_BINARIZE_SEED = 1


@functools.lru_cache(maxsize=1)
def _load_all() -> tuple[np.ndarray, np.ndarray]:
    try:
        from sklearn.datasets import load_digits
    except ImportError as error:  # pragma: no cover - depends on the environment
        raise ImportError(
            "the digits dataset needs scikit-learn: pip install 'survae[train]'"
        ) from error
    bunch = load_digits()
    images = bunch.images.astype(np.int64)  # (1797, 8, 8), values 0..16
    return images, bunch.target.astype(np.int64)


def _split_indices(split: str, num: int) -> np.ndarray:
    if split == "all":
        return np.arange(num)
    order = np.random.default_rng(_SPLIT_SEED).permutation(num)
    return np.sort(order[DIGITS_NUM_TEST:] if split == "train" else order[:DIGITS_NUM_TEST])


def load_digits_tensors(split: str = "train", mode: str = "bits8") -> tuple[Tensor, Tensor]:
    """Images ``(N, 1, 8, 8)`` in the representation ``mode`` and labels ``(N,)`` of ``split``."""
    if split not in DIGITS_SPLITS:
        raise ValueError(f"digits: unknown split {split!r}; choose one of {DIGITS_SPLITS}")
    if mode not in DIGITS_MODES:
        raise ValueError(f"digits: unknown mode {mode!r}; choose one of {DIGITS_MODES}")
    images, labels = _load_all()
    levels = torch.from_numpy(images).unsqueeze(1)  # (N, 1, 8, 8)
    if mode == "binary":  # binarize every image once, so each split is a fixed subset
        g = torch.Generator().manual_seed(_BINARIZE_SEED)
        data = torch.bernoulli(levels.double() / (DIGITS_LEVELS - 1), generator=g).float()
    elif mode == "probs":
        data = levels.float() / (DIGITS_LEVELS - 1)
    elif mode == "bits8":
        data = torch.round(levels.double() * 255 / (DIGITS_LEVELS - 1)).long()
    else:
        data = levels
    index = torch.from_numpy(_split_indices(split, len(images)))
    return data[index].contiguous(), torch.from_numpy(labels)[index].contiguous()


class DigitsDataset(Dataset):
    """The 8x8 digits as a ``Dataset`` of ``(image, label)`` pairs (see the module docstring).

    Args:
        split: ``"train"`` (1437 images), ``"test"`` (360) or ``"all"`` (1797).
        mode: ``"levels"``, ``"bits8"``, ``"binary"`` or ``"probs"``.
        transform: optional callable applied to each image.
    """

    def __init__(self, split: str = "train", mode: str = "bits8", transform=None):
        self.split, self.mode, self.transform = split, mode, transform
        self.data, self.targets = load_digits_tensors(split, mode)

    @property
    def num_bits(self) -> float:
        """Bits per pixel value of the representation (for bits per dim)."""
        return float(np.log2(DIGITS_LEVELS)) if self.mode == "levels" else 8.0

    def __len__(self) -> int:
        return len(self.data)

    def __getitem__(self, index: int) -> tuple[Tensor, Tensor]:
        x = self.data[index]
        if self.transform is not None:
            x = self.transform(x)
        return x, self.targets[index]

    def __repr__(self) -> str:
        return f"DigitsDataset(split={self.split!r}, mode={self.mode!r}, n={len(self)})"
