"""Positive scale functions by name, for affine couplings' ``scale_fn`` argument."""

from __future__ import annotations

from collections.abc import Callable

import torch
import torch.nn.functional as F
from torch import Tensor


def _exp(s: Tensor) -> Tensor:
    return torch.exp(s)


def _softplus(s: Tensor) -> Tensor:
    return F.softplus(s)


def _sigmoid(s: Tensor) -> Tensor:
    return torch.sigmoid(s + 2.0) + 1e-3


def _tanh_exp(s: Tensor) -> Tensor:
    return torch.exp(2.0 * torch.tanh(s / 2.0))


_SCALE_FNS = {"exp": _exp, "softplus": _softplus, "sigmoid": _sigmoid, "tanh_exp": _tanh_exp}


def scale_fn(scale_str: str) -> Callable[[Tensor], Tensor]:
    """The map from an unconstrained ``s`` to a positive scale, by name.

    - ``'exp'``: ``exp(s)``;
    - ``'softplus'``: ``log(1 + exp(s))``;
    - ``'sigmoid'``: ``sigmoid(s + 2) + 1e-3`` (in ``(1e-3, 1 + 1e-3)``, near 0.88 at ``s = 0``);
    - ``'tanh_exp'``: ``exp(2 tanh(s / 2))`` (in ``(e^-2, e^2)``, 1 at ``s = 0``).

    Args:
        scale_str: one of the names above.

    Example:
        >>> import torch
        >>> scale_fn('exp')(torch.zeros(2)).tolist()
        [1.0, 1.0]
    """
    if scale_str not in _SCALE_FNS:
        raise ValueError(f"scale_fn: unknown scale {scale_str!r}; choose from {sorted(_SCALE_FNS)}")
    return _SCALE_FNS[scale_str]
