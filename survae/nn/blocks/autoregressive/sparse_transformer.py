"""The residual block of Sparse Transformers (Child et al., 2019) with dense causal attention."""

from __future__ import annotations

import math

from torch import Tensor, nn

from survae.nn.blocks.autoregressive.transformer import _Block, _CausalStack


class DenseTransformerBlock(_Block):
    """Pre-norm block of Sparse Transformers: ``a = Drop(Attn(LN(x)))``,
    ``b = Drop(W2 act(W1 LN(x + a)))``, output ``x + a + b`` (official name and arguments).

    Weights start ``N(0, 0.125 / sqrt(fan_in))``, biases at zero (Section 6 of the paper).

    Example:
        >>> import torch
        >>> from survae.nn.blocks.autoregressive import causal_mask
        >>> block = DenseTransformerBlock(8, 2, dim_feedforward=16)
        >>> block(torch.randn(5, 3, 8), attn_mask=causal_mask(5)).shape
        torch.Size([5, 3, 8])
    """

    def __init__(self, d_model: int, nhead: int, dim_feedforward: int = 512,
                 dropout: float = 0.1, activation: str = "gelu", kdim: int | None = None,
                 vdim: int | None = None, attn_bias: bool = True, checkpoint: bool = False):
        super().__init__(d_model, nhead, dim_feedforward, dropout, activation, kdim, vdim,
                         attn_bias, checkpoint)
        attn = self.self_attn
        weights = [self.linear1.weight, self.linear2.weight, attn.out_proj.weight]
        if attn._qkv_same_embed_dim:
            weights.append(attn.in_proj_weight)
        else:
            weights += [attn.q_proj_weight, attn.k_proj_weight, attn.v_proj_weight]
        for w in weights:
            nn.init.normal_(w, std=0.125 / math.sqrt(w.shape[1]))
        for b in (self.linear1.bias, self.linear2.bias, attn.in_proj_bias, attn.out_proj.bias):
            if b is not None:
                nn.init.zeros_(b)

    def _forward(self, x: Tensor, attn_mask: Tensor | None,
                 key_padding_mask: Tensor | None) -> Tensor:
        a = self.dropout1(self._attend(self.norm1(x), attn_mask, key_padding_mask))
        b = self.dropout2(self.linear2(self.activation(self.linear1(self.norm2(x + a)))))
        return x + a + b


class DenseTransformer(_CausalStack):
    """A stack of :class:`DenseTransformerBlock` with causal attention and a final LayerNorm:
    ``(L, B, d_model) -> (L, B, d_model)``, output ``k`` a function of inputs ``<= k`` (official
    name and arguments). The residual branches' output weights are divided by
    ``sqrt(2 num_layers)`` (Section 5.2 of the paper).

    Example:
        >>> import torch
        >>> net = DenseTransformer(d_model=8, nhead=2, num_layers=2, dim_feedforward=16)
        >>> net(torch.randn(6, 3, 8)).shape
        torch.Size([6, 3, 8])
    """

    def __init__(self, d_model: int = 512, nhead: int = 8, num_layers: int = 6,
                 dim_feedforward: int = 512, dropout: float = 0.1, activation: str = "gelu",
                 kdim: int | None = None, vdim: int | None = None, attn_bias: bool = True,
                 checkpoint_blocks: bool = False):
        blocks = [DenseTransformerBlock(d_model, nhead, dim_feedforward, dropout, activation,
                                        kdim, vdim, attn_bias, checkpoint_blocks)
                  for _ in range(num_layers)]
        super().__init__(blocks, d_model, nhead)
        for block in blocks:
            block.linear2.weight.data.div_(math.sqrt(2 * num_layers))
            block.self_attn.out_proj.weight.data.div_(math.sqrt(2 * num_layers))
