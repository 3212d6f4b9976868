"""Harness cases: set couplings (SetTransformer conditioners over the points, channels first)."""

from __future__ import annotations

from survae.transforms import (
    AdditiveSetCouplingBijection,
    AffineSetCouplingBijection,
    RationalQuadraticSplineSetCouplingBijection,
)
from tests.transforms.harness import Case, normal_input

SMALL = {"d_model": 8, "nhead": 2, "num_layers": 1, "zero_init": False}

CASES = [
    Case("AffineSetCouplingBijection-2-features", lambda: AffineSetCouplingBijection(2, **SMALL),
         normal_input((2, 5))),
    Case("AffineSetCouplingBijection-3-features-tanh-exp",
         lambda: AffineSetCouplingBijection(3, num_condition=1, scale_fn="tanh_exp", **SMALL),
         normal_input((3, 4))),
    Case("AdditiveSetCouplingBijection-3-features",
         lambda: AdditiveSetCouplingBijection(3, **SMALL), normal_input((3, 4))),
    Case("RationalQuadraticSplineSetCouplingBijection-2-features",
         lambda: RationalQuadraticSplineSetCouplingBijection(2, num_bins=4, tail_bound=3.0,
                                                             **SMALL),
         normal_input((2, 5)), atol=1e-7),
    Case("RationalQuadraticSplineSetCouplingBijection-3-features-identity-init",
         lambda: RationalQuadraticSplineSetCouplingBijection(3, num_condition=1, num_bins=4,
                                                             d_model=8, nhead=2, num_layers=1),
         normal_input((3, 4))),
]
