"""Subclasses written for the official library run unchanged on the generic schemes.

The official image experiment (``experiments/image/model/coupling.py``) subclasses
``AffineCouplingBijection``, builds its conditioner in ``__init__`` and overrides
``_elementwise_forward`` / ``_elementwise_inverse`` using ``_unconstrained_scale_and_shift``.
The classes below are written the same way (our code, not a copy) and must train, invert and give
the exact log-det.
"""

from __future__ import annotations

import pytest
import torch
from torch import nn

from survae.distributions import StandardNormal
from survae.flows import Flow
from survae.nn.layers import ElementwiseParams, ElementwiseParams2d
from survae.nn.nets import MADE, DenseNet
from survae.transforms import (
    AffineAutoregressiveBijection,
    AffineCouplingBijection,
    AutoregressiveBijection,
    CouplingBijection,
)
from survae.utils import sum_except_batch


class BoundedCoupling(AffineCouplingBijection):
    """As the official image experiment: a DenseNet conditioner, a bounded log-scale."""

    def __init__(self, in_channels: int):
        net = nn.Sequential(DenseNet(in_channels=in_channels // 2, out_channels=in_channels,
                                     num_blocks=1, mid_channels=8, depth=1, growth=4,
                                     dropout=0.0, gated_conv=True, zero_init=True),
                            ElementwiseParams2d(2, mode="sequential"))
        super().__init__(coupling_net=net)

    def _elementwise_forward(self, x, elementwise_params):
        unconstrained_scale, shift = self._unconstrained_scale_and_shift(elementwise_params)
        log_scale = 2.0 * torch.tanh(unconstrained_scale / 2.0)
        return shift + torch.exp(log_scale) * x, sum_except_batch(log_scale)

    def _elementwise_inverse(self, z, elementwise_params):
        unconstrained_scale, shift = self._unconstrained_scale_and_shift(elementwise_params)
        log_scale = 2.0 * torch.tanh(unconstrained_scale / 2.0)
        return (z - shift) * torch.exp(-log_scale)


class ShiftFirstCoupling(AffineCouplingBijection):
    """Overrides only the parameter reading: ``(shift, u)`` instead of ``(u, shift)``."""

    def _unconstrained_scale_and_shift(self, elementwise_params):
        return elementwise_params[..., 1], elementwise_params[..., 0]


class OfficialAdditiveCoupling(CouplingBijection):
    """An official-style base subclass: no transformer, the three hooks written by hand."""

    def _output_dim_multiplier(self):
        return 1

    def _elementwise_forward(self, x, elementwise_params):
        return x + elementwise_params, x.new_zeros(x.shape[0])

    def _elementwise_inverse(self, z, elementwise_params):
        return z - elementwise_params


class OfficialAffineAutoregressive(AutoregressiveBijection):
    """An official-style autoregressive subclass (``exp`` of a softsign log-scale)."""

    def _output_dim_multiplier(self):
        return 2

    def _elementwise_forward(self, x, elementwise_params):
        log_scale = nn.functional.softsign(elementwise_params[..., 0])
        return x * log_scale.exp() + elementwise_params[..., 1], sum_except_batch(log_scale)

    def _elementwise_inverse(self, z, elementwise_params):
        log_scale = nn.functional.softsign(elementwise_params[..., 0])
        return (z - elementwise_params[..., 1]) * torch.exp(-log_scale)


def _jacobian_logdet(layer, x):
    """``log|det dz/dx|`` per example by autograd (float64, small inputs)."""
    def flat(v):
        return layer(v.reshape(1, *x.shape[1:]))[0].reshape(-1)
    return torch.stack([torch.linalg.slogdet(torch.autograd.functional.jacobian(
        flat, xi.reshape(-1)))[1] for xi in x])


def _perturb(layer):
    with torch.no_grad():
        for p in layer.parameters():
            p.add_(0.3 * torch.randn_like(p))
    return layer


def test_image_experiment_style_coupling_trains_inverts_and_has_exact_log_det():
    torch.manual_seed(0)
    flow = Flow(StandardNormal((4, 2, 2)), [BoundedCoupling(4), BoundedCoupling(4)])
    data = 0.5 * torch.randn(32, 4, 2, 2) + 1.0
    optimizer = torch.optim.Adam(flow.parameters(), lr=3e-2)
    losses = []
    for _ in range(15):
        optimizer.zero_grad()
        loss = -flow.log_prob(data).mean()
        loss.backward()
        optimizer.step()
        losses.append(float(loss.detach()))
    assert losses[-1] < losses[0] - 0.5  # it learns (the zero-initialised start is the identity)

    layer = flow.transforms[0].double()
    x = torch.randn(3, 4, 2, 2, dtype=torch.float64)
    z, ldj = layer(x)
    torch.testing.assert_close(layer.inverse(z), x)
    x_back, ldj_back = layer.inverse_and_ldj(z)  # the hook's inverse, the hook's log-det
    torch.testing.assert_close(x_back, x)
    torch.testing.assert_close(ldj_back, ldj)
    torch.testing.assert_close(ldj, _jacobian_logdet(layer, x))
    assert not torch.equal(z[:, 2:], x[:, 2:])  # training moved it away from the identity


def test_overriding_the_parameter_reading_changes_both_directions():
    torch.manual_seed(0)
    net = nn.Sequential(nn.Linear(2, 4), ElementwiseParams(2))
    layer = ShiftFirstCoupling(net).double()
    plain = AffineCouplingBijection(net).double()
    x = torch.randn(5, 4, dtype=torch.float64)
    params = layer.coupling_net(x[:, :2])
    z, ldj = layer(x)
    torch.testing.assert_close(z[:, 2:], x[:, 2:] * params[..., 1].exp() + params[..., 0])
    torch.testing.assert_close(ldj, params[..., 1].sum(-1))
    assert not torch.allclose(z, plain(x)[0])
    torch.testing.assert_close(layer.inverse(z), x)
    torch.testing.assert_close(ldj, _jacobian_logdet(layer, x))


@pytest.mark.parametrize("make", [
    lambda: OfficialAdditiveCoupling(nn.Linear(2, 2)),
    lambda: OfficialAffineAutoregressive(MADE(4, 2, [16])),
    lambda: AffineAutoregressiveBijection(MADE(4, 2, [16]), scale_fn="tanh_exp"),
], ids=["coupling-base", "autoregressive-base", "autoregressive-affine"])
def test_official_base_subclasses_invert_with_exact_log_det(make):
    torch.manual_seed(0)
    layer = _perturb(make()).double()
    x = torch.randn(6, 4, dtype=torch.float64)
    z, ldj = layer(x)
    x_back, ldj_back = layer.inverse_and_ldj(z)
    torch.testing.assert_close(x_back, x)
    torch.testing.assert_close(ldj_back, ldj)
    torch.testing.assert_close(ldj, _jacobian_logdet(layer, x))
    assert layer.transformer is None or layer._output_dim_multiplier() == 2


def test_a_base_subclass_without_hooks_says_what_to_override():
    with pytest.raises(NotImplementedError, match="_output_dim_multiplier"):
        CouplingBijection(nn.Linear(2, 2))(torch.randn(3, 4))
