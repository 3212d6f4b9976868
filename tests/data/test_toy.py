"""The 2-D toy datasets."""

from __future__ import annotations

import pytest
import torch

from survae.data.toy import TOY_DATASETS, ToyDataset, make_toy


@pytest.mark.parametrize("name", sorted(TOY_DATASETS))
def test_shape_finite_and_seeded(name):
    a = make_toy(name, 512, torch.Generator().manual_seed(3))
    b = make_toy(name, 512, torch.Generator().manual_seed(3))
    c = make_toy(name, 512, torch.Generator().manual_seed(4))
    assert a.shape == (512, 2) and a.dtype == torch.float32
    assert torch.isfinite(a).all()
    assert torch.equal(a, b) and not torch.equal(a, c)
    assert a.abs().max() < 6


def test_checkerboard_lies_on_the_dark_squares():
    x = make_toy("checkerboard", 4000, torch.Generator().manual_seed(0))
    cells = torch.floor(x / 2)  # 4x4 board of side-2 squares on [-4, 4]^2
    assert bool(((cells[:, 0] + cells[:, 1]) % 2 == 0).all())
    assert x.abs().max() <= 4


def test_symmetric_datasets_are_symmetric_in_distribution():
    for name in ("checkerboard", "corners", "eight_gaussians", "four_circles"):
        x = make_toy(name, 20_000, torch.Generator().manual_seed(1))
        quadrant = (x[:, 0] > 0).long() * 2 + (x[:, 1] > 0).long()
        counts = torch.bincount(quadrant, minlength=4).float() / x.shape[0]
        assert torch.allclose(counts, torch.full((4,), 0.25), atol=0.02), (name, counts)


def test_unknown_name_lists_the_choices():
    with pytest.raises(ValueError, match="checkerboard"):
        make_toy("nope", 10)


def test_dataset_wrapper():
    data = ToyDataset("moons", 100, seed=1)
    assert len(data) == 100 and data[0].shape == (2,)
