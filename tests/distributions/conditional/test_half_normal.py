"""ConditionalHalfNormal against torch.distributions.HalfNormal."""

from __future__ import annotations

import math

import pytest
import torch
from torch import nn
from torch.distributions import HalfNormal

from survae.distributions import ConditionalHalfNormal, StandardHalfNormal


def _dist() -> ConditionalHalfNormal:
    torch.manual_seed(0)
    return ConditionalHalfNormal(nn.Linear(3, 4).double())


def test_matches_torch_and_is_minus_inf_outside_the_support():
    dist = _dist()
    context = torch.randn(6, 3, dtype=torch.float64)
    x = torch.rand(6, 4, dtype=torch.float64) * 3
    expected = HalfNormal(dist.net(context).exp()).log_prob(x).sum(1)
    torch.testing.assert_close(dist.log_prob(x, context), expected)
    x[2, 1] = -1e-3
    log_prob = dist.log_prob(x, context)
    assert log_prob[2] == -math.inf and bool(torch.isfinite(log_prob[[0, 1, 3, 4, 5]]).all())


def test_samples_are_non_negative_and_scaled():
    dist = _dist()
    context = torch.randn(1, 3, dtype=torch.float64).expand(20000, 3)
    x, log_prob = dist.sample_with_log_prob(context)
    assert bool((x >= 0).all())
    torch.testing.assert_close(log_prob, dist.log_prob(x, context))
    scale = dist.net(context[:1]).exp()[0]
    # E|eps| sigma = sigma sqrt(2 / pi); standard error of the mean about 0.6 sigma / sqrt(n)
    mean = x.mean(0)
    assert bool(((mean - scale * math.sqrt(2 / math.pi)).abs() < 5 * 0.61 * scale / 141).all())


def test_zero_net_is_the_standard_half_normal():
    net = nn.Linear(3, 4).double()
    nn.init.zeros_(net.weight)
    nn.init.zeros_(net.bias)
    x = torch.rand(5, 4, dtype=torch.float64)
    torch.testing.assert_close(ConditionalHalfNormal(net).log_prob(x, torch.randn(5, 3).double()),
                               StandardHalfNormal((4,)).log_prob(x))


def test_gradient_reaches_net_and_wrong_shape_raises():
    dist = _dist()
    context = torch.randn(5, 3, dtype=torch.float64)
    dist.sample_with_log_prob(context)[1].sum().backward()
    assert dist.net.weight.grad is not None
    with pytest.raises(ValueError, match="ConditionalHalfNormal"):
        dist.log_prob(torch.zeros(5, 3, dtype=torch.float64), context)
