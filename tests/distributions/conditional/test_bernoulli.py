"""ConditionalBernoulli against torch.distributions.Bernoulli."""

from __future__ import annotations

import pytest
import torch
from torch import nn
from torch.distributions import Bernoulli

from survae.distributions import ConditionalBernoulli


def _dist() -> ConditionalBernoulli:
    torch.manual_seed(0)
    return ConditionalBernoulli(nn.Linear(3, 4).double())


def test_matches_torch_for_integer_and_float_inputs():
    dist = _dist()
    context = torch.randn(6, 3, dtype=torch.float64)
    x = torch.randint(0, 2, (6, 4))
    expected = Bernoulli(logits=dist.net(context)).log_prob(x.double()).sum(1)
    torch.testing.assert_close(dist.log_prob(x, context), expected)
    torch.testing.assert_close(dist.log_prob(x.double(), context), expected)


def test_samples_and_accessors():
    dist = _dist()
    context = torch.randn(5, 3, dtype=torch.float64)
    x, log_prob = dist.sample_with_log_prob(context)
    assert x.dtype == torch.long and x.shape == (5, 4)
    assert set(x.unique().tolist()) <= {0, 1}
    torch.testing.assert_close(log_prob, dist.log_prob(x, context))
    logits = dist.net(context)
    torch.testing.assert_close(dist.logits(context), logits)
    torch.testing.assert_close(dist.probs(context), torch.sigmoid(logits))
    torch.testing.assert_close(dist.mean(context), torch.sigmoid(logits))
    assert torch.equal(dist.mode(context), (logits >= 0).long())
    assert dist.sample(context).shape == (5, 4)


def test_score_gradient_reaches_net():
    dist = _dist()
    context = torch.randn(5, 3, dtype=torch.float64)
    _, log_prob = dist.sample_with_log_prob(context)
    log_prob.sum().backward()
    assert dist.net.weight.grad is not None


def test_wrong_shape_raises():
    dist = _dist()
    with pytest.raises(ValueError, match="ConditionalBernoulli"):
        dist.log_prob(torch.zeros(5, 3), torch.randn(5, 3, dtype=torch.float64))
