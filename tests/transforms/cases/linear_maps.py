"""Harness cases: low-rank, orthogonal and QR linear maps, rotations, conditional elementwise."""

from __future__ import annotations

import torch
from torch import nn

from survae.transforms import (
    ConditionalAdditiveBijection,
    ConditionalAffineBijection,
    LinearLowRank,
    LinearOrthogonal,
    LinearQR,
    Rotate,
)
from tests.transforms.harness import Case, normal_input


def _low_rank(bias: bool):
    layer = LinearLowRank(4, rank=2, bias=bias)
    with torch.no_grad():  # away from the near-identity initialisation
        layer.U.normal_()
        layer.V.normal_(std=0.5)
        layer.d.uniform_(0.5, 2.0)
        if bias:
            layer.bias.normal_()
    return layer


CASES = [
    Case("LinearLowRank", lambda: _low_rank(False), normal_input((4,))),
    Case("LinearLowRank-bias", lambda: _low_rank(True), normal_input((4,))),
    Case("LinearOrthogonal", lambda: LinearOrthogonal(4), normal_input((4,))),
    Case("LinearQR", lambda: LinearQR(3), normal_input((3,))),
    Case("Rotate-90-image", lambda: Rotate(90, 2, 3), normal_input((2, 3, 3))),
    Case("Rotate-90-rectangular", lambda: Rotate(90, 2, 3), normal_input((2, 3, 4))),
    Case("Rotate-180-rectangular", lambda: Rotate(180, 1, 2), normal_input((2, 3))),
    Case("Rotate-270", lambda: Rotate(270, 1, 2), normal_input((3, 3))),
    Case("ConditionalAdditiveBijection", lambda: ConditionalAdditiveBijection(nn.Linear(3, 2)),
         normal_input((2,)), context=normal_input((3,))),
    Case("ConditionalAffineBijection", lambda: ConditionalAffineBijection(nn.Linear(3, 4)),
         normal_input((2,)), context=normal_input((3,))),
]
