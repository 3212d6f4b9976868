"""Coupling: official split semantics, conditioner inputs, stable scales, differentiable inverse."""

from __future__ import annotations

import math

import pytest
import torch
from torch import nn

from survae.nn.layers import scale_fn as scale_fn_by_name
from survae.transforms import (
    AdditiveCouplingBijection,
    AffineCouplingBijection,
    ConditionalAffineCouplingBijection,
)
from survae.transforms.bijections.transformers import Affine


class _Recorder(nn.Module):
    """Records its input and returns fixed affine params ``(u, t)`` for ``d_out`` elements."""

    def __init__(self, d_out: int, u: float = 0.5, t: float = 1.0):
        super().__init__()
        self.d_out, self.u, self.t = d_out, u, t
        self.seen: list[torch.Tensor] = []

    def forward(self, h):
        self.seen.append(h)
        params = torch.tensor([self.u, self.t], dtype=h.dtype)
        return params.expand(h.shape[0], self.d_out, 2)


@pytest.mark.parametrize(
    "size, num_condition, expected", [(4, None, 2), (5, None, 3), (5, 1, 1), (5, 4, 4)]
)
def test_split_follows_the_official_semantics(size, num_condition, expected):
    net = _Recorder(size - expected)
    layer = AffineCouplingBijection(net, num_condition=num_condition).double()
    x = torch.randn(3, size, dtype=torch.float64)
    z, ldj = layer(x)
    assert net.seen[0].shape == (3, expected)
    torch.testing.assert_close(z[:, :expected], x[:, :expected], atol=0, rtol=0)
    torch.testing.assert_close(z[:, expected:], math.exp(0.5) * x[:, expected:] + 1.0)
    torch.testing.assert_close(ldj, torch.full((3,), 0.5 * (size - expected), dtype=torch.float64))


def test_conditional_net_sees_identity_half_and_context():
    net = _Recorder(2)
    layer = ConditionalAffineCouplingBijection(net).double()
    x, context = torch.randn(3, 4, dtype=torch.float64), torch.randn(3, 5, dtype=torch.float64)
    z, _ = layer(x, context)
    torch.testing.assert_close(net.seen[0], torch.cat([x[:, :2], context], 1), atol=0, rtol=0)
    torch.testing.assert_close(layer.inverse(z, context), x)


@pytest.mark.parametrize("scale_fn", ["sigmoid", "tanh_exp", "exp", "softplus"])
def test_named_scales_are_the_official_ones_with_finite_log_det_far_out(scale_fn):
    u = -800.0  # exp(u) underflows to 0 in float64: log(exp(u)) would be -inf
    layer = AffineCouplingBijection(_Recorder(1, u=u), scale_fn=scale_fn).double()
    _, ldj = layer(torch.randn(2, 2, dtype=torch.float64))
    # survae.nn.layers.scale_fn (the official definitions): exp, softplus, sigmoid(u + 2) + 1e-3,
    # exp(2 tanh(u / 2)); softplus(-800) underflows, as it does in the official library.
    expected = {"sigmoid": math.log(1e-3), "tanh_exp": 2 * math.tanh(u / 2), "exp": u,
                "softplus": -math.inf}[scale_fn]
    torch.testing.assert_close(ldj, torch.full((2,), expected, dtype=torch.float64))
    official = scale_fn_by_name(scale_fn)
    s = torch.linspace(-3, 3, 7, dtype=torch.float64)
    torch.testing.assert_close(Affine(scale_fn).scale_and_log_scale(s)[0], official(s))


def test_official_default_and_lambda_agree():
    torch.manual_seed(0)
    net = nn.Sequential(nn.Linear(2, 4), nn.Unflatten(1, (2, 2))).double()
    ours = AffineCouplingBijection(net)
    official = AffineCouplingBijection(net, scale_fn=lambda s: torch.exp(s))
    assert ours._output_dim_multiplier() == 2
    x = torch.randn(5, 4, dtype=torch.float64)
    for a, b in zip(ours(x), official(x)):
        torch.testing.assert_close(a, b)


def test_inverse_is_differentiable():
    torch.manual_seed(0)
    net = nn.Sequential(nn.Linear(1, 2), nn.Unflatten(1, (1, 2)))
    layer = AffineCouplingBijection(net)
    x, ldj = layer.inverse_and_ldj(torch.randn(4, 2))
    (x.sum() + ldj.sum()).backward()
    assert all(p.grad is not None for p in net.parameters())


def test_image_coupling_and_additive_shapes():
    torch.manual_seed(0)
    net = nn.Sequential(nn.Conv2d(3, 6, 3, padding=1), nn.Unflatten(1, (3, 2)))
    layer = AffineCouplingBijection(_ChannelsLast(net))
    x = torch.randn(2, 6, 4, 4)
    z, ldj = layer(x)
    assert z.shape == x.shape and ldj.shape == (2,)
    torch.testing.assert_close(layer.inverse(z), x, atol=1e-5, rtol=0)
    additive = AdditiveCouplingBijection(nn.Conv2d(3, 3, 1))  # (B, d2, H, W): one param, no axis
    z, ldj = additive(x)
    assert torch.equal(ldj, torch.zeros(2))


class _ChannelsLast(nn.Module):
    """``(B, d2, 2, H, W) -> (B, d2, H, W, 2)``: the params axis last, as ElementwiseParams2d."""

    def __init__(self, net: nn.Module):
        super().__init__()
        self.net = net

    def forward(self, h):
        return self.net(h).movedim(2, -1)


def test_wrong_net_output_shape_error_names_layer_and_expected_shape():
    layer = AffineCouplingBijection(nn.Linear(2, 4))
    with pytest.raises(ValueError, match=r"AffineCouplingBijection\(.*split_dim=1.*\(3, 2, 2\)"):
        layer(torch.randn(3, 4))


def test_too_few_features_error_names_layer():
    with pytest.raises(ValueError, match="AffineCouplingBijection"):
        AffineCouplingBijection(nn.Identity())(torch.randn(3, 1))
    with pytest.raises(ValueError, match="num_condition=4"):
        AffineCouplingBijection(nn.Identity(), num_condition=4)(torch.randn(3, 4))


@pytest.mark.parametrize("mode", ["interleaved", "sequential"])
def test_affine_reads_scale_and_shift_from_either_params_layout(mode):
    """``Affine.unconstrained_scale_and_shift`` unbinds along the memory axis of the parameters
    (after the batch in the interleaved layout): the same tensors as ``unbind(-1)``, and the
    conditioner output's gradient is the same."""
    from survae.nn.layers import ElementwiseParams2d

    h = torch.randn(3, 4, 2, 5, dtype=torch.float64, requires_grad=True)
    params = ElementwiseParams2d(2, mode=mode)(h)
    weights = torch.randn(2, *params.shape[:-1], dtype=torch.float64)
    grads = []
    for pair in (Affine.unconstrained_scale_and_shift(params), params.unbind(-1)):
        for got, expected in zip(pair, params.unbind(-1), strict=True):
            assert torch.equal(got, expected)
        (grad,) = torch.autograd.grad((pair[0] * weights[0] + pair[1] * weights[1]).sum(), h)
        grads.append(grad)
    assert torch.equal(grads[0], grads[1])
