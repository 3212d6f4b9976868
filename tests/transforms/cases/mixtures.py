"""Harness cases: mixture-CDF couplings and autoregressive layers (inverse by bisection)."""

from __future__ import annotations

import torch
from torch import nn

from survae.nn.layers import ElementwiseParams
from survae.nn.nets import MADE
from survae.transforms import (
    CensoredLogisticMixtureAutoregressiveBijection,
    CensoredLogisticMixtureCouplingBijection,
    GaussianMixtureAutoregressiveBijection,
    GaussianMixtureCouplingBijection,
    LogisticMixtureAutoregressiveBijection,
    LogisticMixtureCouplingBijection,
)
from tests.transforms.harness import Case, normal_input, uniform_input

M = 3


def _net(d_in: int, d_out: int) -> nn.Module:
    torch.manual_seed(0)
    linear = nn.Linear(d_in, d_out * 3 * M)
    nn.init.normal_(linear.weight, std=0.5)
    return nn.Sequential(linear, ElementwiseParams(3 * M))


def _made() -> nn.Module:
    torch.manual_seed(0)
    net = MADE(3, 3 * M, [16])
    with torch.no_grad():
        net.masked_layers()[-1].weight.normal_(std=0.5)
    return net


CASES = [
    Case("GaussianMixtureCouplingBijection",
         lambda: GaussianMixtureCouplingBijection(_net(2, 2), M), normal_input((4,))),
    Case("LogisticMixtureCouplingBijection",
         lambda: LogisticMixtureCouplingBijection(_net(1, 2), M, num_condition=1),
         normal_input((3,))),
    Case("CensoredLogisticMixtureCouplingBijection",
         lambda: CensoredLogisticMixtureCouplingBijection(_net(2, 2), M, num_bins=8),
         uniform_input((4,))),
    Case("GaussianMixtureAutoregressiveBijection",
         lambda: GaussianMixtureAutoregressiveBijection(_made(), M), normal_input((3,))),
    Case("LogisticMixtureAutoregressiveBijection",
         lambda: LogisticMixtureAutoregressiveBijection(_made(), M), normal_input((3,))),
    Case("CensoredLogisticMixtureAutoregressiveBijection",
         lambda: CensoredLogisticMixtureAutoregressiveBijection(_made(), M, num_bins=16),
         uniform_input((3,))),
]

from survae.nn.nets import PixelCNN  # noqa: E402
from survae.transforms import (  # noqa: E402
    CensoredLogisticMixtureAutoregressiveBijection2d,
    ConditionalCensoredLogisticMixtureCouplingBijection,
    ConditionalGaussianMixtureCouplingBijection,
    ConditionalLogisticMixtureCouplingBijection,
    GaussianMixtureAutoregressiveBijection2d,
    LogisticMixtureAutoregressiveBijection2d,
)


def _pixelcnn(params: int) -> nn.Module:
    torch.manual_seed(0)
    return PixelCNN(1, params, filters=4, num_blocks=1, output_filters=8, kernel_size_in=3)


CASES += [
    Case("ConditionalGaussianMixtureCouplingBijection",
         lambda: ConditionalGaussianMixtureCouplingBijection(_net(2 + 3, 2), M),
         normal_input((4,)), context=normal_input((3,))),
    Case("ConditionalLogisticMixtureCouplingBijection",
         lambda: ConditionalLogisticMixtureCouplingBijection(_net(2 + 3, 2), M),
         normal_input((4,)), context=normal_input((3,))),
    Case("ConditionalCensoredLogisticMixtureCouplingBijection",
         lambda: ConditionalCensoredLogisticMixtureCouplingBijection(_net(2 + 3, 2), M, 8),
         uniform_input((4,)), context=normal_input((3,))),
    Case("GaussianMixtureAutoregressiveBijection2d",
         lambda: GaussianMixtureAutoregressiveBijection2d(_pixelcnn(3 * M), M),
         normal_input((1, 3, 3))),
    Case("LogisticMixtureAutoregressiveBijection2d",
         lambda: LogisticMixtureAutoregressiveBijection2d(_pixelcnn(3 * M), M),
         normal_input((1, 3, 3))),
    Case("CensoredLogisticMixtureAutoregressiveBijection2d",
         lambda: CensoredLogisticMixtureAutoregressiveBijection2d(_pixelcnn(3 * M), M, 16),
         uniform_input((1, 3, 3))),
]
