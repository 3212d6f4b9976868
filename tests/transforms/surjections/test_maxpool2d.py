"""MaxPoolSurjection2d / SimpleMaxPoolSurjection2d: layout, round trips and errors."""

import math

import pytest
import torch

from survae.distributions import ConditionalNormal, StandardHalfNormal
from survae.transforms import MaxPoolSurjection2d, SimpleMaxPoolSurjection2d


def test_split_matches_official_gap_layout():
    layer = SimpleMaxPoolSurjection2d(StandardHalfNormal((6, 1, 1)))
    x = torch.tensor([[[[1.0, 4.0], [2.0, 3.0]], [[8.0, 5.0], [6.0, 7.0]]]])
    z, k, d = layer.split(x)
    assert z.flatten().tolist() == [4.0, 8.0] and k.flatten().tolist() == [1, 0]
    # channel 3c + j holds gap j (increasing block position, the max skipped) of channel c
    assert d.flatten().tolist() == [3.0, 2.0, 1.0, 3.0, 2.0, 1.0]
    torch.testing.assert_close(layer.merge(z, k, d), x)


def test_inverse_has_the_right_max_and_contribution():
    layer = SimpleMaxPoolSurjection2d(StandardHalfNormal((9, 2, 3)))
    z = torch.randn(7, 3, 2, 3)
    x = layer.inverse(z)
    assert x.shape == (7, 3, 4, 6)
    torch.testing.assert_close(torch.nn.functional.max_pool2d(x, 2), z)
    z2, ldj = layer(x)
    torch.testing.assert_close(z2, z)
    _, _, d = layer.split(x)
    expected = layer.decoder.log_prob(d) - 18 * math.log(4)
    torch.testing.assert_close(ldj, expected)


def test_positions_are_uniform():
    layer = SimpleMaxPoolSurjection2d(StandardHalfNormal((3, 1, 1)))
    x = layer.inverse(torch.zeros(20000, 1, 1, 1))
    _, k, _ = layer.split(x)
    counts = torch.bincount(k.flatten(), minlength=4).float() / 20000
    torch.testing.assert_close(counts, torch.full((4,), 0.25), atol=0.015, rtol=0)


def test_shape_errors():
    layer = SimpleMaxPoolSurjection2d(StandardHalfNormal((3, 1, 1)))
    with pytest.raises(ValueError, match="SimpleMaxPoolSurjection2d.*even"):
        layer(torch.randn(2, 1, 3, 2))
    with pytest.raises(ValueError, match="unconditional"):
        SimpleMaxPoolSurjection2d(ConditionalNormal(torch.nn.Conv2d(1, 6, 1)))
    with pytest.raises(ValueError, match="MaxPoolSurjection2d"):
        MaxPoolSurjection2d(StandardHalfNormal((3, 1, 1)), index_decoder=torch.nn.Linear(1, 1))
