"""Permutation symmetry of set layers and of flows over sets (channels first, ``(B, D, L)``).

- set couplings (SetTransformer conditioners), ActNorm over the set and ``Reverse`` over the
  features are permutation *equivariant*; a flow of them with an i.i.d. base is exactly
  invariant;
- an order-aware flow (a coupling over the points with a positional conditioner) is not, but
  becomes exactly invariant behind a ``SortSurjection``;
- behind a ``StochasticPermutation`` it is invariant in expectation: the Monte Carlo mean of the
  bound matches the exact average over all ``L!`` orders, the same for a set and its
  permutation, and ``mean(exp(bound))`` matches the symmetrised likelihood.
"""

from __future__ import annotations

import itertools
import math

import pytest
import torch
from torch import nn

from survae.distributions import StandardNormal
from survae.flows import Flow
from survae.nn.layers import ElementwiseParams1d
from survae.nn.nets import PositionalTransformer
from survae.transforms import (
    ActNormBijection1d,
    AdditiveSetCouplingBijection,
    AffineCouplingBijection,
    AffineSetCouplingBijection,
    RationalQuadraticSplineSetCouplingBijection,
    Reverse,
    SortSurjection,
    StochasticPermutation,
)

SMALL = {"d_model": 8, "nhead": 2, "num_layers": 1}


def _perturb(module: nn.Module, scale: float = 0.3) -> nn.Module:
    """Random non-zero weights everywhere, so an order dependence would show."""
    with torch.no_grad():
        for p in module.parameters():
            p.add_(scale * torch.randn_like(p))
    return module.double().eval()


def _actnorm(num_features: int) -> ActNormBijection1d:
    layer = ActNormBijection1d(num_features, data_dep_init=False)
    with torch.no_grad():
        layer.shift.normal_()
        layer.log_scale.normal_(std=0.3)
    return layer


def _set_layers(num_features: int = 3) -> list[nn.Module]:
    return [
        AffineSetCouplingBijection(num_features, scale_fn="tanh_exp", zero_init=False, **SMALL),
        Reverse(num_features, dim=1),
        _actnorm(num_features),
        AdditiveSetCouplingBijection(num_features, num_condition=1, zero_init=False, **SMALL),
        RationalQuadraticSplineSetCouplingBijection(num_features, num_bins=4, tail_bound=3.0,
                                                    zero_init=False, **SMALL),
    ]


def _points_coupling(num_points: int) -> AffineCouplingBijection:
    """Coupling over the points (first half conditions the second): uses the order."""
    half = (num_points + 1) // 2
    net = PositionalTransformer(2, 2 * 2, length=half, zero_init=False, **SMALL)
    return AffineCouplingBijection(nn.Sequential(net, ElementwiseParams1d(2)), split_dim=2,
                                   scale_fn="tanh_exp")


def _order_aware(num_points: int) -> list[nn.Module]:
    torch.manual_seed(2)
    return [_points_coupling(num_points), *_set_layers(2)]


@pytest.mark.parametrize("index", range(5))
def test_set_layers_are_permutation_equivariant(index):
    torch.manual_seed(index)
    layer = _perturb(_set_layers()[index])
    x = torch.randn(4, 3, 7, dtype=torch.float64)
    perm = torch.randperm(7)
    z, ldj = layer(x)
    z_p, ldj_p = layer(x[:, :, perm])
    torch.testing.assert_close(z_p, z[:, :, perm], atol=1e-10, rtol=1e-10)
    torch.testing.assert_close(ldj_p, ldj, atol=1e-10, rtol=1e-10)
    torch.testing.assert_close(layer.inverse(z[:, :, perm]), x[:, :, perm], atol=1e-10,
                               rtol=1e-10)


def test_spline_set_coupling_starts_as_the_identity():
    layer = RationalQuadraticSplineSetCouplingBijection(3, num_condition=1, **SMALL).double()
    x = torch.randn(4, 3, 6, dtype=torch.float64)
    z, ldj = layer(x)
    torch.testing.assert_close(z, x, atol=1e-6, rtol=1e-6)
    torch.testing.assert_close(ldj, torch.zeros(4, dtype=torch.float64), atol=1e-6, rtol=0)


def test_points_coupling_is_not_equivariant():
    """The control: the equivariance check above can fail."""
    torch.manual_seed(0)
    layer = _perturb(_points_coupling(6))
    x = torch.randn(4, 2, 6, dtype=torch.float64)
    perm = torch.tensor([1, 0, 2, 4, 3, 5])  # swaps within each half, so both halves stay put
    z, ldj = layer(x)
    z_p, ldj_p = layer(x[:, :, perm])
    assert (z_p - z[:, :, perm]).abs().max() > 1e-3
    assert (ldj_p - ldj).abs().max() > 1e-3


def test_exchangeable_flow_is_exactly_invariant():
    torch.manual_seed(0)
    flow = _perturb(Flow(StandardNormal((3, 7)), _set_layers() + _set_layers()))
    x = torch.randn(5, 3, 7, dtype=torch.float64)
    reference = flow.log_prob(x)
    for _ in range(3):
        perm = torch.randperm(7)
        torch.testing.assert_close(flow.log_prob(x[:, :, perm]), reference, atol=1e-10,
                                   rtol=1e-10)


def test_sort_surjection_makes_an_order_aware_flow_exactly_invariant():
    num_points = 6
    inner = _perturb(Flow(StandardNormal((2, num_points)), _order_aware(num_points)))
    sort = SortSurjection(dim=2, lexicographic=True)
    flow = Flow(StandardNormal((2, num_points)), [sort, *inner.transforms]).double().eval()
    torch.manual_seed(3)
    x = torch.randn(5, 2, num_points, dtype=torch.float64)
    perm = torch.randperm(num_points)
    gap = (inner.log_prob(x[:, :, perm]) - inner.log_prob(x)).abs()
    assert gap.min() > 1e-3  # without sorting the density depends on the order
    reference = flow.log_prob(x)
    for _ in range(3):
        perm = torch.randperm(num_points)
        torch.testing.assert_close(flow.log_prob(x[:, :, perm]), reference, atol=1e-10,
                                   rtol=1e-10)
    # p(x) = p(sort(x)) / L!
    expected = inner.log_prob(sort(x)[0]) - math.lgamma(num_points + 1)
    torch.testing.assert_close(reference, expected, atol=1e-10, rtol=1e-10)


def test_stochastic_permutation_is_invariant_in_expectation():
    num_points = 4
    inner = _perturb(Flow(StandardNormal((2, num_points)), _order_aware(num_points)))
    flow = Flow(StandardNormal((2, num_points)),
                [StochasticPermutation(dim=2), *inner.transforms]).double().eval()
    torch.manual_seed(4)
    x = torch.randn(1, 2, num_points, dtype=torch.float64)
    moved = x[:, :, torch.tensor([2, 0, 3, 1])]
    orders = torch.tensor(list(itertools.permutations(range(num_points))))
    n = 6000
    with torch.no_grad():
        every_order = inner.log_prob(x[0, :, orders].permute(1, 0, 2))  # (L!,)
        assert every_order.std() > 0.1  # the inner flow does depend on the order
        exact_elbo = every_order.mean()  # E_I[log p(x_I)], the same for every order of x
        exact_loglik = torch.logsumexp(every_order, 0) - math.log(len(orders))
        for data in (x, moved):
            bound = flow.log_prob(data.expand(n, -1, -1))
            # the Monte Carlo mean of the bound: within 4 standard errors of the exact mean
            assert (bound.mean() - exact_elbo).abs() < 4 * bound.std() / math.sqrt(n)
            assert bound.mean() < exact_loglik  # a lower bound (Jensen)
            # exp(bound) is unbiased for the symmetrised likelihood (1/L!) sum_I p(x_I)
            weights = torch.exp(bound - exact_loglik)
            assert (weights.mean() - 1).abs() < 4 * weights.std() / math.sqrt(n)
