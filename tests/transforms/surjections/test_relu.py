"""ReLUSurjection (inference) and GenerativeReLUSurjection."""

import math

import pytest
import torch

from survae.transforms import GenerativeReLUSurjection, ReLUSurjection
from survae.utils import validate_args


def test_inference_relu_inverse_and_contribution():
    layer = ReLUSurjection()
    z = torch.tensor([[0.0, 1.5, 0.0]]).repeat(1000, 1)
    x = layer.inverse(z)
    assert torch.equal(x.clamp(min=0), z)
    assert bool((x[:, [0, 2]] <= 0).all()) and bool((x[:, 1] == 1.5).all())
    z2, ldj = layer(x)
    assert torch.equal(z2, z)
    log_hn = math.log(2) - 0.5 * math.log(2 * math.pi) - 0.5 * x[:, [0, 2]] ** 2
    torch.testing.assert_close(ldj, log_hn.sum(1))


class _ConstLogScale(torch.nn.Module):
    def forward(self, x):
        return torch.full_like(x, math.log(3.0))


def test_learned_scales():
    layer = ReLUSurjection(_ConstLogScale())
    x = layer.inverse(torch.zeros(20000, 1))
    torch.testing.assert_close(x.abs().mean(), torch.tensor(3.0 * math.sqrt(2 / math.pi)),
                               atol=0.05, rtol=0)
    with pytest.raises(ValueError, match="ReLUSurjection.*log-scale net"):
        ReLUSurjection(torch.nn.Linear(2, 3))(torch.randn(4, 2))


def test_generative_relu_forward():
    layer = GenerativeReLUSurjection(_ConstLogScale())
    x = torch.tensor([[0.0, 2.0]]).repeat(1000, 1)
    z, ldj = layer(x)
    assert bool((z[:, 0] <= 0).all()) and bool((z[:, 1] == 2.0).all())
    assert torch.equal(layer.inverse(z), x)
    log_q = math.log(2) - 0.5 * math.log(2 * math.pi) - math.log(3) - 0.5 * (z[:, 0] / 3) ** 2
    torch.testing.assert_close(ldj, -log_q)
    with validate_args(), pytest.raises(ValueError, match="non-negative"):
        layer(torch.tensor([[-1.0, 0.0]]))
