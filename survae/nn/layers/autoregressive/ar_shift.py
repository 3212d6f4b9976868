"""Shift a sequence right by one position behind a learned start token."""

from __future__ import annotations

import torch
from torch import Tensor, nn

from survae.utils.validation import ShapeError


class AutoregressiveShift(nn.Module):
    """``(L, B, D) -> (L, B, D)``: slot ``0`` holds a learned start token, slot ``k`` holds input
    ``k - 1`` (official name and arguments; sequence-first layout as ``nn.MultiheadAttention``).

    After the shift, a causal model whose output ``k`` sees slots ``<= k`` sees inputs ``< k``
    only, i.e. it is autoregressive in the inputs.

    Args:
        embed_dim: ``D``.

    Example:
        >>> import torch
        >>> shift = AutoregressiveShift(2)
        >>> x = torch.arange(6.).reshape(3, 1, 2)
        >>> torch.equal(shift(x)[1:], x[:-1]), shift(x).shape
        (True, torch.Size([3, 1, 2]))
    """

    def __init__(self, embed_dim: int):
        super().__init__()
        self.embed_dim = int(embed_dim)
        self.first_token = nn.Parameter(torch.empty(1, 1, self.embed_dim))
        nn.init.xavier_uniform_(self.first_token)

    def forward(self, x: Tensor) -> Tensor:
        if x.dim() != 3 or x.shape[2] != self.embed_dim:
            raise ShapeError(f"AutoregressiveShift(embed_dim={self.embed_dim}): expected a "
                             f"sequence (length, batch, {self.embed_dim}), got {tuple(x.shape)}")
        first = self.first_token.to(x.dtype).expand(1, x.shape[1], self.embed_dim)
        return torch.cat([first, x[:-1]], dim=0)
