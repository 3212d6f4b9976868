"""MADE: the autoregressive property holds for every ordering and mask option."""

from __future__ import annotations

import pytest
import torch

from survae.nn.nets import MADE


@pytest.mark.parametrize(
    "options",
    [
        {},
        {"random_order": True, "random_seed": 1},
        {"random_mask": True, "random_seed": 2},
        {"random_order": True, "random_mask": True, "random_seed": 3},
        {"batch_norm": True},
    ],
)
def test_jacobian_is_strictly_triangular_in_the_ordering(options):
    torch.manual_seed(0)
    made = MADE(6, 3, [32, 32], **options).double().eval()
    x = torch.randn(6, dtype=torch.float64)
    jac = torch.autograd.functional.jacobian(lambda v: made(v.unsqueeze(0))[0], x)  # (6, 3, 6)
    degrees = made.in_degrees
    allowed = degrees.unsqueeze(1) > degrees.unsqueeze(0)  # output i may see input j
    dependence = jac.abs().sum(1) > 0
    assert not bool((dependence & ~allowed).any())
    assert bool(dependence[allowed].float().mean() > 0.5)  # and it does use what it may


def test_order_and_shapes():
    made = MADE(4, 2, [8], random_order=True, random_seed=0)
    assert sorted(made.order.tolist()) == [0, 1, 2, 3]
    assert made(torch.randn(3, 4)).shape == (3, 4, 2)
    with pytest.raises(ValueError, match="MADE"):
        made(torch.randn(3, 5))
