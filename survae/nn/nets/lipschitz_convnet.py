"""A convolutional network with Lipschitz constant below one, for invertible residual blocks."""

from __future__ import annotations

from torch import nn

from survae.nn.layers.lipschitz_activations import LipSwish
from survae.nn.layers.spectral_norm import SpectralNormConv2d


class LipschitzConvNet(nn.Sequential):
    """``(SpectralNormConv2d -> LipSwish) x num_layers -> SpectralNormConv2d``, ``Lip <= coeff``.

    Maps ``(B, C, H, W)`` to ``(B, C, H, W)`` ("same" padding, odd kernel sizes); each
    convolution's operator norm on ``input_size`` images is at most ``coeff``, so the network is a
    valid residual branch for :class:`~survae.transforms.bijections.residual.ResidualBijection`
    on images.

    Args:
        channels: input and output channels.
        mid_channels: channels of the hidden layers.
        input_size: spatial size ``(H, W)`` of the inputs.
        num_layers: number of hidden convolutions.
        kernel_size: odd kernel size.
        coeff: Lipschitz bound of each convolution (``< 1`` for invertibility).
        n_power_iterations: power-iteration steps per training-mode call of each layer.

    Example:
        >>> import torch
        >>> net = LipschitzConvNet(2, 8, input_size=(4, 4))
        >>> net(torch.randn(3, 2, 4, 4)).shape
        torch.Size([3, 2, 4, 4])
    """

    def __init__(
        self,
        channels: int,
        mid_channels: int,
        input_size: tuple[int, int],
        num_layers: int = 1,
        kernel_size: int = 3,
        coeff: float = 0.97,
        n_power_iterations: int = 1,
    ):
        if kernel_size % 2 != 1:
            raise ValueError(f"LipschitzConvNet: kernel_size must be odd, got {kernel_size}")
        layers: list[nn.Module] = []
        in_channels = channels
        for _ in range(num_layers):
            layers += [
                SpectralNormConv2d(
                    in_channels,
                    mid_channels,
                    kernel_size,
                    input_size=input_size,
                    coeff=coeff,
                    n_power_iterations=n_power_iterations,
                ),
                LipSwish(),
            ]
            in_channels = mid_channels
        layers.append(
            SpectralNormConv2d(
                in_channels,
                channels,
                kernel_size,
                input_size=input_size,
                coeff=coeff,
                n_power_iterations=n_power_iterations,
            )
        )
        super().__init__(*layers)
