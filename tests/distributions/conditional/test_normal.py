"""ConditionalNormal, ConditionalMeanNormal, ConditionalMeanStdNormal against torch Normal."""

from __future__ import annotations

import pytest
import torch
from torch import nn
from torch.distributions import Normal

from survae.distributions import (
    ConditionalDistribution,
    ConditionalMeanNormal,
    ConditionalMeanStdNormal,
    ConditionalNormal,
)


def _net(out: int) -> nn.Module:
    torch.manual_seed(0)
    return nn.Sequential(nn.Linear(3, 8), nn.Tanh(), nn.Linear(8, out)).double()


def _context(n: int = 6) -> torch.Tensor:
    return torch.randn(n, 3, dtype=torch.float64)


def test_conditional_normal_matches_torch():
    dist = ConditionalNormal(_net(4))
    context, x = _context(), torch.randn(6, 2, dtype=torch.float64)
    params = dist.net(context)
    expected = Normal(params[:, :2], params[:, 2:].exp()).log_prob(x).sum(1)
    torch.testing.assert_close(dist.log_prob(x, context), expected, rtol=1e-13, atol=1e-13)
    mean, std = dist.mean_stddev(context)
    torch.testing.assert_close(mean, params[:, :2])
    torch.testing.assert_close(std, params[:, 2:].exp())
    torch.testing.assert_close(dist.mean(context), params[:, :2])


def test_conditional_normal_split_dim_on_images():
    conv = nn.Conv2d(2, 6, kernel_size=1).double()
    dist = ConditionalNormal(conv, split_dim=1)
    context = torch.randn(4, 2, 5, 5, dtype=torch.float64)
    x, log_prob = dist.sample_with_log_prob(context)
    assert x.shape == (4, 3, 5, 5) and log_prob.shape == (4,)
    params = conv(context)
    expected = Normal(params[:, :3], params[:, 3:].exp()).log_prob(x).sum((1, 2, 3))
    torch.testing.assert_close(log_prob, expected)


def test_conditional_normal_odd_output_raises():
    with pytest.raises(ValueError, match="ConditionalNormal"):
        ConditionalNormal(_net(3)).sample(_context())


def test_mean_normal_matches_torch_and_samples():
    dist = ConditionalMeanNormal(_net(2), scale=0.3)
    context = _context(5)
    x = torch.randn(5, 2, dtype=torch.float64)
    expected = Normal(dist.net(context), 0.3).log_prob(x).sum(1)
    torch.testing.assert_close(dist.log_prob(x, context), expected)
    z, log_prob = dist.sample_with_log_prob(context)
    torch.testing.assert_close(log_prob, dist.log_prob(z, context))
    _, std = dist.mean_stddev(context)
    torch.testing.assert_close(std, torch.full((5, 2), 0.3, dtype=torch.float64))


def test_mean_normal_rejects_nonpositive_scale():
    with pytest.raises(ValueError, match="ConditionalMeanNormal"):
        ConditionalMeanNormal(_net(2), scale=0.0)


def test_mean_std_normal_matches_torch_and_learns_scale():
    dist = ConditionalMeanStdNormal(_net(2), scale_shape=(2,))
    with torch.no_grad():
        dist.log_scale.copy_(torch.tensor([0.5, -1.0]))
    context = _context(5)
    x = torch.randn(5, 2, dtype=torch.float64)
    expected = Normal(dist.net(context), dist.log_scale.exp()).log_prob(x).sum(1)
    torch.testing.assert_close(dist.log_prob(x, context), expected)
    dist.log_prob(x, context).sum().backward()
    assert dist.log_scale.grad is not None


def test_mean_std_normal_bad_scale_shape():
    dist = ConditionalMeanStdNormal(_net(2), scale_shape=(3,))
    with pytest.raises(ValueError, match="ConditionalMeanStdNormal"):
        dist.sample(_context())


@pytest.mark.parametrize(
    "make",
    [
        lambda: ConditionalNormal(_net(4)),
        lambda: ConditionalMeanNormal(_net(2)),
        lambda: ConditionalMeanStdNormal(_net(2), 2),
    ],
)
def test_common_contract(make):
    dist = make()
    assert isinstance(dist, ConditionalDistribution)
    context = _context(7)
    x, log_prob = dist.sample_with_log_prob(context)
    assert x.shape == (7, 2) and x.dtype == torch.float64 and log_prob.dtype == torch.float64
    torch.testing.assert_close(log_prob, dist.log_prob(x, context))
    # reparametrized samples: gradients reach the network
    (x.sum() + log_prob.sum()).backward()
    assert all(p.grad is not None for p in dist.net.parameters())
    with pytest.raises(ValueError, match=type(dist).__name__):
        dist.log_prob(torch.zeros(7, 3, dtype=torch.float64), context)
    with pytest.raises(ValueError, match=type(dist).__name__):
        dist.log_prob(torch.zeros(6, 2, dtype=torch.float64), context)


def test_float32_net_with_float64_input_gives_float64():
    dist = ConditionalNormal(nn.Linear(3, 4))
    x = torch.randn(2, 2, dtype=torch.float64)
    assert dist.log_prob(x, torch.randn(2, 3)).dtype == torch.float64
