"""Wrap a function as a module, and flatten all but the batch dimension."""

from __future__ import annotations

from collections.abc import Callable

from torch import Tensor, nn


class LambdaLayer(nn.Module):
    """Apply a function: ``forward(x) = lambd(x)`` (the identity when ``lambd`` is None).

    The function holds no parameters; use it for reshapes and rescalings inside
    ``nn.Sequential``.

    Args:
        lambd: a callable on tensors, or None.

    Example:
        >>> import torch
        >>> LambdaLayer(lambda x: 2 * x)(torch.ones(1, 2)).tolist()
        [[2.0, 2.0]]
    """

    def __init__(self, lambd: Callable[[Tensor], Tensor] | None = None):
        super().__init__()
        self.lambd = lambd

    def forward(self, x: Tensor) -> Tensor:
        return x if self.lambd is None else self.lambd(x)


class Flatten(nn.Module):
    """Reshape ``(B, ...)`` to ``(B, prod(...))``.

    Example:
        >>> import torch
        >>> Flatten()(torch.zeros(2, 3, 4)).shape
        torch.Size([2, 12])
    """

    def forward(self, x: Tensor) -> Tensor:
        return x.reshape(x.shape[0], -1)
