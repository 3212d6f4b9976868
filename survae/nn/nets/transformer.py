"""Transformer conditioners over sets and sequences, channels first ``(B, C, L)``.

``SetTransformer`` has no positional encoding: self-attention treats the ``L`` elements as a
set, so the network is permutation *equivariant* (permuting the elements of the input permutes
the output the same way). As the conditioner of a coupling over the feature dimension of each
point it keeps a flow with an i.i.d. base exchangeable. ``PositionalTransformer`` adds a learned
embedding per position, for ordered sequences (e.g. a set after a ``SortSurjection``).

Example:
    >>> import torch
    >>> net = SetTransformer(2, 4, d_model=16, nhead=2, num_layers=1)
    >>> x = torch.randn(3, 2, 10)
    >>> perm = torch.randperm(10)
    >>> torch.allclose(net(x)[:, :, perm], net(x[:, :, perm]), atol=1e-5)
    True
"""

from __future__ import annotations

import torch
from torch import Tensor, nn

from survae.utils.validation import ShapeError


class SetTransformer(nn.Module):
    """Permutation-equivariant Transformer encoder: ``(B, d_input, L) -> (B, d_output, L)``.

    ``Linear(d_input, d_model)`` per element, ``num_layers`` pre-norm encoder layers
    (multi-head self-attention over the ``L`` elements + feed-forward), a final layer norm and
    ``Linear(d_model, d_output)``. No positional encoding, so ``f(x P) = f(x) P`` for every
    permutation ``P`` of the elements.

    Args:
        d_input: features per element in.
        d_output: features per element out.
        d_model: width of the attention layers.
        nhead: attention heads (divides ``d_model``).
        num_layers: encoder layers.
        dim_feedforward: hidden width of the feed-forward blocks (default ``4 * d_model``).
        dropout: dropout inside the encoder layers.
        activation: ``"relu"`` or ``"gelu"``.
        zero_init: zero the output layer (a coupling starts as the identity).
        pool: output the mean over the elements (taken after the final layer norm, before the
            output layer), the same for every element: a permutation-invariant summary of the
            set, broadcast to its ``L`` elements (still equivariant, trivially).
    """

    def __init__(
        self,
        d_input: int,
        d_output: int,
        d_model: int = 64,
        nhead: int = 4,
        num_layers: int = 2,
        dim_feedforward: int | None = None,
        dropout: float = 0.0,
        activation: str = "gelu",
        zero_init: bool = True,
        pool: bool = False,
    ):
        super().__init__()
        self.pool = bool(pool)
        if d_model % nhead:
            raise ValueError(f"{type(self).__name__}: nhead={nhead} must divide d_model={d_model}")
        self.d_input, self.d_output = d_input, d_output
        self.embed = nn.Linear(d_input, d_model)
        layer = nn.TransformerEncoderLayer(
            d_model,
            nhead,
            dim_feedforward=dim_feedforward or 4 * d_model,
            dropout=dropout,
            activation=activation,
            batch_first=True,
            norm_first=True,
        )
        self.encoder = nn.TransformerEncoder(layer, num_layers, enable_nested_tensor=False)
        self.norm = nn.LayerNorm(d_model)
        self.out = nn.Linear(d_model, d_output)
        if zero_init:
            nn.init.zeros_(self.out.weight)
            nn.init.zeros_(self.out.bias)

    def _positions(self, h: Tensor) -> Tensor:
        return h

    def forward(self, x: Tensor) -> Tensor:
        if x.dim() != 3 or x.shape[1] != self.d_input:
            raise ShapeError(
                f"{type(self).__name__}: expected input of shape (batch, {self.d_input}, length), "
                f"got {tuple(x.shape)}"
            )
        h = self._positions(self.embed(x.transpose(1, 2)))
        h = self.norm(self.encoder(h))
        if self.pool:
            return self.out(h.mean(1, keepdim=True)).transpose(1, 2).expand(-1, -1, x.shape[2])
        return self.out(h).transpose(1, 2)


class PositionalTransformer(SetTransformer):
    """``SetTransformer`` plus a learned embedding for each of ``length`` positions: for ordered
    sequences (no longer permutation equivariant).

    Args:
        length: sequence length ``L`` (inputs must have exactly this length).
        **kwargs: as :class:`SetTransformer`.

    Example:
        >>> import torch
        >>> net = PositionalTransformer(2, 4, length=5, d_model=8, nhead=2, num_layers=1)
        >>> net(torch.randn(3, 2, 5)).shape
        torch.Size([3, 4, 5])
    """

    def __init__(self, d_input: int, d_output: int, length: int, **kwargs):
        super().__init__(d_input, d_output, **kwargs)
        self.length = length
        self.position = nn.Parameter(torch.randn(length, self.embed.out_features) * 0.02)

    def _positions(self, h: Tensor) -> Tensor:
        if h.shape[1] != self.length:
            raise ShapeError(
                f"PositionalTransformer: expected length {self.length}, got {h.shape[1]}"
            )
        return h + self.position
