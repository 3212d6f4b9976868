"""Learned positional embeddings of image values (Sparse Transformers, Child et al., 2019)."""

from __future__ import annotations

import math
from collections.abc import Sequence

import torch
from torch import Tensor, nn

from survae.utils.validation import ShapeError


class PositionalEncodingImage(nn.Module):
    """``(B, C, H, W, E) -> (B, C, H, W, E)``: adds ``e_c[c] + e_h[h] + e_w[w]``, one learned
    embedding per channel, row and column (official name and arguments).

    Initialized ``N(0, 0.125 / sqrt(3 E))`` as in Sparse Transformers.

    Args:
        image_shape: ``(C, H, W)``.
        embedding_dim: ``E``.

    Example:
        >>> import torch
        >>> enc = PositionalEncodingImage((3, 4, 4), 8)
        >>> enc(torch.zeros(2, 3, 4, 4, 8)).shape
        torch.Size([2, 3, 4, 4, 8])
    """

    def __init__(self, image_shape: Sequence[int], embedding_dim: int):
        super().__init__()
        if len(image_shape) != 3:
            raise ValueError(f"PositionalEncodingImage: image_shape must be (C, H, W), got "
                             f"{tuple(image_shape)}")
        self.image_shape = torch.Size(int(s) for s in image_shape)
        self.embedding_dim = int(embedding_dim)
        c, h, w = self.image_shape
        e = self.embedding_dim
        self.encode_c = nn.Parameter(torch.empty(1, c, 1, 1, e))
        self.encode_h = nn.Parameter(torch.empty(1, 1, h, 1, e))
        self.encode_w = nn.Parameter(torch.empty(1, 1, 1, w, e))
        self.reset_parameters()

    def reset_parameters(self) -> None:
        std = 0.125 / math.sqrt(3 * self.embedding_dim)
        for p in (self.encode_c, self.encode_h, self.encode_w):
            nn.init.normal_(p, std=std)

    def forward(self, x: Tensor) -> Tensor:
        expected = (*self.image_shape, self.embedding_dim)
        if x.dim() != 5 or tuple(x.shape[1:]) != expected:
            raise ShapeError(f"PositionalEncodingImage: expected (batch, "
                             f"{', '.join(map(str, expected))}), got {tuple(x.shape)}")
        return x + self.encode_c + self.encode_h + self.encode_w
