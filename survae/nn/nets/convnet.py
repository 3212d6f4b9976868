"""A plain convolutional network for image conditioners."""

from __future__ import annotations

from torch import nn

from survae.nn.init import zero_init_
from survae.nn.layers.activations_factory import act_factor, act_module


class ConvNet(nn.Sequential):
    """``(conv -> act) x num_layers -> conv``, ``(B, C_in, H, W)`` to ``(B, C_out, H, W)``.

    All convolutions use ``kernel_size`` with "same" padding (odd kernel sizes), so the spatial
    size is kept.

    Args:
        in_channels: input channels.
        out_channels: output channels.
        mid_channels: channels of the hidden layers.
        num_layers: number of hidden convolutions (0 gives a single convolution).
        kernel_size: odd kernel size.
        activation: activation name (concatenated ones allowed).
        zero_init: zero the last convolution (the network outputs zeros at initialisation).

    Example:
        >>> import torch
        >>> ConvNet(3, 6, mid_channels=8)(torch.randn(2, 3, 8, 8)).shape
        torch.Size([2, 6, 8, 8])
    """

    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        mid_channels: int,
        num_layers: int = 2,
        kernel_size: int = 3,
        activation: str = "relu",
        zero_init: bool = False,
    ):
        if kernel_size % 2 != 1:
            raise ValueError(f"ConvNet: kernel_size must be odd, got {kernel_size}")
        factor = act_factor(activation, allow_concat=True)
        padding = kernel_size // 2
        layers: list[nn.Module] = []
        channels = in_channels
        for _ in range(num_layers):
            layers += [
                nn.Conv2d(channels, mid_channels, kernel_size, padding=padding),
                act_module(activation, allow_concat=True),
            ]
            channels = factor * mid_channels
        last = nn.Conv2d(channels, out_channels, kernel_size, padding=padding)
        if zero_init:
            zero_init_(last)
        super().__init__(*layers, last)
