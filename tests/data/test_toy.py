"""The 2-D toy datasets."""

from __future__ import annotations

import math

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


def test_official_shapes_of_the_absflow_datasets():
    g = torch.Generator().manual_seed(2)
    # L-shaped bars: |x|, |y| in [1, 2] x [1, 4] or [1, 4] x [1, 2]
    corners = make_toy("corners", 4000, g).abs()
    assert bool((corners >= 1).all() and (corners <= 4).all())
    assert bool((corners.min(1).values <= 2).all())
    circles = make_toy("four_circles", 4000, g)  # radius-2 circles around (+-1, +-1), noise 0.1
    centers = torch.tensor([[1.0, 1.0], [1.0, -1.0], [-1.0, 1.0], [-1.0, -1.0]])
    radius = torch.cdist(circles, centers)
    assert bool(((radius - 2).abs().min(1).values < 0.5).all())
    gaussians = make_toy("eight_gaussians", 4000, g) * 1.414  # centers 4 e^{i(pi/8 + k pi/4)}
    angle = torch.atan2(gaussians[:, 1], gaussians[:, 0]) - math.pi / 8
    offset = torch.remainder(angle + math.pi / 8, math.pi / 4) - math.pi / 8
    assert offset.abs().median() < 0.1
    assert (gaussians.norm(dim=1).mean() - 4).abs() < 0.1


def test_default_generator_is_the_global_one():
    torch.manual_seed(5)
    a = make_toy("spirals", 64)
    after_a = torch.rand(1)
    torch.manual_seed(5)
    assert torch.equal(make_toy("spirals", 64), a)
    assert torch.equal(torch.rand(1), after_a)  # the global stream was not reseeded


def test_bad_sizes():
    assert make_toy("rings", 0).shape == (0, 2)
    with pytest.raises(ValueError, match="num_samples"):
        make_toy("rings", -1)
