"""GenerativeMaxSurjection: x = max(z) along dim."""

import math

import pytest
import torch

from survae.distributions import StandardHalfNormal
from survae.transforms import GenerativeMaxSurjection


def test_round_trip_and_uniform_position():
    layer = GenerativeMaxSurjection(StandardHalfNormal((3,)), size=4)
    x = torch.randn(20000, 1)
    z, ldj = layer(x)
    assert torch.equal(layer.inverse(z), x)
    counts = torch.bincount(z.argmax(1), minlength=4).float() / 20000
    torch.testing.assert_close(counts, torch.full((4,), 0.25), atol=0.015, rtol=0)
    gaps = x - z  # the 3 gaps, and 0 at the maximum
    log_q_gaps = 3 * (math.log(2) - 0.5 * math.log(2 * math.pi)) - 0.5 * (gaps**2).sum(1)
    expected = math.log(4) - log_q_gaps
    torch.testing.assert_close(ldj, expected)


def test_other_dim():
    layer = GenerativeMaxSurjection(StandardHalfNormal((2, 2, 5)), size=3, dim=2)
    x = torch.randn(4, 2, 1, 5)
    z, _ = layer(x)
    assert z.shape == (4, 2, 3, 5)
    assert torch.equal(layer.inverse(z), x)


def test_errors():
    layer = GenerativeMaxSurjection(StandardHalfNormal((2,)), size=3)
    with pytest.raises(ValueError, match=r"GenerativeMaxSurjection\(size=3, dim=1\)"):
        layer(torch.randn(4, 2))
    with pytest.raises(ValueError, match="size"):
        GenerativeMaxSurjection(StandardHalfNormal((2,)), size=1)
