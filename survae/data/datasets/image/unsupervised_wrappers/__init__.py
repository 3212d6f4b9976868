"""torchvision's MNIST, Fashion-MNIST, CIFAR-10 and SVHN returning the image only."""

from survae.data.datasets.image.unsupervised_wrappers.cifar10 import UnsupervisedCIFAR10
from survae.data.datasets.image.unsupervised_wrappers.fashion_mnist import UnsupervisedFashionMNIST
from survae.data.datasets.image.unsupervised_wrappers.mnist import UnsupervisedMNIST
from survae.data.datasets.image.unsupervised_wrappers.svhn import UnsupervisedSVHN

__all__ = [
    "UnsupervisedCIFAR10", "UnsupervisedMNIST", "UnsupervisedFashionMNIST", "UnsupervisedSVHN",
]
