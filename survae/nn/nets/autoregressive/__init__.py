"""Autoregressive conditioner networks."""

from survae.nn.nets.autoregressive.conditional_made import ConditionalMADE
from survae.nn.nets.autoregressive.made import MADE, AgnosticMADE
from survae.nn.nets.autoregressive.pixelcnn import ConditionalPixelCNN, PixelCNN
from survae.nn.nets.autoregressive.residual_made import ResidualMADE
from survae.nn.nets.autoregressive.sparse_transformer import DenseTransformer2d
from survae.nn.nets.autoregressive.transformer import (
    AutoregressiveTransformer,
    DecoderOnlyTransformer2d,
)

__all__ = [
    "AgnosticMADE",
    "MADE",
    "ConditionalMADE",
    "PixelCNN",
    "ConditionalPixelCNN",
    "AutoregressiveTransformer",
    "ResidualMADE",
    "DecoderOnlyTransformer2d",
    "DenseTransformer2d",
]
