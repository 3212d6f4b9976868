"""A fully connected network with Lipschitz constant below one, for invertible residual blocks."""

from __future__ import annotations

from collections.abc import Sequence

from torch import nn

from survae.nn.layers.lipschitz_activations import LipSwish
from survae.nn.layers.spectral_norm import SpectralNormLinear


class LipschitzMLP(nn.Sequential):
    """``(SpectralNormLinear -> LipSwish) x H -> SpectralNormLinear`` with ``Lip <= coeff``.

    Every linear layer has spectral norm at most ``coeff`` and LipSwish is 1-Lipschitz, so the
    network's Lipschitz constant is at most ``coeff ** (H + 1) <= coeff`` (up to the accuracy of
    the power iteration): with ``coeff < 1`` it is a valid residual branch ``g`` of
    :class:`~survae.transforms.bijections.residual.ResidualBijection`.

    Args:
        features: input and output features.
        hidden_units: sizes of the hidden layers.
        coeff: Lipschitz bound of each linear layer (``< 1`` for invertibility).
        n_power_iterations: power-iteration steps per training-mode call of each layer.

    Example:
        >>> import torch
        >>> net = LipschitzMLP(3, [16, 16], coeff=0.9)
        >>> net(torch.randn(4, 3)).shape
        torch.Size([4, 3])
    """

    def __init__(
        self,
        features: int,
        hidden_units: Sequence[int],
        coeff: float = 0.97,
        n_power_iterations: int = 1,
    ):
        layers: list[nn.Module] = []
        in_size = features
        for units in hidden_units:
            layers += [
                SpectralNormLinear(
                    in_size, units, coeff=coeff, n_power_iterations=n_power_iterations
                ),
                LipSwish(),
            ]
            in_size = units
        layers.append(
            SpectralNormLinear(
                in_size, features, coeff=coeff, n_power_iterations=n_power_iterations
            )
        )
        super().__init__(*layers)
