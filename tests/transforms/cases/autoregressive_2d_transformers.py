"""Harness cases: autoregressive image bijections with Transformer conditioners (the official
DecoderOnlyTransformer2d / DenseTransformer2d, real-valued inputs, 'cwh' = raster_cwh order)."""

from __future__ import annotations

import torch

from survae.nn.nets import DecoderOnlyTransformer2d, DenseTransformer2d
from survae.transforms import (
    AdditiveAutoregressiveBijection2d,
    AffineAutoregressiveBijection2d,
    RationalQuadraticSplineAutoregressiveBijection2d,
)
from tests.transforms.harness import Case, normal_input


def _transformer(cls, channels: int, params: int):
    torch.manual_seed(0)
    net = cls((channels, 2, 2), params, None, autoregressive_order="cwh", d_model=8, nhead=2,
              num_layers=1, dim_feedforward=16, dropout=0.0)
    with torch.no_grad():  # DenseTransformer2d starts at zero output: move it away
        net.out_linear.weight.normal_(0.0, 0.5)
    return net


CASES = [
    Case("AffineAutoregressiveBijection2d-DecoderOnlyTransformer2d",
         lambda: AffineAutoregressiveBijection2d(
             _transformer(DecoderOnlyTransformer2d, 2, 2), scale_fn="tanh_exp"),
         normal_input((2, 2, 2))),
    Case("AdditiveAutoregressiveBijection2d-DenseTransformer2d",
         lambda: AdditiveAutoregressiveBijection2d(_transformer(DenseTransformer2d, 2, 1)),
         normal_input((2, 2, 2))),
    Case("RationalQuadraticSplineAutoregressiveBijection2d-DenseTransformer2d",
         lambda: RationalQuadraticSplineAutoregressiveBijection2d(
             _transformer(DenseTransformer2d, 1, 3 * 4 - 1), 4, tail_bound=2.0),
         lambda n: 2.5 * normal_input((1, 2, 2))(n), atol=1e-6),
]
