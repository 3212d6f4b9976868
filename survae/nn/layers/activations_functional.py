"""Activation functions (functional form) used by the conditioner networks."""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import Tensor

from survae.utils.validation import ShapeError


def gelu(x: Tensor) -> Tensor:
    """GELU in its sigmoid approximation ``x * sigmoid(1.702 x)`` (as the official library).

    Hendrycks & Gimpel, 2016; the approximation is the one of Sparse Transformers.
    """
    return x * torch.sigmoid(1.702 * x)


def swish(x: Tensor) -> Tensor:
    """Swish / SiLU: ``x * sigmoid(x)`` (Ramachandran et al., 2017)."""
    return x * torch.sigmoid(x)


def concat_relu(x: Tensor) -> Tensor:
    """Concatenated ReLU ``relu([x, -x])`` on dim 1, doubling the features (Shang et al., 2016)."""
    return F.relu(torch.cat([x, -x], dim=1))


def concat_elu(x: Tensor) -> Tensor:
    """Concatenated ELU ``elu([x, -x])`` along dim 1: doubles the features."""
    return F.elu(torch.cat([x, -x], dim=1))


def gated_tanh(x: Tensor, dim: int) -> Tensor:
    """Gated tanh ``tanh(a) * sigmoid(b)`` with ``a, b`` the halves of ``x`` along ``dim``."""
    if x.shape[dim] % 2:
        raise ShapeError(
            f"gated_tanh: expected an even size along dim {dim}, got shape {tuple(x.shape)}"
        )
    a, b = torch.chunk(x, 2, dim=dim)
    return torch.tanh(a) * torch.sigmoid(b)
