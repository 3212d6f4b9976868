"""FlowDistribution: survae models inside torch.distributions (shapes, composition, KL)."""

from __future__ import annotations

import math

import pytest
import torch
from torch import nn
from torch.distributions import (
    Categorical,
    Distribution,
    ExpTransform,
    Independent,
    MixtureSameFamily,
    Normal,
    TransformedDistribution,
    constraints,
    kl_divergence,
)

from survae.distributions import (
    ConditionalNormal,
    StandardNormal,
    StandardUniform,
)
from survae.flows import ConditionalFlow, Flow, FlowDistribution, monte_carlo_kl
from survae.nn.layers import ElementwiseParams
from survae.transforms import (
    ActNormBijection,
    AffineCouplingBijection,
    ConditionalAffineCouplingBijection,
    Logit,
    Reverse,
    UniformDequantization,
)


def _flow() -> Flow:
    torch.manual_seed(0)
    net = nn.Sequential(nn.Linear(1, 8), nn.Tanh(), nn.Linear(8, 2), ElementwiseParams(2))
    flow = Flow(StandardNormal((2,)), [AffineCouplingBijection(net), ActNormBijection(2),
                                      Reverse(2)])
    with torch.no_grad():
        for p in flow.parameters():
            p.add_(0.2 * torch.randn_like(p))
    flow = flow.double()
    flow.log_prob(torch.randn(16, 2, dtype=torch.float64))  # ActNorm's data-dependent init
    return flow


def _cond_flow() -> ConditionalFlow:
    torch.manual_seed(1)
    net = nn.Sequential(nn.Linear(1 + 3, 8), nn.Tanh(), nn.Linear(8, 2), ElementwiseParams(2))
    cond = ConditionalFlow(
        ConditionalNormal(nn.Linear(3, 4)),
        [ConditionalAffineCouplingBijection(net), Reverse(2), ActNormBijection(2)],
    ).double()
    cond.log_prob(torch.randn(16, 2).double(), torch.randn(16, 3).double())  # ActNorm init
    return cond


def test_is_torch_distribution_with_shapes():
    flow = _flow()
    dist = flow()
    assert isinstance(dist, Distribution) and isinstance(dist, FlowDistribution)
    assert dist.event_shape == (2,) and dist.batch_shape == ()
    assert dist.sample().shape == (2,)
    assert dist.sample((3,)).shape == (3, 2)
    assert dist.sample((3, 4)).shape == (3, 4, 2)
    assert dist.support.check(torch.zeros(5, 2)).all()
    assert flow.as_distribution().event_shape == (2,)


def test_log_prob_any_leading_shape_matches_flow():
    flow = _flow()
    dist = flow()
    x = torch.randn(3, 4, 2, dtype=torch.float64)
    expected = flow.log_prob(x.reshape(12, 2)).reshape(3, 4)
    torch.testing.assert_close(dist.log_prob(x), expected)
    torch.testing.assert_close(dist.log_prob(x[0, 0]), expected[0, 0])
    with pytest.raises(ValueError, match=r"FlowDistribution\(Flow\).*\(\.\.\., 2\)"):
        dist.log_prob(torch.zeros(4, 3, dtype=torch.float64))


def test_official_calls_keep_their_meaning():
    flow = _flow()
    x = torch.randn(5, 2, dtype=torch.float64)
    torch.testing.assert_close(flow(x), flow.log_prob(x))
    assert flow(3, mode="sample").shape == (3, 2)
    cond = _cond_flow()
    context = torch.randn(5, 3, dtype=torch.float64)
    torch.testing.assert_close(cond(x, context), cond.log_prob(x, context))
    assert cond.sample(context).shape == (5, 2)


def test_sample_has_no_graph_and_rsample_does():
    dist = _flow()()
    assert not dist.sample((4,)).requires_grad
    x = dist.rsample((4,))
    assert x.requires_grad and dist.has_rsample
    x.sum().backward()
    x, log_prob = dist.rsample_and_log_prob((2, 3))
    assert x.shape == (2, 3, 2) and log_prob.shape == (2, 3)
    torch.testing.assert_close(log_prob, dist.log_prob(x))


def test_bound_models_cannot_rsample():
    flow = Flow(StandardUniform((2,)), [UniformDequantization(num_bits=8)])
    dist = FlowDistribution(flow, event_shape=(2,), support=constraints.independent(
        constraints.integer_interval(0, 255), 1))
    assert not dist.has_rsample and not dist.exact
    with pytest.raises(NotImplementedError, match="lower bound"):
        dist.rsample((2,))
    assert dist.sample((3,)).shape == (3, 2)


def test_support_is_inferred_only_where_known():
    assert FlowDistribution(StandardUniform((2,))).support.check(torch.full((2,), 0.5))
    unknown = FlowDistribution(Flow(StandardNormal((2,)), [Logit()]))
    with pytest.raises(NotImplementedError, match="support"):
        _ = unknown.support
    assert unknown.log_prob(torch.full((4, 2), 0.5)).shape == (4,)  # no validation warning


def test_independent_transformed_and_expand():
    flow = _flow()
    dist = flow()
    x = torch.randn(6, 3, 2, dtype=torch.float64)
    independent = Independent(dist.expand((3,)), 1)
    assert independent.event_shape == (3, 2) and independent.sample((6,)).shape == (6, 3, 2)
    torch.testing.assert_close(independent.log_prob(x), dist.log_prob(x).sum(-1))
    positive = TransformedDistribution(dist, [ExpTransform()])
    y = positive.sample((5,))
    assert y.shape == (5, 2) and bool((y > 0).all())
    expected = dist.log_prob(y.log()) - y.log().sum(-1)
    torch.testing.assert_close(positive.log_prob(y), expected)


def test_conditional_lazy_distribution_and_broadcasting():
    cond = _cond_flow()
    context = torch.randn(5, 3, dtype=torch.float64)
    dist = cond(context)
    assert isinstance(dist, Distribution) and dist.batch_shape == (5,)
    assert dist.event_shape == (2,)
    assert dist.sample((7,)).shape == (7, 5, 2)  # N samples per context
    x = torch.randn(7, 5, 2, dtype=torch.float64)
    expected = cond.log_prob(x.reshape(35, 2), context.repeat(7, 1)).reshape(7, 5)
    torch.testing.assert_close(dist.log_prob(x), expected)
    # One context broadcast over a batch of x, like torch broadcasting.
    one = cond(context=context[:1])
    x = torch.randn(6, 2, dtype=torch.float64)
    torch.testing.assert_close(one.log_prob(x), cond.log_prob(x, context[:1].expand(6, 3)))
    # A grid of contexts: batch_shape is the context's leading shape.
    grid = cond(torch.randn(2, 4, 3, dtype=torch.float64))
    assert grid.batch_shape == (2, 4) and grid.sample((3,)).shape == (3, 2, 4, 2)
    x, log_prob = grid.rsample_and_log_prob((3,))
    torch.testing.assert_close(log_prob, grid.log_prob(x))


def test_conditional_flow_as_mixture_components():
    cond = _cond_flow()
    context = torch.randn(4, 3, dtype=torch.float64)
    mixture = MixtureSameFamily(Categorical(logits=torch.zeros(4, dtype=torch.float64)),
                                cond(context))
    x = mixture.sample((6,))
    assert x.shape == (6, 2)
    components = torch.stack([cond.log_prob(x, c.expand(6, 3)) for c in context], -1)
    torch.testing.assert_close(mixture.log_prob(x), components.logsumexp(-1) - math.log(4))


def test_monte_carlo_kl_against_closed_form(monkeypatch):
    torch.manual_seed(3)
    monkeypatch.setattr(FlowDistribution, "kl_samples", 40_000)
    loc = torch.tensor([0.5, -1.0], dtype=torch.float64)
    p = FlowDistribution(StandardNormal((2,)).double())
    q = Independent(Normal(loc, torch.ones(2, dtype=torch.float64)), 1)
    exact = 0.5 * float((loc**2).sum())
    for kl in (monte_carlo_kl(p, q, 40_000), kl_divergence(p, q), kl_divergence(q, p)):
        assert abs(float(kl) - exact) < 0.025  # 4 standard errors (sd |loc| / sqrt(40000))
    assert float(kl_divergence(p, p)) == 0.0
