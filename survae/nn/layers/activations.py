"""Activation modules wrapping :mod:`survae.nn.layers.activations_functional`."""

from __future__ import annotations

from torch import Tensor, nn

from survae.nn.layers.activations_functional import (
    concat_elu,
    concat_relu,
    gated_tanh,
    gelu,
    swish,
)


class GELU(nn.Module):
    """GELU, sigmoid approximation ``x * sigmoid(1.702 x)`` (see :func:`gelu`).

    Example:
        >>> import torch
        >>> GELU()(torch.zeros(1, 2)).tolist()
        [[0.0, 0.0]]
    """

    def forward(self, x: Tensor) -> Tensor:
        return gelu(x)


class Swish(nn.Module):
    """Swish ``x * sigmoid(x)``.

    Example:
        >>> import torch
        >>> Swish()(torch.zeros(1, 2)).tolist()
        [[0.0, 0.0]]
    """

    def forward(self, x: Tensor) -> Tensor:
        return swish(x)


class ConcatReLU(nn.Module):
    """Concatenated ReLU ``relu([x, -x])`` along dim 1 (doubles the features).

    Example:
        >>> import torch
        >>> ConcatReLU()(torch.tensor([[1.0, -2.0]])).tolist()
        [[1.0, 0.0, 0.0, 2.0]]
    """

    def forward(self, x: Tensor) -> Tensor:
        return concat_relu(x)


class ConcatELU(nn.Module):
    """Concatenated ELU ``elu([x, -x])`` along dim 1 (doubles the features).

    Example:
        >>> import torch
        >>> ConcatELU()(torch.zeros(3, 4, 5)).shape
        torch.Size([3, 8, 5])
    """

    def forward(self, x: Tensor) -> Tensor:
        return concat_elu(x)


class GatedTanhUnit(nn.Module):
    """Gated tanh ``tanh(a) * sigmoid(b)`` on the two halves of the input along ``dim``.

    Args:
        dim: dimension to split (default: last); it halves in size.

    Example:
        >>> import torch
        >>> GatedTanhUnit()(torch.zeros(3, 4)).shape
        torch.Size([3, 2])
    """

    def __init__(self, dim: int = -1):
        super().__init__()
        self.dim = dim

    def extra_repr(self) -> str:
        return f"dim={self.dim}"

    def forward(self, x: Tensor) -> Tensor:
        return gated_tanh(x, dim=self.dim)
