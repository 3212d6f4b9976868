"""Building blocks of the conditioner networks."""

from survae.nn.blocks.autoregressive import (
    DecoderOnlyTransformer,
    DecoderOnlyTransformerBlock,
    DenseTransformer,
    DenseTransformerBlock,
    MaskedResidualBlock2d,
    SpatialMaskedResidualBlock2d,
)
from survae.nn.blocks.denseblock import DenseBlock, DenseLayer, GatedConv2d, ResidualDenseBlock
from survae.nn.blocks.residual_block import ResidualBlock

__all__ = [
    "DecoderOnlyTransformer",
    "DecoderOnlyTransformerBlock",
    "DenseBlock",
    "DenseLayer",
    "DenseTransformer",
    "DenseTransformerBlock",
    "GatedConv2d",
    "MaskedResidualBlock2d",
    "ResidualBlock",
    "ResidualDenseBlock",
    "SpatialMaskedResidualBlock2d",
]
