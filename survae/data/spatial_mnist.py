"""SpatialMNIST: each digit image as a set of 2-D points sampled from its pixels.

Each point picks a pixel with probability proportional to its intensity, then a uniformly random
position inside that pixel (sub-pixel noise), as in the Neural Statistician's SpatialMNIST (50
points per MNIST digit). Coordinates are ``(x, y)`` with ``x`` the column and ``y`` pointing up,
in units of MNIST pixels: ``[0, 28)^2``. Two sources:

- ``"digits"`` (the default, no download): scikit-learn's bundled 8x8 digits, scaled by 28/8 into
  the same ``[0, 28)^2`` frame, so per-point log-likelihoods are in the units of SpatialMNIST;
- ``"mnist"``: torchvision's MNIST files under ``root`` (``root/MNIST/raw``).

The point sets are drawn once per split from a seeded generator: the same seed, the same data
(``points``). With ``resample=True`` every access draws a fresh set from the same image instead
(from torch's global generator, which the trainer seeds and checkpoints): the training images
then give an endless stream of sets, not ``N`` fixed ones. Test sets stay fixed.

Example:
    >>> data = SpatialDigits("test", num_points=50)
    >>> x, label = data[0]
    >>> tuple(x.shape), bool((x >= 0).all() and (x < 28).all())
    ((50, 2), True)
"""

from __future__ import annotations

import os

import torch
from torch import Tensor
from torch.utils.data import Dataset

from survae.data.digits import load_digits_tensors

SPATIAL_SOURCES = ("digits", "mnist")
FRAME = 28.0


def points_from_images(
    images: Tensor, num_points: int, generator: torch.Generator | None = None
) -> Tensor:
    """Sample ``num_points`` points per image ``(N, H, W)`` (non-negative intensities).

    Returns ``(N, num_points, 2)`` coordinates ``(x, y)`` in ``[0, W) x [0, H)``, ``y`` up.
    Vectorized: one ``multinomial`` draw over the pixels of all images.
    """
    if images.dim() != 3:
        shape = tuple(images.shape)
        raise ValueError(f"points_from_images: expected images (N, H, W), got {shape}")
    n, h, w = images.shape
    weights = images.reshape(n, h * w).double().clamp_min(0)
    empty = weights.sum(1) == 0
    if bool(empty.any()):
        raise ValueError(f"points_from_images: {int(empty.sum())} image(s) have no ink")
    index = torch.multinomial(weights, num_points, replacement=True, generator=generator)
    row, col = index // w, index % w
    jitter = torch.rand(n, num_points, 2, generator=generator, dtype=torch.float64)
    x = col.double() + jitter[..., 0]
    y = (h - 1 - row).double() + jitter[..., 1]
    return torch.stack([x, y], dim=-1).float()


class SpatialDigits(Dataset):
    """SpatialMNIST-style point sets ``(num_points, 2)`` with labels (see the module docstring).

    Args:
        split: ``"train"`` or ``"test"``.
        num_points: points per set (50 in SpatialMNIST).
        source: ``"digits"`` (bundled 8x8 digits) or ``"mnist"`` (torchvision files in ``root``).
        root: folder of torchvision's MNIST files (source ``"mnist"``).
        seed: seeds the sampling of the points.
        resample: draw a fresh set of points at every access (``__getitem__``); ``points`` still
            holds the fixed sets drawn with ``seed``.
    """

    def __init__(
        self,
        split: str = "train",
        num_points: int = 50,
        source: str = "digits",
        root: str | os.PathLike = "data",
        seed: int = 0,
        resample: bool = False,
    ):
        if source not in SPATIAL_SOURCES:
            raise ValueError(f"SpatialDigits: unknown source {source!r}; choose {SPATIAL_SOURCES}")
        if split not in ("train", "test"):
            raise ValueError(f"SpatialDigits: unknown split {split!r}; choose 'train' or 'test'")
        if num_points < 1:
            raise ValueError(f"SpatialDigits: num_points must be >= 1, got {num_points}")
        if source == "digits":
            images, labels = load_digits_tensors(split, "levels")
            images = images[:, 0].float()
        else:
            from torchvision.datasets import MNIST

            mnist = MNIST(str(root), train=split == "train", download=False)
            images, labels = mnist.data.float(), mnist.targets
        generator = torch.Generator().manual_seed(seed * 2 + (split == "test"))
        points = points_from_images(images, num_points, generator)
        self.points = points * (FRAME / images.shape[-1])
        self.labels = labels.long()
        self.split, self.source, self.num_points = split, source, num_points
        self.resample = resample
        self.images = images if resample else None

    def __len__(self) -> int:
        return len(self.points)

    def __getitem__(self, index: int) -> tuple[Tensor, Tensor]:
        if self.resample:
            image = self.images[index : index + 1]
            points = points_from_images(image, self.num_points)[0]
            return points * (FRAME / image.shape[-1]), self.labels[index]
        return self.points[index], self.labels[index]

    def __getitems__(self, indices: list[int]) -> list[tuple[Tensor, Tensor]]:
        """A batch of items at once (``DataLoader`` calls this when it exists): with
        ``resample`` one vectorised draw for all the batch's images, not one per item."""
        if not self.resample:
            return [self[i] for i in indices]
        index = torch.as_tensor(indices, dtype=torch.long)
        images = self.images[index]
        points = points_from_images(images, self.num_points) * (FRAME / images.shape[-1])
        return list(zip(points.unbind(0), self.labels[index].unbind(0)))

    def __repr__(self) -> str:
        return (f"SpatialDigits(split={self.split!r}, source={self.source!r}, "
                f"n={len(self)}, num_points={self.num_points}, resample={self.resample})")
