"""Conditioner networks."""

from survae.nn.nets.autoregressive import (
    MADE,
    AgnosticMADE,
    AutoregressiveTransformer,
    ConditionalMADE,
    ConditionalPixelCNN,
    DecoderOnlyTransformer2d,
    DenseTransformer2d,
    PixelCNN,
    ResidualMADE,
)
from survae.nn.nets.convnet import ConvNet
from survae.nn.nets.lipschitz_convnet import LipschitzConvNet
from survae.nn.nets.lipschitz_mlp import LipschitzMLP
from survae.nn.nets.matching import DenseNet, MultiscaleDenseNet
from survae.nn.nets.mlp import MLP
from survae.nn.nets.odenet import ODENet
from survae.nn.nets.resnet import ResNet
from survae.nn.nets.transformer import PositionalTransformer, SetTransformer

__all__ = [
    "AgnosticMADE",
    "AutoregressiveTransformer",
    "DecoderOnlyTransformer2d",
    "DenseTransformer2d",
    "MultiscaleDenseNet",
    "ResidualMADE",
    "ConvNet",
    "DenseNet",
    "LipschitzConvNet",
    "LipschitzMLP",
    "MADE",
    "ConditionalMADE",
    "MLP",
    "ODENet",
    "PixelCNN",
    "ConditionalPixelCNN",
    "ResNet",
    "SetTransformer",
    "PositionalTransformer",
]
