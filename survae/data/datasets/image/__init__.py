"""Image datasets without labels (official ``survae.data.datasets.image``)."""

from survae.data.datasets.image.celeba import CelebADataset
from survae.data.datasets.image.fixed_binarized_mnist import FixedBinaryMNISTDataset
from survae.data.datasets.image.imagenet32 import ImageNet32Dataset
from survae.data.datasets.image.imagenet64 import ImageNet64Dataset
from survae.data.datasets.image.omniglot import OMNIGLOTDataset
from survae.data.datasets.image.unsupervised_wrappers import (
    UnsupervisedCIFAR10,
    UnsupervisedFashionMNIST,
    UnsupervisedMNIST,
    UnsupervisedSVHN,
)

__all__ = [
    "ImageNet32Dataset",
    "ImageNet64Dataset",
    "CelebADataset",
    "FixedBinaryMNISTDataset",
    "OMNIGLOTDataset",
    "UnsupervisedCIFAR10",
    "UnsupervisedMNIST",
    "UnsupervisedFashionMNIST",
    "UnsupervisedSVHN",
]
