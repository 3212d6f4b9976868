"""Energy targets for sampling and variational inference: unnormalised log-densities with known
normalising constants.

Each target ``pi(x) = exp(log_prob(x)) / Z`` on ``R^D`` gives ``log_prob(x)`` (unnormalised,
batched ``(B, D) -> (B,)``, differentiable), its exact ``log_z`` and exact samples (``sample``) to
check samplers against. ``make_energy(name, dim)`` builds one from ``ENERGY_TARGETS``.

- ``double_well``: ``-(x_1^4/4 - b x_1^2/2 + c x_1) - |x_{2:D}|^2 / 2``; two wells at
  ``x_1 ~ +-sqrt(b)`` separated by a barrier (``log_z`` by 1-D quadrature in float64);
- ``banana``: ``x_1 ~ N(0, s^2)``, ``x_2 | x_1 ~ N(k (x_1^2 - s^2), 1)``, the rest ``N(0, 1)``
  (a volume-preserving twist of a Gaussian: ``Z = (2 pi)^{D/2} s``);
- ``mixture``: ``K`` equal isotropic Gaussians (std ``sigma``) on a circle of radius ``r`` in the
  first two coordinates, unnormalised: ``log sum_k exp(-|x - mu_k|^2 / (2 sigma^2))``
  (``Z = K (2 pi sigma^2)^{D/2}``);
- ``funnel``: Neal's funnel, ``x_1 ~ N(0, 3^2)``, ``x_{2:D} | x_1 ~ N(0, e^{x_1})``, written
  without its normaliser in ``x_1``: ``Z = (2 pi)^{D/2} 3``.
"""

from __future__ import annotations

import math

import torch
from torch import Tensor

_LOG_TWO_PI = math.log(2 * math.pi)


class EnergyTarget:
    """An unnormalised density on ``R^dim`` with a known ``log_z`` (``None`` if unknown).

    Subclasses give ``log_prob`` and ``_sample``; ``plot_range`` bounds the plots' first two axes.
    """

    name = "energy"
    plot_range: tuple[float, float] = (-5.0, 5.0)

    def __init__(self, dim: int):
        if dim < 2:
            raise ValueError(f"{type(self).__name__}: dim must be >= 2, got {dim}")
        self.dim = int(dim)

    @property
    def log_z(self) -> float | None:
        """``log Z``, the log normalising constant of ``exp(log_prob)``."""
        return None

    def log_prob(self, x: Tensor) -> Tensor:
        """The unnormalised log-density ``log pi(x) + log Z``, shape ``(batch,)``."""
        raise NotImplementedError

    def __call__(self, x: Tensor) -> Tensor:
        if x.dim() != 2 or x.shape[1] != self.dim:
            raise ValueError(
                f"{type(self).__name__}(dim={self.dim}): expected input of shape (batch, "
                f"{self.dim}), got {tuple(x.shape)}"
            )
        return self.log_prob(x)

    def sample(self, num_samples: int, generator: torch.Generator | None = None) -> Tensor:
        """Exact samples, ``(num_samples, dim)`` float32."""
        return self._sample(num_samples, generator)

    def _sample(self, num_samples: int, generator: torch.Generator | None) -> Tensor:
        raise NotImplementedError

    def _rest(self, num_samples: int, generator: torch.Generator | None, start: int) -> Tensor:
        return torch.randn(num_samples, self.dim - start, generator=generator)

    def __repr__(self) -> str:
        return f"{type(self).__name__}(dim={self.dim})"


class DoubleWellEnergy(EnergyTarget):
    """``log pi(x) = -(x_1^4 / 4 - b x_1^2 / 2 + c x_1) - |x_{2:D}|^2 / 2``.

    With the defaults (``b = 6``, ``c = 1``) the wells sit near ``x_1 = -2.5`` and ``x_1 = 2.4``
    behind a barrier of about 9 nats; the tilt ``c`` makes the left well about 100 times as likely
    as the right. ``log_z`` and the exact samples of ``x_1`` come from a float64 grid of 400,001
    points on ``[-12, 12]`` (trapezoid rule, inverse CDF).

    Example:
        >>> target = DoubleWellEnergy()
        >>> round(target.log_z, 4)
        12.0649
        >>> target(torch.tensor([[0.0, 1.0]])).tolist()  # the barrier at x_1 = 0
        [-0.5]
    """

    name = "double_well"

    def __init__(self, dim: int = 2, b: float = 6.0, c: float = 1.0):
        super().__init__(dim)
        self.b, self.c = float(b), float(c)
        grid = torch.linspace(-12.0, 12.0, 400_001, dtype=torch.float64)
        log_density = self._log_prob_1d(grid)
        shift = float(log_density.max())
        density = torch.exp(log_density - shift)
        step = float(grid[1] - grid[0])
        cumulative = torch.cat([density.new_zeros(1), torch.cumsum(
            0.5 * (density[1:] + density[:-1]) * step, 0)])
        self._log_z_1d = math.log(float(cumulative[-1])) + shift
        self._grid, self._cdf = grid, cumulative / cumulative[-1]

    def _log_prob_1d(self, x1: Tensor) -> Tensor:
        return -(0.25 * x1**4 - 0.5 * self.b * x1**2 + self.c * x1)

    @property
    def log_z(self) -> float:
        return self._log_z_1d + 0.5 * (self.dim - 1) * _LOG_TWO_PI

    def log_prob(self, x: Tensor) -> Tensor:
        return self._log_prob_1d(x[:, 0]) - 0.5 * (x[:, 1:] ** 2).sum(-1)

    def _sample(self, num_samples: int, generator: torch.Generator | None) -> Tensor:
        u = torch.rand(num_samples, generator=generator, dtype=torch.float64)
        index = torch.searchsorted(self._cdf, u).clamp(1, self._grid.numel() - 1)
        lo, hi = self._cdf[index - 1], self._cdf[index]
        frac = (u - lo) / (hi - lo).clamp_min(1e-300)
        x1 = self._grid[index - 1] + frac * (self._grid[index] - self._grid[index - 1])
        return torch.cat([x1.float().unsqueeze(1), self._rest(num_samples, generator, 1)], 1)


class BananaEnergy(EnergyTarget):
    """``x_1 ~ N(0, s^2)``, ``x_2 | x_1 ~ N(k (x_1^2 - s^2), 1)``, ``x_{3:D} ~ N(0, 1)``.

    ``log pi(x) = -x_1^2 / (2 s^2) - (x_2 - k (x_1^2 - s^2))^2 / 2 - |x_{3:D}|^2 / 2``, and
    ``Z = (2 pi)^{D/2} s`` (the twist has unit Jacobian).

    Example:
        >>> target = BananaEnergy()
        >>> abs(target.log_z - math.log(2 * math.pi * 2)) < 1e-12
        True
    """

    name = "banana"

    def __init__(self, dim: int = 2, s: float = 2.0, k: float = 0.5):
        super().__init__(dim)
        self.s, self.k = float(s), float(k)
        self.plot_range = (-6.0, 6.0)

    @property
    def log_z(self) -> float:
        return 0.5 * self.dim * _LOG_TWO_PI + math.log(self.s)

    def log_prob(self, x: Tensor) -> Tensor:
        x1, x2 = x[:, 0], x[:, 1]
        bent = x2 - self.k * (x1**2 - self.s**2)
        return -0.5 * (x1 / self.s) ** 2 - 0.5 * bent**2 - 0.5 * (x[:, 2:] ** 2).sum(-1)

    def _sample(self, num_samples: int, generator: torch.Generator | None) -> Tensor:
        x = torch.randn(num_samples, self.dim, generator=generator)
        x1 = self.s * x[:, 0]
        x2 = x[:, 1] + self.k * (x1**2 - self.s**2)
        return torch.cat([x1[:, None], x2[:, None], x[:, 2:]], 1)


class GaussianMixtureEnergy(EnergyTarget):
    """``K`` equal Gaussians of std ``sigma`` centred on a circle of radius ``r`` (first two
    coordinates; the others centred at 0): ``log pi(x) = log sum_k exp(-|x - mu_k|^2/(2 sigma^2))``
    and ``Z = K (2 pi sigma^2)^{D/2}``.

    Example:
        >>> target = GaussianMixtureEnergy(num_modes=4)
        >>> target.sample(5).shape
        torch.Size([5, 2])
    """

    name = "mixture"

    def __init__(self, dim: int = 2, num_modes: int = 6, radius: float = 3.0, sigma: float = 0.5):
        super().__init__(dim)
        self.num_modes, self.radius, self.sigma = int(num_modes), float(radius), float(sigma)
        angles = 2 * math.pi * torch.arange(self.num_modes, dtype=torch.float64) / self.num_modes
        self.means = torch.zeros(self.num_modes, self.dim, dtype=torch.float64)
        self.means[:, 0], self.means[:, 1] = radius * torch.cos(angles), radius * torch.sin(angles)

    @property
    def log_z(self) -> float:
        return math.log(self.num_modes) + 0.5 * self.dim * (_LOG_TWO_PI + 2 * math.log(self.sigma))

    def log_prob(self, x: Tensor) -> Tensor:
        means = self.means.to(x)
        squared = (x**2).sum(-1, keepdim=True) - 2 * x @ means.T + (means**2).sum(-1)
        return torch.logsumexp(-0.5 * squared / self.sigma**2, -1)

    def _sample(self, num_samples: int, generator: torch.Generator | None) -> Tensor:
        k = torch.randint(self.num_modes, (num_samples,), generator=generator)
        noise = torch.randn(num_samples, self.dim, generator=generator)
        return self.means.float()[k] + self.sigma * noise


class FunnelEnergy(EnergyTarget):
    """Neal's funnel: ``x_1 ~ N(0, 3^2)``, ``x_{2:D} | x_1 ~ N(0, e^{x_1})``.

    ``log pi(x) = -x_1^2 / 18 - (D - 1) x_1 / 2 - e^{-x_1} |x_{2:D}|^2 / 2`` and
    ``Z = (2 pi)^{D/2} 3``.

    Example:
        >>> target = FunnelEnergy(dim=3)
        >>> abs(target.log_z - 1.5 * math.log(2 * math.pi) - math.log(3)) < 1e-12
        True
    """

    name = "funnel"

    def __init__(self, dim: int = 2):
        super().__init__(dim)
        self.plot_range = (-8.0, 8.0)

    @property
    def log_z(self) -> float:
        return 0.5 * self.dim * _LOG_TWO_PI + math.log(3.0)

    def log_prob(self, x: Tensor) -> Tensor:
        x1, rest = x[:, 0], x[:, 1:]
        return (-x1**2 / 18 - 0.5 * (self.dim - 1) * x1
                - 0.5 * torch.exp(-x1) * (rest**2).sum(-1))

    def _sample(self, num_samples: int, generator: torch.Generator | None) -> Tensor:
        x = torch.randn(num_samples, self.dim, generator=generator)
        x1 = 3 * x[:, :1]
        return torch.cat([x1, torch.exp(0.5 * x1) * x[:, 1:]], 1)


ENERGY_TARGETS = {
    cls.name: cls for cls in (DoubleWellEnergy, BananaEnergy, GaussianMixtureEnergy, FunnelEnergy)
}


def make_energy(name: str, dim: int = 2) -> EnergyTarget:
    """The target ``name`` of ``ENERGY_TARGETS`` on ``R^dim`` with its default parameters.

    Example:
        >>> make_energy("funnel", 4)
        FunnelEnergy(dim=4)
    """
    if name not in ENERGY_TARGETS:
        raise ValueError(f"unknown energy target {name!r}; choose one of {sorted(ENERGY_TARGETS)}")
    return ENERGY_TARGETS[name](dim)
