"""Harness cases for the spline bijections."""

from __future__ import annotations

from torch import nn

from survae.nn.layers import ElementwiseParams, ElementwiseParams2d
from survae.transforms import (
    RationalQuadraticSplineBijection,
    RationalQuadraticSplineCouplingBijection,
)
from tests.transforms.harness import Case, normal_input, uniform_input


def _mlp(d_in: int, d_out: int, num_params: int) -> nn.Module:
    return nn.Sequential(
        nn.Linear(d_in, 16),
        nn.Tanh(),
        nn.Linear(16, d_out * num_params),
        ElementwiseParams(num_params),
    )


CASES = [
    Case(
        "RationalQuadraticSplineCouplingBijection-tails",
        lambda: RationalQuadraticSplineCouplingBijection(_mlp(2, 2, 23), 8, tail_bound=2.0),
        lambda n: 2.5 * normal_input((4,))(n),
    ),
    Case(
        "RationalQuadraticSplineCouplingBijection-unit-interval",
        lambda: RationalQuadraticSplineCouplingBijection(_mlp(2, 1, 13), 4),
        uniform_input((3,), 0.01, 0.99),
    ),
    Case(
        "RationalQuadraticSplineCouplingBijection-image",
        lambda: RationalQuadraticSplineCouplingBijection(
            nn.Sequential(nn.Conv2d(1, 11, 3, padding=1), ElementwiseParams2d(11)),
            4,
            tail_bound=3.0,
        ),
        normal_input((2, 3, 3)),
    ),
    Case(
        "RationalQuadraticSplineBijection",
        lambda: RationalQuadraticSplineBijection(3, num_bins=5, tail_bound=2.0),
        lambda n: 2 * normal_input((3,))(n),
    ),
]
