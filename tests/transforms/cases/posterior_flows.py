"""Harness cases: Sylvester flows, amortized posterior flows and the direction swaps."""

from __future__ import annotations

import torch
from torch import nn

from survae.transforms import (
    AmortizedBijection,
    ConditionalHouseholderBijection,
    ConditionalInverseBijection,
    ConditionalPlanarBijection,
    ConditionalRadialBijection,
    ConditionalSylvesterBijection,
    InverseBijection,
    PlanarBijection,
    RadialBijection,
    SylvesterBijection,
)
from tests.transforms.harness import Case, normal_input


def _scaled(shape, scale):
    return lambda n: scale * torch.randn(n, *shape, dtype=torch.float64)


CASES = [
    Case("SylvesterBijection-orthogonal-M2", lambda: SylvesterBijection(3, num_vectors=2),
         normal_input((3,))),
    Case("SylvesterBijection-householder", lambda: SylvesterBijection(3, kind="householder",
                                                                      num_reflections=3),
         normal_input((3,))),
    Case("SylvesterBijection-triangular-flip", lambda: SylvesterBijection(3, kind="triangular",
                                                                           flip=True),
         normal_input((3,))),
    Case("ConditionalSylvesterBijection-orthogonal",
         lambda: ConditionalSylvesterBijection(3, num_vectors=2),
         normal_input((3,)), context=_scaled((2 * 4 + 2 * 2 + 2 + 3 * 2,), 0.5)),
    Case("ConditionalSylvesterBijection-householder",
         lambda: ConditionalSylvesterBijection(2, kind="householder", num_reflections=2),
         normal_input((2,)), context=_scaled((2 * 4 + 2 * 2 + 2 + 4,), 0.5)),
    Case("InverseBijection-planar", lambda: InverseBijection(PlanarBijection(3)),
         normal_input((3,)), atol=1e-7),
    Case("InverseBijection-radial", lambda: InverseBijection(RadialBijection(2)),
         normal_input((2,))),
    Case("ConditionalInverseBijection-amortized-planar",
         lambda: ConditionalInverseBijection(
             AmortizedBijection(ConditionalPlanarBijection(3), nn.Linear(4, 7))),
         normal_input((3,)), context=normal_input((4,)), atol=1e-7),
    Case("AmortizedBijection-radial",
         lambda: AmortizedBijection(ConditionalRadialBijection(3), nn.Linear(4, 5)),
         normal_input((3,)), context=normal_input((4,))),
    Case("ConditionalRadialBijection", lambda: ConditionalRadialBijection(3),
         normal_input((3,)), context=normal_input((5,))),
    Case("ConditionalHouseholderBijection",
         lambda: ConditionalHouseholderBijection(3, num_reflections=2),
         normal_input((3,)), context=normal_input((6,))),
]
