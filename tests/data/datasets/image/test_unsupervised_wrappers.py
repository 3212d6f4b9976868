"""torchvision-based image datasets on small files in torchvision's formats: image only, PIL out."""

import numpy as np
import pytest

from survae.data.datasets.image import (
    UnsupervisedCIFAR10,
    UnsupervisedFashionMNIST,
    UnsupervisedMNIST,
    UnsupervisedSVHN,
)
from tests.data import files

pytest.importorskip("torchvision")
rng = np.random.default_rng(0)


@pytest.mark.parametrize(("cls", "folder"), [(UnsupervisedMNIST, "MNIST"),
                                             (UnsupervisedFashionMNIST, "FashionMNIST")])
def test_mnist_formats(tmp_path, cls, folder):
    train = rng.integers(0, 256, (6, 28, 28), np.uint8)
    test = rng.integers(0, 256, (3, 28, 28), np.uint8)
    files.write_mnist(tmp_path, folder, train, test)
    data = cls(tmp_path, train=False)
    assert len(data) == 3 and np.array_equal(np.asarray(data[1]), test[1])  # a PIL image
    assert len(cls(tmp_path, train=True)) == 6


def test_cifar10_and_svhn_formats(tmp_path):
    train = rng.integers(0, 256, (10, 3, 32, 32), np.uint8)
    test = rng.integers(0, 256, (4, 3, 32, 32), np.uint8)
    files.write_cifar10(tmp_path, train, test)
    cifar = UnsupervisedCIFAR10(tmp_path, train=True, download=True)  # present: no download
    assert len(cifar) == 10 and cifar.data.shape == (10, 32, 32, 3)
    assert np.array_equal(np.asarray(cifar[7]), train[7].transpose(1, 2, 0))
    files.write_svhn(tmp_path / "SVHN", "test", test)
    svhn = UnsupervisedSVHN(tmp_path / "SVHN", split="test")
    assert len(svhn) == 4 and np.array_equal(np.asarray(svhn[2]), test[2].transpose(1, 2, 0))


def test_missing_files_name_them(tmp_path):
    with pytest.raises(FileNotFoundError, match="train-images-idx3-ubyte"):
        UnsupervisedMNIST(tmp_path)
    with pytest.raises(FileNotFoundError, match="train_32x32.mat"):
        UnsupervisedSVHN(tmp_path, split="train")
    with pytest.raises(ValueError, match="unknown split"):
        UnsupervisedSVHN(tmp_path, split="valid")
