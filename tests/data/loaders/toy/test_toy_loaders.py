"""Toy loader objects and the plane datasets: shapes, seeds, densities' defining properties."""

import numpy as np
import pytest
import torch

from survae.data.datasets.toy import (
    CheckerboardDataset,
    FaceDataset,
    FourCirclesDataset,
    PlaneDataset,
    TestGridDataset,
    TwoMoonsDataset,
)
from survae.data.loaders import toy

LOADERS = [toy.Gaussian, toy.Crescent, toy.CrescentCubed, toy.SineWave, toy.Abs, toy.Sign,
           toy.FourCircles, toy.Diamond, toy.TwoSpirals, toy.TwoMoons, toy.Checkerboard]


@pytest.mark.parametrize("cls", LOADERS, ids=lambda c: c.__name__)
def test_loaders_draw_two_samples(cls):
    torch.manual_seed(0)
    np.random.seed(0)
    data = cls(train_samples=64, test_samples=32)
    assert (len(data.train), len(data.test)) == (64, 32)
    assert data.train.data.shape == (64, 2) and data.train.data.dtype == torch.float32
    assert torch.isfinite(data.train.data).all()
    train_loader, test_loader = data.get_data_loaders(16, num_workers=0)
    assert next(iter(train_loader)).shape == (16, 2)
    torch.manual_seed(0)
    np.random.seed(0)
    assert torch.equal(cls(train_samples=64, test_samples=32).train.data, data.train.data)


def test_defining_properties():
    torch.manual_seed(1)
    x = CheckerboardDataset(4000).data
    parity = (torch.floor(x[:, 0] / 2) + torch.floor(x[:, 1] / 2)) % 2
    assert parity.unique().numel() == 1  # only the squares of one colour
    assert bool((x.abs() <= 4).all())
    circles = FourCirclesDataset(400).data
    first = circles[:100] - 1  # the first quarter is the circle around (1, 1)
    assert abs(float(first.norm(dim=1).mean()) - 2) < 0.05
    with pytest.raises(ValueError, match="multiple of 4"):
        FourCirclesDataset(10)
    assert torch.equal(TwoMoonsDataset(50).data, TwoMoonsDataset(50).data)  # random_state=0
    flipped = toy.Abs(train_samples=10).train
    flipped.flip_axes = True
    torch.manual_seed(2)
    flipped.reset()
    torch.manual_seed(2)
    flipped_twice = toy.Abs(train_samples=10).train.data
    assert torch.equal(flipped.data, flipped_twice.flip(1))
    grid = TestGridDataset(num_points_per_axis=3, bounds=[[-1, 1], [0, 2]])
    assert grid.data.shape == (9, 2) and grid.X.shape == (3, 3)
    assert float(grid.data[:, 1].max()) == 2.0
    with pytest.raises(NotImplementedError):
        PlaneDataset(3)


def test_face_reads_the_picture_from_the_data_folder(tmp_path, monkeypatch):
    from PIL import Image

    monkeypatch.setenv("SURVAE_DATA", str(tmp_path))
    with pytest.raises(FileNotFoundError, match="faces/einstein.jpg"):
        toy.Face(train_samples=10, test_samples=10)
    (tmp_path / "faces").mkdir()
    picture = np.zeros((64, 64, 3), np.uint8)
    picture[:, 32:] = 255  # only the right half is lit
    Image.fromarray(picture).save(tmp_path / "faces" / "einstein.jpg")
    np.random.seed(0)
    points = FaceDataset(500, resize=32).data
    assert points.shape == (500, 2) and bool(((points >= -1e-6) & (points <= 1 + 1e-6)).all())
    # the image's columns become the first coordinate: the lit right half is x in [0.5, 1]
    assert float((points[:, 0] > 0.45).float().mean()) > 0.95
