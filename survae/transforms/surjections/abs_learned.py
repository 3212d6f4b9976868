"""Absolute value as an inference surjection with a learned sign distribution p(s|z)."""

from __future__ import annotations

from collections.abc import Sequence

import torch
from torch import Tensor, nn

from survae.distributions.base import Distribution
from survae.transforms.surjections._utils import (
    check_distribution,
    dist_log_prob,
    dist_sample,
    dist_sample_with_log_prob,
)
from survae.transforms.surjections.base import Surjection
from survae.utils.validation import ShapeError


class AbsSurjection(Surjection):
    r"""Inference absolute-value surjection with a learned sign distribution.

    Signs are coded as :math:`b = 1` for :math:`x \ge 0` and :math:`b = 0` for :math:`x < 0`
    (:math:`s = 2b - 1`).

    - forward (inference, deterministic): :math:`z = |x|`, :math:`b = [x \ge 0]`;
    - inverse (generative, stochastic): :math:`b \sim p(b|z)` (Bernoulli),
      :math:`x = (2b - 1) \odot z`;
    - likelihood contribution: :math:`\mathcal{V}(x, z) = \log p(b|z)` (exact), so
      :math:`p(x) = p(|x|)\, p(\operatorname{sign}(x) \mid |x|)`: the symmetry of
      ``SimpleAbsSurjection`` (all signs equally likely) is learned instead of imposed.

    With ``elements`` given, only those entries along dim 1 are folded (the others pass through
    unchanged) and :math:`p(b|z)` is over their signs only: e.g. ``elements=[0]`` folds
    :math:`x_1` and learns :math:`p(\operatorname{sign} x_1 \mid |x_1|, x_2)`, the layer of the
    official checkerboard AbsFlow.

    Args:
        decoder: :math:`p(b|z)`, a ConditionalDistribution over :math:`\{0, 1\}` with the event
            shape of ``x`` (or of ``x[:, elements]``) given ``z`` (e.g.
            ``ConditionalBernoulli(net)``), or an unconditional Distribution (e.g.
            ``Bernoulli(shape)``).
        elements: keyword-only indices along dim 1 to fold (default: all).

    Example:
        >>> import torch
        >>> from survae.distributions import ConditionalBernoulli
        >>> layer = AbsSurjection(ConditionalBernoulli(torch.nn.Linear(2, 2)))
        >>> z, ldj = layer(torch.tensor([[-1.0, 2.0]]))
        >>> z.tolist(), ldj.shape
        ([[1.0, 2.0]], torch.Size([1]))
        >>> torch.equal(layer.inverse(z).abs(), z)
        True

    References: Nielsen et al., 2020 (Table 7, abs).
    """

    stochastic_forward = False

    def __init__(self, decoder: Distribution, *, elements: Sequence[int] | None = None):
        super().__init__()
        self.cond = check_distribution(type(self).__name__, "decoder", decoder)
        self.decoder = decoder
        self.elements = None if elements is None else [int(e) for e in elements]
        index = torch.as_tensor(
            self.elements if self.elements is not None else [], dtype=torch.long
        )
        self.register_buffer("_index", index, persistent=False)

    def extra_repr(self) -> str:
        return "" if self.elements is None else f"elements={self.elements}"

    def _fold(self, x: Tensor) -> tuple[Tensor, Tensor]:
        """``z`` (selected entries folded) and the folded entries' original values."""
        if self.elements is None:
            return x.abs(), x
        if x.dim() < 2 or x.shape[1] <= max(self.elements):
            raise ShapeError(
                f"{self.layer_name}: expected more than {max(self.elements)} features along dim 1, "
                f"got shape {tuple(x.shape)}"
            )
        selected = x.index_select(1, self._index)
        return x.index_copy(1, self._index, selected.abs()), selected

    def _unfold(self, z: Tensor, bits: Tensor) -> Tensor:
        signs = 2 * bits.to(z.dtype) - 1
        if self.elements is None:
            return signs * z
        return z.index_copy(1, self._index, signs * z.index_select(1, self._index))

    def forward(self, x: Tensor) -> tuple[Tensor, Tensor]:
        z, selected = self._fold(x)
        bits = (selected >= 0).to(x.dtype)
        return z, dist_log_prob(self.decoder, bits, z, self.cond)

    def inverse(self, z: Tensor) -> Tensor:
        return self._unfold(z, dist_sample(self.decoder, z, self.cond))

    def inverse_and_ldj(self, z: Tensor) -> tuple[Tensor, Tensor]:
        bits, log_p = dist_sample_with_log_prob(self.decoder, z, self.cond)
        return self._unfold(z, bits), log_p


class ElementAbsSurjection(AbsSurjection):
    r"""Fold one entry: :math:`z = x` with :math:`z_e = |x_e|`;
    :math:`p(\operatorname{sign} x_e \mid z)` from ``classifier``.

    The layer of the official toy experiments (``experiments/toy/layers.py``), here in the
    library: ``classifier`` maps ``z`` ``(batch, D)`` to the logit of :math:`P(x_e \ge 0 \mid z)`,
    of shape ``(batch,)`` or ``(batch, 1)``. Likelihood contribution
    :math:`\mathcal{V} = \log p(\operatorname{sign} x_e \mid z)` (exact).

    Args:
        classifier: the logit network.
        element: index of the folded entry along dim 1.

    Example:
        >>> import torch
        >>> layer = ElementAbsSurjection(torch.nn.Linear(2, 1), element=0)
        >>> layer(torch.tensor([[-1.0, -2.0]]))[0].tolist()
        [[1.0, -2.0]]
    """

    def __init__(self, classifier: nn.Module, element: int = 0):
        from survae.distributions import ConditionalBernoulli
        from survae.nn.layers import LambdaLayer

        net = nn.Sequential(classifier, LambdaLayer(lambda t: t.reshape(t.shape[0], 1)))
        super().__init__(ConditionalBernoulli(net), elements=[element])
        self.element = int(element)

    @property
    def classifier(self) -> nn.Module:
        return self.decoder.net[0]
