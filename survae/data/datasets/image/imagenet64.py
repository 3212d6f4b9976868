"""ImageNet downsampled to 64x64 (van den Oord et al., 2016), without labels; see
:mod:`survae.data.datasets.image._downsampled_imagenet` for the files read."""

from survae.data.datasets.image._downsampled_imagenet import DownsampledImageNet

__all__ = ["ImageNet64Dataset"]


class ImageNet64Dataset(DownsampledImageNet):
    """ImageNet 64x64: ``<root>/imagenet64/`` (``train=False``: the validation set)."""

    resolution = 64
