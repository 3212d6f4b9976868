"""No import of survae.data and no loader writes a file beside the installed package (the official
library wrote ``data_path`` and ``data/`` there), nor in the user's folders unless asked."""

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

import survae
from tests.data import files

PACKAGE = Path(survae.__file__).parent

SCRIPT = textwrap.dedent("""
    import importlib, pkgutil
    import survae.data
    for module in pkgutil.walk_packages(survae.data.__path__, "survae.data."):
        importlib.import_module(module.name)
    from survae.data import DATA_PATH
    from survae.data.path import get_survae_path
    from survae.data.loaders import image, tabular, toy
    get_survae_path()
    loaders = [image.MNIST(), image.DynamicallyBinarizedMNIST(), image.CIFAR10(), image.SVHN(),
               image.ImageNet32(), image.CelebA(), image.FixedBinarizedMNIST(),
               image.DynamicallyBinarizedOMNIGLOT(), tabular.MiniBooNE(), tabular.Power(),
               tabular.BSDS300(), tabular.Gas(), tabular.HEPMASS(),
               toy.Checkerboard(), toy.TwoMoons(), toy.Face(train_samples=4, test_samples=4)]
    for loader in loaders:
        for split in loader.splits:
            getattr(loader, split)[0]
        next(iter(loader.get_data_loaders(2, num_workers=0)[0]))
    print("read", len(loaders), "loaders from", DATA_PATH)
""")


def snapshot(folder: Path) -> dict[str, int]:
    return {str(p.relative_to(folder)): p.stat().st_mtime_ns for p in folder.rglob("*")
            if "__pycache__" not in p.parts}


def write_every_format(root: Path) -> None:
    rng = np.random.default_rng(0)
    images = rng.integers(0, 256, (4, 28, 28), np.uint8)
    files.write_mnist(root, "MNIST", images, images)
    color = rng.integers(0, 256, (5, 3, 32, 32), np.uint8)
    files.write_cifar10(root, color, color)
    for split in ("train", "test"):
        files.write_svhn(root / "SVHN", split, color)
    files.write_imagenet_npz(root / "imagenet32", [color[:3]], color[3:])
    files.write_celeba(root, [Image.new("RGB", (178, 218))] * 3, [0, 1, 2], zipped=True)
    files.write_binarized_mnist(root, {s: images % 2 for s in ("train", "valid", "test")})
    files.write_omniglot_mat(root, rng.random((3, 784)), rng.random((3, 784)))
    files.write_miniboone(root, rng.normal(size=(60, 43)))
    files.write_power(root, rng.normal(size=(60, 8)))
    files.write_bsds300(root, {s: rng.normal(size=(5, 63)) for s in ("train", "validation",
                                                                     "test")})
    files.write_gas(root, rng.normal(size=(60, 9)))
    files.write_hepmass(root, np.column_stack([np.ones(60), rng.normal(size=(60, 28))]),
                        np.column_stack([np.ones(20), rng.normal(size=(20, 28))]))
    (root / "faces").mkdir()
    face = Image.fromarray(rng.integers(1, 256, (32, 32, 3), np.uint8))
    face.save(root / "faces" / "einstein.jpg")


@pytest.mark.timeout(300)
def test_imports_and_loaders_write_nothing_beside_the_package(tmp_path):
    pytest.importorskip("torchvision")
    pytest.importorskip("pandas")
    pytest.importorskip("h5py")
    pytest.importorskip("scipy")
    data = tmp_path / "data"
    write_every_format(data)
    home = tmp_path / "home"
    env = dict(os.environ, SURVAE_DATA=str(data), HOME=str(home),
               XDG_CONFIG_HOME=str(home / "config"), XDG_CACHE_HOME=str(home / "cache"),
               XDG_DATA_HOME=str(home / "share"), PYTHONPATH=str(PACKAGE.parent))
    env.pop("SURVAE_HOME", None)
    before, beside = snapshot(PACKAGE), sorted(os.listdir(PACKAGE.parent))
    result = subprocess.run([sys.executable, "-c", SCRIPT], env=env, capture_output=True,
                            text=True, timeout=280)
    assert result.returncode == 0, result.stderr[-3000:]
    assert "read 16 loaders" in result.stdout
    assert snapshot(PACKAGE) == before
    new_beside = set(os.listdir(PACKAGE.parent)) - set(beside)  # other tools may add caches
    assert not new_beside & {"data_path", "data"}  # what the official import created there
    assert not home.exists()  # nor in the user's config, cache or data folders
