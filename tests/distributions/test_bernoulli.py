"""Bernoulli (learned logits) against torch.distributions.Bernoulli."""

from __future__ import annotations

import pytest
import torch
from torch.distributions import Bernoulli as TorchBernoulli

import survae
from survae.distributions import Bernoulli


def test_matches_torch_for_integer_and_float_inputs():
    torch.manual_seed(0)
    dist = Bernoulli((2, 3), logits=torch.randn(2, 3)).double()
    x = torch.randint(0, 2, (8, 2, 3))
    expected = TorchBernoulli(logits=dist.logits).log_prob(x.double()).sum((1, 2))
    torch.testing.assert_close(dist.log_prob(x), expected)
    torch.testing.assert_close(dist.log_prob(x.double()), expected)


def test_extreme_logits_are_stable():
    dist = Bernoulli((2,), logits=torch.tensor([100.0, -100.0])).double()
    log_prob = dist.log_prob(torch.tensor([[1, 0], [0, 1]]))
    assert log_prob[0].item() == pytest.approx(0.0, abs=1e-30)
    assert log_prob[1].item() == pytest.approx(-200.0)


def test_sample_frequencies():
    torch.manual_seed(0)
    dist = Bernoulli((1,), logits=torch.tensor([1.0]))
    x = dist.sample(20000)
    assert x.dtype == torch.long
    expected = float(torch.sigmoid(torch.tensor(1.0)))
    assert float(x.double().mean()) == pytest.approx(expected, abs=0.01)


def test_non_binary_values_rejected_when_validating():
    dist = Bernoulli((2,))
    with survae.validate_args():
        with pytest.raises(ValueError, match="Bernoulli"):
            dist.log_prob(torch.tensor([[0.0, 0.5]]))


def test_logits_must_broadcast_to_shape():
    with pytest.raises(ValueError, match="Bernoulli"):
        Bernoulli((2,), logits=torch.zeros(3, 2))
