"""A causal Transformer conditioner for autoregressive flows over vectors."""

from __future__ import annotations

import torch
from torch import Tensor, nn


class AutoregressiveTransformer(nn.Module):
    """``(B, D) -> (B, D, num_params)`` with output ``i`` a function of ``x_{<i}`` only.

    Each scalar ``x_i`` is embedded (a linear map of the value plus a learned position
    embedding); the sequence is shifted right by one behind a learned start token, and a
    decoder-only Transformer with a causal mask (position ``i`` attends to ``<= i``) maps it to
    ``num_params`` values per position: position ``i`` has seen ``x_0 .. x_{i-1}``. A drop-in
    replacement for :class:`MADE` in the autoregressive bijections (left-to-right order).

    Args:
        features: ``D``.
        num_params: parameters per feature.
        d_model, nhead, num_layers, dim_feedforward, dropout: the Transformer.

    Example:
        >>> import torch
        >>> net = AutoregressiveTransformer(4, 2, d_model=16, nhead=2, num_layers=1)
        >>> net(torch.randn(3, 4)).shape
        torch.Size([3, 4, 2])
    """

    def __init__(self, features: int, num_params: int, d_model: int = 64, nhead: int = 4,
                 num_layers: int = 2, dim_feedforward: int | None = None, dropout: float = 0.0):
        super().__init__()
        self.features, self.num_params = int(features), int(num_params)
        self.value = nn.Linear(1, d_model)
        self.position = nn.Parameter(torch.randn(features, d_model) * 0.02)
        self.start = nn.Parameter(torch.zeros(d_model))
        layer = nn.TransformerEncoderLayer(d_model, nhead, dim_feedforward or 4 * d_model,
                                           dropout, activation="gelu", batch_first=True,
                                           norm_first=True)
        self.encoder = nn.TransformerEncoder(layer, num_layers, enable_nested_tensor=False)
        self.norm = nn.LayerNorm(d_model)
        self.out = nn.Linear(d_model, num_params)
        self.register_buffer("causal", torch.triu(torch.full((features, features), -torch.inf),
                                                  diagonal=1))

    def forward(self, x: Tensor) -> Tensor:
        if x.dim() != 2 or x.shape[1] != self.features:
            raise ValueError(f"AutoregressiveTransformer: expected input of shape (batch, "
                             f"{self.features}), got {tuple(x.shape)}")
        tokens = self.value(x.unsqueeze(-1))  # (B, D, d_model): token i carries x_i
        start = self.start.expand(x.shape[0], 1, -1)
        shifted = torch.cat([start, tokens[:, :-1]], dim=1) + self.position  # slot i: x_{i-1}
        h = self.encoder(shifted, mask=self.causal.to(x.dtype), is_causal=True)
        return self.out(self.norm(h))
