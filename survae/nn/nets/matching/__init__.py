"""Conditioner networks that keep the spatial size (for coupling layers on images)."""

from survae.nn.nets.matching.densenet import DenseNet

__all__ = ["DenseNet"]
