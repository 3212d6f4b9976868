"""Autoregressive blocks at the official path ``survae.nn.blocks.autoregressive``."""

from survae.nn.blocks.autoregressive.masked_residual_block_2d import (
    MaskedResidualBlock2d,
    SpatialMaskedResidualBlock2d,
)
from survae.nn.blocks.autoregressive.sparse_transformer import (
    DenseTransformer,
    DenseTransformerBlock,
)
from survae.nn.blocks.autoregressive.transformer import (
    DecoderOnlyTransformer,
    DecoderOnlyTransformerBlock,
    causal_mask,
)

__all__ = [
    "DecoderOnlyTransformer",
    "DecoderOnlyTransformerBlock",
    "DenseTransformer",
    "DenseTransformerBlock",
    "MaskedResidualBlock2d",
    "SpatialMaskedResidualBlock2d",
    "causal_mask",
]
