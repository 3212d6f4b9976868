"""A linear layer with a fixed binary connectivity mask (MADE)."""

from __future__ import annotations

import torch.nn.functional as F
from torch import Tensor, nn


class MaskedLinear(nn.Linear):
    """``y = x (W * M)^T + b`` with a fixed binary mask ``M`` (shape ``(out, in)``, a buffer).

    The mask multiplies the weight inside ``forward`` (one elementwise product), so the weight
    itself is never rewritten and gradients of masked entries are exactly zero.

    Args:
        in_features, out_features: sizes.
        mask: ``(out_features, in_features)`` 0/1 tensor.
        bias: whether to add a bias.
    """

    def __init__(self, in_features: int, out_features: int, mask: Tensor, bias: bool = True):
        super().__init__(in_features, out_features, bias=bias)
        if tuple(mask.shape) != (out_features, in_features):
            raise ValueError(
                f"MaskedLinear: mask must have shape ({out_features}, {in_features}), "
                f"got {tuple(mask.shape)}"
            )
        self.register_buffer("mask", mask.to(self.weight.dtype))

    def forward(self, x: Tensor) -> Tensor:
        return F.linear(x, self.weight * self.mask, self.bias)
