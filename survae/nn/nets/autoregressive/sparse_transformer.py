"""Sparse Transformer (Child et al., 2019) over image values, with dense causal attention."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

from torch import Tensor, nn

from survae.nn.blocks.autoregressive import DenseTransformer
from survae.nn.nets.autoregressive.transformer import _ImageTransformer


def _init_dense(net: _ImageTransformer) -> None:
    """Sparse Transformers' initialization of what the blocks leave: a zero output map (the net
    starts at zero output) and ``N(0, 0.125 / sqrt(d_model))`` value embeddings."""
    nn.init.zeros_(net.out_linear.weight)
    if net.out_linear.bias is not None:
        nn.init.zeros_(net.out_linear.bias)
    nn.init.normal_(net.embedding.weight, std=0.125 / math.sqrt(net.d_model))
    if getattr(net.embedding, "bias", None) is not None:
        nn.init.zeros_(net.embedding.bias)


class DenseTransformer2d(_ImageTransformer):
    """Sparse Transformers' pre-norm blocks and initialization with dense causal self-attention,
    over image values in ``autoregressive_order`` (official name and arguments; see
    :mod:`survae.nn.nets.autoregressive.transformer`). The output map starts at zero, so the
    net outputs zeros until trained (an identity-initialized flow layer).

    Args: as :class:`~survae.nn.nets.DecoderOnlyTransformer2d` (defaults ``dim_feedforward=512``,
        ``activation='gelu'``).

    Example:
        >>> import torch
        >>> net = DenseTransformer2d((1, 4, 4), output_dim=2, num_bits=None, d_model=16,
        ...                          nhead=2, num_layers=1, dim_feedforward=32)
        >>> out = net(torch.randn(2, 1, 4, 4))
        >>> out.shape, bool(out.abs().max() == 0)
        (torch.Size([2, 1, 4, 4, 2]), True)
    """

    def __init__(self, image_shape: Sequence[int], output_dim: int, num_bits: int | None,
                 autoregressive_order: str = "cwh", d_model: int = 512, nhead: int = 8,
                 num_layers: int = 6, dim_feedforward: int = 512, dropout: float = 0.1,
                 activation: str = "gelu", kdim: int | None = None, vdim: int | None = None,
                 attn_bias: bool = True, output_bias: bool = True,
                 checkpoint_blocks: bool = False,
                 in_lambda: Callable[[Tensor], Tensor] | None = None,
                 out_lambda: Callable[[Tensor], Tensor] | None = None):
        transformer = DenseTransformer(d_model, nhead, num_layers, dim_feedforward, dropout,
                                       activation, kdim, vdim, attn_bias, checkpoint_blocks)
        super().__init__(transformer, image_shape, output_dim, num_bits, autoregressive_order,
                         d_model, output_bias, in_lambda, out_lambda)
        _init_dense(self)
