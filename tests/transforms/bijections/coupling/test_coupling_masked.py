"""Masked couplings: the conditioning entries pass through, masks are checked, shapes named."""

import pytest
import torch
from torch import nn

from survae.nn.layers import ElementwiseParams2d
from survae.transforms import (
    DiagonalScalingBijection,
    MaskedAffineCouplingBijection,
    channel_mask,
    checkerboard_mask,
)


def _layer(mask):
    net = nn.Sequential(nn.Conv2d(2, 4, 3, padding=1), ElementwiseParams2d(2))
    return MaskedAffineCouplingBijection(net, mask)


@pytest.mark.parametrize("mask", [checkerboard_mask(4, 4), channel_mask(2, parity=1)])
def test_conditioning_entries_pass_through_and_only_they_condition(mask):
    layer = _layer(mask)
    x = torch.randn(3, 2, 4, 4)
    z, _ = layer(x)
    keep = mask.expand_as(x[0]).bool()
    assert torch.equal(z[:, keep], x[:, keep])
    assert not torch.allclose(z[:, ~keep], x[:, ~keep])
    x2 = x.clone()
    x2[:, ~keep] += 1.0  # changing transformed entries does not change their parameters
    z2, ldj2 = layer(x2)
    assert torch.allclose(ldj2, layer(x)[1])


def test_checkerboard_parities_complement():
    assert torch.equal(checkerboard_mask(3, 5, 0) + checkerboard_mask(3, 5, 1), torch.ones(1, 3, 5))


def test_bad_masks_and_shapes_are_named():
    with pytest.raises(ValueError, match="only 0 and 1"):
        _layer(torch.full((1, 4, 4), 0.5))
    with pytest.raises(ValueError, match="both 0 and 1"):
        _layer(torch.ones(1, 4, 4))
    with pytest.raises(ValueError, match=r"MaskedAffineCouplingBijection.*does not broadcast"):
        _layer(checkerboard_mask(4, 4))(torch.randn(2, 2, 5, 5))
    with pytest.raises(ValueError, match="DiagonalScalingBijection"):
        DiagonalScalingBijection(3)(torch.randn(2, 4))
