"""Learned and generative absolute-value surjections."""

import math

import pytest
import torch

from survae.distributions import Bernoulli, ConditionalBernoulli
from survae.transforms import AbsSurjection, GenerativeAbsSurjection, SimpleGenerativeAbsSurjection
from survae.utils import validate_args


def test_abs_surjection_signs_follow_the_decoder():
    layer = AbsSurjection(Bernoulli((2,), logits=torch.tensor([2.0, -1.0])))
    z = torch.rand(20000, 2) + 0.1
    x = layer.inverse(z)
    assert torch.equal(x.abs(), z)
    positive = (x > 0).float().mean(0)
    expected = torch.sigmoid(torch.tensor([2.0, -1.0]))
    torch.testing.assert_close(positive, expected, atol=0.02, rtol=0)
    # V = log p(b|z): the log-probability of the observed signs.
    _, ldj = layer(torch.tensor([[1.0, -1.0]]))
    sigmoid = torch.sigmoid
    expected = math.log(sigmoid(torch.tensor(2.0))) + math.log(sigmoid(torch.tensor(1.0)))
    torch.testing.assert_close(ldj, torch.tensor([expected]))


def test_generative_abs_round_trip():
    for layer in (SimpleGenerativeAbsSurjection(), GenerativeAbsSurjection(
            ConditionalBernoulli(torch.nn.Linear(3, 3)))):
        x = torch.rand(100, 3)
        z, ldj = layer(x)
        assert torch.equal(z.abs(), x) and torch.equal(layer.inverse(z), x)
        assert bool((z < 0).any()) and bool((z > 0).any())
    _, ldj = SimpleGenerativeAbsSurjection()(torch.rand(4, 3))
    torch.testing.assert_close(ldj, torch.full((4,), 3 * math.log(2.0)))


def test_generative_abs_validates_non_negative_input():
    with validate_args(), pytest.raises(ValueError, match="non-negative"):
        SimpleGenerativeAbsSurjection()(torch.tensor([[-1.0]]))


def test_decoder_type_checked():
    with pytest.raises(ValueError, match="AbsSurjection"):
        AbsSurjection(torch.nn.Linear(2, 2))
