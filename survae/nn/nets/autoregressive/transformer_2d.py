"""Transformers over the values of an image in an autoregressive order (official names).

``(B, C, H, W) -> (B, C, H, W, output_dim)``: each value is embedded (a learned embedding of its
``num_bits``-bit level, or with ``num_bits=None`` a linear map of a real value), a learned
channel/row/column encoding is added, the values are read as a sequence in
``autoregressive_order`` (see :mod:`survae.nn.layers.autoregressive.seq_reorder`), shifted right
behind a start token, passed through a causal Transformer and mapped to ``output_dim`` outputs:
the outputs of value ``v`` depend only on the values before ``v`` in the order.

With ``autoregressive_order='cwh'`` (pixels in raster order, channels innermost) the net is a
conditioner for the autoregressive image bijections with ``autoregressive_order='raster_cwh'``
(e.g. :class:`~survae.transforms.AffineAutoregressiveBijection2d`, with ``num_bits=None``), or
gives the logits of an autoregressive categorical model of discrete images (``num_bits`` set).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import torch
from torch import Tensor, nn

from survae.nn.blocks.autoregressive import DecoderOnlyTransformer
from survae.nn.layers.autoregressive.ar_shift import AutoregressiveShift
from survae.nn.layers.autoregressive.seq_reorder import Image2Seq, Seq2Image
from survae.nn.layers.encoding import PositionalEncodingImage
from survae.nn.layers.lambda_layer import LambdaLayer


class _ImageTransformer(nn.Module):
    """Embedding, positions, reordering, shift, causal stack, output map (see the module)."""

    def __init__(self, transformer: nn.Module, image_shape: Sequence[int], output_dim: int,
                 num_bits: int | None, autoregressive_order: str, d_model: int,
                 output_bias: bool, in_lambda: Callable[[Tensor], Tensor] | None,
                 out_lambda: Callable[[Tensor], Tensor] | None):
        super().__init__()
        if len(image_shape) != 3:
            raise ValueError(f"{type(self).__name__}: image_shape must be (C, H, W), got "
                             f"{tuple(image_shape)}")
        self.image_shape = torch.Size(int(s) for s in image_shape)
        self.autoregressive_order = autoregressive_order
        self.num_bits = None if num_bits is None else int(num_bits)
        self.d_model = int(d_model)
        self.num_layers = len(transformer.layers)
        self.in_lambda = LambdaLayer(in_lambda)
        self.embedding = (nn.Linear(1, d_model) if num_bits is None
                          else nn.Embedding(2 ** self.num_bits, d_model))
        self.positional_encoding = PositionalEncodingImage(self.image_shape, d_model)
        self.im2seq = Image2Seq(autoregressive_order, self.image_shape)
        self.seq2im = Seq2Image(autoregressive_order, self.image_shape)
        self.ar_shift = AutoregressiveShift(d_model)
        self.transformer = transformer
        self.out_linear = nn.Linear(d_model, output_dim, bias=output_bias)
        self.out_lambda = LambdaLayer(out_lambda)

    def _embed(self, x: Tensor) -> Tensor:
        if tuple(x.shape[1:]) != tuple(self.image_shape) or x.dim() != 4:
            raise ValueError(f"{type(self).__name__}: expected images (batch, "
                             f"{', '.join(map(str, self.image_shape))}), got {tuple(x.shape)}")
        if self.num_bits is None:
            if not x.is_floating_point():
                raise ValueError(f"{type(self).__name__}(num_bits=None): expected real values, "
                                 f"got dtype {x.dtype}")
            return self.embedding(x.unsqueeze(-1))
        if x.is_floating_point():
            raise ValueError(f"{type(self).__name__}(num_bits={self.num_bits}): expected integer "
                             f"levels in [0, {2 ** self.num_bits}), got dtype {x.dtype} (use "
                             f"num_bits=None for real values, or an in_lambda that maps to "
                             f"levels)")
        return self.embedding(x)

    def forward(self, x: Tensor) -> Tensor:
        h = self.positional_encoding(self._embed(self.in_lambda(x)))
        h = self.transformer(self.ar_shift(self.im2seq(h)))
        return self.out_lambda(self.seq2im(self.out_linear(h)))


class DecoderOnlyTransformer2d(_ImageTransformer):
    """A decoder-only Transformer (post-norm blocks, Vaswani et al., 2017) over image values,
    autoregressive in ``autoregressive_order`` (official name and arguments; see the module
    docstring). All weight matrices start Xavier-uniform.

    Args:
        image_shape: ``(C, H, W)``.
        output_dim: outputs per value (the last axis of the output).
        num_bits: inputs are integer levels in ``[0, 2**num_bits)``; None for real inputs.
        autoregressive_order: ``'cwh'`` (default), ``'whc'`` or ``'zigzag_cs'``.
        d_model: width of the blocks; it and ``nhead``, ``num_layers``, ``dim_feedforward``,
            ``dropout``, ``activation``, ``kdim``, ``vdim``, ``attn_bias``, ``checkpoint_blocks``
            go to :class:`~survae.nn.blocks.autoregressive.DecoderOnlyTransformer`.
        output_bias: bias of the output map.
        in_lambda: function applied to the input.
        out_lambda: function applied to the output.

    Example:
        >>> import torch
        >>> net = DecoderOnlyTransformer2d((3, 4, 4), output_dim=2, num_bits=5, d_model=16,
        ...                                nhead=2, num_layers=1, dim_feedforward=32)
        >>> net(torch.randint(0, 32, (2, 3, 4, 4))).shape
        torch.Size([2, 3, 4, 4, 2])
    """

    def __init__(self, image_shape: Sequence[int], output_dim: int, num_bits: int | None,
                 autoregressive_order: str = "cwh", d_model: int = 512, nhead: int = 8,
                 num_layers: int = 6, dim_feedforward: int = 2048, dropout: float = 0.1,
                 activation: str = "relu", kdim: int | None = None, vdim: int | None = None,
                 attn_bias: bool = True, output_bias: bool = True,
                 checkpoint_blocks: bool = False,
                 in_lambda: Callable[[Tensor], Tensor] | None = None,
                 out_lambda: Callable[[Tensor], Tensor] | None = None):
        transformer = DecoderOnlyTransformer(d_model, nhead, num_layers, dim_feedforward,
                                             dropout, activation, kdim, vdim, attn_bias,
                                             checkpoint_blocks)
        super().__init__(transformer, image_shape, output_dim, num_bits, autoregressive_order,
                         d_model, output_bias, in_lambda, out_lambda)
        for p in self.parameters():
            if p.dim() > 1:
                nn.init.xavier_uniform_(p)

