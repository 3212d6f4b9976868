"""Image loader objects (official ``survae.data.loaders.image``)."""

from survae.data.loaders.image.binarized_fashion_mnist import DynamicallyBinarizedFashionMNIST
from survae.data.loaders.image.binarized_mnist import DynamicallyBinarizedMNIST
from survae.data.loaders.image.binarized_mnist_fixed import FixedBinarizedMNIST
from survae.data.loaders.image.binarized_omniglot import DynamicallyBinarizedOMNIGLOT
from survae.data.loaders.image.celeba import CelebA
from survae.data.loaders.image.cifar10 import CIFAR10
from survae.data.loaders.image.imagenet32 import ImageNet32
from survae.data.loaders.image.imagenet64 import ImageNet64
from survae.data.loaders.image.mnist import MNIST
from survae.data.loaders.image.svhn import SVHN

__all__ = [
    "DynamicallyBinarizedMNIST",
    "DynamicallyBinarizedOMNIGLOT",
    "DynamicallyBinarizedFashionMNIST",
    "FixedBinarizedMNIST",
    "CIFAR10",
    "ImageNet32",
    "ImageNet64",
    "CelebA",
    "SVHN",
    "MNIST",
]
