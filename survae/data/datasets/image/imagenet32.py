"""ImageNet downsampled to 32x32 (van den Oord et al., 2016), without labels; see
:mod:`survae.data.datasets.image._downsampled_imagenet` for the files read."""

from survae.data.datasets.image._downsampled_imagenet import DownsampledImageNet

__all__ = ["ImageNet32Dataset"]


class ImageNet32Dataset(DownsampledImageNet):
    """ImageNet 32x32: ``<root>/imagenet32/`` (``train=False``: the validation set)."""

    resolution = 32
