"""StochasticPermutation: a random shuffle in both directions, zero contribution."""

import pytest
import torch

from survae.transforms import StochasticPermutation


def test_shuffles_slices_and_contributes_zero():
    layer = StochasticPermutation(dim=2)
    x = torch.randn(6, 3, 5)
    z, ldj = layer(x)
    assert torch.equal(ldj, torch.zeros(6))
    # the same permutation for every channel: columns are moved as a whole
    assert torch.equal(z.sort(2).values[:, 0], x.sort(2).values[:, 0])
    order = z[:, 0].argsort(1)
    assert torch.equal(torch.gather(z, 2, order.unsqueeze(1).expand_as(z)),
                       torch.gather(x, 2, x[:, 0].argsort(1).unsqueeze(1).expand_as(x)))
    assert torch.equal(layer.inverse(z).sort(2).values, x.sort(2).values)


def test_state_dict_and_errors():
    assert "buffer" in StochasticPermutation().state_dict()
    with pytest.raises(ValueError, match="StochasticPermutation"):
        StochasticPermutation(dim=0)
    with pytest.raises(ValueError, match=r"StochasticPermutation\(dim=2\)"):
        StochasticPermutation(dim=2)(torch.randn(3, 4))
