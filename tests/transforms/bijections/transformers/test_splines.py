"""Spline layers: parameter layouts, identity initialisation, domains and argument errors."""

from __future__ import annotations

import math

import pytest
import torch
from torch import nn

import survae
from survae.nn.layers import ElementwiseParams
from survae.nn.nets import MADE, PixelCNN
from survae.transforms import AutoregressiveBijection, AutoregressiveBijection2d, CouplingBijection
from survae.transforms.bijections import splines
from survae.transforms.bijections.conditional.coupling import coupling_splines as conditional
from survae.transforms.bijections.coupling import coupling_splines
from survae.transforms.bijections.transformers import (
    CubicSpline,
    LinearSpline,
    QuadraticSpline,
    RationalQuadraticSpline,
)

KINDS = ["Linear", "Quadratic", "Cubic", "RationalQuadratic"]
DOMAINS = [  # (tail_bound, tails)
    (None, "linear"),
    (2.0, "linear"),
    (math.pi, "circular"),
    (2.0, None),
]


@pytest.fixture(autouse=True)
def _seed():
    torch.manual_seed(0)


def _elementwise(kind):
    return getattr(splines, f"{kind}SplineBijection")


def _coupling(kind):
    return getattr(coupling_splines, f"{kind}SplineCouplingBijection")


def _conditional(kind):
    return getattr(conditional, f"Conditional{kind}SplineCouplingBijection")


def _inputs(tail_bound, tails, shape):
    if tail_bound is None:
        return torch.rand(*shape, dtype=torch.float64)
    if tails is None:
        return (2 * torch.rand(*shape, dtype=torch.float64) - 1) * tail_bound
    return 2 * tail_bound * torch.randn(*shape, dtype=torch.float64)


@pytest.mark.parametrize(
    ("kind", "expected"),
    [
        ("Linear", {None: 5, "linear": 5, "circular": 5, "bare": 5}),
        ("Quadratic", {None: 11, "linear": 9, "circular": 9, "bare": 11}),
        ("Cubic", {None: 12, "linear": 12, "circular": 12, "bare": 12}),
        ("RationalQuadratic", {None: 16, "linear": 14, "circular": 15, "bare": 16}),
    ],
)
def test_parameter_counts_match_the_official_layout(kind, expected):
    net = nn.Identity()
    assert _coupling(kind)(net, 5)._output_dim_multiplier() == expected[None]
    assert _coupling(kind)(net, 5, tail_bound=1.0)._output_dim_multiplier() == expected["linear"]
    circular = _coupling(kind)(net, 5, tail_bound=1.0, tails="circular")
    assert circular._output_dim_multiplier() == expected["circular"]
    bare = _coupling(kind)(net, 5, tail_bound=1.0, tails=None)
    assert bare._output_dim_multiplier() == expected["bare"]


@pytest.mark.parametrize(("tail_bound", "tails"), DOMAINS)
@pytest.mark.parametrize("kind", KINDS)
def test_elementwise_layers_start_as_the_identity(kind, tail_bound, tails):
    layer = _elementwise(kind)(3, num_bins=5, tail_bound=tail_bound, tails=tails).double()
    x = _inputs(tail_bound, tails, (4, 3, 2))
    z, ldj = layer(x)
    # The parameters were initialised in float32: identity up to its rounding.
    torch.testing.assert_close(z, x, atol=1e-6, rtol=0)
    torch.testing.assert_close(ldj, torch.zeros(4, dtype=torch.float64), atol=1e-5, rtol=0)


@pytest.mark.parametrize(("tail_bound", "tails"), DOMAINS)
@pytest.mark.parametrize("kind", KINDS)
def test_identity_params_give_an_identity_coupling(kind, tail_bound, tails):
    probe = _coupling(kind)(nn.Identity(), 4, tail_bound=tail_bound, tails=tails)
    identity = probe.transformer.identity_params(torch.float64)

    class Constant(nn.Module):
        def forward(self, x1):
            return identity.expand(x1.shape[0], 2, -1)

    layer = _coupling(kind)(Constant(), 4, tail_bound=tail_bound, tails=tails)
    x = _inputs(tail_bound, tails, (5, 4))
    z, ldj = layer(x)
    torch.testing.assert_close(z, x, atol=1e-12, rtol=0)
    torch.testing.assert_close(ldj, torch.zeros(5, dtype=torch.float64), atol=1e-10, rtol=0)


@pytest.mark.parametrize("kind", KINDS)
def test_circular_elementwise_layer_is_periodic(kind):
    layer = _elementwise(kind)(2, num_bins=4, tail_bound=math.pi, tails="circular").double()
    with torch.no_grad():
        layer.params.normal_()
    x = (2 * torch.rand(6, 2, dtype=torch.float64) - 1) * math.pi
    z, ldj = layer(x)
    z_shift, ldj_shift = layer(x + 2 * math.pi)
    torch.testing.assert_close(z_shift, z + 2 * math.pi, atol=1e-9, rtol=0)
    torch.testing.assert_close(ldj_shift, ldj, atol=1e-8, rtol=0)


@pytest.mark.parametrize("kind", KINDS)
def test_all_tail_batch_trains_without_nans(kind):
    net = nn.Sequential(nn.Linear(1, 2 * 14), ElementwiseParams(14))
    layer = _coupling(kind)(net, 5, num_condition=1, tail_bound=1.0)
    if layer._output_dim_multiplier() != 14:
        net[0] = nn.Linear(1, 2 * layer._output_dim_multiplier())
        net[1] = ElementwiseParams(layer._output_dim_multiplier())
    x = torch.tensor([[0.3, 5.0, -8.0], [0.1, 1e6, -1.0]])
    z, ldj = layer(x)
    (z.sum() + ldj.sum()).backward()
    assert torch.equal(z, x) and bool((ldj == 0).all())
    for p in layer.parameters():
        assert bool(torch.isfinite(p.grad).all())


@pytest.mark.parametrize("kind", KINDS)
def test_layer_names_describe_the_spline(kind):
    layer = _coupling(kind)(nn.Identity(), 8, tail_bound=3.0)
    assert layer.layer_name == (
        f"{kind}SplineCouplingBijection(num_bins=8, tail_bound=3.0, tails='linear', "
        "split_dim=1, num_condition=None)"
    )
    assert _elementwise(kind)(2, 4, None).layer_name == (
        f"{kind}SplineBijection(num_bins=4, num_features=2)"
    )


@pytest.mark.parametrize("kind", KINDS)
def test_bad_arguments_raise(kind):
    with pytest.raises(ValueError, match="num_bins"):
        _coupling(kind)(nn.Identity(), 0)
    with pytest.raises(ValueError, match="tail_bound"):
        _coupling(kind)(nn.Identity(), 4, tail_bound=-1.0)
    with pytest.raises(ValueError, match="tails"):
        _coupling(kind)(nn.Identity(), 4, tail_bound=1.0, tails="quadratic")
    with pytest.raises(ValueError, match=f"{kind}SplineBijection"):
        _elementwise(kind)(3)(torch.randn(2, 4))


def test_quadratic_tails_need_two_bins():
    with pytest.raises(ValueError, match="num_bins >= 2"):
        splines.QuadraticSplineBijection(2, num_bins=1, tail_bound=1.0)


@pytest.mark.parametrize("kind", KINDS)
def test_wrong_conditioner_output_names_the_layer(kind):
    net = nn.Sequential(nn.Linear(2, 2 * 3), ElementwiseParams(3))
    layer = _coupling(kind)(net, 4, tail_bound=1.0)
    with pytest.raises(ValueError, match=f"{kind}SplineCouplingBijection"):
        layer(torch.randn(3, 4))


@pytest.mark.parametrize("kind", KINDS)
def test_bounded_domain_is_checked_only_when_validating(kind):
    layer = _elementwise(kind)(2, num_bins=4, tail_bound=None)
    x = torch.tensor([[0.5, 1.5]])
    layer(x)  # no value check (and no host sync) by default
    with survae.utils.validation.validate_args(), pytest.raises(ValueError, match=r"\[0.0, 1.0\]"):
        layer(x)
    with survae.utils.validation.validate_args():
        layer(torch.tensor([[0.0, 1.0]]))


@pytest.mark.parametrize("kind", KINDS)
def test_conditional_coupling_uses_the_context(kind):
    layer = _conditional(kind)(nn.Identity(), 4, tail_bound=2.0)
    num_params = layer._output_dim_multiplier()
    net = nn.Sequential(nn.Linear(3, 2 * num_params), ElementwiseParams(num_params))
    nn.init.normal_(net[0].weight)
    layer.coupling_net = net
    x = torch.randn(4, 4, dtype=torch.float64)
    layer = layer.double()
    z1, _ = layer(x, torch.zeros(4, 1, dtype=torch.float64))
    z2, _ = layer(x, torch.ones(4, 1, dtype=torch.float64))
    assert not torch.allclose(z1, z2)
    x_back = layer.inverse(z2, torch.ones(4, 1, dtype=torch.float64))
    torch.testing.assert_close(x_back, x, atol=1e-9, rtol=0)


@pytest.mark.parametrize("spline", [LinearSpline, QuadraticSpline, CubicSpline,
                                    RationalQuadraticSpline])
def test_one_transformer_serves_every_scheme(spline):
    """A spline transformer object is a coupling, a 1-D or a 2-D autoregressive layer as is."""
    transformer = spline(4, 2.0, "linear")
    p = transformer.num_params
    layers = [
        (CouplingBijection(nn.Sequential(nn.Linear(2, 2 * p), ElementwiseParams(p)),
                           transformer=transformer), (6, 4)),
        (AutoregressiveBijection(MADE(3, p, [8]), transformer=transformer), (6, 3)),
        (AutoregressiveBijection2d(PixelCNN(1, p, filters=4, num_blocks=1, output_filters=8,
                                            kernel_size_in=3), transformer=transformer),
         (2, 1, 2, 2)),
    ]
    for layer, shape in layers:
        layer = layer.double()
        x = 3 * torch.randn(*shape, dtype=torch.float64)
        z, ldj = layer(x)
        x_back, ldj_back = layer.inverse_and_ldj(z)
        assert ldj.shape == (shape[0],)
        torch.testing.assert_close(x_back, x, atol=1e-8, rtol=0)
        torch.testing.assert_close(ldj_back, ldj, atol=1e-8, rtol=1e-8)
        assert layer.transformer.num_bins == 4 and f"transformer={transformer!r}" in repr(layer)
