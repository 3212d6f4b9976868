"""StandardHalfNormal against scipy.stats.halfnorm, and its support."""

from __future__ import annotations

import math

import pytest
import torch
from scipy import stats

from survae.distributions import StandardHalfNormal


def test_matches_scipy_float64():
    x = torch.rand(10, 3, dtype=torch.float64) * 4
    expected = torch.from_numpy(stats.halfnorm.logpdf(x.numpy()).sum(1))
    torch.testing.assert_close(StandardHalfNormal((3,)).log_prob(x), expected, rtol=0, atol=1e-12)


def test_any_negative_coordinate_gives_minus_inf():
    dist = StandardHalfNormal((3,))
    x = torch.tensor([[0.1, 0.2, 0.3], [0.1, -1e-9, 0.3], [-1.0, -2.0, -3.0], [0.0, 0.0, 0.0]])
    log_prob = dist.log_prob(x.double())
    assert math.isfinite(log_prob[0]) and math.isfinite(log_prob[3])
    assert log_prob[1] == -math.inf and log_prob[2] == -math.inf


def test_gradient_is_finite_inside_support():
    x = torch.rand(4, 2, dtype=torch.float64, requires_grad=True)
    StandardHalfNormal((2,)).log_prob(x).sum().backward()
    torch.testing.assert_close(x.grad, -x.detach())


def test_samples_are_nonnegative_and_match_moments():
    torch.manual_seed(0)
    x = StandardHalfNormal((2,)).double().sample(20000)
    assert bool((x >= 0).all())
    assert float(x.mean()) == pytest.approx(math.sqrt(2 / math.pi), abs=0.02)
