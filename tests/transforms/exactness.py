"""Brute-force references for surjective and stochastic layers (low dimension, float64)."""

from __future__ import annotations

import math

import torch
from torch import Tensor

from survae.distributions import Distribution


def grid_2d(bound: float = 8.0, num: int = 401) -> tuple[Tensor, float]:
    """A ``num x num`` grid on ``[-bound, bound]^2`` (float64) and the area of one cell."""
    axis = torch.linspace(-bound, bound, num, dtype=torch.float64)
    xx, yy = torch.meshgrid(axis, axis, indexing="ij")
    step = float(axis[1] - axis[0])
    return torch.stack([xx.reshape(-1), yy.reshape(-1)], dim=1), step * step


def assert_integrates_to_one(model: Distribution, bound: float = 8.0, tol: float = 1e-4) -> None:
    """The density of a 2-D model integrates to one (quadrature on a fine grid)."""
    points, cell = grid_2d(bound)
    with torch.no_grad():
        total = float(torch.exp(model.log_prob(points)).sum() * cell)
    assert abs(total - 1.0) < tol, f"density integrates to {total}, not 1"


def midpoint_grid_2d(low: float, high: float, num: int) -> tuple[Tensor, float]:
    """Cell midpoints of a ``num x num`` partition of ``[low, high]^2`` and the cell area.

    Cell boundaries (not points) sit on ``low + j h``: with ``0`` among them, densities that jump
    across the axes (sign or ReLU surjections) are integrated without a boundary error.
    """
    step = (high - low) / num
    axis = low + step * (torch.arange(num, dtype=torch.float64) + 0.5)
    xx, yy = torch.meshgrid(axis, axis, indexing="ij")
    return torch.stack([xx.reshape(-1), yy.reshape(-1)], dim=1), step * step


def assert_integrates_to_one_midpoint(
    model: Distribution, low: float = -8.0, high: float = 8.0, num: int = 800, tol: float = 1e-4
) -> None:
    """The density of a 2-D model integrates to one (midpoint rule, cells aligned with 0)."""
    points, cell = midpoint_grid_2d(low, high, num)
    with torch.no_grad():
        total = float(torch.exp(model.log_prob(points)).sum() * cell)
    assert abs(total - 1.0) < tol, f"density integrates to {total}, not 1"


def gauss_legendre(low: float, high: float, num: int) -> tuple[Tensor, Tensor]:
    """Gauss-Legendre nodes and weights on ``[low, high]`` (float64)."""
    import numpy as np

    nodes, weights = np.polynomial.legendre.leggauss(num)
    half = 0.5 * (high - low)
    nodes = torch.as_tensor(low + half * (nodes + 1.0), dtype=torch.float64)
    return nodes, torch.as_tensor(half * weights, dtype=torch.float64)


def product_quadrature(low: float, high: float, num: int, dims: int) -> tuple[Tensor, Tensor]:
    """Tensor-product Gauss-Legendre rule on ``[low, high]^dims``: points ``(num^dims, dims)``
    and weights ``(num^dims,)``."""
    nodes, weights = gauss_legendre(low, high, num)
    grids = torch.meshgrid(*([nodes] * dims), indexing="ij")
    wgrids = torch.meshgrid(*([weights] * dims), indexing="ij")
    points = torch.stack([g.reshape(-1) for g in grids], dim=1)
    w = torch.stack([g.reshape(-1) for g in wgrids], dim=1).prod(1)
    return points, w


def assert_bound_calibrated(
    model: Distribution,
    x: Tensor,
    exact: Tensor,
    k: int = 20000,
    sigmas: float = 5.0,
    max_se: float = 0.02,
) -> None:
    """Bound checks with tolerances set by the Monte Carlo standard errors (seed-robust).

    From ``k`` stochastic evaluations ``L_j`` of ``model.log_prob(x)`` (log importance weights):

    - the ELBO ``mean_j L_j`` does not exceed ``log p(x)`` beyond ``sigmas`` standard errors;
    - the importance-weighted bound ``log mean_j exp(L_j)`` matches ``log p(x)`` within
      ``sigmas`` (delta-method) standard errors, and that standard error is below ``max_se`` (so
      the check has teeth);
    - it is at least the ELBO (Jensen), i.e. the bound tightens from 1 to ``k`` samples.
    """
    with torch.no_grad():
        logw = model.log_prob(x.repeat_interleave(k, dim=0)).reshape(x.shape[0], k)
    assert bool(torch.isfinite(logw).all()), "non-finite bound"
    elbo = logw.mean(1)
    se_elbo = logw.std(1) / math.sqrt(k)
    assert bool((elbo <= exact + sigmas * se_elbo + 1e-9).all()), f"ELBO {elbo} > log p(x) {exact}"
    top = logw.max(1, keepdim=True).values
    w = torch.exp(logw - top)
    iwbo = torch.log(w.mean(1)) + top[:, 0]
    se_iw = w.std(1) / (w.mean(1) * math.sqrt(k))
    assert bool((se_iw < max_se).all()), f"IWBO standard error {se_iw} too large for a check"
    err = (iwbo - exact).abs()
    assert bool((err <= sigmas * se_iw + 1e-9).all()), (
        f"IWBO {iwbo} vs exact {exact} (standard errors {se_iw})"
    )
    assert bool((iwbo >= elbo - 1e-12).all())
