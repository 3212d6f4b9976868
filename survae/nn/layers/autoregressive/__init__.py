"""Masked layers for autoregressive networks."""

from survae.nn.layers.autoregressive.masked_conv_2d import MaskedConv2d, SpatialMaskedConv2d
from survae.nn.layers.autoregressive.masked_linear import MaskedLinear

__all__ = ["MaskedLinear", "MaskedConv2d", "SpatialMaskedConv2d"]
