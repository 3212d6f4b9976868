"""ElementwiseParams*, LambdaLayer, activations and their factory."""

from __future__ import annotations

import pytest
import torch

from survae.nn.layers import (
    GELU,
    ConcatELU,
    ConcatReLU,
    ElementwiseParams,
    ElementwiseParams1d,
    ElementwiseParams2d,
    Flatten,
    GatedTanhUnit,
    LambdaLayer,
    Swish,
    act_factor,
    act_module,
    scale_fn,
)


def _reference(x: torch.Tensor, p: int, mode: str) -> torch.Tensor:
    """Index-by-index reference: output[b, d, ..., j] = x[b, feature(d, j), ...]."""
    d = x.shape[1] // p
    out = torch.empty(x.shape[0], d, *x.shape[2:], p, dtype=x.dtype)
    for di in range(d):
        for j in range(p):
            feature = j * d + di if mode == "interleaved" else di * p + j
            out[:, di, ..., j] = x[:, feature]
    return out


@pytest.mark.parametrize("mode", ["interleaved", "sequential"])
@pytest.mark.parametrize(
    "layer, shape",
    [
        (ElementwiseParams, (2, 12)),
        (ElementwiseParams1d, (2, 12, 5)),
        (ElementwiseParams2d, (2, 12, 3, 4)),
    ],
)
@pytest.mark.parametrize("p", [2, 3])
def test_elementwise_params_match_reference(layer, shape, mode, p):
    x = torch.randn(*shape, dtype=torch.float64)
    out = layer(p, mode=mode)(x)
    assert out.shape == (shape[0], shape[1] // p, *shape[2:], p)
    assert torch.equal(out, _reference(x, p, mode))


def test_interleaved_and_sequential_layouts():
    # D=3, P=2; parameters (a_d, b_d) for elements d = 1, 2, 3.
    expected = [[[1, 10], [2, 20], [3, 30]]]
    assert ElementwiseParams(2)(torch.tensor([[1, 2, 3, 10, 20, 30]])).tolist() == expected
    seq = ElementwiseParams(2, mode="sequential")
    assert seq(torch.tensor([[1, 10, 2, 20, 3, 30]])).tolist() == expected


@pytest.mark.parametrize("layer", [ElementwiseParams, ElementwiseParams1d, ElementwiseParams2d])
def test_single_param_is_identity(layer):
    x = torch.randn(2, 3, *([4] * layer._spatial))
    assert layer(1)(x) is x


@pytest.mark.parametrize(
    "layer, shape",
    [
        (ElementwiseParams, (2, 7)),
        (ElementwiseParams1d, (2, 7, 3)),
        (ElementwiseParams2d, (2, 7, 3, 3)),
    ],
)
def test_indivisible_size_raises_naming_layer(layer, shape):
    with pytest.raises(ValueError, match=layer.__name__ + r"\(num_params=2"):
        layer(2)(torch.zeros(*shape))


def test_wrong_rank_and_bad_arguments_raise():
    with pytest.raises(ValueError, match="ElementwiseParams2d"):
        ElementwiseParams2d(2)(torch.zeros(2, 4))
    with pytest.raises(ValueError, match="mode"):
        ElementwiseParams(2, mode="blocked")
    with pytest.raises(ValueError, match="num_params"):
        ElementwiseParams(0)


def test_lambda_and_flatten():
    x = torch.randn(2, 3, 4)
    assert torch.equal(LambdaLayer(None)(x), x)
    assert torch.equal(LambdaLayer(lambda t: t + 1)(x), x + 1)
    assert Flatten()(x).shape == (2, 12)


def test_activations_values():
    x = torch.randn(5, 4, dtype=torch.float64)
    torch.testing.assert_close(Swish()(x), torch.nn.functional.silu(x))
    torch.testing.assert_close(GELU()(x), x * torch.sigmoid(1.702 * x))
    torch.testing.assert_close(ConcatReLU()(x), torch.relu(torch.cat([x, -x], 1)))
    torch.testing.assert_close(ConcatELU()(x), torch.nn.functional.elu(torch.cat([x, -x], 1)))
    torch.testing.assert_close(GatedTanhUnit()(x), torch.tanh(x[:, :2]) * torch.sigmoid(x[:, 2:]))
    with pytest.raises(ValueError, match="gated_tanh"):
        GatedTanhUnit()(torch.zeros(2, 3))


@pytest.mark.parametrize("name", ["relu", "elu", "gelu", "swish"])
def test_act_module_plain(name):
    module = act_module(name)
    assert module(torch.zeros(2, 3)).shape == (2, 3)
    assert act_factor(name) == 1
    assert act_module(name) is not module  # fresh modules


@pytest.mark.parametrize("name", ["concat_relu", "concat_elu"])
def test_act_module_concat_needs_permission(name):
    with pytest.raises(ValueError, match="allow_concat"):
        act_module(name)
    assert act_module(name, allow_concat=True)(torch.zeros(2, 3)).shape == (2, 6)
    assert act_factor(name, allow_concat=True) == 2


def test_act_module_unknown():
    with pytest.raises(ValueError, match="tanhh"):
        act_module("tanhh", allow_concat=True)


@pytest.mark.parametrize("name", ["exp", "softplus", "sigmoid", "tanh_exp"])
def test_scale_fn_positive(name):
    s = torch.linspace(-10, 10, 41, dtype=torch.float64)
    assert bool((scale_fn(name)(s) > 0).all())
    with pytest.raises(ValueError):
        scale_fn("abs")


def test_image2seq_zigzag_follows_the_official_order():
    from survae.nn.layers.autoregressive import Image2Seq

    image = torch.arange(2 * 4 * 4.0).reshape(1, 2, 4, 4, 1)
    seq = Image2Seq("zigzag_cs", (2, 4, 4))(image)[:, 0, 0]
    # (channel, row, column) of the first 14 positions, as the official test lists them
    expected = [(0, 0, 0), (1, 0, 0), (0, 0, 1), (1, 0, 1), (0, 1, 0), (1, 1, 0), (0, 2, 0),
                (1, 2, 0), (0, 1, 1), (1, 1, 1), (0, 0, 2), (1, 0, 2), (0, 0, 3), (1, 0, 3)]
    assert seq[:14].tolist() == [float(image[0, c, h, w, 0]) for c, h, w in expected]


def test_masked_linear_degrees_as_official():
    from survae.nn.layers.autoregressive import MaskedLinear

    degrees = MaskedLinear.get_data_degrees(4)
    assert degrees.tolist() == [1, 2, 3, 4]
    hidden = MaskedLinear(degrees, 6, 4)
    assert hidden.degrees.tolist() == [1, 2, 3, 1, 2, 3]  # cyclic in 1..D-1
    out = MaskedLinear(hidden.degrees, 8, 4, is_output=True, data_degrees=degrees)
    assert out.degrees.tolist() == [1, 1, 2, 2, 3, 3, 4, 4]  # num_params consecutive units
    assert torch.equal(out.mask, (out.degrees[:, None] > hidden.degrees).float())
    with pytest.raises(ValueError, match="data_degrees"):
        MaskedLinear(degrees, 8, 4, is_output=True)
