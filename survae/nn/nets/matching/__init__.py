"""Conditioner networks that keep the spatial size (for coupling layers on images)."""

from survae.nn.nets.matching.densenet import DenseNet
from survae.nn.nets.matching.multiscale_densenet import MultiscaleDenseNet

__all__ = ["DenseNet", "MultiscaleDenseNet"]
