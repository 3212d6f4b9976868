"""Harness cases for the masked couplings and NICE's diagonal scaling."""

from __future__ import annotations

import torch
from torch import nn

from survae.nn.layers import ElementwiseParams, ElementwiseParams2d
from survae.transforms import (
    DiagonalScalingBijection,
    MaskedAdditiveCouplingBijection,
    MaskedAffineCouplingBijection,
    alternating_mask,
    channel_mask,
    checkerboard_mask,
)
from tests.transforms.harness import Case, normal_input


def _conv(channels: int, params: int) -> nn.Module:
    layers = [nn.Conv2d(channels, channels * params, 3, padding=1)]
    return nn.Sequential(*layers, ElementwiseParams2d(params)) if params > 1 else layers[0]


def _randomised(layer):
    """Non-zero log-scales, so the log-det check is not trivially zero."""
    with torch.no_grad():
        layer.log_scale.normal_()
    return layer


CASES = [
    Case(
        "MaskedAffineCouplingBijection-checkerboard",
        lambda: MaskedAffineCouplingBijection(_conv(2, 2), checkerboard_mask(3, 3)),
        normal_input((2, 3, 3)),
    ),
    Case(
        "MaskedAffineCouplingBijection-channel-parity1-tanh_exp",
        lambda: MaskedAffineCouplingBijection(
            _conv(4, 2), channel_mask(4, parity=1), scale_fn="tanh_exp"
        ),
        normal_input((4, 2, 2)),
    ),
    Case(
        "MaskedAffineCouplingBijection-1d-alternating-softplus",
        lambda: MaskedAffineCouplingBijection(
            nn.Sequential(nn.Linear(5, 10), ElementwiseParams(2)),
            alternating_mask(5, parity=1),
            scale_fn="softplus",
        ),
        normal_input((5,)),
    ),
    Case(
        "MaskedAdditiveCouplingBijection-checkerboard",
        lambda: MaskedAdditiveCouplingBijection(_conv(1, 1), checkerboard_mask(4, 4, parity=1)),
        normal_input((1, 4, 4)),
    ),
    Case(
        "MaskedAdditiveCouplingBijection-1d",
        lambda: MaskedAdditiveCouplingBijection(nn.Linear(4, 4), alternating_mask(4)),
        normal_input((4,)),
    ),
    Case(
        "DiagonalScalingBijection",
        lambda: _randomised(DiagonalScalingBijection(4)),
        normal_input((4,)),
    ),
    Case(
        "DiagonalScalingBijection-image-per-channel",
        lambda: _randomised(DiagonalScalingBijection((2, 1, 1))),
        normal_input((2, 3, 3)),
    ),
]
