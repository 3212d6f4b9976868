"""Image loader objects: the tensors the official ones give (dtype, range, shape, splits)."""

import numpy as np
import pytest
import torch

from survae.data.loaders.image import (
    CIFAR10,
    MNIST,
    SVHN,
    CelebA,
    DynamicallyBinarizedFashionMNIST,
    DynamicallyBinarizedMNIST,
    DynamicallyBinarizedOMNIGLOT,
    FixedBinarizedMNIST,
    ImageNet32,
    ImageNet64,
)
from tests.data import files

pytest.importorskip("torchvision")
rng = np.random.default_rng(0)


def test_mnist_quantized_and_binarized(tmp_path):
    train = rng.integers(0, 256, (6, 28, 28), np.uint8)
    files.write_mnist(tmp_path, "MNIST", train, train[:2])
    data = MNIST(tmp_path)
    assert [len(data.train), len(data.test)] == [6, 2]
    x = data.train[3]
    assert x.dtype == torch.int64 and x.shape == (1, 28, 28)
    assert torch.equal(x[0], torch.from_numpy(train[3]).long())
    five_bits = MNIST(tmp_path, num_bits=5).test[1][0]
    assert torch.equal(five_bits, torch.from_numpy(train[1]).long() // 8)
    train_loader, test_loader = data.get_data_loaders(4, num_workers=0)
    assert next(iter(train_loader)).shape == (4, 1, 28, 28)
    binary = DynamicallyBinarizedMNIST(tmp_path, flatten=True)
    draws = torch.stack([binary.train[0] for _ in range(50)]).float()
    assert draws.shape == (50, 784) and set(draws.unique().tolist()) <= {0.0, 1.0}
    assert torch.allclose(draws.mean(0), torch.from_numpy(train[0]).float().reshape(-1) / 255,
                          atol=0.35)
    files.write_mnist(tmp_path, "FashionMNIST", train, train[:2])
    assert DynamicallyBinarizedFashionMNIST(tmp_path).test[0].shape == (1, 28, 28)


def test_cifar10_pil_transforms_on_train_only(tmp_path):
    from torchvision.transforms import RandomHorizontalFlip

    images = rng.integers(0, 256, (5, 3, 32, 32), np.uint8)
    files.write_cifar10(tmp_path, images, images[:3])
    data = CIFAR10(tmp_path, pil_transforms=[RandomHorizontalFlip(p=1.0)])
    assert torch.equal(data.train[0], torch.from_numpy(images[0]).long().flip(-1))
    assert torch.equal(data.test[0], torch.from_numpy(images[0]).long())
    # the official example shows data.test.data[:64] (uint8, N x H x W x C)
    shown = torch.from_numpy(data.test.data[:64]).permute([0, 3, 1, 2])
    assert torch.equal(shown, torch.from_numpy(images[:3]))


def test_svhn_in_its_sub_folder(tmp_path):
    images = rng.integers(0, 256, (3, 3, 32, 32), np.uint8)
    for split in ("train", "test"):
        files.write_svhn(tmp_path / "SVHN", split, images)
    data = SVHN(tmp_path, num_bits=8)
    assert data.test[2].dtype == torch.int64 and torch.equal(data.test[2],
                                                             torch.from_numpy(images[2]).long())


@pytest.mark.parametrize(("cls", "size"), [(ImageNet32, 32), (ImageNet64, 64)])
def test_imagenet_loaders(tmp_path, cls, size):
    images = rng.integers(0, 256, (4, 3, size, size), np.uint8)
    files.write_imagenet_npz(tmp_path / f"imagenet{size}", [images[:3]], images[3:])
    data = cls(tmp_path, num_bits=8)
    assert (len(data.train), len(data.test)) == (3, 1)
    assert torch.equal(data.test[0], torch.from_numpy(images[3]).long())


def test_celeba_three_splits(tmp_path):
    from PIL import Image

    photos = [Image.new("RGB", (178, 218), (i * 50, 0, 0)) for i in range(4)]
    files.write_celeba(tmp_path, photos, [0, 1, 2, 0], zipped=True)
    data = CelebA(tmp_path)
    assert data.splits == ["train", "valid", "test"]
    assert [len(data.train), len(data.valid), len(data.test)] == [2, 1, 1]
    x = data.valid[0]
    assert x.dtype == torch.int64 and x.shape == (3, 64, 64)
    assert abs(int(x[0].float().mean()) - 50) <= 3


def test_fixed_and_omniglot_binarized(tmp_path):
    splits = {s: rng.integers(0, 2, (2, 28, 28)) for s in ("train", "valid", "test")}
    files.write_binarized_mnist(tmp_path, splits)
    fixed = FixedBinarizedMNIST(tmp_path)
    assert torch.equal(fixed.valid[1][0], torch.from_numpy(splits["valid"][1]))
    assert len(fixed.train_valid) == 4
    pytest.importorskip("scipy")
    files.write_omniglot_mat(tmp_path, rng.random((5, 784)), rng.random((2, 784)))
    omniglot = DynamicallyBinarizedOMNIGLOT(tmp_path, flatten=True)
    x = omniglot.train[4]
    assert x.dtype == torch.int64 and x.shape == (784,) and set(x.unique().tolist()) <= {0, 1}
