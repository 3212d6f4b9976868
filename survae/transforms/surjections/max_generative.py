"""Max as a generative surjection: the data is the maximum of a latent vector."""

from __future__ import annotations

import math

import torch
from torch import Tensor

from survae.distributions.base import Distribution
from survae.transforms.surjections._utils import (
    assemble_from_max,
    check_dim,
    check_distribution,
    dist_sample_with_log_prob,
)
from survae.transforms.surjections.base import Surjection
from survae.utils.validation import check_size, is_validating


class GenerativeMaxSurjection(Surjection):
    r"""Generative max surjection :math:`x = \max_j z_j` over :math:`n` = ``size`` latent values
    along ``dim``.

    The data :math:`x` has size 1 along ``dim``, the latent :math:`z` has size :math:`n` there;
    :math:`k` is the position of the maximum and :math:`g` the :math:`n - 1` non-negative gaps of
    the other values below it (in increasing position order).

    - forward (inference, stochastic): :math:`k \sim q(k|x)`, :math:`g \sim q(g|x)`,
      :math:`z_k = x`, :math:`z_{-k} = x - g`;
    - inverse (generative, deterministic): :math:`x = \max_j z_j` (``max(z, dim, keepdim=True)``);
    - likelihood contribution:
      :math:`\mathcal{V}(x, z) = -\log q(k|x) - \log q(z_{-k}|x, k) = -\log q(k|x) - \log q(g|x)`,
      a lower bound on :math:`\log p(x) = \log \sum_k \int_{z_{-k} < x} p(z)\, dz_{-k}`; tight
      when :math:`q` is the posterior.

    Here :math:`q(z_{-k}|x, k)` is taken independent of :math:`k` given :math:`x`.

    Args:
        encoder: :math:`q(g)` (a Distribution) or :math:`q(g|x)` (a ConditionalDistribution given
            ``x``) over the gaps, supported on :math:`[0, \infty)`, with the event shape of ``z``
            except :math:`n - 1` along ``dim``.
        size: number of latent values per data value (``z.shape[dim]``), :math:`n \ge 2`.
        dim: the dimension of ``z`` that is maximised over (>= 1).
        index_encoder: :math:`q(k|x)`, a ConditionalDistribution over :math:`\{0, \dots, n-1\}`
            with the event shape of ``x`` (e.g. a ``ConditionalCategorical``), an unconditional
            Distribution, or None for the uniform :math:`q(k) = 1/n`.

    Example:
        >>> import torch
        >>> from survae.distributions import StandardHalfNormal
        >>> layer = GenerativeMaxSurjection(StandardHalfNormal((2,)), size=3)
        >>> x = torch.tensor([[0.5]])
        >>> z, ldj = layer(x)
        >>> z.shape, torch.equal(layer.inverse(z), x)
        (torch.Size([1, 3]), True)

    References: Nielsen et al., 2020 (Table 6, max).
    """

    stochastic_forward = True

    def __init__(
        self,
        encoder: Distribution,
        size: int,
        dim: int = 1,
        index_encoder: Distribution | None = None,
    ):
        super().__init__()
        if int(size) != size or size < 2:
            raise ValueError(f"GenerativeMaxSurjection: size must be an integer >= 2, got {size}")
        if dim < 1:
            raise ValueError(f"GenerativeMaxSurjection: dim must be >= 1 (not batch), got {dim}")
        self.cond = check_distribution(type(self).__name__, "encoder", encoder)
        self.index_cond = check_distribution(
            type(self).__name__, "index_encoder", index_encoder, optional=True
        )
        self.encoder = encoder
        self.index_encoder = index_encoder
        self.size = int(size)
        self.dim = dim

    def extra_repr(self) -> str:
        return f"size={self.size}, dim={self.dim}"

    def forward(self, x: Tensor) -> tuple[Tensor, Tensor]:
        check_size(self, x, self.dim, 1)
        if self.index_encoder is None:
            k = torch.randint(0, self.size, x.shape, device=x.device)
            log_qk = x.new_full((x.shape[0],), -math.log(self.size) * x.shape[1:].numel())
        else:
            k, log_qk = dist_sample_with_log_prob(self.index_encoder, x, self.index_cond)
        g, log_qg = dist_sample_with_log_prob(self.encoder, x, self.cond)
        g = g.to(x.dtype)
        if is_validating() and not bool((g >= 0).all()):
            raise ValueError(f"{self.layer_name}: the encoder produced negative gaps")
        check_size(self, g, self.dim, self.size - 1, name="encoder sample")
        top = x.movedim(self.dim, -1)  # (..., 1)
        rest = top - g.movedim(self.dim, -1)
        z = assemble_from_max(top.squeeze(-1), rest, k.movedim(self.dim, -1).squeeze(-1).long())
        return z.movedim(-1, self.dim), -log_qk - log_qg

    def inverse(self, z: Tensor) -> Tensor:
        check_dim(self, z, self.dim)
        check_size(self, z, self.dim, self.size)
        return z.amax(dim=self.dim, keepdim=True)
