"""Categorical (learned logits) against torch.distributions.Categorical."""

from __future__ import annotations

import pytest
import torch
from torch.distributions import Categorical as TorchCategorical

import survae
from survae.distributions import Categorical


def _dist() -> Categorical:
    torch.manual_seed(0)
    dist = Categorical((2, 3), num_categories=4).double()
    with torch.no_grad():
        dist.logits.normal_()
    return dist


def test_matches_torch():
    dist = _dist()
    x = torch.randint(0, 4, (9, 2, 3))
    expected = TorchCategorical(logits=dist.logits).log_prob(x).sum((1, 2))
    torch.testing.assert_close(dist.log_prob(x), expected)
    torch.testing.assert_close(dist.log_prob(x.double()), expected)  # integer-valued floats


def test_sample_frequencies():
    dist = _dist()
    torch.manual_seed(1)
    x = dist.sample(20000)
    assert x.dtype == torch.long and x.shape == (20000, 2, 3)
    freq = torch.nn.functional.one_hot(x, 4).double().mean(0)
    torch.testing.assert_close(freq, dist.probs.detach(), atol=0.02, rtol=0)


def test_out_of_range_rejected_when_validating():
    dist = _dist()
    x = torch.zeros(1, 2, 3, dtype=torch.long)
    x[0, 1, 2] = 4
    with survae.validate_args():
        with pytest.raises(ValueError, match="Categorical"):
            dist.log_prob(x)


def test_needs_categories():
    with pytest.raises(ValueError, match="num_categories"):
        Categorical((2,), num_categories=0)
