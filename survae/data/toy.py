"""Two-dimensional toy densities, generated in code (vectorized, seeded by a ``torch.Generator``).

``checkerboard``, ``corners``, ``eight_gaussians`` and ``four_circles`` follow the definitions of
the official SurVAE toy experiments (the AbsFlow table of the paper); ``gaussians`` and
``circles`` are aliases of the last two. ``moons``, ``spirals``, ``8gaussians``, ``rings``,
``pinwheel`` and ``swissroll`` are the usual FFJORD / NSF toy sets.

Example:
    >>> import torch
    >>> x = make_toy("checkerboard", 1000, torch.Generator().manual_seed(0))
    >>> x.shape, bool(x.abs().max() <= 4)
    (torch.Size([1000, 2]), True)
"""

from __future__ import annotations

import math
from collections.abc import Callable

import torch
from torch import Tensor
from torch.utils.data import Dataset

Maker = Callable[[int, torch.Generator | None], Tensor]


def _rand(n: int, g: torch.Generator | None) -> Tensor:
    return torch.rand(n, generator=g)


def _randn(*shape: int, g: torch.Generator | None) -> Tensor:
    return torch.randn(*shape, generator=g)


def _random_signs(n: int, g: torch.Generator | None) -> Tensor:
    return torch.randint(0, 2, (n,), generator=g).float() * 2 - 1


def checkerboard(n: int, g: torch.Generator | None) -> Tensor:
    """Uniform on the 8 dark squares of a 4x4 checkerboard on ``[-4, 4]^2``."""
    x1 = _rand(n, g) * 4 - 2
    x2 = _rand(n, g) - torch.randint(0, 2, (n,), generator=g).float() * 2 + torch.floor(x1) % 2
    return torch.stack([x1, x2], 1) * 2


def corners(n: int, g: torch.Generator | None) -> Tensor:
    """Four L-shaped corners (each a horizontal and a vertical bar) symmetric about both axes."""
    gap, width, thickness = 1.0, 3.0, 1.0
    horizontal = _rand(n, g) < 0.5
    along = gap + width * _rand(n, g)  # the long side of a bar
    across = gap + thickness * _rand(n, g)  # the short side
    x = torch.where(horizontal, along, across)
    y = torch.where(horizontal, across, along)
    return torch.stack([x * _random_signs(n, g), y * _random_signs(n, g)], 1)


def _gaussian_mixture_on_circle(n: int, g: torch.Generator | None, offset: float) -> Tensor:
    angles = offset + (math.pi / 4) * torch.randint(0, 8, (n,), generator=g).float()
    centers = 4.0 * torch.stack([torch.cos(angles), torch.sin(angles)], 1)
    return (centers + 0.5 * _randn(n, 2, g=g)) / 1.414


def eight_gaussians(n: int, g: torch.Generator | None) -> Tensor:
    """Eight Gaussians (std 0.5/1.414) on a circle of radius 4/1.414, offset by pi/8 (SurVAE)."""
    return _gaussian_mixture_on_circle(n, g, math.pi / 8)


def ffjord_8gaussians(n: int, g: torch.Generator | None) -> Tensor:
    """FFJORD's eight Gaussians: as ``eight_gaussians`` with centers on the axes and diagonals."""
    return _gaussian_mixture_on_circle(n, g, 0.0)


def four_circles(n: int, g: torch.Generator | None) -> Tensor:
    """Four noisy circles of radius 2 centered at ``(+-1, +-1)`` (std 0.1)."""
    u = _rand(n, g)
    circle = 2 * torch.stack([torch.cos(2 * math.pi * u), torch.sin(2 * math.pi * u)], 1)
    centers = torch.stack([_random_signs(n, g), _random_signs(n, g)], 1)
    return circle + 0.1 * _randn(n, 2, g=g) - centers


def moons(n: int, g: torch.Generator | None) -> Tensor:
    """Two interleaving half circles (noise 0.1), scaled by 2 and shifted to be centred."""
    t = math.pi * _rand(n, g)
    upper = _rand(n, g) < 0.5
    x = torch.where(upper, torch.cos(t), 1 - torch.cos(t))
    y = torch.where(upper, torch.sin(t), 0.5 - torch.sin(t))
    data = torch.stack([x, y], 1) + 0.1 * _randn(n, 2, g=g)
    return data * 2 + torch.tensor([-1.0, -0.2])


def spirals(n: int, g: torch.Generator | None) -> Tensor:
    """Two interleaved spirals (NSF / SurVAE ``TwoSpirals``)."""
    t = torch.sqrt(_rand(n, g)) * 540 * (2 * math.pi) / 360
    arm = _random_signs(n, g).unsqueeze(1)
    d = torch.stack(
        [-torch.cos(t) * t + 0.5 * _rand(n, g), torch.sin(t) * t + 0.5 * _rand(n, g)], 1
    )
    return arm * d / 3 + 0.1 * _randn(n, 2, g=g)


def rings(n: int, g: torch.Generator | None) -> Tensor:
    """Four concentric rings of radii 0.75, 1.5, 2.25, 3 (noise 0.08)."""
    radius = 0.75 * (1 + torch.randint(0, 4, (n,), generator=g).float())
    angle = 2 * math.pi * _rand(n, g)
    data = radius.unsqueeze(1) * torch.stack([torch.cos(angle), torch.sin(angle)], 1)
    return data + 0.08 * _randn(n, 2, g=g)


def pinwheel(n: int, g: torch.Generator | None) -> Tensor:
    """Five curved arms (FFJORD's pinwheel: radial std 0.3, tangential std 0.1, rate 0.25)."""
    features = _randn(n, 2, g=g) * torch.tensor([0.3, 0.1])
    features[:, 0] += 1.0
    labels = torch.randint(0, 5, (n,), generator=g).float()
    angles = labels * (2 * math.pi / 5) + 0.25 * torch.exp(features[:, 0])
    cos, sin = torch.cos(angles), torch.sin(angles)
    x = cos * features[:, 0] - sin * features[:, 1]
    y = sin * features[:, 0] + cos * features[:, 1]
    return 2 * torch.stack([x, y], 1)


def swissroll(n: int, g: torch.Generator | None) -> Tensor:
    """The 2-D swiss roll (noise 1.0), scaled by 1/5."""
    t = 1.5 * math.pi * (1 + 2 * _rand(n, g))
    data = torch.stack([t * torch.cos(t), t * torch.sin(t)], 1) + _randn(n, 2, g=g)
    return data / 5


TOY_DATASETS: dict[str, Maker] = {
    "checkerboard": checkerboard,
    "corners": corners,
    "eight_gaussians": eight_gaussians,
    "gaussians": eight_gaussians,
    "four_circles": four_circles,
    "circles": four_circles,
    "moons": moons,
    "spirals": spirals,
    "8gaussians": ffjord_8gaussians,
    "rings": rings,
    "pinwheel": pinwheel,
    "swissroll": swissroll,
}


def make_toy(name: str, num_samples: int, generator: torch.Generator | None = None) -> Tensor:
    """Draw ``num_samples`` points ``(N, 2)`` (float32) from the toy density ``name``.

    Args:
        name: one of ``TOY_DATASETS`` (an unknown name raises ``ValueError`` listing them).
        num_samples: number of points ``N``.
        generator: a CPU ``torch.Generator``; the same seed gives the same points. ``None`` draws
            from torch's global generator (so ``torch.manual_seed`` makes it reproducible).

    Example:
        >>> import torch
        >>> a = make_toy("moons", 5, torch.Generator().manual_seed(1))
        >>> torch.equal(a, make_toy("moons", 5, torch.Generator().manual_seed(1)))
        True
    """
    if name not in TOY_DATASETS:
        raise ValueError(f"unknown toy dataset {name!r}; choose one of {sorted(TOY_DATASETS)}")
    num_samples = int(num_samples)
    if num_samples < 0:
        raise ValueError(f"num_samples must be >= 0, got {num_samples}")
    return TOY_DATASETS[name](num_samples, generator).float()


class ToyDataset(Dataset):
    """A fixed sample of a toy density, as a ``torch.utils.data.Dataset`` of ``(2,)`` tensors.

    Args:
        name: one of ``TOY_DATASETS``.
        num_samples: number of points.
        seed: seed of the generator (the same seed gives the same points).

    Example:
        >>> data = ToyDataset("checkerboard", 100, seed=0)
        >>> len(data), tuple(data[0].shape)
        (100, (2,))
    """

    def __init__(self, name: str, num_samples: int, seed: int = 0):
        self.name = name
        self.data = make_toy(name, num_samples, torch.Generator().manual_seed(seed))

    def __len__(self) -> int:
        return self.data.shape[0]

    def __getitem__(self, index: int) -> Tensor:
        return self.data[index]
