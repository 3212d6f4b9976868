"""Energy targets: log Z and exact samples against brute-force quadrature on a grid."""

from __future__ import annotations

import math

import pytest
import torch

from survae.data.energies import ENERGY_TARGETS, make_energy


def _quadrature(name: str) -> tuple[float, float, float]:
    """``log Z``, ``E[x_1]`` and ``E[x_2]`` of the 2-D target by a float64 grid (for the funnel
    the ``x_2`` grid is scaled by its conditional std ``exp(x_1 / 2)`` to resolve the neck)."""
    target = make_energy(name)
    u = torch.linspace(-1, 1, 1201, dtype=torch.float64)
    if name == "funnel":
        x1 = 20 * u
        scale = torch.exp(0.5 * x1)
        x2 = 12 * u[None, :] * scale[:, None]  # (x1, x2) grid, x2 cell width 12 du * scale
        area = (20 * (u[1] - u[0])) * (12 * (u[1] - u[0])) * scale[:, None]
    else:
        first, second = {"banana": (16.0, (-20.0, 100.0))}.get(name, (9.0, (-9.0, 9.0)))
        x1 = first * u
        x2 = (second[0] + (second[1] - second[0]) * (u + 1) / 2)[None, :].expand(u.numel(), -1)
        area = torch.full((u.numel(), 1), float((x1[1] - x1[0]) * (x2[0, 1] - x2[0, 0])),
                          dtype=torch.float64)
    grid_x1 = x1[:, None].expand_as(x2)
    points = torch.stack([grid_x1.reshape(-1), x2.reshape(-1)], 1)
    log_mass = (target(points).reshape(x2.shape) + torch.log(area)).reshape(-1)
    log_z = float(torch.logsumexp(log_mass, 0))
    weights = torch.softmax(log_mass, 0)
    return log_z, float((weights * points[:, 0]).sum()), float((weights * points[:, 1]).sum())


@pytest.mark.parametrize("name", sorted(ENERGY_TARGETS))
def test_log_z_and_samples_match_quadrature(name):
    target = make_energy(name)
    log_z, mean1, mean2 = _quadrature(name)
    assert abs(target.log_z - log_z) < 1e-4
    x = target.sample(200_000, torch.Generator().manual_seed(0)).double()
    stderr = x.std(0) / math.sqrt(x.shape[0])
    assert abs(float(x[:, 0].mean()) - mean1) < 5 * float(stderr[0])
    assert abs(float(x[:, 1].mean()) - mean2) < 5 * float(stderr[1])


@pytest.mark.parametrize("name", sorted(ENERGY_TARGETS))
def test_higher_dimensions_add_gaussian_coordinates(name):
    two, four = make_energy(name, 2), make_energy(name, 4)
    # Two more coordinates, Gaussian given the first two (std sigma for the mixture's, 1 for the
    # others'; the funnel's e^{x_1 / 2} cancels against its x_1 term): Z gains 2 pi std^2.
    std = two.sigma if name == "mixture" else 1.0
    assert abs(four.log_z - two.log_z - math.log(2 * math.pi * std**2)) < 1e-9
    assert four.sample(7).shape == (7, 4)
    x = torch.randn(5, 4)
    assert torch.isfinite(four(x)).all() and four(x).shape == (5,)


def test_log_prob_is_differentiable_and_checks_shapes():
    target = make_energy("double_well")
    x = torch.randn(3, 2, requires_grad=True)
    target(x).sum().backward()
    assert x.grad is not None
    with pytest.raises(ValueError, match=r"DoubleWellEnergy\(dim=2\).*\(batch, 2\)"):
        target(torch.zeros(3, 3))
    with pytest.raises(ValueError, match="unknown energy target"):
        make_energy("rosenbrock")
