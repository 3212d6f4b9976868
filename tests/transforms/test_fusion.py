"""Fused evaluation of adjacent layers in flows and stacks: the same values and gradients as the
layers one by one (float64), and no fusion where it would skip something a user asked for."""

from __future__ import annotations

import pytest
import torch

import survae
from survae.distributions import StandardNormal
from survae.flows import Flow
from survae.transforms import (
    ActNormBijection,
    ActNormBijection1d,
    ActNormBijection2d,
    Conv1x1,
    Conv1x1LU,
    Reverse,
    SequentialTransform,
    Squeeze2d,
    fusion,
)
from survae.transforms.bijections.conv1x1 import _ChannelLinear

PAIRS = [
    (lambda: ActNormBijection2d(4), lambda: Conv1x1LU(4), (4, 3, 2)),
    (lambda: ActNormBijection2d(4), lambda: Conv1x1(4), (4, 3, 2)),
    (lambda: ActNormBijection1d(3), lambda: Conv1x1LU(3), (3, 5)),
    (lambda: ActNormBijection(3), lambda: Conv1x1(3, orthogonal_init=False), (3,)),
]


def _flow(make_norm, make_linear, shape) -> Flow:
    torch.manual_seed(0)
    flow = Flow(StandardNormal(shape), [make_norm(), make_linear(), Reverse(shape[0]),
                                        make_norm(), make_linear()]).double()
    flow.log_prob(3.0 + 2.0 * torch.randn(64, *shape, dtype=torch.float64))  # initializes
    with torch.no_grad():  # a weight away from the orthogonal start
        for layer in flow.transforms:
            if isinstance(layer, _ChannelLinear):
                for p in layer.parameters():
                    p.add_(0.3 * torch.randn_like(p))
    return flow


def _count_fused(monkeypatch) -> list:
    calls = []
    original = _ChannelLinear.forward_after_actnorm
    monkeypatch.setattr(_ChannelLinear, "forward_after_actnorm",
                        lambda self, norm, x: calls.append(1) or original(self, norm, x))
    return calls


def _unfused(monkeypatch) -> None:
    monkeypatch.setattr(fusion, "fusion_enabled", lambda: False)


def _value_and_grads(flow: Flow, x: torch.Tensor):
    x = x.clone().requires_grad_(True)
    log_prob = flow.log_prob(x)
    grads = torch.autograd.grad(log_prob.sum(), [x, *flow.parameters()])
    return log_prob.detach(), grads


@pytest.mark.parametrize("make_norm, make_linear, shape", PAIRS)
def test_fused_flow_equals_layer_by_layer(make_norm, make_linear, shape, monkeypatch):
    flow = _flow(make_norm, make_linear, shape)
    x = torch.randn(6, *shape, dtype=torch.float64)
    calls = _count_fused(monkeypatch)
    fused, fused_grads = _value_and_grads(flow, x)
    assert len(calls) == 2  # both pairs were fused
    _unfused(monkeypatch)
    plain, plain_grads = _value_and_grads(flow, x)
    assert len(calls) == 2
    torch.testing.assert_close(fused, plain, rtol=0, atol=1e-12)
    for a, b in zip(fused_grads, plain_grads, strict=True):
        torch.testing.assert_close(a, b, rtol=0, atol=1e-10)


def test_sequential_transform_fuses_and_sums_like_its_layers(monkeypatch):
    torch.manual_seed(0)
    layers = [Squeeze2d(), ActNormBijection2d(8), Conv1x1LU(8)]
    stack = SequentialTransform(layers).double()
    x = torch.randn(5, 2, 4, 4, dtype=torch.float64)
    stack(x)  # initializes the ActNorm
    z, ldj = stack(x)
    expected, total = x, 0.0
    for layer in layers:
        expected, step = layer(expected)
        total = total + step
    torch.testing.assert_close(z, expected, rtol=0, atol=1e-12)
    torch.testing.assert_close(ldj, total, rtol=0, atol=1e-12)
    assert SequentialTransform([Squeeze2d()])(x)[1].tolist() == [0.0] * 5


def test_no_fusion_where_it_would_skip_something(monkeypatch):
    calls = _count_fused(monkeypatch)
    norm, linear = ActNormBijection2d(2), Conv1x1LU(2)
    flow = Flow(StandardNormal((2, 2, 2)), [norm, linear])
    x = torch.randn(4, 2, 2, 2)
    flow.log_prob(x)  # the first call initializes the ActNorm in its own forward
    assert calls == []
    flow.log_prob(x)
    assert len(calls) == 1

    seen = []
    handle = norm.register_forward_hook(lambda module, args, out: seen.append(module))
    flow.log_prob(x)  # a hook on either layer: layer by layer, the hook runs
    assert len(calls) == 1 and seen == [norm]
    handle.remove()

    with survae.validate_args():  # validation checks every layer's output
        flow.log_prob(x)
    assert len(calls) == 1

    linear.forward = lambda x: (x, x.new_zeros(x.shape[0]))  # set on the instance
    without_linear = Flow(StandardNormal((2, 2, 2)), [norm])
    torch.testing.assert_close(flow.log_prob(x), without_linear.log_prob(x))
    assert len(calls) == 1
    del linear.forward

    class MyActNorm(ActNormBijection2d):
        def forward(self, x):
            z, ldj = super().forward(x)
            return z, ldj + 1.0

    custom = Flow(StandardNormal((2, 2, 2)), [MyActNorm(2, data_dep_init=False), Conv1x1LU(2)])
    log_prob = custom.log_prob(x)  # an overridden forward is respected
    reference = Flow(StandardNormal((2, 2, 2)), [ActNormBijection2d(2, data_dep_init=False),
                                                   Conv1x1LU(2)])
    reference.load_state_dict(custom.state_dict())
    torch.testing.assert_close(log_prob, reference.log_prob(x) + 1.0)
    assert len(calls) == 2  # the reference was fused, the subclass was not


def test_fused_pair_errors_name_the_layer():
    flow = Flow(StandardNormal((3, 2, 2)), [ActNormBijection2d(3, data_dep_init=False),
                                            Conv1x1LU(3)])
    with pytest.raises(ValueError, match="ActNormBijection2d"):
        flow.log_prob(torch.randn(2, 4, 2, 2))
    with pytest.raises(ValueError, match="ActNormBijection2d"):
        fusion.forward_stack(flow.transforms, torch.zeros(2, 3, 2, 2, dtype=torch.long))
