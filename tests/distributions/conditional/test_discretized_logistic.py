"""ConditionalDiscretizedLogistic: a distribution over the K levels, against the logistic CDF."""

from __future__ import annotations

import pytest
import torch
from torch import nn

from survae.distributions import ConditionalDiscretizedLogistic


def _dist(levels: int = 17) -> ConditionalDiscretizedLogistic:
    torch.manual_seed(0)
    return ConditionalDiscretizedLogistic(nn.Linear(3, 8).double(), levels, split_dim=-1)


def _reference(x: torch.Tensor, mean: torch.Tensor, log_scale: torch.Tensor, levels: int):
    """P(x) from the logistic CDF directly (float64, moderate scales only)."""
    centre = 2 * x.double() / (levels - 1) - 1
    half = 1 / (levels - 1)
    upper = torch.sigmoid((centre + half - mean) / log_scale.exp())
    lower = torch.sigmoid((centre - half - mean) / log_scale.exp())
    upper = torch.where(x == levels - 1, torch.ones_like(upper), upper)
    lower = torch.where(x == 0, torch.zeros_like(lower), lower)
    return (upper - lower).log().sum(-1)


@pytest.mark.parametrize("levels", [2, 17, 256])
def test_matches_the_cdf_and_sums_to_one(levels):
    dist = _dist(levels)
    context = torch.randn(6, 3, dtype=torch.float64)
    x = torch.randint(0, levels, (6, 4))
    x[0, 0], x[1, 1] = 0, levels - 1
    mean, log_scale = dist.mean_log_scale(context)
    torch.testing.assert_close(dist.log_prob(x, context), _reference(x, mean, log_scale, levels))
    every = torch.arange(levels).reshape(levels, 1).expand(levels, 4)
    total = dist.log_prob(every, context[:1].expand(levels, 3)).exp()  # product over 4 entries
    per_entry = torch.stack([dist._log_probs(every[:, j], mean[0, j], log_scale[0, j]).exp()
                             for j in range(4)])
    torch.testing.assert_close(per_entry.sum(1), torch.ones(4, dtype=torch.float64))
    torch.testing.assert_close(total, per_entry.prod(0))


def test_extreme_scales_stay_finite():
    dist = _dist(17)
    x = torch.tensor([[0, 8, 16, 3]])
    for log_scale in (-7.0, 10.0):
        for mean in (-50.0, 0.0, 50.0):
            params = torch.tensor([[mean] * 4 + [log_scale] * 4], dtype=torch.float64)
            log_probs = dist._log_probs(x, params[:, :4], params[:, 4:])
            assert bool(torch.isfinite(log_probs).all())
            assert bool((log_probs <= 0).all())


def test_sample_frequencies_match_the_probabilities():
    dist = _dist(5)
    context = torch.randn(1, 3, dtype=torch.float64)
    n = 40000
    x, log_prob = dist.sample_with_log_prob(context.expand(n, 3))
    assert x.dtype == torch.long and int(x.min()) >= 0 and int(x.max()) <= 4
    torch.testing.assert_close(log_prob[:50], dist.log_prob(x[:50], context.expand(50, 3)))
    mean, log_scale = dist.mean_log_scale(context)
    p = dist._log_probs(torch.arange(5).reshape(5, 1), mean, log_scale).exp()  # (5, 4)
    freq = torch.stack([(x == k).double().mean(0) for k in range(5)])
    assert bool(((freq - p).abs() < 5 * (p * (1 - p) / n).sqrt() + 1e-3).all())
    expected_mean = (p * torch.arange(5).double().reshape(5, 1)).sum(0)
    torch.testing.assert_close(dist.mean(context)[0], expected_mean)


def test_bad_settings_raise():
    with pytest.raises(ValueError, match="num_levels"):
        ConditionalDiscretizedLogistic(nn.Linear(3, 8), 1)
    dist = ConditionalDiscretizedLogistic(nn.Linear(3, 7), 17, split_dim=-1)
    with pytest.raises(ValueError, match="even size"):
        dist.log_prob(torch.zeros(2, 3, dtype=torch.long), torch.randn(2, 3))
    dist = _dist(17)
    with pytest.raises(ValueError, match="ConditionalDiscretizedLogistic"):
        dist.log_prob(torch.zeros(2, 3, dtype=torch.long), torch.randn(2, 3, dtype=torch.float64))
