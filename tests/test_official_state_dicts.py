"""State dicts written by the official library load strictly into our layers and give the same
outputs.

For each layer, ``OFFICIAL`` lists the keys and shapes the official class registers (read from
the official sources: its ``register_buffer`` / ``nn.Parameter`` calls and module structure). A
state dict with those keys and fresh random values is loaded with ``strict=True`` into a layer
constructed with *different* values, and the outputs are compared with the official formulas,
written out here.
"""

from __future__ import annotations

import math

import pytest
import torch
import torch.nn.functional as F

from survae.distributions import (
    ConvNormal2d,
    DiagonalNormal,
    StandardHalfNormal,
    StandardNormal,
    StandardUniform,
)
from survae.nn.layers.autoregressive import AutoregressiveShift, MaskedConv2d, MaskedLinear
from survae.nn.layers.encoding import PositionalEncodingImage
from survae.nn.nets import MADE, MLP, DenseNet, PixelCNN
from survae.transforms import (
    ActNormBijection,
    ActNormBijection2d,
    BatchNormBijection,
    BatchNormBijection2d,
    Conv1x1,
    Linear,
    LinearLowRank,
    LinearLU,
    Logit,
    Permute,
    ScalarAffineBijection,
    Sigmoid,
    StochasticPermutation,
    UniformDequantization,
)

D = torch.float64


def _random_state(keys: dict[str, tuple[int, ...]], **fixed) -> dict[str, torch.Tensor]:
    state = {k: torch.randn(shape, dtype=D) for k, shape in keys.items()}
    state.update(fixed)
    return state


def _load(layer: torch.nn.Module, keys: dict, state: dict) -> torch.nn.Module:
    ours = {k: tuple(v.shape) for k, v in layer.state_dict().items()}
    assert ours == keys, f"{type(layer).__name__}: our keys {ours} != official {keys}"
    layer.load_state_dict(state, strict=True)
    return layer


def test_scalar_affine_buffers():
    keys = {"_shift": (), "_scale": ()}
    state = {"_shift": torch.tensor(0.5), "_scale": torch.tensor(-2.0)}  # official: float32
    layer = _load(ScalarAffineBijection(shift=0.0, scale=1.0), keys, state).double()
    x = torch.randn(4, 3, dtype=D)
    z, ldj = layer(x)
    torch.testing.assert_close(z, x * -2.0 + 0.5)
    torch.testing.assert_close(ldj, torch.full((4,), 3 * math.log(2.0), dtype=D))
    torch.testing.assert_close(layer.inverse(z), x)


@pytest.mark.parametrize("cls", [Logit, Sigmoid])
def test_logit_sigmoid_temperature_buffer(cls):
    keys = {"temperature": (1,)}
    layer = _load(cls(temperature=1.0), keys, {"temperature": torch.tensor([2.5])}).double()
    x = torch.rand(4, 3, dtype=D) * 0.98 + 0.01
    z, ldj = layer(x)
    if cls is Logit:
        ref = (torch.log(x) - torch.log1p(-x)) / 2.5
        ref_ldj = -(math.log(2.5) - F.softplus(-2.5 * ref) - F.softplus(2.5 * ref)).sum(1)
    else:
        ref = torch.sigmoid(2.5 * x)
        ref_ldj = (math.log(2.5) - F.softplus(-2.5 * x) - F.softplus(2.5 * x)).sum(1)
    torch.testing.assert_close(z, ref)
    torch.testing.assert_close(ldj, ref_ldj)


@pytest.mark.parametrize(("cls", "shape"), [(ActNormBijection, (5, 3)),
                                            (ActNormBijection2d, (5, 3, 2, 2))])
def test_actnorm(cls, shape):
    p = (1, 3) + (1,) * (len(shape) - 2)
    keys = {"shift": p, "log_scale": p, "initialized": (1,)}
    state = _random_state(keys, initialized=torch.ones(1))
    layer = _load(cls(3).double(), keys, state)  # initialized: no data-dependent init
    x = torch.randn(shape, dtype=D)
    z, ldj = layer(x)
    torch.testing.assert_close(z, (x - state["shift"]) * torch.exp(-state["log_scale"]))
    positions = x[0, 0].numel()
    torch.testing.assert_close(ldj, (-state["log_scale"].sum() * positions).expand(5))


@pytest.mark.parametrize(("cls", "shape"), [(BatchNormBijection, (5, 3)),
                                            (BatchNormBijection2d, (5, 3, 2, 2))])
def test_batchnorm_eval(cls, shape):
    p = (1, 3) + (1,) * (len(shape) - 2)
    keys = {"log_weight": p, "bias": p, "running_mean": p, "running_var": p}
    state = _random_state(keys, running_var=torch.rand(p, dtype=D) + 0.5)
    layer = _load(cls(3).double(), keys, state).eval()
    x = torch.randn(shape, dtype=D)
    z, _ = layer(x)
    ref = state["log_weight"].exp() * (x - state["running_mean"]) / torch.sqrt(
        state["running_var"] + 1e-5) + state["bias"]
    torch.testing.assert_close(z, ref)


def _lu_weight(state, d):
    lower = torch.eye(d, dtype=D)
    rows, cols = torch.tril_indices(d, d, -1)
    lower[rows, cols] = state["lower_entries"]
    upper = torch.diag(F.softplus(state["unconstrained_upper_diag"]) + 1e-3)
    rows, cols = torch.triu_indices(d, d, 1)
    upper[rows, cols] = state["upper_entries"]
    return lower @ upper


@pytest.mark.parametrize("name", ["Linear", "LinearLU", "LinearLowRank", "Conv1x1", "Permute"])
def test_linear_maps(name):
    d = 4
    if name == "Linear":
        keys = {"weight": (d, d), "bias": (d,)}
        layer, state = Linear(d, bias=True), _random_state(keys)
        weight = state["weight"]
    elif name == "LinearLU":
        keys = {"lower_entries": (6,), "upper_entries": (6,), "unconstrained_upper_diag": (d,),
                "bias": (d,)}
        layer, state = LinearLU(d, bias=True), _random_state(keys)
        weight = _lu_weight(state, d)
    elif name == "LinearLowRank":
        keys = {"d": (d,), "U": (d, 2), "V": (2, d), "bias": (d,)}
        layer, state = LinearLowRank(d, 2, bias=True), _random_state(keys)
        weight = torch.diag(state["d"]) + state["U"] @ state["V"]
    elif name == "Conv1x1":
        keys = {"weight": (d, d)}
        layer, state = Conv1x1(d), _random_state(keys)
        weight = state["weight"]
    else:
        keys = {"permutation": (d,)}
        layer, state = Permute(torch.arange(d)), {"permutation": torch.tensor([2, 0, 3, 1])}
        weight = torch.eye(d, dtype=D)[state["permutation"]]
    layer = _load(layer.double(), keys, state)
    x = torch.randn(5, d, 3, 3, dtype=D) if name == "Conv1x1" else torch.randn(5, d, dtype=D)
    z, ldj = layer(x)
    ref = torch.einsum("ij,bj...->bi...", weight, x) + (
        state["bias"] if "bias" in state else 0)
    torch.testing.assert_close(z, ref)
    positions = x[0, 0].numel()
    torch.testing.assert_close(ldj, (torch.linalg.slogdet(weight)[1] * positions).expand(5))


def test_distributions_and_buffers():
    for layer, keys in [
        (StandardNormal((3,)), {"buffer": (1,)}),
        (StandardHalfNormal((3,)), {"buffer": (1,)}),
        (StandardUniform((3,)), {"zero": (1,), "one": (1,)}),
        (StochasticPermutation(1), {"buffer": (1,)}),
        (UniformDequantization(num_bits=8), {"ldj_per_dim": ()}),
        (AutoregressiveShift(4), {"first_token": (1, 1, 4)}),
        (PositionalEncodingImage((3, 4, 4), 8), {"encode_c": (1, 3, 1, 1, 8),
                                                 "encode_h": (1, 1, 4, 1, 8),
                                                 "encode_w": (1, 1, 1, 4, 8)}),
    ]:
        state = {k: v.clone() for k, v in layer.state_dict().items()}
        _load(layer, keys, state)
    keys = {"loc": (3,), "log_scale": (3,)}
    state = _random_state(keys)
    dist = _load(DiagonalNormal((3,)).double(), keys, state)
    x = torch.randn(4, 3, dtype=D)
    ref = torch.distributions.Normal(state["loc"], state["log_scale"].exp()).log_prob(x).sum(1)
    torch.testing.assert_close(dist.log_prob(x), ref)
    keys = {"loc": (1, 2, 1, 1), "log_scale": (1, 2, 1, 1)}
    state = _random_state(keys)
    dist = _load(ConvNormal2d((2, 3, 3)).double(), keys, state)
    x = torch.randn(4, 2, 3, 3, dtype=D)
    ref = torch.distributions.Normal(state["loc"], state["log_scale"].exp()).log_prob(x)
    torch.testing.assert_close(dist.log_prob(x), ref.sum((1, 2, 3)))


def test_masked_linear_and_made():
    degrees = MaskedLinear.get_data_degrees(3)
    keys = {"weight": (5, 3), "bias": (5,), "mask": (5, 3), "degrees": (5,)}
    layer = MaskedLinear(degrees, 5, 3)
    state = _random_state(keys, mask=layer.mask.double(), degrees=layer.degrees)
    _load(layer.double(), keys, state)
    x = torch.randn(4, 3, dtype=D)
    torch.testing.assert_close(layer(x), F.linear(x, state["weight"] * state["mask"],
                                                  state["bias"]))

    # official MADE: Sequential(MaskedLinear, ReLU, MaskedLinear, ElementwiseParams('sequential'))
    made = MADE(3, 2, [5]).double()
    keys = {"0.weight": (5, 3), "0.bias": (5,), "0.mask": (5, 3), "0.degrees": (5,),
            "2.weight": (6, 5), "2.bias": (6,), "2.mask": (6, 5), "2.degrees": (6,)}
    own = made.state_dict()
    state = _random_state(keys, **{k: own[k] for k in keys if k.endswith(("mask", "degrees"))})
    _load(made, keys, state)
    h = F.relu(F.linear(x, state["0.weight"] * state["0.mask"], state["0.bias"]))
    out = F.linear(h, state["2.weight"] * state["2.mask"], state["2.bias"])
    torch.testing.assert_close(made(x), out.reshape(4, 3, 2))


def test_conditioner_nets_have_the_official_keys():
    mlp = {f"{i}.{p}": None for i in (0, 2, 4) for p in ("weight", "bias")}
    assert set(MLP(2, 4, [8, 8]).state_dict()) == set(mlp)

    dense = {"0.weight", "0.bias", "2.weight", "2.bias", "1.dense.2.weight", "1.dense.2.bias"}
    dense |= {f"1.dense.{i}.nn.{j}.{p}" for i in (0, 1) for j in (0, 2) for p in ("weight",
                                                                                  "bias")}
    assert set(DenseNet(2, 4, 1, 8, 2, 4, 0.0).state_dict()) == dense

    # official PixelCNN: Lambda, MaskedConv2d, blocks (conv1..conv3), ReLU, conv, ReLU, conv, params
    conv = ("weight", "bias", "mask")
    pixel = {f"1.{p}" for p in conv} | {f"5.{p}" for p in conv} | {f"7.{p}" for p in conv}
    pixel |= {f"{b}.conv{k}.{p}" for b in (2, 3) for k in (1, 2, 3) for p in conv}
    net = PixelCNN(3, 2, filters=4, num_blocks=2, output_filters=8)
    assert set(net.state_dict()) == pixel
    assert net.state_dict()["1.mask"].shape == (8, 3, 7, 7)
    masked = MaskedConv2d(3, 6, 3, mask_type="A", data_channels=3)
    assert masked.state_dict()["mask"].shape == (6, 3, 3, 3)
