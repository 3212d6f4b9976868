"""RAD: a partition (piecewise) inference surjection with a learned choice of piece."""

from __future__ import annotations

from collections.abc import Sequence

import torch
from torch import Tensor, nn

from survae.transforms.surjections.base import Surjection
from survae.utils.tensors import gumbel_max, sum_except_batch


class PartitionSurjection(Surjection):
    r"""Real-and-discrete (RAD) layer: fold each entry with a continuous zig-zag map of
    :math:`K` pieces.

    The real line is cut at sorted ``boundaries`` :math:`b_1 < \dots < b_{K-1}` into :math:`K`
    pieces :math:`X_0 = (-\infty, b_1)`, :math:`X_k = [b_k, b_{k+1})`,
    :math:`X_{K-1} = [b_{K-1}, \infty)`. On piece :math:`k` the map is affine with slope
    :math:`s_k = (-1)^{k+1}` (the pieces alternate direction, so the map is continuous and folds
    the line like a zig-zag):

    .. math:: g(x) = h_k + s_k (x - a_k), \quad x \in X_k,

    with :math:`a_0 = b_1`, :math:`a_k = b_k` and :math:`h_0 = h_1 = 0`,
    :math:`h_{k+1} = h_k + s_k (b_{k+1} - b_k)`.

    The images of the pieces overlap, so :math:`g` is a surjection; which piece an entry came
    from is the discrete variable :math:`k` of RAD (Dinh et al., 2019), given a distribution
    :math:`p(k_i | z)` conditioned on the whole latent :math:`z` and restricted to the pieces
    whose image contains :math:`z_i` (the logits of the other pieces are masked to
    :math:`-\infty`).

    - forward (inference, deterministic): :math:`k_i` = piece of :math:`x_i`,
      :math:`z_i = g(x_i)`;
    - inverse (generative, stochastic): :math:`k_i \sim p(k_i | z)` over the feasible pieces,
      :math:`x_i = a_k + s_k (z_i - h_k)`;
    - likelihood contribution (exact): :math:`\mathcal{V}(x, z) = \sum_i \log p(k_i | z)`
      (:math:`|s_k| = 1`), so :math:`p(x) = p(z) \prod_i p(k_i | z)`: the map
      :math:`x \mapsto (z, k)` is a bijection.

    With two pieces cut at 0 and no ``classifier`` this is ``SimpleAbsSurjection``
    (:math:`z = |x|`, both signs equally likely); more pieces fold more copies of the latent space
    onto the data (a deep mixture with a shared density, learned mixing through :math:`p(k|z)`).

    With ``elements`` given, only those entries along dim 1 are folded (the others pass
    through, e.g. ``elements=[0]`` folds :math:`x_1` and learns :math:`p(k_1 | z_1, x_2)`) and
    the classifier gives logits for them only.

    Args:
        boundaries: the :math:`K - 1` sorted cut points (:math:`K \ge 2`), shared by every entry.
        classifier: a network mapping ``z`` ``(batch, D)`` to logits ``(batch, E, K)`` (or
            ``(batch, E * K)``) of :math:`p(k_i | z)` for the :math:`E` folded entries
            (:math:`E = D` without ``elements``); ``None`` gives a uniform choice among the
            feasible pieces.
        elements: keyword-only indices along dim 1 to fold (default: all entries).

    Example:
        >>> import torch
        >>> layer = PartitionSurjection([-1.0, 1.0])
        >>> z, ldj = layer(torch.tensor([[-2.0, 0.5]]))
        >>> z.tolist()  # piece 0: -(x + 1); piece 1: x + 1
        [[1.0, 1.5]]
        >>> torch.allclose(ldj, -2 * torch.tensor(3.0).log())  # each z_i has 3 preimages
        True
        >>> layer.inverse(z).shape
        torch.Size([1, 2])

    References: Dinh et al., 2019 (A RAD approach to deep mixture models); Nielsen et al., 2020
    (Table 3, RAD flows as partition surjections).
    """

    stochastic_forward = False

    def __init__(self, boundaries: Sequence[float], classifier: nn.Module | None = None, *,
                 elements: Sequence[int] | None = None):
        super().__init__()
        cuts = torch.as_tensor([float(b) for b in boundaries], dtype=torch.get_default_dtype())
        if cuts.numel() < 1 or not bool((cuts[1:] > cuts[:-1]).all()):
            raise ValueError(
                f"PartitionSurjection: boundaries must be one or more strictly increasing values, "
                f"got {list(boundaries)}"
            )
        num = cuts.numel() + 1
        slopes = torch.tensor([(-1.0) ** (k + 1) for k in range(num)])
        anchors = torch.cat([cuts[:1], cuts])
        heights = torch.zeros(num)
        if num > 2:
            heights[2:] = torch.cumsum(slopes[1:-1] * (cuts[1:] - cuts[:-1]), 0)
        # Image of each piece: between g at its two ends (an infinite end gives a half-line).
        inf = torch.tensor([float("inf")])
        left = torch.cat([slopes[:1] * -inf, heights[1:]])
        right = torch.cat([heights[1:], heights[-1:] + slopes[-1:] * inf])
        self.register_buffer("boundaries", cuts)
        self.register_buffer("slopes", slopes)
        self.register_buffer("anchors", anchors)
        self.register_buffer("heights", heights)
        low, high = torch.minimum(left, right), torch.maximum(left, right)
        # Finite bounds with flags for the half-lines (an infinite buffer would read as a
        # diverged weight to the trainer's finiteness checks).
        self.register_buffer("unbounded_below", torch.isinf(low))
        self.register_buffer("unbounded_above", torch.isinf(high))
        self.register_buffer("low", torch.nan_to_num(low, neginf=0.0))
        self.register_buffer("high", torch.nan_to_num(high, posinf=0.0))
        self.num_pieces = num
        self.classifier = classifier
        self.elements = None if elements is None else [int(e) for e in elements]
        index = torch.as_tensor(self.elements or [], dtype=torch.long)
        self.register_buffer("_index", index, persistent=False)

    def extra_repr(self) -> str:
        text = f"boundaries={self.boundaries.tolist()}"
        return text if self.elements is None else f"{text}, elements={self.elements}"

    def _select(self, x: Tensor) -> Tensor:
        if self.elements is None:
            return x
        if x.dim() < 2 or x.shape[1] <= max(self.elements):
            raise ValueError(
                f"{self.layer_name}: expected more than {max(self.elements)} features along "
                f"dim 1, got shape {tuple(x.shape)}"
            )
        return x.index_select(1, self._index)

    def _place(self, full: Tensor, part: Tensor) -> Tensor:
        return part if self.elements is None else full.index_copy(1, self._index, part)

    def _logits(self, z: Tensor) -> Tensor:
        """Log-probabilities ``(batch, *folded, K)`` of the pieces of the folded entries given
        ``z``, masked to the pieces whose image contains each entry."""
        part = self._select(z).unsqueeze(-1)
        feasible = ((part >= self.low) | self.unbounded_below) & (
            (part <= self.high) | self.unbounded_above)
        if self.classifier is None:
            logits = torch.zeros_like(feasible, dtype=z.dtype)
        else:
            logits = self.classifier(z)
            if logits.numel() != feasible.numel():
                raise ValueError(
                    f"{self.layer_name}: classifier must return {self.num_pieces} logits per "
                    f"entry, shape {tuple(feasible.shape)}, got {tuple(logits.shape)}"
                )
            logits = logits.reshape(feasible.shape)
        masked = logits.masked_fill(~feasible, float("-inf"))
        return torch.log_softmax(masked, dim=-1)

    def forward(self, x: Tensor) -> tuple[Tensor, Tensor]:
        part = self._select(x)
        piece = torch.searchsorted(self.boundaries, part.detach().contiguous(), right=True)
        z = self._place(x, self.heights[piece] + self.slopes[piece] * (part - self.anchors[piece]))
        log_p = self._logits(z).gather(-1, piece.unsqueeze(-1)).squeeze(-1)
        return z, sum_except_batch(log_p)

    def _sample(self, z: Tensor) -> tuple[Tensor, Tensor]:
        log_p = self._logits(z)
        piece = gumbel_max(log_p)
        part = self._select(z)
        x = self._place(z, self.anchors[piece] + self.slopes[piece] * (part - self.heights[piece]))
        return x, sum_except_batch(log_p.gather(-1, piece.unsqueeze(-1)).squeeze(-1))

    def inverse(self, z: Tensor) -> Tensor:
        return self._sample(z)[0]

    def inverse_and_ldj(self, z: Tensor) -> tuple[Tensor, Tensor]:
        return self._sample(z)
