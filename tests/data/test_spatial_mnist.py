"""SpatialMNIST-style point sets from the digits and from MNIST files (written here)."""

import numpy as np
import pytest
import torch

from survae.data.spatial_mnist import SpatialDigits, points_from_images
from tests.data.files import write_idx


def test_points_follow_the_ink():
    image = torch.zeros(1, 4, 4)
    image[0, 0, 3] = 1.0  # top-right pixel only
    pts = points_from_images(image, 200, torch.Generator().manual_seed(0))
    assert pts.shape == (1, 200, 2)
    assert bool((pts[..., 0] >= 3).all() and (pts[..., 0] < 4).all())  # column 3
    assert bool((pts[..., 1] >= 3).all() and (pts[..., 1] < 4).all())  # top row: y up
    two = torch.zeros(1, 2, 2)
    two[0, 0, 0], two[0, 1, 1] = 3.0, 1.0
    many = points_from_images(two, 20000, torch.Generator().manual_seed(1))
    assert abs(float((many[0, :, 0] < 1).double().mean()) - 0.75) < 0.02  # intensity weights


def test_digits_sets_are_seeded_and_in_the_mnist_frame():
    a, b = SpatialDigits("test", seed=3), SpatialDigits("test", seed=3)
    assert torch.equal(a.points, b.points) and len(a) == 360
    assert not torch.equal(a.points, SpatialDigits("test", seed=4).points)
    assert a.points.min() >= 0 and a.points.max() < 28 and a.points.max() > 20
    with pytest.raises(ValueError, match="unknown source"):
        SpatialDigits(source="cifar")
    with pytest.raises(ValueError, match="no ink"):
        points_from_images(torch.zeros(2, 3, 3), 5)


def test_mnist_source_reads_torchvision_files(tmp_path):
    pytest.importorskip("torchvision")
    raw = tmp_path / "MNIST" / "raw"
    raw.mkdir(parents=True)
    images = np.zeros((3, 28, 28), dtype=np.uint8)
    images[:, 10:12, 20:22] = 255
    for prefix in ("train", "t10k"):
        write_idx(raw / f"{prefix}-images-idx3-ubyte", images)
        write_idx(raw / f"{prefix}-labels-idx1-ubyte", np.array([4, 5, 6]))
    data = SpatialDigits("train", num_points=30, source="mnist", root=tmp_path)
    x, label = data[1]
    assert x.shape == (30, 2) and int(label) == 5
    assert bool((x[:, 0] >= 20).all() and (x[:, 0] < 22).all())
    assert bool((x[:, 1] >= 16).all() and (x[:, 1] < 18).all())  # rows 10-11 of 28, y up


def test_resampled_sets_are_fresh_at_every_access_and_follow_the_same_image():
    fixed = SpatialDigits("train", num_points=400, seed=0)
    fresh = SpatialDigits("train", num_points=400, seed=0, resample=True)
    assert torch.equal(fixed.points, fresh.points)  # the fixed sets are still there
    torch.manual_seed(0)
    a, label = fresh[5]
    b, _ = fresh[5]
    assert a.shape == (400, 2) and int(label) == int(fixed[5][1])
    assert not torch.equal(a, b) and not torch.equal(a, fixed[5][0])
    torch.manual_seed(0)
    assert torch.equal(fresh[5][0], a)  # from torch's global generator: seeded runs repeat
    # the same pixels carry the ink: cell histograms of the two draws agree
    cells = [torch.bincount((p // 3.5).long().clamp(0, 7) @ torch.tensor([1, 8]), minlength=64)
             for p in (a, fixed[5][0])]
    assert bool(((cells[0] > 0) <= (fresh.images[5].flip(0).flatten() > 0)).all())
    assert (cells[0] - cells[1]).abs().sum() < 0.4 * 400


def test_batched_access_draws_like_single_access():
    """``__getitems__`` (what a DataLoader calls): fixed sets as indexed; resampled sets from one
    vectorised draw of the same law (ink only on the image's pixels), fresh at every call."""
    fixed = SpatialDigits("train", num_points=50, seed=0)
    items = fixed.__getitems__([3, 0, 3])
    assert torch.equal(items[0][0], fixed[3][0]) and torch.equal(items[1][0], fixed[0][0])
    fresh = SpatialDigits("train", num_points=400, seed=0, resample=True)
    batch = fresh.__getitems__([5, 5, 2])
    assert [int(label) for _, label in batch] == [int(fresh.labels[i]) for i in (5, 5, 2)]
    assert not torch.equal(batch[0][0], batch[1][0])  # each item a fresh draw
    for (points, _), i in zip(batch, (5, 5, 2)):
        assert points.shape == (400, 2) and bool(((points >= 0) & (points < 28)).all())
        cells = torch.bincount((points // 3.5).long().clamp(0, 7) @ torch.tensor([1, 8]),
                               minlength=64)
        assert bool(((cells > 0) <= (fresh.images[i].flip(0).flatten() > 0)).all())
    loader = torch.utils.data.DataLoader(fresh, batch_size=4)
    x, labels = next(iter(loader))
    assert x.shape == (4, 400, 2) and labels.shape == (4,)
