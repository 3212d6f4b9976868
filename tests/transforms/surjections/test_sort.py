"""SortSurjection / SimpleSortSurjection / GenerativeSortSurjection."""

import itertools
import math

import pytest
import torch

from survae.transforms import GenerativeSortSurjection, SimpleSortSurjection, SortSurjection
from survae.transforms.surjections.sort_generative import plackett_luce_log_prob
from survae.utils import validate_args


def test_sort_and_contribution():
    x = torch.randn(10, 5)
    z, ldj = SortSurjection()(x)
    torch.testing.assert_close(z, x.sort(1).values)
    torch.testing.assert_close(ldj, torch.full((10,), -math.log(120)))


def test_inverse_is_a_uniform_permutation_of_z():
    layer = SortSurjection()
    z = torch.tensor([[0.0, 1.0, 2.0]]).repeat(12000, 1)
    x = layer.inverse(z)
    assert torch.equal(x.sort(1).values, z)
    codes = (x * torch.tensor([9.0, 3.0, 1.0])).sum(1).long()
    freq = torch.bincount(codes)[codes.unique()].float() / 12000
    assert freq.numel() == 6
    torch.testing.assert_close(freq, torch.full((6,), 1 / 6), atol=0.015, rtol=0)


def test_lexicographic_sets_match_python_sorted():
    x = torch.randint(0, 3, (20, 5, 3)).double()
    z, ldj = SortSurjection(lexicographic=True)(x)
    for xi, zi in zip(x, z):
        assert zi.tolist() == sorted(xi.tolist())
    # without ties in the rows, the contribution is -log N!
    xc = torch.randn(4, 5, 3)
    _, ldj = SortSurjection(lexicographic=True)(xc)
    torch.testing.assert_close(ldj, torch.full((4,), -math.log(120)))


def test_non_lexicographic_sorts_by_first_entry_along_other_dims():
    x = torch.randn(3, 2, 6)  # sort along dim 2 by channel 0
    z, _ = SortSurjection(dim=2)(x)
    order = x[:, 0].argsort(1)
    torch.testing.assert_close(z, torch.gather(x, 2, order.unsqueeze(1).expand_as(x)))


def test_simple_sort_with_key_and_errors():
    layer = SimpleSortSurjection(dim=1, lambd=lambda x: -x[:, :, 1])
    x = torch.randn(4, 3, 2)
    z, _ = layer(x)
    assert bool((z[:, 1:, 1] <= z[:, :-1, 1]).all())
    with pytest.raises(ValueError, match="lambd must return"):
        SimpleSortSurjection(lambd=lambda x: x)(torch.randn(2, 3, 2))
    with pytest.raises(ValueError, match="SortSurjection"):
        SortSurjection(dim=2)(torch.randn(2, 3))
    assert "buffer" in SimpleSortSurjection().state_dict()


def test_plackett_luce_is_normalised_and_sampled_correctly():
    scores = torch.tensor([[0.5, -1.0, 1.5]], dtype=torch.float64)
    perms = torch.tensor(list(itertools.permutations(range(3))))
    probs = plackett_luce_log_prob(scores.expand(6, 3), perms).exp()
    torch.testing.assert_close(probs.sum(), torch.tensor(1.0, dtype=torch.float64))

    class Fixed(torch.nn.Module):
        def forward(self, x):
            return scores.expand(x.shape[0], 3).to(x.dtype)

    layer = GenerativeSortSurjection(score_net=Fixed())
    x = torch.tensor([[0.0, 1.0, 2.0]], dtype=torch.float64).repeat(30000, 1)
    z, ldj = layer(x)
    index = {tuple(p): i for i, p in enumerate(perms.tolist())}
    codes = torch.tensor([index[tuple(int(v) for v in row)] for row in z.tolist()])
    freq = torch.bincount(codes, minlength=6).double() / 30000
    torch.testing.assert_close(freq, probs, atol=0.012, rtol=0)
    torch.testing.assert_close(ldj, -probs[codes].log())


def test_generative_sort_round_trip_and_validation():
    layer = GenerativeSortSurjection()
    x = torch.randn(8, 4).sort(1).values
    z, ldj = layer(x)
    assert torch.equal(layer.inverse(z), x)
    torch.testing.assert_close(ldj, torch.full((8,), math.log(24)))
    with validate_args(), pytest.raises(ValueError, match="sorted"):
        layer(torch.tensor([[2.0, 1.0]]))
