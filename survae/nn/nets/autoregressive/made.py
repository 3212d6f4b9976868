"""MADE: a masked MLP whose output ``i`` depends only on inputs earlier in an ordering."""

from __future__ import annotations

from collections.abc import Sequence

import torch
from torch import Tensor, nn

from survae.nn.layers.activations_factory import act_module
from survae.nn.layers.autoregressive.masked_linear import MaskedLinear


class MADE(nn.Module):
    """Masked autoencoder for distribution estimation (Germain et al., 2015).

    Each input ``i`` gets a degree ``m(i)`` (its position in the ordering, 1..D); hidden units get
    degrees in ``1..D-1``; a hidden unit sees the units of lower or equal degree, an output of
    feature ``i`` sees hidden units of degree strictly below ``m(i)``. So output ``i`` depends only
    on inputs ``j`` with ``m(j) < m(i)``: the Jacobian is strictly triangular in the ordering.

    Input ``(B, features)``; output ``(B, features, num_params)`` (the ``num_params`` values of
    feature ``i``, e.g. shift and log-scale, in the last axis).

    Args:
        features: ``D``.
        num_params: parameters per feature.
        hidden_features: sizes of the hidden layers.
        random_order: use a random input ordering (else ``1..D`` left to right).
        random_mask: draw hidden degrees at random (else cyclic ``1..D-1``).
        random_seed: seed for the random order / degrees.
        activation: activation name (see ``survae.nn.layers.act_module``).
        dropout_prob: dropout after each hidden activation.
        batch_norm: batch normalization after each hidden linear layer.

    Example:
        >>> import torch
        >>> made = MADE(3, num_params=2, hidden_features=[16])
        >>> made(torch.randn(5, 3)).shape
        torch.Size([5, 3, 2])
    """

    def __init__(
        self,
        features: int,
        num_params: int,
        hidden_features: Sequence[int],
        random_order: bool = False,
        random_mask: bool = False,
        random_seed: int | None = None,
        activation: str = "relu",
        dropout_prob: float = 0.0,
        batch_norm: bool = False,
    ):
        super().__init__()
        if features < 1 or num_params < 1:
            raise ValueError("MADE: features and num_params must be positive")
        self.features = int(features)
        self.num_params = int(num_params)
        generator = torch.Generator()
        generator.manual_seed(0 if random_seed is None else random_seed)
        if random_order:
            in_degrees = torch.randperm(features, generator=generator) + 1
        else:
            in_degrees = torch.arange(1, features + 1)
        self.register_buffer("in_degrees", in_degrees)
        layers: list[nn.Module] = []
        previous, sizes = in_degrees, list(hidden_features)
        for size in sizes:
            low = 1 if features > 1 else 0
            if random_mask and features > 1:
                degrees = torch.randint(low, features, (size,), generator=generator)
            else:
                degrees = torch.arange(size) % max(features - 1, 1) + low
            mask = (degrees.unsqueeze(1) >= previous.unsqueeze(0)).float()
            layers.append(MaskedLinear(previous.numel(), size, mask))
            if batch_norm:
                layers.append(nn.BatchNorm1d(size))
            layers.append(act_module(activation))
            if dropout_prob > 0:
                layers.append(nn.Dropout(dropout_prob))
            previous = degrees
        out_degrees = in_degrees.repeat_interleave(num_params)
        mask = (out_degrees.unsqueeze(1) > previous.unsqueeze(0)).float()
        layers.append(MaskedLinear(previous.numel(), features * num_params, mask))
        self.net = nn.Sequential(*layers)

    def forward(self, x: Tensor) -> Tensor:
        if x.dim() != 2 or x.shape[1] != self.features:
            raise ValueError(
                f"MADE(features={self.features}): expected input of shape (batch, "
                f"{self.features}), got {tuple(x.shape)}"
            )
        return self.net(x).reshape(x.shape[0], self.features, self.num_params)

    @property
    def order(self) -> Tensor:
        """Feature indices sorted by degree: the order autoregressive inversion must follow."""
        return torch.argsort(self.in_degrees)
