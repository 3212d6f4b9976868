"""StandardNormal, DiagonalNormal and ConvNormal2d against torch.distributions.Normal."""

from __future__ import annotations

import math

import pytest
import torch
from torch.distributions import Normal

from survae.distributions import ConvNormal2d, DiagonalNormal, StandardNormal


def test_standard_normal_matches_torch_float64():
    x = torch.randn(9, 3, 2, dtype=torch.float64) * 3
    expected = Normal(0.0, 1.0).log_prob(x).sum((1, 2))
    torch.testing.assert_close(StandardNormal((3, 2)).log_prob(x), expected, rtol=0, atol=1e-12)


def test_standard_normal_samples_follow_module_dtype():
    dist = StandardNormal((2,))
    assert dist.sample(3).dtype == torch.float32
    assert dist.double().sample(3).dtype == torch.float64


def test_standard_normal_sample_moments():
    torch.manual_seed(0)
    x = StandardNormal((2,)).double().sample(20000)
    assert x.mean().abs() < 0.03 and (x.std() - 1).abs() < 0.03


def test_diagonal_normal_matches_torch():
    torch.manual_seed(0)
    dist = DiagonalNormal((4,)).double()
    with torch.no_grad():
        dist.loc.normal_()
        dist.log_scale.normal_()
    x = torch.randn(8, 4, dtype=torch.float64)
    expected = Normal(dist.loc, dist.log_scale.exp()).log_prob(x).sum(1)
    torch.testing.assert_close(dist.log_prob(x), expected, rtol=1e-13, atol=1e-13)


def test_diagonal_normal_rsample_carries_gradients():
    dist = DiagonalNormal((3,))
    z, log_prob = dist.sample_with_log_prob(5)
    (z.sum() + log_prob.sum()).backward()
    assert dist.loc.grad is not None and dist.log_scale.grad is not None
    torch.testing.assert_close(dist.loc.grad, torch.full((3,), 5.0))


def test_diagonal_normal_gradients_match_torch():
    torch.manual_seed(1)
    dist = DiagonalNormal((3,)).double()
    with torch.no_grad():
        dist.log_scale.normal_()
    x = torch.randn(4, 3, dtype=torch.float64)
    dist.log_prob(x).sum().backward()
    loc = dist.loc.detach().clone().requires_grad_()
    log_scale = dist.log_scale.detach().clone().requires_grad_()
    Normal(loc, log_scale.exp()).log_prob(x).sum().backward()
    torch.testing.assert_close(dist.loc.grad, loc.grad)
    torch.testing.assert_close(dist.log_scale.grad, log_scale.grad)


def test_conv_normal_shares_parameters_over_positions():
    torch.manual_seed(2)
    dist = ConvNormal2d((3, 4, 5)).double()
    assert dist.loc.shape == (1, 3, 1, 1)
    with torch.no_grad():
        dist.loc.normal_()
        dist.log_scale.normal_()
    x = torch.randn(6, 3, 4, 5, dtype=torch.float64)
    expected = Normal(dist.loc, dist.log_scale.exp()).log_prob(x).sum((1, 2, 3))
    torch.testing.assert_close(dist.log_prob(x), expected, rtol=1e-13, atol=1e-13)
    z, log_prob = dist.sample_with_log_prob(4)
    assert z.shape == (4, 3, 4, 5)
    torch.testing.assert_close(log_prob, dist.log_prob(z))


def test_conv_normal_needs_image_shape():
    with pytest.raises(ValueError, match="ConvNormal2d"):
        ConvNormal2d((3, 4))


def test_log_prob_of_zero_is_normaliser():
    value = StandardNormal((5,)).log_prob(torch.zeros(1, 5, dtype=torch.float64))
    assert float(value) == pytest.approx(-2.5 * math.log(2 * math.pi), abs=1e-14)
