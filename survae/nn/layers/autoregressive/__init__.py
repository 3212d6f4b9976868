"""Masked layers for autoregressive networks."""

from survae.nn.layers.autoregressive.ar_shift import AutoregressiveShift
from survae.nn.layers.autoregressive.masked_conv_2d import MaskedConv2d, SpatialMaskedConv2d
from survae.nn.layers.autoregressive.masked_linear import MaskedLinear
from survae.nn.layers.autoregressive.seq_reorder import Image2Seq, Seq2Image

__all__ = ["MaskedLinear", "MaskedConv2d", "SpatialMaskedConv2d", "AutoregressiveShift",
           "Image2Seq", "Seq2Image"]
