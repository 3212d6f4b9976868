"""Fashion-MNIST without labels (``<root>/FashionMNIST/raw/*-ubyte``, torchvision's layout)."""

from __future__ import annotations

from survae.data._torchvision import torchvision_datasets
from survae.data.datasets.image.unsupervised_wrappers.mnist import UnlabelledIdxDataset

__all__ = ["UnsupervisedFashionMNIST"]

_FashionMNIST = torchvision_datasets("FashionMNIST").FashionMNIST


class UnsupervisedFashionMNIST(UnlabelledIdxDataset, _FashionMNIST):
    """torchvision's FashionMNIST (``root/FashionMNIST/raw``); ``dataset[i]`` is the image only."""

    folder = "FashionMNIST"
