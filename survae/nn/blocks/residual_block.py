"""A pre-activation residual convolutional block."""

from __future__ import annotations

from torch import Tensor, nn

from survae.nn.layers.activations_factory import act_factor, act_module


class ResidualBlock(nn.Module):
    """Pre-activation residual block ``x + conv3x3(dropout(act(conv3x3(act(x)))))``.

    Spatial size and channels are preserved. With a concatenated activation (``'concat_relu'``,
    ``'concat_elu'``) each convolution sees twice the channels.

    Args:
        channels: input and output channels.
        activation: activation name (see :func:`survae.nn.layers.act_module`, concat allowed).
        dropout: dropout probability before the second convolution.

    Example:
        >>> import torch
        >>> ResidualBlock(4, activation='concat_elu')(torch.zeros(2, 4, 5, 5)).shape
        torch.Size([2, 4, 5, 5])
    """

    def __init__(self, channels: int, activation: str = "relu", dropout: float = 0.0):
        super().__init__()
        factor = act_factor(activation, allow_concat=True)
        layers: list[nn.Module] = [
            act_module(activation, allow_concat=True),
            nn.Conv2d(factor * channels, channels, kernel_size=3, padding=1),
            act_module(activation, allow_concat=True),
        ]
        if dropout > 0.0:
            layers.append(nn.Dropout(p=dropout))
        layers.append(nn.Conv2d(factor * channels, channels, kernel_size=3, padding=1))
        self.net = nn.Sequential(*layers)

    def forward(self, x: Tensor) -> Tensor:
        return x + self.net(x)
