"""ConditionalCategorical against torch.distributions.Categorical."""

from __future__ import annotations

import pytest
import torch
from torch import nn
from torch.distributions import Categorical

from survae.distributions import ConditionalCategorical
from survae.nn.layers import ElementwiseParams


def _dist() -> ConditionalCategorical:
    torch.manual_seed(0)
    return ConditionalCategorical(nn.Sequential(nn.Linear(3, 10), ElementwiseParams(5)).double())


def test_matches_torch():
    dist = _dist()
    context = torch.randn(6, 3, dtype=torch.float64)
    x = torch.randint(0, 5, (6, 2))
    expected = Categorical(logits=dist.net(context)).log_prob(x).sum(1)
    torch.testing.assert_close(dist.log_prob(x, context), expected)


def test_samples_and_accessors():
    dist = _dist()
    context = torch.randn(4, 3, dtype=torch.float64)
    x, log_prob = dist.sample_with_log_prob(context)
    assert x.dtype == torch.long and x.shape == (4, 2)
    assert int(x.min()) >= 0 and int(x.max()) < 5
    torch.testing.assert_close(log_prob, dist.log_prob(x, context))
    logits = dist.net(context)
    torch.testing.assert_close(dist.logits(context), logits)
    torch.testing.assert_close(dist.probs(context), torch.softmax(logits, -1))
    assert torch.equal(dist.mode(context), logits.argmax(-1))


def test_sample_frequencies():
    logits = torch.log(torch.tensor([0.1, 0.2, 0.7], dtype=torch.float64))

    class Fixed(nn.Module):
        def forward(self, c):
            return logits.expand(c.shape[0], 1, 3)

    torch.manual_seed(0)
    x = ConditionalCategorical(Fixed()).sample(torch.zeros(20000, 1))
    freq = torch.bincount(x.reshape(-1), minlength=3).double() / 20000
    torch.testing.assert_close(freq, logits.exp(), atol=0.015, rtol=0)


def test_wrong_shape_raises():
    dist = _dist()
    with pytest.raises(ValueError, match="ConditionalCategorical"):
        dist.log_prob(torch.zeros(4, 3, dtype=torch.long), torch.randn(4, 3, dtype=torch.float64))
