"""Discretely indexed flows and deep Gaussian mixtures: a bijection chosen by a discrete index."""

from __future__ import annotations

import math

import torch
from torch import Tensor, nn

from survae.transforms.stochastic.base import StochasticTransform
from survae.utils.tensors import gumbel_max
from survae.utils.validation import check_event_shape

_HALF_LOG_TWO_PI = 0.5 * math.log(2 * math.pi)


class DiscretelyIndexedAffineTransform(StochasticTransform):
    r"""One of :math:`K` affine bijections, picked by a discrete index: a deep Gaussian mixture
    layer.

    Component :math:`k` maps :math:`z = (x - m_k)\, e^{-s_k}` (learned :math:`m, s` of shape
    ``(K, D)``). In the paper's unifying table this is augment (the index :math:`k`), bijection,
    slice:

    - forward (inference, stochastic): :math:`k \sim q(k|x)`, :math:`z = (x - m_k)\, e^{-s_k}`;
    - inverse (generative, stochastic): :math:`k \sim p(k|z)`, :math:`x = m_k + e^{s_k} z`;
    - likelihood contribution (a bound):
      :math:`\mathcal{V}(x, z) = -\sum_i s_{k,i} + \log p(k|z) - \log q(k|x)`.

    The marginal is the finite mixture
    :math:`p(x) = \sum_k p(z_k)\, p(k|z_k)\, e^{-\sum_i s_{k,i}}`,
    :math:`z_k = (x - m_k)\, e^{-s_k}`; on a standard normal base with an unconditional
    :math:`p(k)` one layer is a Gaussian mixture,
    and stacked layers (with bijections between them) a deep Gaussian mixture model (Oord &
    Dambre, 2015) or a discretely indexed flow.

    :math:`q(k|x)` is, by default, the posterior the mixture would have on a standard normal base,
    :math:`q(k|x) \propto p(k|z_k)\, \mathcal{N}(z_k; 0, I)\, e^{-\sum_i s_{k,i}}`: the exact
    posterior when the layers after this one add up to a standard normal (then every sample gives
    :math:`\log p(x)` exactly), and a parameter-free proposal otherwise. An ``encoder`` network
    can replace it. The index is discrete and is sampled without a score-function term: a learned
    encoder receives gradients only through :math:`-\log q(k|x)`.

    Args:
        num_features: :math:`D`, the size of the (vector) events.
        num_components: :math:`K`.
        decoder: optional network mapping ``z`` ``(batch, D)`` to the logits ``(batch, K)`` of
            :math:`p(k|z)`; default: learned unconditional mixture weights :math:`p(k)`.
        encoder: optional network mapping ``x`` to the logits ``(batch, K)`` of :math:`q(k|x)`.

    Example:
        >>> import torch
        >>> from survae.distributions import StandardNormal
        >>> from survae.flows import Flow
        >>> layer = DiscretelyIndexedAffineTransform(2, 3)
        >>> gmm = Flow(StandardNormal((2,)), [layer])
        >>> x = torch.randn(4, 2)
        >>> exact = layer.log_marginal(x, StandardNormal((2,)).log_prob)  # sum over the 3 maps
        >>> torch.allclose(gmm.log_prob(x), exact)  # default q is the posterior: no gap
        True

    References: Oord & Dambre, 2015 (deep GMMs); Duan, 2019 (discretely indexed flows);
    Nielsen et al., 2020 (Table 3).
    """

    def __init__(
        self,
        num_features: int,
        num_components: int,
        decoder: nn.Module | None = None,
        encoder: nn.Module | None = None,
    ):
        super().__init__()
        if num_features < 1 or num_components < 1:
            raise ValueError(
                f"DiscretelyIndexedAffineTransform: num_features and num_components must be "
                f"positive, got {num_features} and {num_components}"
            )
        self.num_features = int(num_features)
        self.num_components = int(num_components)
        self.loc = nn.Parameter(torch.randn(num_components, num_features))
        self.log_scale = nn.Parameter(torch.zeros(num_components, num_features))
        self.decoder = decoder
        if decoder is None:
            self.weight_logits = nn.Parameter(torch.zeros(num_components))
        self.encoder = encoder

    def extra_repr(self) -> str:
        return f"num_features={self.num_features}, num_components={self.num_components}"

    def _check(self, x: Tensor) -> None:
        check_event_shape(self, x, (self.num_features,))

    def _log_p_index(self, z: Tensor) -> Tensor:
        r""":math:`\log p(k|z)` for every :math:`k`: shape ``(*z.shape[:-1], K)``."""
        if self.decoder is None:
            return torch.log_softmax(self.weight_logits, -1).expand(*z.shape[:-1], -1)
        logits = self.decoder(z.reshape(-1, self.num_features))
        return torch.log_softmax(logits, -1).reshape(*z.shape[:-1], self.num_components)

    def forward(self, x: Tensor) -> tuple[Tensor, Tensor]:
        self._check(x)
        z_all = (x.unsqueeze(1) - self.loc) * torch.exp(-self.log_scale)  # (B, K, D)
        log_det = -self.log_scale.sum(-1)  # (K,)
        if self.encoder is None:
            log_p_k = self._log_p_index(z_all).diagonal(dim1=1, dim2=2)  # p(k | z_k): (B, K)
            normal = -0.5 * (z_all**2).sum(-1) - self.num_features * _HALF_LOG_TWO_PI
            log_q = torch.log_softmax(log_p_k + normal + log_det, -1)
        else:
            log_q = torch.log_softmax(self.encoder(x), -1)
        k = gumbel_max(log_q)
        z = z_all.gather(1, k[:, None, None].expand(-1, 1, self.num_features)).squeeze(1)
        log_p = self._log_p_index(z).gather(1, k[:, None]).squeeze(1)
        return z, log_det[k] + log_p - log_q.gather(1, k[:, None]).squeeze(1)

    def inverse(self, z: Tensor) -> Tensor:
        self._check(z)
        k = gumbel_max(self._log_p_index(z))
        return self.loc[k] + torch.exp(self.log_scale[k]) * z

    def log_marginal(self, x: Tensor, base_log_prob) -> Tensor:
        r""":math:`\log p(x) = \log \sum_k p_\mathrm{base}(z_k)\, p(k|z_k)\, e^{-\sum_i s_{k,i}}`
        by enumeration, for a callable ``base_log_prob(z) -> (batch,)`` giving the density after
        this layer."""
        self._check(x)
        z_all = (x.unsqueeze(1) - self.loc) * torch.exp(-self.log_scale)
        log_base = base_log_prob(z_all.reshape(-1, self.num_features)).reshape(x.shape[0], -1)
        log_p_k = self._log_p_index(z_all).diagonal(dim1=1, dim2=2)
        return torch.logsumexp(log_base + log_p_k - self.log_scale.sum(-1), -1)
