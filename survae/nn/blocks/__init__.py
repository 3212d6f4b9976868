"""Building blocks of the conditioner networks."""

from survae.nn.blocks.denseblock import DenseBlock, DenseLayer, GatedConv2d, ResidualDenseBlock
from survae.nn.blocks.masked_residual_block_2d import MaskedResidualBlock2d
from survae.nn.blocks.residual_block import ResidualBlock

__all__ = [
    "DenseBlock",
    "DenseLayer",
    "GatedConv2d",
    "MaskedResidualBlock2d",
    "ResidualBlock",
    "ResidualDenseBlock",
]
