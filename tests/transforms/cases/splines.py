"""Harness cases for the spline bijections (elementwise and coupling, every kind and domain)."""

from __future__ import annotations

import math

import torch
from torch import nn

from survae.nn.layers import ElementwiseParams, ElementwiseParams2d
from survae.transforms import (
    ConditionalCubicSplineCouplingBijection,
    ConditionalLinearSplineCouplingBijection,
    ConditionalQuadraticSplineCouplingBijection,
    ConditionalRationalQuadraticSplineCouplingBijection,
    CubicSplineCouplingBijection,
    LinearSplineCouplingBijection,
    QuadraticSplineCouplingBijection,
    RationalQuadraticSplineCouplingBijection,
)
from survae.transforms.bijections.splines import (
    CubicSplineBijection,
    LinearSplineBijection,
    QuadraticSplineBijection,
    RationalQuadraticSplineBijection,
)
from tests.transforms.harness import Case, normal_input, uniform_input

K = 4
# Parameters per element with K bins: ([0, 1] domain, linear tails, circular tails).
NUM_PARAMS = {
    "Linear": (K, K, K),
    "Quadratic": (2 * K + 1, 2 * K - 1, 2 * K - 1),
    "Cubic": (2 * K + 2, 2 * K + 2, 2 * K + 2),
    "RationalQuadratic": (3 * K + 1, 3 * K - 1, 3 * K),
}
COUPLINGS = {
    "Linear": LinearSplineCouplingBijection,
    "Quadratic": QuadraticSplineCouplingBijection,
    "Cubic": CubicSplineCouplingBijection,
    "RationalQuadratic": RationalQuadraticSplineCouplingBijection,
}
CONDITIONAL_COUPLINGS = {
    "Linear": ConditionalLinearSplineCouplingBijection,
    "Quadratic": ConditionalQuadraticSplineCouplingBijection,
    "Cubic": ConditionalCubicSplineCouplingBijection,
    "RationalQuadratic": ConditionalRationalQuadraticSplineCouplingBijection,
}
ELEMENTWISE = {
    "Linear": LinearSplineBijection,
    "Quadratic": QuadraticSplineBijection,
    "Cubic": CubicSplineBijection,
    "RationalQuadratic": RationalQuadraticSplineBijection,
}


def _mlp(d_in: int, d_out: int, num_params: int) -> nn.Module:
    """A conditioner with large enough outputs to make the splines far from the identity."""
    head = nn.Linear(16, d_out * num_params)
    nn.init.normal_(head.weight, std=0.5)
    return nn.Sequential(nn.Linear(d_in, 16), nn.Tanh(), head, ElementwiseParams(num_params))


def _perturbed(layer: nn.Module) -> nn.Module:
    with torch.no_grad():
        layer.params.add_(2 * torch.randn_like(layer.params))
    return layer


def _in_unit_interval(x: torch.Tensor) -> torch.Tensor:
    return (x >= 0) & (x <= 1)


def _coupling_cases(kind: str) -> list[Case]:
    unit, linear, circular = NUM_PARAMS[kind]
    cls, cond = COUPLINGS[kind], CONDITIONAL_COUPLINGS[kind]
    return [
        Case(
            f"{cls.__name__}-unit-interval",
            lambda: cls(_mlp(2, 1, unit), K),
            uniform_input((3,), 0.01, 0.99),
            support=_in_unit_interval,
        ),
        Case(
            f"{cls.__name__}-linear-tails",
            lambda: cls(_mlp(2, 2, linear), K, tail_bound=2.0),
            lambda n: 2.5 * normal_input((4,))(n),  # about half of the inputs in the tails
        ),
        Case(
            f"{cls.__name__}-circular",
            lambda: cls(
                _mlp(1, 2, circular), K, num_condition=1, tail_bound=math.pi, tails="circular"
            ),
            uniform_input((3,), -math.pi, math.pi),
        ),
        Case(
            f"{cls.__name__}-image",
            lambda: cls(
                nn.Sequential(nn.Conv2d(1, linear, 3, padding=1), ElementwiseParams2d(linear)),
                K,
                tail_bound=3.0,
            ),
            normal_input((2, 3, 3)),
        ),
        Case(
            f"{cond.__name__}-linear-tails",
            lambda: cond(_mlp(3, 2, linear), K, tail_bound=2.0),
            lambda n: 2.5 * normal_input((4,))(n),
            context=normal_input((1,)),
        ),
        Case(
            f"{cond.__name__}-unit-interval",
            lambda: cond(_mlp(2, 1, unit), K, context_net=nn.Linear(2, 1)),
            uniform_input((2,), 0.01, 0.99),
            context=normal_input((2,)),
            support=_in_unit_interval,
        ),
    ]


def _elementwise_cases(kind: str) -> list[Case]:
    cls = ELEMENTWISE[kind]
    return [
        Case(
            f"{cls.__name__}-linear-tails",
            lambda: _perturbed(cls(3, num_bins=5, tail_bound=2.0)),
            lambda n: 2 * normal_input((3,))(n),
        ),
        Case(
            f"{cls.__name__}-unit-interval",
            lambda: _perturbed(cls(2, num_bins=5, tail_bound=None)),
            uniform_input((2, 2), 0.01, 0.99),
            support=_in_unit_interval,
        ),
        Case(
            f"{cls.__name__}-circular",
            lambda: _perturbed(cls(2, num_bins=5, tail_bound=math.pi, tails="circular")),
            lambda n: 4 * normal_input((2,))(n),  # also angles outside [-pi, pi]: periodic
        ),
    ]


CASES = [case for kind in NUM_PARAMS for case in _coupling_cases(kind) + _elementwise_cases(kind)]
