"""Image datasets for the image and VAE experiments: torchvision's loaders, one calling convention.

``load_image_dataset(name, root, split)`` returns a ``Dataset`` of ``(image, label)`` pairs with
``image`` an integer tensor ``(C, H, W)`` of values ``0 .. 2**num_bits - 1`` (``long``), ready for a
dequantization layer (``UniformDequantization(num_bits=8)``...), or a binarized float tensor for
``binary=True`` (the VAE experiments). Names:

====================  =========================================================  ==============
name                  source (torchvision class, files under ``root``)           shape
====================  =========================================================  ==============
``digits``            scikit-learn's bundled 8x8 digits (no files, no download)  (1, 8, 8)
``mnist``             ``MNIST`` (``root/MNIST/raw/*-ubyte``)                     (1, 28, 28)
``fashion_mnist``     ``FashionMNIST`` (``root/FashionMNIST/raw/*-ubyte``)       (1, 28, 28)
``cifar10``           ``CIFAR10`` (``root/cifar-10-batches-py/``)                (3, 32, 32)
``svhn``              ``SVHN`` (``root/{train,test}_32x32.mat``)                 (3, 32, 32)
``celeba``            ``CelebA`` (``root/celeba/``), center crop 140, resized    (3, 32, 32)
====================  =========================================================  ==============

Training splits of CIFAR-10 and CelebA are augmented with random horizontal flips (``flip=None``
uses that default; the RealNVP and SurVAE image experiments do the same). Nothing is downloaded
unless ``download=True``. ``check_integrity=False`` skips torchvision's MD5 checks of the files
(for files you wrote yourself, e.g. the tests' small stand-ins in torchvision's formats).

Example:
    >>> train = load_image_dataset("digits", split="train")
    >>> x, y = train[0]
    >>> tuple(x.shape), x.dtype, len(train)
    ((1, 8, 8), torch.int64, 1437)
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

import numpy as np
import torch
from torch import Tensor
from torch.utils.data import Dataset

from survae.data._torchvision import load_cifar_meta_without_md5
from survae.data.digits import DigitsDataset

IMAGE_DATASETS = ("digits", "mnist", "fashion_mnist", "cifar10", "svhn", "celeba")
IMAGE_SHAPES = {
    "digits": (1, 8, 8),
    "mnist": (1, 28, 28),
    "fashion_mnist": (1, 28, 28),
    "cifar10": (3, 32, 32),
    "svhn": (3, 32, 32),
    "celeba": (3, 32, 32),
}
_FLIPPED = ("cifar10", "celeba")


def _pil_to_long(image: Any) -> Tensor:
    """A PIL image (or HxW(xC) uint8 array) to a ``long`` tensor ``(C, H, W)``."""
    array = np.asarray(image, dtype=np.uint8)
    if array.ndim == 2:
        array = array[:, :, None]
    return torch.from_numpy(array.copy()).permute(2, 0, 1).long()


class RandomHorizontalFlip:
    """Flip a ``(C, H, W)`` tensor left-right with probability ``p`` (global torch RNG, so a
    resumed run draws the same flips)."""

    def __init__(self, p: float = 0.5):
        self.p = p

    def __call__(self, x: Tensor) -> Tensor:
        return x.flip(-1) if float(torch.rand(())) < self.p else x


class _Binarize:
    """``x / (2**num_bits - 1)`` as Bernoulli probabilities, sampled afresh at every call
    (dynamic binarization), or thresholded at 0.5 when ``static``."""

    def __init__(self, num_bits: int, static: bool):
        self.scale = float(2**num_bits - 1)
        self.static = static

    def __call__(self, x: Tensor) -> Tensor:
        probs = x.float() / self.scale
        return (probs > 0.5).float() if self.static else torch.bernoulli(probs)


class ImageDataset(Dataset):
    """Wraps a torchvision dataset: images to ``long`` ``(C, H, W)``, then ``transform``.

    Attributes:
        name: dataset name; ``shape``: image shape; ``num_bits``: bits per value (8).
    """

    num_bits = 8

    def __init__(self, name: str, base: Dataset, transform: Callable | None = None):
        self.name = name
        self.base = base
        self.transform = transform
        self.shape = IMAGE_SHAPES[name]

    def __len__(self) -> int:
        return len(self.base)

    def __getitem__(self, index: int) -> tuple[Tensor, Tensor]:
        image, label = self.base[index]
        x = _pil_to_long(image) if not isinstance(image, Tensor) else image.long()
        if self.transform is not None:
            x = self.transform(x)
        label = torch.as_tensor(label if not isinstance(label, Tensor) else label.long())
        return x, label

    def __repr__(self) -> str:
        return f"ImageDataset({self.name!r}, n={len(self)})"


class _Compose:
    def __init__(self, *fns: Callable):
        self.fns = [f for f in fns if f is not None]

    def __call__(self, x: Tensor) -> Tensor:
        for fn in self.fns:
            x = fn(x)
        return x


def _unchecked(cls: type) -> type:
    """``cls`` with torchvision's MD5 file checks disabled (for self-written files)."""
    methods: dict[str, Any] = {"_check_integrity": lambda self: True}
    if hasattr(cls, "_load_meta"):
        methods["_load_meta"] = load_cifar_meta_without_md5
    return type(f"Unchecked{cls.__name__}", (cls,), methods)


def _torchvision_base(
    name: str, root: str, split: str, download: bool, check_integrity: bool
) -> Dataset:
    try:
        import torchvision
        from torchvision import datasets
    except ImportError as error:  # pragma: no cover - depends on the environment
        raise ImportError(
            f"the {name!r} dataset needs torchvision: pip install 'survae[vision]'"
        ) from error
    train = split == "train"
    if name in ("mnist", "fashion_mnist"):
        cls = datasets.MNIST if name == "mnist" else datasets.FashionMNIST
        return cls(root, train=train, download=download)
    if name == "cifar10":
        cls = datasets.CIFAR10 if check_integrity else _unchecked(datasets.CIFAR10)
        return cls(root, train=train, download=download)
    if name == "svhn":
        cls = datasets.SVHN if check_integrity else _unchecked(datasets.SVHN)
        return cls(root, split=split, download=download)
    if name == "celeba":
        cls = datasets.CelebA if check_integrity else _unchecked(datasets.CelebA)
        crop = torchvision.transforms.Compose(
            [
                torchvision.transforms.CenterCrop(140),
                torchvision.transforms.Resize(32, antialias=True),
            ]
        )
        celeba_split = {"train": "train", "valid": "valid", "test": "test"}[split]
        return cls(root, split=celeba_split, target_type="attr", transform=crop, download=download)
    raise ValueError(f"unknown image dataset {name!r}; choose one of {IMAGE_DATASETS}")


def load_image_dataset(
    name: str,
    root: str | os.PathLike = "data",
    split: str = "train",
    *,
    flip: bool | None = None,
    binary: str | None = None,
    download: bool = False,
    check_integrity: bool = True,
    digits_bits: int = 8,
) -> Dataset:
    """The image dataset ``name`` (see the module docstring) as ``(image, label)`` pairs.

    Args:
        name: one of ``IMAGE_DATASETS``.
        root: folder holding the dataset files in torchvision's layout.
        split: ``"train"`` or ``"test"`` (CelebA also ``"valid"``).
        flip: random horizontal flips; ``None``: on for the training split of CIFAR-10/CelebA.
        binary: ``None`` (8-bit integers), ``"dynamic"`` (Bernoulli resampled at every access)
            or ``"static"`` (thresholded at 0.5); digits use their fixed binarization for both.
        download: let torchvision download missing files.
        check_integrity: torchvision's MD5 checks of CIFAR-10/SVHN/CelebA files.
        digits_bits: the digits' 17 gray levels rescaled to 8 bits (``8``, as the other
            datasets) or kept as the values ``0 .. 16`` in a 5-bit range (``5``: the likelihood
            is then that of the 17-level data itself).
    """
    if name not in IMAGE_DATASETS:
        raise ValueError(f"unknown image dataset {name!r}; choose one of {IMAGE_DATASETS}")
    if split not in ("train", "test", "valid"):
        raise ValueError(f"{name}: unknown split {split!r}; choose 'train' or 'test'")
    if binary not in (None, "dynamic", "static"):
        raise ValueError(f"binary must be None, 'dynamic' or 'static', got {binary!r}")
    if flip is None:
        flip = split == "train" and name in _FLIPPED
    flipper = RandomHorizontalFlip() if flip else None
    if name == "digits":
        if split == "valid":
            raise ValueError("digits: has only the 'train' and 'test' splits")
        if digits_bits not in (5, 8):
            raise ValueError(f"digits: digits_bits must be 5 or 8, got {digits_bits}")
        mode = "binary" if binary else ("bits8" if digits_bits == 8 else "levels")
        return DigitsDataset(split, mode=mode, transform=flipper)
    base = _torchvision_base(name, str(root), split, download, check_integrity)
    binarize = _Binarize(8, static=binary == "static") if binary else None
    transform = _Compose(flipper, binarize) if (flipper or binarize) else None
    return ImageDataset(name, base, transform)
