"""Image datasets read by our own readers, on small files written here in their formats:
downsampled-ImageNet .npz batches (and PNG folders), CelebA jpg + txt (zip or folder),
Omniglot (chardata.mat and torchvision's folders), statically binarized MNIST (.amat)."""

import numpy as np
import pytest
import torch

from survae.data.datasets.image import (
    CelebADataset,
    FixedBinaryMNISTDataset,
    ImageNet32Dataset,
    ImageNet64Dataset,
    OMNIGLOTDataset,
)
from tests.data import files

rng = np.random.default_rng(0)


@pytest.mark.parametrize("compressed", [False, True])
def test_imagenet32_npz_batches(tmp_path, compressed):
    batches = [rng.integers(0, 256, (n, 3, 32, 32), np.uint8) for n in (5, 3, 4)]
    valid = rng.integers(0, 256, (2, 3, 32, 32), np.uint8)
    # batch 10 sorts before 2 as text: the reader orders batches by number
    folder = tmp_path / "imagenet32" / "Imagenet32_train_npz"
    files.write_imagenet_npz(folder, batches, valid, compressed)
    (folder / "train_data_batch_3.npz").rename(folder / "train_data_batch_10.npz")
    train = ImageNet32Dataset(tmp_path, train=True)
    assert len(train) == 12
    assert isinstance(train.batches[0], np.memmap) is not compressed  # stored members: mapped
    for index, (batch, row) in {0: (0, 0), 6: (1, 1), 11: (2, 3), -1: (2, 3)}.items():
        assert np.array_equal(np.asarray(train[index]), batches[batch][row].transpose(1, 2, 0))
    with pytest.raises(IndexError):
        train[12]
    test = ImageNet32Dataset(tmp_path, train=False)
    assert len(test) == 2 and np.asarray(test[1]).shape == (32, 32, 3)


def test_imagenet32_official_tar_of_pngs_is_extracted_once(tmp_path):
    import io
    import tarfile

    from PIL import Image

    raw = tmp_path / "imagenet32" / "raw"
    raw.mkdir(parents=True)
    images = rng.integers(0, 256, (2, 32, 32, 3), np.uint8)
    with tarfile.open(raw / "valid_32x32.tar", "w") as archive:
        for i, image in enumerate(images):
            buffer = io.BytesIO()
            Image.fromarray(image).save(buffer, format="PNG")
            info = tarfile.TarInfo(f"valid_32x32/{i:05d}.png")
            info.size = len(buffer.getvalue())
            archive.addfile(info, io.BytesIO(buffer.getvalue()))
    data = ImageNet32Dataset(tmp_path, train=False)
    assert len(data) == 2 and np.array_equal(np.asarray(data[1]), images[1])
    assert (tmp_path / "imagenet32" / "processed" / "valid_32x32" / "00001.png").is_file()


def test_imagenet64_png_folders_and_missing(tmp_path):
    from PIL import Image

    with pytest.raises(FileNotFoundError, match="val_data.npz"):
        ImageNet64Dataset(tmp_path, train=False, download=True)
    folder = tmp_path / "imagenet64" / "processed" / "valid_64x64"
    folder.mkdir(parents=True)
    images = rng.integers(0, 256, (3, 64, 64, 3), np.uint8)
    for i, image in enumerate(images):
        Image.fromarray(image).save(folder / f"{i:08d}.png")
    data = ImageNet64Dataset(tmp_path, train=False, transform=np.asarray)
    assert len(data) == 3 and np.array_equal(data[2], images[2])


@pytest.mark.parametrize("zipped", [True, False])
def test_celeba_jpg_and_partition(tmp_path, zipped):
    from PIL import Image

    colors = [(200, 10, 10), (10, 200, 10), (10, 10, 200), (120, 120, 120), (250, 250, 0)]
    photos = [Image.new("RGB", (178, 218), c) for c in colors]
    files.write_celeba(tmp_path, photos, [0, 0, 1, 2, 2], zipped)
    splits = {s: CelebADataset(tmp_path, split=s) for s in ("train", "valid", "test")}
    assert [len(d) for d in splits.values()] == [2, 1, 2]
    image = np.asarray(splits["test"][1])
    assert image.shape == (64, 64, 3) and np.abs(image.astype(int) - colors[4]).max() <= 3
    cropped = CelebADataset(tmp_path, split="valid", crop=True)[0]
    assert cropped.size == (64, 64)


def test_celeba_resizes_the_whole_photograph_unless_crop(tmp_path):
    from PIL import Image

    photo = np.zeros((218, 178, 3), np.uint8)
    photo[:40] = 255  # a white band above the face box: kept by the resize, cut by the crop
    files.write_celeba(tmp_path, [Image.fromarray(photo)], [0], zipped=True)
    whole = np.asarray(CelebADataset(tmp_path)[0])
    cropped = np.asarray(CelebADataset(tmp_path, crop=True)[0])
    assert whole[0].mean() > 200 and cropped[0].mean() < 30


def test_celeba_missing(tmp_path):
    with pytest.raises(FileNotFoundError, match="img_align_celeba.zip"):
        CelebADataset(tmp_path)


def test_omniglot_chardata_mat(tmp_path):
    pytest.importorskip("scipy")
    train, test = rng.random((7, 784)), rng.random((3, 784))
    files.write_omniglot_mat(tmp_path, train, test)
    data = OMNIGLOTDataset(tmp_path, train=False)
    assert len(data) == 3 and data[0].shape == (1, 28, 28) and data[0].dtype == torch.float32
    assert torch.allclose(data[2].reshape(-1), torch.from_numpy(test[2]).float())
    assert len(OMNIGLOTDataset(tmp_path, train=True)) == 7


def test_omniglot_torchvision_folders(tmp_path):
    strokes = np.full((4, 105, 105), 255, np.uint8)
    strokes[:, 40:60, 40:60] = 0  # ink in the middle
    files.write_omniglot_folders(tmp_path, strokes, strokes[:2])
    data = OMNIGLOTDataset(tmp_path, train=True)
    assert len(data) == 4 and len(OMNIGLOTDataset(tmp_path, train=False)) == 2
    x = data[0]
    assert x.shape == (1, 28, 28) and float(x[0, 14, 14]) > 0.9 and float(x[0, 0, 0]) < 0.1
    with pytest.raises(FileNotFoundError, match="chardata.mat"):
        OMNIGLOTDataset(tmp_path / "elsewhere")


def test_fixed_binarized_mnist_amat_and_h5(tmp_path):
    splits = {s: rng.integers(0, 2, (n, 28, 28)) for s, n in
              (("train", 5), ("valid", 2), ("test", 3))}
    files.write_binarized_mnist(tmp_path, splits)
    for split, images in splits.items():
        data = FixedBinaryMNISTDataset(tmp_path, split=split)
        assert len(data) == len(images) and data[0].dtype == torch.int64
        assert torch.equal(data[len(images) - 1][0], torch.from_numpy(images[-1]))
    h5py = pytest.importorskip("h5py")
    other = tmp_path / "h5" / "static_mnist"
    other.mkdir(parents=True)
    with h5py.File(other / "data.h5", "w") as handle:  # the official library's converted file
        handle.create_dataset("test", data=splits["test"].astype(np.int8))
    assert torch.equal(FixedBinaryMNISTDataset(tmp_path / "h5", split="test").data[:, 0],
                       torch.from_numpy(splits["test"]))
    with pytest.raises(FileNotFoundError, match="binarized_mnist_valid.amat"):
        FixedBinaryMNISTDataset(tmp_path / "none", split="valid")
