"""Decoder-only Transformer blocks (Vaswani et al., 2017) with causal self-attention.

Sequences are ``(L, B, d_model)`` (sequence first, as ``nn.MultiheadAttention`` by default and
the official library). The stack masks attention causally: output ``k`` depends on inputs
``<= k``; put an :class:`~survae.nn.layers.autoregressive.AutoregressiveShift` in front to make it
depend on inputs ``< k`` only.
"""

from __future__ import annotations

import torch
from torch import Tensor, nn
from torch.utils import checkpoint as torch_checkpoint

from survae.nn.layers import act_module
from survae.utils.validation import ShapeError


def causal_mask(length: int, device: torch.device | None = None) -> Tensor:
    """Boolean ``(L, L)`` attention mask, True where attention is forbidden (key after query).

    Example:
        >>> causal_mask(3).int().tolist()
        [[0, 1, 1], [0, 0, 1], [0, 0, 0]]
    """
    return torch.ones(length, length, dtype=torch.bool, device=device).triu(1)


class _Block(nn.Module):
    """Shared plumbing: attention, feed-forward layers, optional activation checkpointing."""

    def __init__(self, d_model: int, nhead: int, dim_feedforward: int, dropout: float,
                 activation: str, kdim: int | None, vdim: int | None, attn_bias: bool,
                 checkpoint: bool):
        super().__init__()
        if d_model % nhead != 0:
            raise ValueError(f"{type(self).__name__}: nhead={nhead} must divide "
                             f"d_model={d_model}")
        self.self_attn = nn.MultiheadAttention(d_model, nhead, dropout=dropout, kdim=kdim,
                                               vdim=vdim, bias=attn_bias)
        self.linear1 = nn.Linear(d_model, dim_feedforward)
        self.linear2 = nn.Linear(dim_feedforward, d_model)
        self.norm1 = nn.LayerNorm(d_model)
        self.norm2 = nn.LayerNorm(d_model)
        self.dropout1 = nn.Dropout(dropout)
        self.dropout2 = nn.Dropout(dropout)
        self.activation = act_module(activation)
        self.checkpoint = bool(checkpoint)

    def _attend(self, x: Tensor, attn_mask: Tensor | None,
                key_padding_mask: Tensor | None) -> Tensor:
        return self.self_attn(x, x, x, attn_mask=attn_mask, key_padding_mask=key_padding_mask,
                              need_weights=False)[0]

    def _forward(self, x: Tensor, attn_mask: Tensor | None,
                 key_padding_mask: Tensor | None) -> Tensor:
        raise NotImplementedError

    def forward(self, x: Tensor, attn_mask: Tensor | None = None,
                key_padding_mask: Tensor | None = None) -> Tensor:
        if self.checkpoint and torch.is_grad_enabled():
            # Recompute the block's activations in the backward pass instead of storing them.
            return torch_checkpoint.checkpoint(self._forward, x, attn_mask, key_padding_mask,
                                               use_reentrant=False)
        return self._forward(x, attn_mask, key_padding_mask)


class DecoderOnlyTransformerBlock(_Block):
    """One post-norm residual block: ``x <- LN(x + Drop(Attn(x)))``, then
    ``x <- LN(x + Drop(W2 Drop(act(W1 x))))`` (official name and arguments).

    Example:
        >>> import torch
        >>> block = DecoderOnlyTransformerBlock(8, 2, dim_feedforward=16)
        >>> block(torch.randn(5, 3, 8), attn_mask=causal_mask(5)).shape
        torch.Size([5, 3, 8])
    """

    def __init__(self, d_model: int, nhead: int, dim_feedforward: int = 2048,
                 dropout: float = 0.1, activation: str = "relu", kdim: int | None = None,
                 vdim: int | None = None, attn_bias: bool = True, checkpoint: bool = False):
        super().__init__(d_model, nhead, dim_feedforward, dropout, activation, kdim, vdim,
                         attn_bias, checkpoint)
        self.dropout = nn.Dropout(dropout)

    def _forward(self, x: Tensor, attn_mask: Tensor | None,
                 key_padding_mask: Tensor | None) -> Tensor:
        x = self.norm1(x + self.dropout1(self._attend(x, attn_mask, key_padding_mask)))
        hidden = self.dropout(self.activation(self.linear1(x)))
        return self.norm2(x + self.dropout2(self.linear2(hidden)))


class _CausalStack(nn.Module):
    """``num_layers`` blocks under one causal mask, then a final LayerNorm."""

    def __init__(self, blocks: list[nn.Module], d_model: int, nhead: int):
        super().__init__()
        self.layers = nn.ModuleList(blocks)
        self.out_norm = nn.LayerNorm(d_model)
        self.num_layers, self.d_model, self.nhead = len(blocks), int(d_model), int(nhead)

    def forward(self, x: Tensor, key_padding_mask: Tensor | None = None) -> Tensor:
        if x.dim() != 3 or x.shape[2] != self.d_model:
            raise ShapeError(f"{type(self).__name__}: expected a sequence (length, batch, "
                             f"{self.d_model}), got {tuple(x.shape)}")
        mask = causal_mask(x.shape[0], x.device)
        for layer in self.layers:
            x = layer(x, attn_mask=mask, key_padding_mask=key_padding_mask)
        return self.out_norm(x)

    def generate_square_subsequent_mask(self, sz: int) -> Tensor:
        """Float ``(sz, sz)`` mask, ``-inf`` above the diagonal and 0 elsewhere (official
        method)."""
        return torch.zeros(sz, sz).masked_fill(causal_mask(sz), float("-inf"))


class DecoderOnlyTransformer(_CausalStack):
    """A stack of :class:`DecoderOnlyTransformerBlock` with causal attention and a final
    LayerNorm: ``(L, B, d_model) -> (L, B, d_model)``, output ``k`` a function of inputs
    ``<= k`` (official name and arguments). Weight matrices start Xavier-uniform.

    Args:
        d_model, nhead, num_layers, dim_feedforward, dropout, activation: the Transformer.
        kdim, vdim, attn_bias: passed to ``nn.MultiheadAttention`` (``kdim``/``vdim`` must be
            None or ``d_model`` in self-attention).
        checkpoint_blocks: recompute each block in the backward pass to save memory.

    Example:
        >>> import torch
        >>> net = DecoderOnlyTransformer(d_model=8, nhead=2, num_layers=2, dim_feedforward=16)
        >>> net(torch.randn(6, 3, 8)).shape
        torch.Size([6, 3, 8])
    """

    def __init__(self, d_model: int = 512, nhead: int = 8, num_layers: int = 6,
                 dim_feedforward: int = 2048, dropout: float = 0.1, activation: str = "relu",
                 kdim: int | None = None, vdim: int | None = None, attn_bias: bool = True,
                 checkpoint_blocks: bool = False):
        blocks = [DecoderOnlyTransformerBlock(d_model, nhead, dim_feedforward, dropout,
                                              activation, kdim, vdim, attn_bias,
                                              checkpoint_blocks) for _ in range(num_layers)]
        super().__init__(blocks, d_model, nhead)
        for p in self.parameters():
            if p.dim() > 1:
                nn.init.xavier_uniform_(p)
