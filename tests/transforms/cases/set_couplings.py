"""Harness cases: couplings over sets, with permutation-equivariant transformer conditioners."""

from __future__ import annotations

from torch import nn

from survae.nn.layers import ElementwiseParams1d
from survae.nn.nets import PositionalTransformer, SetTransformer
from survae.transforms import AffineCouplingBijection
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


CASES = [
    Case("AffineCouplingBijection-set-transformer-over-coordinates", _coords,
         normal_input((2, 5))),
    Case("AffineCouplingBijection-positional-transformer-over-points", _points,
         normal_input((2, 6))),
]
