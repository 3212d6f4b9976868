"""Max pooling over 2x2 blocks as an inference surjection (MaxPoolFlow)."""

from __future__ import annotations

import math

import torch
from torch import Tensor

from survae.distributions.base import Distribution
from survae.transforms.surjections._utils import (
    assemble_from_max,
    check_distribution,
    dist_log_prob,
    dist_sample,
    dist_sample_with_log_prob,
    others_index,
)
from survae.transforms.surjections.base import Surjection
from survae.utils.validation import ShapeError, is_validating


class MaxPoolSurjection2d(Surjection):
    r"""Inference max-pooling surjection over non-overlapping 2x2 blocks, learned inverse.

    For an image :math:`x` of shape ``(C, H, W)`` (:math:`H`, :math:`W` even), each 2x2 block
    :math:`b` holds four values :math:`x_b` in row-major order; :math:`k_b` is the position of its
    maximum and the three other values are coded by their non-negative gaps below it,
    :math:`d_b = z_b - x_{b,-k}` (in increasing position order; the gaps tensor has shape
    ``(3C, H/2, W/2)``, channel :math:`3c + j` holding gap :math:`j` of channel :math:`c`, as in
    the official library).

    - forward (inference, deterministic): :math:`z_b = \max_i x_{b,i}` (max pooling, shape
      ``(C, H/2, W/2)``), :math:`k_b = \arg\max_i x_{b,i}`, :math:`d` the gaps;
    - inverse (generative, stochastic): :math:`k \sim p(k|z)`, :math:`d \sim p(d|z)`
      (non-negative), :math:`x_{b,k} = z_b`, :math:`x_{b,-k} = z_b - d_b`;
    - likelihood contribution: :math:`\mathcal{V}(x, z) = \log p(k|z) + \log p(d|z)` (exact; the
      map :math:`x \mapsto (z, k, d)` is piecewise a translation, unit Jacobian), so
      :math:`\log p(x) = \log p(z) + \log p(k|z) + \log p(d|z)`.

    Args:
        decoder: :math:`p(d)` (a Distribution) or :math:`p(d|z)` (a ConditionalDistribution given
            ``z``) over the gaps, of event shape ``(3C, H/2, W/2)`` and supported on
            :math:`[0, \infty)`.
        index_decoder: :math:`p(k|z)`, a ConditionalDistribution over :math:`\{0, 1, 2, 3\}` of
            event shape ``(C, H/2, W/2)`` (e.g. a ``ConditionalCategorical`` whose net outputs
            ``(B, C, H/2, W/2, 4)`` logits), an unconditional Distribution, or None for the
            uniform :math:`p(k) = 1/4` per block (then :math:`\mathcal{V}` includes
            :math:`-\log 4` per pooled value).

    Example:
        >>> import torch
        >>> from survae.distributions import StandardHalfNormal
        >>> layer = MaxPoolSurjection2d(StandardHalfNormal((3, 1, 1)))
        >>> x = torch.tensor([[[[1.0, 4.0], [2.0, 3.0]]]])
        >>> z, ldj = layer(x)
        >>> z.flatten().tolist()
        [4.0]
        >>> torch.equal(layer.inverse(z).amax(dim=(2, 3), keepdim=True), z)
        True

    References: Nielsen et al., 2020 (Table 7, max; Section 5, MaxPoolFlow).
    """

    stochastic_forward = False

    def __init__(self, decoder: Distribution, index_decoder: Distribution | None = None):
        super().__init__()
        self.cond = check_distribution(type(self).__name__, "decoder", decoder)
        self.index_cond = check_distribution(
            type(self).__name__, "index_decoder", index_decoder, optional=True
        )
        self.decoder = decoder
        self.index_decoder = index_decoder

    # -- block layout ------------------------------------------------------------------------
    def _blocks(self, x: Tensor) -> Tensor:
        """``(B, C, H, W) -> (B, C, H/2, W/2, 4)``: each block's 4 values in row-major order."""
        if x.dim() != 4 or x.shape[2] % 2 or x.shape[3] % 2:
            raise ShapeError(
                f"{self.layer_name}: expected input of shape (batch, C, H, W) with even H and W, "
                f"got shape {tuple(x.shape)}"
            )
        b, c, h, w = x.shape
        t = x.reshape(b, c, h // 2, 2, w // 2, 2).permute(0, 1, 2, 4, 3, 5)
        return t.reshape(b, c, h // 2, w // 2, 4)

    @staticmethod
    def _unblocks(blocks: Tensor) -> Tensor:
        b, c, h, w, _ = blocks.shape
        t = blocks.reshape(b, c, h, w, 2, 2).permute(0, 1, 2, 4, 3, 5)
        return t.reshape(b, c, 2 * h, 2 * w)

    @staticmethod
    def _gaps_to_channels(gaps: Tensor) -> Tensor:
        b, c, h, w, _ = gaps.shape  # (B, C, h, w, 3) -> (B, 3C, h, w)
        return gaps.permute(0, 1, 4, 2, 3).reshape(b, 3 * c, h, w)

    @staticmethod
    def _channels_to_gaps(d: Tensor) -> Tensor:
        b, c3, h, w = d.shape
        return d.reshape(b, c3 // 3, 3, h, w).permute(0, 1, 3, 4, 2)

    def split(self, x: Tensor) -> tuple[Tensor, Tensor, Tensor]:
        r""":math:`x \mapsto (z, k, d)`: block maxima, their positions and the gaps (decoder
        layout)."""
        blocks = self._blocks(x)
        z, k = blocks.max(dim=-1)
        rest = torch.gather(blocks, -1, others_index(k, 4))
        return z, k, self._gaps_to_channels(z.unsqueeze(-1) - rest)

    def merge(self, z: Tensor, k: Tensor, d: Tensor) -> Tensor:
        """Inverse of :meth:`split`."""
        if z.dim() != 4:
            raise ShapeError(
                f"{self.layer_name}: expected latent of shape (batch, C, H/2, W/2), "
                f"got shape {tuple(z.shape)}"
            )
        gaps = self._channels_to_gaps(d.to(z.dtype))
        if is_validating() and not bool((gaps >= 0).all()):
            raise ValueError(f"{self.layer_name}: the decoder produced negative gaps")
        return self._unblocks(assemble_from_max(z, z.unsqueeze(-1) - gaps, k.long()))

    # -- the official helper names -------------------------------------------------------------
    _squeeze = _blocks
    _unsqueeze = _unblocks

    @staticmethod
    def _k_mask(k: Tensor) -> Tensor:
        """``(..., 4)`` boolean mask, True at each block's maximum position ``k``."""
        return k.unsqueeze(-1) == torch.arange(4, device=k.device)

    def _deconstruct_x(self, x: Tensor) -> tuple[Tensor, Tensor, Tensor]:
        """``x -> (z, d, k)`` (the official order of :meth:`split`'s outputs)."""
        z, k, d = self.split(x)
        return z, d, k

    def _construct_x(self, z: Tensor, xd: Tensor, k: Tensor) -> Tensor:
        """Inverse of :meth:`_deconstruct_x`."""
        return self.merge(z, k, xd)

    # -- likelihood ----------------------------------------------------------------------------
    def _index_log_prob(self, k: Tensor, z: Tensor) -> Tensor:
        if self.index_decoder is None:
            return z.new_full((z.shape[0],), -math.log(4.0) * z.shape[1:].numel())
        return dist_log_prob(self.index_decoder, k, z, self.index_cond)

    def _sample_index(self, z: Tensor, with_log_prob: bool) -> tuple[Tensor, Tensor | None]:
        if self.index_decoder is None:
            k = torch.randint(0, 4, z.shape, device=z.device)
            return k, self._index_log_prob(k, z) if with_log_prob else None
        if with_log_prob:
            return dist_sample_with_log_prob(self.index_decoder, z, self.index_cond)
        return dist_sample(self.index_decoder, z, self.index_cond), None

    def forward(self, x: Tensor) -> tuple[Tensor, Tensor]:
        z, k, d = self.split(x)
        ldj = self._index_log_prob(k, z) + dist_log_prob(self.decoder, d, z, self.cond)
        return z, ldj

    def inverse(self, z: Tensor) -> Tensor:
        k, _ = self._sample_index(z, with_log_prob=False)
        d = dist_sample(self.decoder, z, self.cond)
        return self.merge(z, k, d)

    def inverse_and_ldj(self, z: Tensor) -> tuple[Tensor, Tensor]:
        k, log_pk = self._sample_index(z, with_log_prob=True)
        d, log_pd = dist_sample_with_log_prob(self.decoder, z, self.cond)
        return self.merge(z, k, d), log_pk + log_pd


class SimpleMaxPoolSurjection2d(MaxPoolSurjection2d):
    r"""Inference max-pooling surjection over 2x2 blocks with a fixed inverse (official semantics).

    :class:`MaxPoolSurjection2d` with a uniform position :math:`p(k) = 1/4` and gaps
    :math:`d \sim p(d)` independent of :math:`z`:

    - forward (inference, deterministic): :math:`z` = max pooling of :math:`x`,
      :math:`k = \arg\max`, :math:`d` the gaps;
    - inverse (generative, stochastic): :math:`k \sim U\{0, \dots, 3\}`, :math:`d \sim p(d)`,
      :math:`x_k = z`, :math:`x_{-k} = z - d`;
    - likelihood contribution: :math:`\mathcal{V}(x, z) = \log p(d) - (C H W / 4) \log 4`
      (exact).

    Args:
        decoder: an unconditional Distribution of shape ``(3C, H/2, W/2)`` with non-negative
            samples (e.g. ``StandardHalfNormal``).

    Example:
        >>> import torch
        >>> from survae.distributions import StandardHalfNormal
        >>> layer = SimpleMaxPoolSurjection2d(StandardHalfNormal((6, 2, 2)))
        >>> z, ldj = layer(torch.randn(3, 2, 4, 4))
        >>> z.shape, layer.inverse(z).shape
        (torch.Size([3, 2, 2, 2]), torch.Size([3, 2, 4, 4]))

    References: Nielsen et al., 2020 (Table 7, max; Section 5, MaxPoolFlow).
    """

    def __init__(self, decoder: Distribution):
        super().__init__(decoder)
        if self.cond:
            raise ValueError(
                "SimpleMaxPoolSurjection2d: decoder must be an unconditional Distribution "
                "(use MaxPoolSurjection2d for p(d|z))"
            )
