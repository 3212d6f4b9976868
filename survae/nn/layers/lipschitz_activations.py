"""1-Lipschitz activations for invertible residual networks."""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import Tensor, nn

# max_x d/dx [x sigmoid(x)] = 1.0998...; dividing by 1.1 makes the activation 1-Lipschitz.
_SWISH_LIPSCHITZ = 1.1


class LipSwish(nn.Module):
    """LipSwish ``x * sigmoid(beta x) / 1.1`` with a learnable ``beta > 0`` (Chen et al., 2019).

    The derivative ``s(u) + u s(u)(1 - s(u))`` (``u = beta x``, ``s`` the sigmoid) lies in
    ``[-0.1, 1.1]`` for every ``beta``, so after the division the activation is 1-Lipschitz; unlike
    ReLU its derivative is continuous, which the log-det gradient needs (a smooth ``J_g``).

    Args:
        beta: initial value of ``beta`` (stored as ``softplus(beta_raw)``).

    Example:
        >>> import torch
        >>> LipSwish()(torch.zeros(1, 2)).tolist()
        [[0.0, 0.0]]
    """

    def __init__(self, beta: float = 1.0):
        super().__init__()
        if beta <= 0:
            raise ValueError(f"LipSwish: beta must be positive, got {beta}")
        # inverse softplus of beta
        self.beta_raw = nn.Parameter(torch.tensor(float(beta)).expm1().log())

    @property
    def beta(self) -> Tensor:
        """The current ``beta = softplus(beta_raw)``."""
        return F.softplus(self.beta_raw)

    def forward(self, x: Tensor) -> Tensor:
        return x * torch.sigmoid(self.beta * x) / _SWISH_LIPSCHITZ
