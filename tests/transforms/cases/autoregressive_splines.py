"""Harness cases: autoregressive splines (all kinds, bounded and with tails) and conditional
autoregressive layers."""

from __future__ import annotations

import torch

from survae.nn.nets import MADE, ConditionalMADE
from survae.transforms import (
    ConditionalAdditiveAutoregressiveBijection,
    ConditionalAffineAutoregressiveBijection,
    ConditionalRationalQuadraticSplineAutoregressiveBijection,
    CubicSplineAutoregressiveBijection,
    LinearSplineAutoregressiveBijection,
    QuadraticSplineAutoregressiveBijection,
    RationalQuadraticSplineAutoregressiveBijection,
)
from tests.transforms.harness import Case, normal_input, uniform_input

K = 4
KINDS = {  # class, params ([0, 1] domain), params (linear tails)
    "Linear": (LinearSplineAutoregressiveBijection, K, K),
    "Quadratic": (QuadraticSplineAutoregressiveBijection, 2 * K + 1, 2 * K - 1),
    "Cubic": (CubicSplineAutoregressiveBijection, 2 * K + 2, 2 * K + 2),
    "RationalQuadratic": (RationalQuadraticSplineAutoregressiveBijection, 3 * K + 1, 3 * K - 1),
}


def _made(num_params: int, features: int = 3, context: int | None = None):
    torch.manual_seed(0)
    net = (MADE(features, num_params, [16]) if context is None else
           ConditionalMADE(features, num_params, [16], context_features=context))
    with torch.no_grad():  # conditioner outputs far from zero: splines far from the identity
        net.masked_layers()[-1].weight.normal_(std=0.5)
    return net


CASES = []
for cls, bounded, tails in KINDS.values():
    CASES.append(Case(f"{cls.__name__}-unit-interval",
                      lambda cls=cls, p=bounded: cls(_made(p), K),
                      uniform_input((3,), 0.01, 0.99), atol=1e-6))
    CASES.append(Case(f"{cls.__name__}-linear-tails",
                      lambda cls=cls, p=tails: cls(_made(p), K, tail_bound=2.0),
                      lambda n: 2.5 * normal_input((3,))(n), atol=1e-6))
CASES += [
    Case("ConditionalAffineAutoregressiveBijection",
         lambda: ConditionalAffineAutoregressiveBijection(_made(2, context=4), scale_fn="softplus"),
         normal_input((3,)), context=normal_input((4,))),
    Case("ConditionalAdditiveAutoregressiveBijection",
         lambda: ConditionalAdditiveAutoregressiveBijection(_made(1, context=2)),
         normal_input((3,)), context=normal_input((2,))),
    Case("ConditionalRationalQuadraticSplineAutoregressiveBijection",
         lambda: ConditionalRationalQuadraticSplineAutoregressiveBijection(
             _made(3 * K - 1, context=2), K, tail_bound=2.0),
         lambda n: 2.5 * normal_input((3,))(n), context=normal_input((2,)), atol=1e-6),
]

from survae.nn.nets import AutoregressiveTransformer, ResidualMADE  # noqa: E402
from survae.transforms import AffineAutoregressiveBijection  # noqa: E402

CASES += [
    Case("AffineAutoregressiveBijection-transformer-conditioner",
         lambda: AffineAutoregressiveBijection(
             AutoregressiveTransformer(3, 2, d_model=8, nhead=2, num_layers=1),
             scale_fn="tanh_exp"),
         normal_input((3,))),
    Case("RationalQuadraticSplineAutoregressiveBijection-residual-made",
         lambda: RationalQuadraticSplineAutoregressiveBijection(
             ResidualMADE(3, 3 * K - 1, hidden_features=16, random_order=True, random_seed=1),
             K, tail_bound=2.0),
         lambda n: 2.5 * normal_input((3,))(n), atol=1e-6),
]
