"""torch.compile of a whole flow on the CPU: one graph (fullgraph=True), the same numbers.

The one-liner for users: ``log_prob = torch.compile(flow.log_prob)`` (see docs/performance.md).
"""

import pytest
import torch
from torch import nn

from survae.distributions import StandardNormal
from survae.flows import Flow
from survae.nn.layers import ElementwiseParams
from survae.nn.nets import MADE, MLP
from survae.transforms import (
    ActNormBijection,
    AffineAutoregressiveBijection,
    AffineCouplingBijection,
    RationalQuadraticSplineCouplingBijection,
    Reverse,
)


def _coupling() -> tuple[Flow, int]:
    net = nn.Sequential(MLP(1, 2, [16], "relu"), ElementwiseParams(2))
    return Flow(StandardNormal((2,)), [AffineCouplingBijection(net), Reverse(2),
                                       ActNormBijection(2)]), 2


def _maf() -> tuple[Flow, int]:
    return Flow(StandardNormal((4,)), [AffineAutoregressiveBijection(MADE(4, 2, [16])),
                                       Reverse(4)]), 4


def _spline() -> tuple[Flow, int]:
    net = nn.Sequential(MLP(1, 23, [16], "relu"), ElementwiseParams(23))
    layer = RationalQuadraticSplineCouplingBijection(net, num_bins=8, tail_bound=4.0)
    return Flow(StandardNormal((2,)), [layer, Reverse(2)]), 2


@pytest.mark.parametrize("make", [_coupling, _maf, _spline], ids=["coupling", "maf", "spline"])
def test_compiled_flow_matches_eager(make):
    torch.manual_seed(0)
    flow, dim = make()
    x = torch.randn(64, dim) * 2
    flow.log_prob(x)  # data-dependent initialisation happens eagerly, once
    compiled = torch.compile(flow.log_prob, fullgraph=True)  # no graph breaks anywhere
    eager_value = flow.log_prob(x)
    eager_value.mean().backward()
    eager_grads = [p.grad.clone() for p in flow.parameters()]
    flow.zero_grad()
    value = compiled(x)
    value.mean().backward()
    torch.testing.assert_close(value, eager_value, atol=1e-5, rtol=1e-5)
    for p, g in zip(flow.parameters(), eager_grads):
        torch.testing.assert_close(p.grad, g, atol=1e-5, rtol=1e-4)


@pytest.mark.parametrize("preset", [False, True], ids=["fresh", "initialized-by-hand"])
def test_actnorm_initializes_inside_a_compiled_call_without_graph_breaks(preset):
    """The documented one-liner compiled before the first batch: ActNorm's data-dependent init
    runs inside the graph (no host read of its flag), matches eager, and respects a set flag."""
    torch.manual_seed(0)
    x = 3.0 + 2.0 * torch.randn(128, 3)
    eager, traced = ActNormBijection(3), ActNormBijection(3)
    if preset:
        for layer in (eager, traced):
            layer.initialized.fill_(1.0)
    compiled = torch.compile(traced, fullgraph=True)
    z_eager, ldj_eager = eager(x)
    z, ldj = compiled(x)
    torch.testing.assert_close(z, z_eager, atol=1e-5, rtol=1e-5)
    torch.testing.assert_close(ldj, ldj_eager, atol=1e-5, rtol=1e-5)
    torch.testing.assert_close(traced.shift, eager.shift)
    assert float(traced.initialized) == 1.0
    z2, _ = compiled(x + 1.0)  # a second batch does not initialize again
    torch.testing.assert_close(z2, z + torch.exp(-traced.log_scale.detach()), atol=1e-5, rtol=1e-5)
