"""Image datasets through torchvision, on small files written here in torchvision's formats."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from survae.data.vision import IMAGE_SHAPES, load_image_dataset
from tests.data import files
from tests.data.files import write_idx

pytest.importorskip("torchvision")


@pytest.mark.parametrize(("name", "folder", "prefix"), [("mnist", "MNIST", "train"),
                                                        ("fashion_mnist", "FashionMNIST", "t10k")])
def test_mnist_formats(tmp_path, name, folder, prefix):
    raw = tmp_path / folder / "raw"
    raw.mkdir(parents=True)
    rng = np.random.default_rng(0)
    images = rng.integers(0, 256, (5, 28, 28), dtype=np.uint8)
    for p in ("train", "t10k"):
        write_idx(raw / f"{p}-images-idx3-ubyte", images)
        write_idx(raw / f"{p}-labels-idx1-ubyte", np.arange(5, dtype=np.uint8))
    split = "train" if prefix == "train" else "test"
    data = load_image_dataset(name, tmp_path, split)
    x, y = data[2]
    assert x.shape == IMAGE_SHAPES[name] and x.dtype == torch.int64 and int(y) == 2
    assert torch.equal(x[0], torch.from_numpy(images[2]).long())
    binary = load_image_dataset(name, tmp_path, split, binary="static")[2][0]
    assert torch.equal(binary, (x.float() / 255 > 0.5).float())


def test_cifar10_format_and_flips(tmp_path):
    rng = np.random.default_rng(1)
    images = rng.integers(0, 256, (4, 3, 32, 32), dtype=np.uint8)
    files.write_cifar10(tmp_path, np.concatenate([images] * 5), images)
    with pytest.raises(RuntimeError):  # the MD5 check is on by default
        load_image_dataset("cifar10", tmp_path, "test")
    test = load_image_dataset("cifar10", tmp_path, "test", check_integrity=False)
    x, y = test[1]
    assert len(test) == 4 and int(y) == 1 and torch.equal(x, torch.from_numpy(images[1]).long())
    train = load_image_dataset("cifar10", tmp_path, "train", check_integrity=False)
    assert len(train) == 20  # five training batches
    torch.manual_seed(0)
    seen = {bool(torch.equal(train[0][0], torch.from_numpy(images[0]).long())) for _ in range(20)}
    assert seen == {True, False}  # flipped about half of the time on the training split


def test_svhn_format(tmp_path):
    scipy_io = pytest.importorskip("scipy.io")
    rng = np.random.default_rng(2)
    images = rng.integers(0, 256, (32, 32, 3, 3), dtype=np.uint8)  # H, W, C, N as in the .mat
    scipy_io.savemat(tmp_path / "test_32x32.mat", {"X": images, "y": np.array([[10], [1], [2]])})
    data = load_image_dataset("svhn", tmp_path, "test", check_integrity=False)
    x, y = data[0]
    assert x.shape == (3, 32, 32) and int(y) == 0  # SVHN's label 10 is the digit 0
    assert torch.equal(x, torch.from_numpy(images[..., 0]).permute(2, 0, 1).long())


def test_celeba_format(tmp_path):
    from PIL import Image

    folder = tmp_path / "celeba"
    (folder / "img_align_celeba").mkdir(parents=True)
    names = [f"{i:06d}.jpg" for i in range(1, 5)]
    partition = [0, 1, 2, 2]
    for i, name in enumerate(names):
        image = Image.new("RGB", (178, 218), color=(40 * i, 100, 200))
        image.save(folder / "img_align_celeba" / name)
    (folder / "list_eval_partition.txt").write_text(
        "".join(f"{n} {p}\n" for n, p in zip(names, partition)))
    (folder / "identity_CelebA.txt").write_text("".join(f"{n} 1\n" for n in names))
    (folder / "list_bbox_celeba.txt").write_text(
        "4\nimage_id x_1 y_1 width height\n" + "".join(f"{n} 1 2 3 4\n" for n in names))
    (folder / "list_landmarks_align_celeba.txt").write_text(
        "4\nlefteye_x lefteye_y\n" + "".join(f"{n} 1 2\n" for n in names))
    (folder / "list_attr_celeba.txt").write_text(
        "4\nSmiling Young\n" + "".join(f"{n} 1 -1\n" for n in names))
    data = load_image_dataset("celeba", tmp_path, "test", check_integrity=False)
    x, _ = data[0]
    assert len(data) == 2 and x.shape == (3, 32, 32) and x.dtype == torch.int64
    assert abs(int(x[2].float().mean()) - 200) <= 2  # the test image (index 2) is (80, 100, 200)


def test_digits_and_bad_names():
    data = load_image_dataset("digits", split="test", binary="static")
    assert data[0][0].shape == (1, 8, 8) and set(data.data.unique().tolist()) <= {0.0, 1.0}
    levels = load_image_dataset("digits", split="test", digits_bits=5)
    assert levels[0][0].dtype == torch.int64 and int(levels.data.max()) == 16
    with pytest.raises(ValueError, match="digits_bits must be 5 or 8"):
        load_image_dataset("digits", digits_bits=4)
    with pytest.raises(ValueError, match="unknown image dataset 'imagenet'"):
        load_image_dataset("imagenet")
    with pytest.raises(ValueError, match="unknown split"):
        load_image_dataset("digits", split="dev")
