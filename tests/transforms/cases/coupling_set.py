"""Harness cases: couplings over sets (``bijections/coupling/coupling_set.py``, channels first) and
the plain coupling with permutation-equivariant or positional transformer conditioners."""

from __future__ import annotations

import torch
from torch import nn

from survae.nn.layers import ElementwiseParams1d
from survae.nn.nets import PositionalTransformer, SetTransformer
from survae.transforms import (
    AdditiveSetCouplingBijection,
    AffineCouplingBijection,
    AffineSetCouplingBijection,
    LogSpacingsBijection,
    RationalQuadraticSplineSetCouplingBijection,
)
from tests.transforms.harness import Case, normal_input


def _coords():
    net = SetTransformer(1, 2, d_model=8, nhead=2, num_layers=1, zero_init=False)
    return AffineCouplingBijection(nn.Sequential(net, ElementwiseParams1d(2)), split_dim=1,
                                   scale_fn="softplus")


def _points():
    net = PositionalTransformer(2, 4, length=3, d_model=8, nhead=2, num_layers=1,
                                zero_init=False)
    return AffineCouplingBijection(nn.Sequential(net, ElementwiseParams1d(2)), split_dim=2,
                                   scale_fn="tanh_exp")

def _sorted_sets(shape: tuple[int, int], feature: int = 0):
    """Sets ``(n, D, L)`` whose ``feature`` increases strictly along the points."""

    def make(n: int) -> torch.Tensor:
        x = torch.randn(n, *shape, dtype=torch.float64)
        x[:, feature] = torch.cumsum(torch.rand(n, shape[1], dtype=torch.float64) + 0.05, -1)
        return x

    return make

SMALL = {"d_model": 8, "nhead": 2, "num_layers": 1, "zero_init": False}

CASES = [
    Case("LogSpacingsBijection-feature-0", lambda: LogSpacingsBijection(),
         _sorted_sets((2, 5))),
    Case("LogSpacingsBijection-feature-1-of-3", lambda: LogSpacingsBijection(feature=1),
         _sorted_sets((3, 4), feature=1)),
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
    Case("AffineCouplingBijection-set-transformer-over-coordinates", _coords,
         normal_input((2, 5))),
    Case("AffineCouplingBijection-positional-transformer-over-points", _points,
         normal_input((2, 6))),
]
