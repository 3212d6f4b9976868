"""Small dataset files in the exact on-disk formats the loaders read, written by the tests.

One writer per format: IDX (MNIST), CIFAR-10 pickles, SVHN ``.mat``, Omniglot (``chardata.mat``
and torchvision's folders), CelebA (jpg + partition txt, zipped or not), downsampled-ImageNet
``.npz`` batches, binarized-MNIST ``.amat`` and the five files of the MAF paper's archive.
"""

from __future__ import annotations

import pickle
import struct
import zipfile
from pathlib import Path

import numpy as np


def write_idx(path: Path, array: np.ndarray) -> None:
    """A file in the IDX format of MNIST (``*-ubyte``): images if ``array`` is 3-D, else labels."""
    magic = 2051 if array.ndim == 3 else 2049
    with open(path, "wb") as handle:
        handle.write(struct.pack(">I", magic))
        handle.write(struct.pack(f">{array.ndim}I", *array.shape))
        handle.write(array.astype(np.uint8).tobytes())


def write_mnist(root: Path, folder: str, train: np.ndarray, test: np.ndarray) -> None:
    """torchvision's ``<root>/<folder>/raw`` IDX files for ``(N, 28, 28)`` uint8 images."""
    raw = root / folder / "raw"
    raw.mkdir(parents=True, exist_ok=True)
    for prefix, images in (("train", train), ("t10k", test)):
        write_idx(raw / f"{prefix}-images-idx3-ubyte", images)
        write_idx(raw / f"{prefix}-labels-idx1-ubyte", np.arange(len(images)) % 10)


def write_cifar10(root: Path, train: np.ndarray, test: np.ndarray) -> None:
    """``<root>/cifar-10-batches-py/``: ``train`` (``(N, 3, 32, 32)`` uint8) cut into the five
    ``data_batch_*`` pickles, ``test`` as ``test_batch``, and ``batches.meta``."""
    folder = root / "cifar-10-batches-py"
    folder.mkdir(parents=True, exist_ok=True)
    parts = np.array_split(train, 5)
    named = [(f"data_batch_{i + 1}", p) for i, p in enumerate(parts)] + [("test_batch", test)]
    for name, images in named:
        labels = [int(k) % 10 for k in range(len(images))]
        batch = {"data": images.reshape(len(images), -1), "labels": labels}
        with open(folder / name, "wb") as handle:
            pickle.dump(batch, handle)
    with open(folder / "batches.meta", "wb") as handle:
        pickle.dump({"label_names": [f"c{i}" for i in range(10)]}, handle)


def write_svhn(folder: Path, split: str, images: np.ndarray) -> None:
    """``<folder>/<split>_32x32.mat``: ``X`` ``(32, 32, 3, N)`` uint8 and ``y`` ``(N, 1)``, as
    distributed (``images`` ``(N, 3, 32, 32)``)."""
    from scipy.io import savemat

    folder.mkdir(parents=True, exist_ok=True)
    labels = (np.arange(len(images)) % 10 + 1).reshape(-1, 1)
    savemat(folder / f"{split}_32x32.mat", {"X": images.transpose(2, 3, 1, 0), "y": labels})


def write_omniglot_mat(root: Path, train: np.ndarray, test: np.ndarray) -> None:
    """IWAE's ``<root>/omniglot/chardata.mat``: ``data`` ``(784, N)`` and ``testdata``
    ``(784, M)`` floats in ``[0, 1]`` (``train``, ``test``: ``(N, 784)``)."""
    from scipy.io import savemat

    (root / "omniglot").mkdir(parents=True, exist_ok=True)
    savemat(root / "omniglot" / "chardata.mat", {"data": train.T, "testdata": test.T})


def write_omniglot_folders(root: Path, background: np.ndarray, evaluation: np.ndarray) -> None:
    """torchvision's ``<root>/omniglot-py/images_{background,evaluation}/<alphabet>/<char>/*.png``
    for ``(N, 105, 105)`` uint8 images (white paper 255, ink 0)."""
    from PIL import Image

    for name, images in (("images_background", background), ("images_evaluation", evaluation)):
        for i, image in enumerate(images):
            folder = root / "omniglot-py" / name / f"Alphabet_{i % 2}" / f"character{i // 2:02d}"
            folder.mkdir(parents=True, exist_ok=True)
            Image.fromarray(image).save(folder / f"{i:04d}_01.png")


def write_celeba(root: Path, images: list, partition: list[int], zipped: bool) -> list[str]:
    """CelebA photographs (PIL images) and ``list_eval_partition.txt``: the official library's
    ``<root>/celeba/raw/img_align_celeba.zip`` (``zipped``) or torchvision's extracted
    ``<root>/celeba/img_align_celeba/``. Returns the file names."""
    import io

    names = [f"{i + 1:06d}.jpg" for i in range(len(images))]
    folder = root / "celeba" / ("raw" if zipped else "")
    folder.mkdir(parents=True, exist_ok=True)
    text = "".join(f"{n} {p}\n" for n, p in zip(names, partition))
    (folder / "list_eval_partition.txt").write_text(text)
    if zipped:
        with zipfile.ZipFile(folder / "img_align_celeba.zip", "w") as archive:
            for name, image in zip(names, images):
                buffer = io.BytesIO()
                image.save(buffer, format="JPEG", quality=95)
                archive.writestr("img_align_celeba/" + name, buffer.getvalue())
    else:
        (folder / "img_align_celeba").mkdir(exist_ok=True)
        for name, image in zip(names, images):
            image.save(folder / "img_align_celeba" / name, quality=95)
    return names


def write_imagenet_npz(folder: Path, train_batches: list[np.ndarray], valid: np.ndarray,
                       compressed: bool = False) -> None:
    """image-net.org's downsampled ImageNet: ``train_data_batch_<k>.npz`` (k from 1) and
    ``val_data.npz``, each with ``data`` ``(N, 3*R*R)`` uint8 (channel planes), ``labels``
    (1..1000) and, for training batches, ``mean``. Images given as ``(N, 3, R, R)``."""
    save = np.savez_compressed if compressed else np.savez
    folder.mkdir(parents=True, exist_ok=True)
    for k, images in enumerate(train_batches, start=1):
        flat = images.reshape(len(images), -1)
        save(folder / f"train_data_batch_{k}.npz", data=flat,
             labels=np.arange(1, len(images) + 1), mean=flat.mean(0))
    save(folder / "val_data.npz", data=valid.reshape(len(valid), -1),
         labels=np.arange(1, len(valid) + 1))


def write_binarized_mnist(root: Path, splits: dict[str, np.ndarray]) -> None:
    """Larochelle's ``<root>/static_mnist/binarized_mnist_<split>.amat``: one line of 784
    space-separated 0/1 per image (``(N, 28, 28)`` arrays)."""
    folder = root / "static_mnist"
    folder.mkdir(parents=True, exist_ok=True)
    for split, images in splits.items():
        lines = [" ".join(map(str, row)) for row in images.reshape(len(images), -1).tolist()]
        (folder / f"binarized_mnist_{split}.amat").write_text("\n".join(lines) + "\n")


def uci_folder(root: Path, name: str) -> Path:
    folder = root / "uci_maf" / "data" / name
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def write_power(root: Path, data: np.ndarray) -> None:
    """MAF's ``power/data.npy``: ``(N, 8)`` float64 (active, reactive power, voltage, intensity,
    three sub-meterings, time)."""
    np.save(uci_folder(root, "power") / "data.npy", data)


def write_gas(root: Path, sensors: np.ndarray) -> None:
    """MAF's ``gas/ethylene_CO.pickle``: a pandas DataFrame with ``Time``, ``Meth``, ``Eth`` and
    one column per sensor (``sensors`` ``(N, S)``)."""
    import pandas as pd

    n = len(sensors)
    frame = pd.DataFrame(sensors, columns=[f"S{i}" for i in range(sensors.shape[1])])
    frame.insert(0, "Time", np.arange(n, dtype=float))
    frame.insert(1, "Meth", np.zeros(n))
    frame.insert(2, "Eth", np.ones(n))
    frame.to_pickle(uci_folder(root, "gas") / "ethylene_CO.pickle")


def write_hepmass(root: Path, train: np.ndarray, test: np.ndarray) -> None:
    """UCI's ``hepmass/1000_{train,test}.csv``: a header ``# label,f0,...,f26,mass`` and rows of
    label (0/1), 27 features and the mass. Arrays ``(N, 29)``; the test file's rows end with an
    extra trailing field (``index_col=False`` drops it, and MAF then drops the mass column)."""
    folder = uci_folder(root, "hepmass")
    header = "# label," + ",".join(f"f{i}" for i in range(27)) + ",mass\n"
    for name, rows, trailing in (("1000_train.csv", train, ""), ("1000_test.csv", test, ",")):
        body = "".join(",".join(repr(float(v)) for v in row) + trailing + "\n" for row in rows)
        (folder / name).write_text(header + body)


def write_miniboone(root: Path, data: np.ndarray) -> None:
    """MAF's ``miniboone/data.npy``: ``(N, 43)`` float64."""
    np.save(uci_folder(root, "miniboone") / "data.npy", data)


def write_bsds300(root: Path, splits: dict[str, np.ndarray]) -> None:
    """MAF's ``BSDS300/BSDS300.hdf5`` with datasets ``train``, ``validation``, ``test``."""
    import h5py

    with h5py.File(uci_folder(root, "BSDS300") / "BSDS300.hdf5", "w") as handle:
        for split, data in splits.items():
            handle.create_dataset(split, data=data)
