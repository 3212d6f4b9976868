"""The 2-D datasets of the official ``survae.data.datasets.toy`` (from the NSF paper's ``plane``).

Each ``*Dataset(num_points)`` draws ``num_points`` points ``(num_points, 2)`` (float32) once, at
construction and at every ``reset()``, from torch's global generator (``DiamondDataset`` and
``FaceDataset`` from numpy's, ``TwoMoonsDataset`` from scikit-learn with ``random_state=0``), with
the same calls in the same order as the official classes, so the same seed gives the same points.
A subclass writes ``_create_data`` to set ``self.data``; ``flip_axes=True`` swaps the coordinates.

========================  ======================================================================
class                     points
========================  ======================================================================
``GaussianDataset``       ``N(0, diag(1, 0.25))``
``CrescentDataset``       ``x2 ~ N(0, 1)``, ``x1 ~ N(x2**2 / 2 - 1, e**-2)``
``CrescentCubedDataset``  ``x2 ~ N(0, 1)``, ``x1 ~ N(x2**3 / 5, 1)``
``SineWaveDataset``       ``x1 ~ N(0, 1)``, ``x2 ~ N(sin(5 x1), e**-2)``
``AbsDataset``            ``x1 ~ N(0, 1)``, ``x2 ~ N(|x1| - 1, e**-3)``
``SignDataset``           ``x1 ~ N(0, 1)``, ``x2 ~ N(sign(x1) + x1, e**-3)``
``FourCirclesDataset``    four noisy circles of radius 2 around ``(+-1, +-1)`` (quarter each)
``DiamondDataset``        a rotated ``width x width`` grid of small Gaussians
``TwoSpiralsDataset``     two interleaved spirals
``CheckerboardDataset``   uniform on the dark squares of a checkerboard on ``[-4, 4]^2``
``TwoMoonsDataset``       scikit-learn's two moons (noise 0.1), scaled by 2 and shifted
``FaceDataset``           pixels of ``<data>/faces/<name>.jpg``, drawn by gray level
``TestGridDataset``       a regular grid (for density plots)
========================  ======================================================================

Example:
    >>> import torch
    >>> _ = torch.manual_seed(0)
    >>> data = CheckerboardDataset(num_points=1000)
    >>> len(data), tuple(data[0].shape), data.data.dtype
    (1000, (2,), torch.float32)
"""

from __future__ import annotations

import math
import os
from collections.abc import Iterable

import numpy as np
import torch
from torch import Tensor
from torch.utils.data import Dataset

from survae.data._errors import missing
from survae.data.path import get_data_path
from survae.data.toy import checkerboard

__all__ = [
    "PlaneDataset",
    "GaussianDataset",
    "CrescentDataset",
    "CrescentCubedDataset",
    "SineWaveDataset",
    "AbsDataset",
    "SignDataset",
    "FourCirclesDataset",
    "DiamondDataset",
    "TwoSpiralsDataset",
    "TestGridDataset",
    "CheckerboardDataset",
    "TwoMoonsDataset",
    "FaceDataset",
]


class PlaneDataset(Dataset):
    """``num_points`` points in the plane, made by ``_create_data`` (a subclass sets ``self.data``).

    Args:
        num_points: number of points.
        flip_axes: swap the two coordinates.
    """

    def __init__(self, num_points: int, flip_axes: bool = False):
        self.num_points = int(num_points)
        self.flip_axes = flip_axes
        self.data: Tensor | None = None
        self.reset()

    def __getitem__(self, item):
        return self.data[item]

    def __len__(self) -> int:
        return len(self.data)

    def reset(self) -> None:
        """Draw the points afresh."""
        self._create_data()
        if self.flip_axes:
            self.data = self.data.flip(1)

    def _create_data(self) -> None:
        raise NotImplementedError(f"{type(self).__name__} must define _create_data")


def _noisy_curve(x: Tensor, mean: Tensor, log_var: float) -> Tensor:
    """``mean + exp(log_var / 2) * eps`` with fresh standard normal ``eps`` (one per point)."""
    return mean + math.exp(log_var / 2) * torch.randn(len(x))


class GaussianDataset(PlaneDataset):
    def _create_data(self) -> None:
        x1 = torch.randn(self.num_points)
        x2 = 0.5 * torch.randn(self.num_points)
        self.data = torch.stack([x1, x2], 1)


class CrescentDataset(PlaneDataset):
    def _create_data(self) -> None:
        x1 = torch.randn(self.num_points)
        x2 = _noisy_curve(x1, 0.5 * x1**2 - 1, -2.0)
        self.data = torch.stack([x2, x1], 1)


class CrescentCubedDataset(PlaneDataset):
    def _create_data(self) -> None:
        x1 = torch.randn(self.num_points)
        x2 = _noisy_curve(x1, 0.2 * x1**3, 0.0)
        self.data = torch.stack([x2, x1], 1)


class SineWaveDataset(PlaneDataset):
    def _create_data(self) -> None:
        x1 = torch.randn(self.num_points)
        self.data = torch.stack([x1, _noisy_curve(x1, torch.sin(5 * x1), -2.0)], 1)


class AbsDataset(PlaneDataset):
    def _create_data(self) -> None:
        x1 = torch.randn(self.num_points)
        self.data = torch.stack([x1, _noisy_curve(x1, x1.abs() - 1.0, -3.0)], 1)


class SignDataset(PlaneDataset):
    def _create_data(self) -> None:
        x1 = torch.randn(self.num_points)
        self.data = torch.stack([x1, _noisy_curve(x1, torch.sign(x1) + x1, -3.0)], 1)


class FourCirclesDataset(PlaneDataset):
    """A quarter of the points on each circle (radius 2, noise ``std``) centred at
    ``(1, 1), (1, -1), (-1, 1), (-1, -1)``, in that order; ``num_points`` a multiple of 4."""

    def __init__(self, num_points: int, flip_axes: bool = False):
        if num_points % 4 != 0:
            raise ValueError(
                f"FourCirclesDataset: num_points must be a multiple of 4, got {num_points}"
            )
        super().__init__(num_points, flip_axes)

    @staticmethod
    def create_circle(num_per_circle: int, std: float = 0.1) -> Tensor:
        """``num_per_circle`` points on the circle of radius 2 at the origin, plus noise
        ``N(0, std^2)``."""
        angle = 2 * math.pi * torch.rand(num_per_circle)
        circle = 2 * torch.stack([torch.cos(angle), torch.sin(angle)], 1)
        return circle + std * torch.randn(circle.shape)

    def _create_data(self) -> None:
        quarter = self.num_points // 4
        centers = torch.tensor([[-1.0, -1.0], [-1.0, 1.0], [1.0, -1.0], [1.0, 1.0]])
        # One draw per circle, in the official order, so a seed gives the official points.
        self.data = torch.cat([self.create_circle(quarter) - c for c in centers])


class DiamondDataset(PlaneDataset):
    """Gaussians (std ``std``) on a ``width x width`` grid over ``[-bound, bound]^2``, rotated by
    45 degrees; numpy's global generator."""

    def __init__(self, num_points: int, flip_axes: bool = False, width: int = 20,
                 bound: float = 2.5, std: float = 0.04):
        self.width, self.bound, self.std = width, bound, std
        super().__init__(num_points, flip_axes)

    def _create_data(self, rotate: bool = True) -> None:
        ticks = np.linspace(-self.bound, self.bound, self.width)
        grid = np.stack(np.meshgrid(ticks, ticks, indexing="ij"), -1).reshape(-1, 2)
        means = grid + 1e-3 * np.random.rand(self.width**2, 2)
        index = np.random.choice(self.width**2, size=self.num_points, replace=True)
        data = means[index] + self.std * np.random.randn(self.num_points, 2)
        if rotate:
            c = 1 / np.sqrt(2)
            data = data @ np.array([[c, -c], [c, c]])
        self.data = torch.from_numpy(data.astype(np.float32))


class TwoSpiralsDataset(PlaneDataset):
    """Two spirals (``num_points // 2`` each, the second the point reflection of the first)."""

    def _create_data(self) -> None:
        half = self.num_points // 2
        t = torch.sqrt(torch.rand(half)) * (540 * 2 * math.pi / 360)
        arm_x = -torch.cos(t) * t + 0.5 * torch.rand(half)
        arm_y = torch.sin(t) * t + 0.5 * torch.rand(half)
        arm = torch.stack([arm_x, arm_y], 1)
        x = torch.cat([arm, -arm])
        self.data = x / 3 + 0.1 * torch.randn_like(x)


class TestGridDataset(PlaneDataset):
    """The ``num_points_per_axis ** 2`` points of a grid over ``bounds = [[x0, x1], [y0, y1]]``
    (``X``, ``Y``: the meshgrid, for contour plots)."""

    __test__ = False  # not a pytest test class

    def __init__(self, num_points_per_axis: int, bounds):
        self.num_points_per_axis = num_points_per_axis
        self.bounds = bounds
        self.shape = [num_points_per_axis] * 2
        self.X = self.Y = None
        super().__init__(num_points=num_points_per_axis**2)

    def _create_data(self) -> None:
        x = np.linspace(self.bounds[0][0], self.bounds[0][1], self.num_points_per_axis)
        y = np.linspace(self.bounds[1][0], self.bounds[1][1], self.num_points_per_axis)
        self.X, self.Y = np.meshgrid(x, y)
        self.data = torch.tensor(np.stack([self.X.ravel(), self.Y.ravel()], 1)).float()


class CheckerboardDataset(PlaneDataset):
    def _create_data(self) -> None:
        self.data = checkerboard(self.num_points, None)


class TwoMoonsDataset(PlaneDataset):
    """scikit-learn's ``make_moons(noise=0.1, random_state=0)`` (the same points every time)."""

    def _create_data(self) -> None:
        try:
            from sklearn.datasets import make_moons
        except ImportError as error:  # pragma: no cover - depends on the environment
            raise ImportError(
                "TwoMoonsDataset needs scikit-learn: pip install 'survae[data]'"
            ) from error
        data = make_moons(n_samples=self.num_points, noise=0.1, random_state=0)[0]
        self.data = torch.from_numpy(data.astype(np.float32) * 2 + np.array([-1, -0.2], np.float32))


class FaceDataset(PlaneDataset):
    """Points drawn from the gray levels of a picture ``<data folder>/faces/<name>.jpg``.

    The picture is made gray (ITU-R 709 weights, as scikit-image's ``rgb2gray``), resized to
    ``resize`` (bilinear, Pillow; the official used scikit-image), a pixel drawn with probability
    proportional to its gray level, jittered uniformly inside the pixel, scaled to ``[0, 1]^2`` and
    rotated by 90 degrees. numpy's global generator.
    """

    def __init__(self, num_points: int, name: str = "einstein", resize=(512, 512),
                 flip_axes: bool = False):
        self.name = name
        self.image = None
        self.resize = list(resize) if isinstance(resize, Iterable) else [resize, resize]
        super().__init__(num_points, flip_axes)

    def _create_data(self) -> None:
        from PIL import Image

        path = os.path.join(get_data_path(), "faces", self.name + ".jpg")
        if not os.path.isfile(path):
            raise missing(f"FaceDataset(name={self.name!r})", path,
                          "Put any portrait photograph (jpg) there under that name.")
        rgb = np.asarray(Image.open(path).convert("RGB"), dtype=np.float64) / 255
        gray = rgb @ np.array([0.2125, 0.7154, 0.0721])
        height, width = self.resize
        image = Image.fromarray(gray.astype(np.float32), mode="F").resize(
            (width, height), Image.BILINEAR)
        self.image = np.asarray(image, dtype=np.float64)
        rows, cols = np.meshgrid(np.arange(height), np.arange(width), indexing="ij")
        grid = np.stack([rows.ravel(), cols.ravel()], 1)
        p = self.image.ravel() / self.image.sum()
        index = np.random.choice(len(grid), size=self.num_points, replace=True, p=p)
        points = grid[index].astype(np.float32) + np.random.rand(self.num_points, 2)
        points /= self.image.shape[0]
        data = torch.tensor(points @ np.array([[0, -1], [1, 0]])).float()
        data[:, 1] += 1
        self.data = data
