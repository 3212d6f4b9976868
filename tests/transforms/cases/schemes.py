"""Harness cases: the generic coupling and autoregressive schemes holding a transformer object
(``bijections/coupling/coupling.py``, ``bijections/autoregressive/autoregressive.py``)."""

from __future__ import annotations

import torch
from torch import nn

from survae.nn.layers import ElementwiseParams
from survae.nn.nets import MADE, ConditionalMADE, PixelCNN
from survae.transforms import (
    AutoregressiveBijection,
    AutoregressiveBijection2d,
    ConditionalAutoregressiveBijection,
    ConditionalCouplingBijection,
    CouplingBijection,
)
from survae.transforms.bijections.transformers import (
    Affine,
    CubicSpline,
    LogisticMixture,
    RationalQuadraticSpline,
)
from tests.transforms.harness import Case, normal_input, uniform_input


def _mlp(d_in: int, d_out: int, p: int) -> nn.Module:
    torch.manual_seed(0)
    return nn.Sequential(nn.Linear(d_in, 16), nn.Tanh(), nn.Linear(16, d_out * p),
                         ElementwiseParams(p))


RQS = RationalQuadraticSpline(4, tail_bound=3.0)

CASES = [
    Case("CouplingBijection-RationalQuadraticSpline",
         lambda: CouplingBijection(_mlp(2, 2, RQS.num_params), transformer=RQS),
         lambda n: 2 * normal_input((4,))(n)),
    Case("CouplingBijection-LogisticMixture",
         lambda: CouplingBijection(_mlp(2, 1, 6), transformer=LogisticMixture(2)),
         normal_input((3,)), atol=1e-7),
    Case("ConditionalCouplingBijection-Affine-tanh_exp",
         lambda: ConditionalCouplingBijection(_mlp(2 + 2, 2, 2), transformer=Affine("tanh_exp")),
         normal_input((4,)), context=normal_input((2,))),
    Case("AutoregressiveBijection-CubicSpline",
         lambda: AutoregressiveBijection(MADE(3, 2 * 4 + 2, [16]), transformer=CubicSpline(4)),
         uniform_input((3,), 0.01, 0.99)),
    Case("ConditionalAutoregressiveBijection-RationalQuadraticSpline",
         lambda: ConditionalAutoregressiveBijection(
             ConditionalMADE(3, RQS.num_params, [16], context_features=2), transformer=RQS),
         lambda n: 2 * normal_input((3,))(n), context=normal_input((2,))),
    Case("AutoregressiveBijection2d-Affine-raster_wh",
         lambda: AutoregressiveBijection2d(
             PixelCNN(1, 2, filters=4, num_blocks=1, output_filters=8, kernel_size_in=3),
             "raster_wh", transformer=Affine("softplus")),
         normal_input((1, 2, 2))),
]
