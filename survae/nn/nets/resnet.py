"""A small residual convolutional network for image conditioners."""

from __future__ import annotations

from torch import nn

from survae.nn.blocks.residual_block import ResidualBlock
from survae.nn.init import zero_init_
from survae.nn.layers.activations_factory import act_factor, act_module


class ResNet(nn.Sequential):
    """``conv3x3 -> num_blocks x ResidualBlock -> act -> conv1x1``, ``(B, C_in, H, W)`` to
    ``(B, C_out, H, W)``.

    A plain pre-activation ResNet that keeps the spatial size: a simpler alternative to
    :class:`~survae.nn.nets.DenseNet` for couplings and conditional distributions on images.

    Args:
        in_channels: input channels.
        out_channels: output channels.
        mid_channels: channels inside the residual blocks.
        num_blocks: number of residual blocks.
        activation: activation name (concatenated ones allowed).
        dropout: dropout probability inside the blocks.
        zero_init: zero the last convolution (the network outputs zeros at initialisation).

    Example:
        >>> import torch
        >>> net = ResNet(3, 6, mid_channels=8, num_blocks=2, zero_init=True)
        >>> net(torch.randn(2, 3, 8, 8)).abs().max().item()
        0.0
    """

    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        mid_channels: int,
        num_blocks: int,
        activation: str = "relu",
        dropout: float = 0.0,
        zero_init: bool = False,
    ):
        factor = act_factor(activation, allow_concat=True)
        last = nn.Conv2d(factor * mid_channels, out_channels, kernel_size=1)
        if zero_init:
            zero_init_(last)
        super().__init__(
            nn.Conv2d(in_channels, mid_channels, kernel_size=3, padding=1),
            *[ResidualBlock(mid_channels, activation, dropout) for _ in range(num_blocks)],
            act_module(activation, allow_concat=True),
            last,
        )
