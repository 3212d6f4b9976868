"""Permutations and axis permutations: saved state, official state_dict keys, shape errors."""

from __future__ import annotations

import pytest
import torch

from survae.transforms import Permute, PermuteAxes, Reverse, Shuffle


def test_shuffle_permutation_round_trips_through_state_dict():
    torch.manual_seed(0)
    saved = Shuffle(6)
    assert set(saved.state_dict()) == {"permutation"}  # as the official layer's
    torch.manual_seed(1)
    loaded = Shuffle(6)
    assert not torch.equal(loaded.permutation, saved.permutation)
    loaded.load_state_dict(saved.state_dict())
    x = torch.randn(3, 6, dtype=torch.float64)
    torch.testing.assert_close(loaded(x)[0], saved(x)[0], atol=0, rtol=0)
    torch.testing.assert_close(loaded.inverse(saved(x)[0]), x, atol=0, rtol=0)


def test_ldj_is_zero_in_input_dtype():
    _, ldj = Reverse(3)(torch.randn(2, 3, dtype=torch.float64))
    assert ldj.dtype == torch.float64 and torch.equal(ldj, torch.zeros(2, dtype=torch.float64))


def test_permute_rejects_non_permutations_and_bad_sizes():
    with pytest.raises(ValueError, match="permutation"):
        Permute([0, 0, 1])
    with pytest.raises(ValueError, match=r"Reverse\(dim_size=3, dim=1\)"):
        Reverse(3)(torch.zeros(2, 4))
    with pytest.raises(ValueError, match=r"Permute\(dim_size=2, dim=2\)"):
        Permute([1, 0], dim=2).inverse(torch.zeros(2, 3, 3))


def test_permute_axes_output_is_contiguous_and_checks_rank():
    layer = PermuteAxes([0, 2, 3, 1])
    z, _ = layer(torch.randn(2, 3, 4, 5))
    assert z.shape == (2, 4, 5, 3) and z.is_contiguous()
    z.view(2, -1)  # contiguous output: .view works as with the official layer
    with pytest.raises(ValueError, match=r"PermuteAxes\(permutation=\[0, 2, 3, 1\]\)"):
        layer(torch.randn(2, 3, 4))
    with pytest.raises(ValueError, match="PermuteAxes"):
        PermuteAxes([1, 0, 2])
