"""Gaussian mixtures: a learned base (diagonal or full covariance), and a conditional one.

Both use the kernels :func:`gaussian_mixture_log_prob` and :func:`gaussian_mixture_sample`, whose
parameters carry any leading batch shape (none for the learned base, ``(B,)`` per context row).
"""

from __future__ import annotations

import math

import torch
from torch import Tensor, nn

from survae.distributions._shape import as_event_shape
from survae.distributions.base import Distribution
from survae.distributions.conditional.base import ConditionalDistribution
from survae.utils.validation import check_event_shape

COVARIANCES = ("diagonal", "full")
_HALF_LOG_TWO_PI = 0.5 * math.log(2 * math.pi)


def _check_covariance(owner: str, covariance: str) -> None:
    if covariance not in COVARIANCES:
        raise ValueError(f"{owner}: covariance must be one of {COVARIANCES}, got {covariance!r}")


def _scale_tril(raw: Tensor) -> Tensor:
    """A lower-triangular matrix with a positive diagonal from an unconstrained square ``raw``."""
    diagonal = torch.diagonal(raw, dim1=-2, dim2=-1)
    return torch.tril(raw, -1) + torch.diag_embed(torch.exp(diagonal))


def gaussian_mixture_log_prob(
    x: Tensor, logits: Tensor, loc: Tensor, scale: Tensor, full: bool = False
) -> Tensor:
    r""":math:`\log \sum_k \operatorname{softmax}(\text{logits})_k\,
    \mathcal{N}(x; \mu_k, \Sigma_k)` (:math:`\mu` = ``loc``) for ``x`` of shape ``(B, D)``.

    .. math:: \log p(x) = \operatorname{logsumexp}_k \Big[\log \pi_k
              - \tfrac12 \|L_k^{-1}(x - \mu_k)\|^2 - \sum_i \log (L_k)_{ii}
              - \tfrac{D}{2}\log 2\pi\Big],\quad \Sigma_k = L_k L_k^\top.

    Args:
        x: points, ``(B, D)``.
        logits: ``(..., K)`` mixture logits (``...`` is ``()`` or ``(B,)``).
        loc: ``(..., K, D)`` means.
        scale: ``(..., K, D)`` log standard deviations (diagonal), or ``(..., K, D, D)`` lower
            triangular :math:`L_k` with a positive diagonal (``full``).
        full: whether ``scale`` is a Cholesky factor.

    Example:
        >>> x = torch.zeros(3, 2)
        >>> lp = gaussian_mixture_log_prob(x, torch.zeros(1), torch.zeros(1, 2), torch.zeros(1, 2))
        >>> torch.allclose(lp, torch.full((3,), -math.log(2 * math.pi)))
        True
    """
    diff = x.unsqueeze(-2) - loc  # (B, K, D)
    scale = scale.to(diff.dtype)
    if full:
        eps = torch.linalg.solve_triangular(scale, diff.unsqueeze(-1), upper=False).squeeze(-1)
        log_det = torch.log(torch.diagonal(scale, dim1=-2, dim2=-1)).sum(-1)
    else:
        eps = diff * torch.exp(-scale)
        log_det = scale.sum(-1)
    log_normal = -0.5 * (eps**2).sum(-1) - log_det - x.shape[-1] * _HALF_LOG_TWO_PI
    return torch.logsumexp(torch.log_softmax(logits, -1) + log_normal, -1)


def gaussian_mixture_sample(
    logits: Tensor, loc: Tensor, scale: Tensor, full: bool = False
) -> Tensor:
    r"""One sample per leading index of ``logits`` ``(B, K)``: pick :math:`k` (Gumbel-max), then
    :math:`x = \mu_k + L_k \epsilon` (:math:`\mu` = ``loc``; reparametrized in ``loc`` and
    ``scale``); shape ``(B, D)``.

    Example:
        >>> logits, loc = torch.zeros(5, 3), torch.zeros(5, 3, 2)
        >>> x = gaussian_mixture_sample(logits, loc, torch.zeros(5, 3, 2))
        >>> x.shape
        torch.Size([5, 2])
    """
    gumbel = -torch.log(-torch.log(torch.rand_like(logits).clamp_min(1e-20)))
    k = torch.argmax(logits + gumbel, -1)  # (B,)
    index = k.reshape(*k.shape, 1, 1)
    chosen_loc = torch.gather(loc, -2, index.expand(*k.shape, 1, loc.shape[-1])).squeeze(-2)
    eps = torch.randn_like(chosen_loc)
    if full:
        d = scale.shape[-1]
        chosen = torch.gather(scale, -3, index.unsqueeze(-1).expand(*k.shape, 1, d, d))
        return chosen_loc + (chosen.squeeze(-3) @ eps.unsqueeze(-1)).squeeze(-1)
    chosen = torch.gather(scale, -2, index.expand(*k.shape, 1, scale.shape[-1])).squeeze(-2)
    return chosen_loc + torch.exp(chosen) * eps


class GaussianMixture(Distribution):
    r"""A learned mixture of :math:`K` Gaussians on vectors ``(D,)``, diagonal or full covariance.

    .. math:: p(x) = \sum_{k=1}^K \pi_k\, \mathcal N(x; \mu_k, \Sigma_k),\quad
              \pi = \operatorname{softmax}(\text{logits}),

    with :math:`\Sigma_k = \operatorname{diag}(e^{2 s_k})`, :math:`s_k` = ``scale_raw[k]`` the
    log standard deviations (``covariance="diagonal"``), or :math:`\Sigma_k = L_k L_k^\top`,
    :math:`L_k` lower triangular with diagonal :math:`\exp` of its raw diagonal (``"full"``). The
    means start as standard normal draws (so the components differ), the
    scales at one, the weights uniform. Samples are reparametrized in the means and scales; the
    component choice is discrete (no gradient to the weights through samples).

    Args:
        shape: event shape ``D`` or ``(D,)``.
        num_components: :math:`K`.
        covariance: ``"diagonal"`` or ``"full"``.

    Example:
        >>> dist = GaussianMixture(2, num_components=3, covariance="full")
        >>> x, log_prob = dist.sample_with_log_prob(4)
        >>> x.shape, torch.allclose(log_prob, dist.log_prob(x))
        (torch.Size([4, 2]), True)
    """

    real_support = True

    def __init__(self, shape: int | tuple[int], num_components: int, covariance: str = "diagonal"):
        super().__init__()
        name = type(self).__name__
        self.shape = as_event_shape(name, shape)
        if len(self.shape) != 1:
            raise ValueError(f"{name}: expected a vector event shape (D,), got {tuple(self.shape)}")
        if num_components < 1:
            raise ValueError(f"{name}: num_components must be >= 1, got {num_components}")
        _check_covariance(name, covariance)
        self.covariance = covariance
        d = self.shape[0]
        self.logits = nn.Parameter(torch.zeros(num_components))
        self.loc = nn.Parameter(torch.randn(num_components, d))
        if covariance == "full":
            self.scale_raw = nn.Parameter(torch.zeros(num_components, d, d))
        else:
            self.scale_raw = nn.Parameter(torch.zeros(num_components, d))

    @property
    def num_components(self) -> int:
        return self.logits.shape[0]

    def extra_repr(self) -> str:
        return (f"shape={tuple(self.shape)}, num_components={self.num_components}, "
                f"covariance={self.covariance!r}")

    def _scale(self) -> Tensor:
        return _scale_tril(self.scale_raw) if self.covariance == "full" else self.scale_raw

    def log_prob(self, x: Tensor) -> Tensor:
        check_event_shape(type(self).__name__, x, self.shape)
        return gaussian_mixture_log_prob(
            x, self.logits, self.loc, self._scale(), self.covariance == "full"
        )

    def sample(self, num_samples: int) -> Tensor:
        full = self.covariance == "full"
        expand = (num_samples, *self.logits.shape)
        scale = self._scale()
        return gaussian_mixture_sample(
            self.logits.expand(expand),
            self.loc.expand(num_samples, *self.loc.shape),
            scale.expand(num_samples, *scale.shape),
            full,
        )


class ConditionalGaussianMixture(ConditionalDistribution):
    r"""A mixture of :math:`K` Gaussians whose weights, means and scales are a network of the
    context.

    ``net(context)`` gives ``(B, K + K D + K D)`` numbers (diagonal: logits, means, log-scales) or
    ``(B, K + K D + K D D)`` (full: logits, means, a raw :math:`D \times D` factor per component
    whose lower triangle, with :math:`\exp` on its diagonal, is :math:`L_k`); the density is that
    of :class:`GaussianMixture` with these parameters.

    Args:
        net: module mapping the context to the parameters (see :meth:`num_params`).
        num_features: :math:`D`.
        num_components: :math:`K`.
        covariance: ``"diagonal"`` or ``"full"``.

    Example:
        >>> size = ConditionalGaussianMixture.num_params(2, 3)
        >>> dist = ConditionalGaussianMixture(torch.nn.Linear(4, size), 2, 3)
        >>> x, log_prob = dist.sample_with_log_prob(torch.randn(5, 4))
        >>> x.shape, log_prob.shape
        (torch.Size([5, 2]), torch.Size([5]))
    """

    real_support = True

    def __init__(self, net: nn.Module, num_features: int, num_components: int,
                 covariance: str = "diagonal"):
        super().__init__()
        _check_covariance(type(self).__name__, covariance)
        self.net = net
        self.num_features = int(num_features)
        self.num_components = int(num_components)
        self.covariance = covariance

    @staticmethod
    def num_params(num_features: int, num_components: int, covariance: str = "diagonal") -> int:
        """The size of ``net``'s output for these settings."""
        d, k = num_features, num_components
        return k + k * d + k * (d * d if covariance == "full" else d)

    def extra_repr(self) -> str:
        return (f"num_features={self.num_features}, num_components={self.num_components}, "
                f"covariance={self.covariance!r}")

    def params(self, context) -> tuple[Tensor, Tensor, Tensor]:
        """Logits ``(B, K)``, means ``(B, K, D)`` and scales (log-scales or :math:`L_k`)."""
        d, k = self.num_features, self.num_components
        out = self.net(context)
        expected = self.num_params(d, k, self.covariance)
        if out.dim() != 2 or out.shape[1] != expected:
            raise ValueError(
                f"ConditionalGaussianMixture(num_features={d}, num_components={k}, covariance="
                f"{self.covariance!r}): net must output (batch, {expected}), got {tuple(out.shape)}"
            )
        logits, loc, scale = torch.split(out, [k, k * d, expected - k - k * d], dim=1)
        loc = loc.reshape(-1, k, d)
        if self.covariance == "full":
            return logits, loc, _scale_tril(scale.reshape(-1, k, d, d))
        return logits, loc, scale.reshape(-1, k, d)

    def log_prob(self, x: Tensor, context) -> Tensor:
        logits, loc, scale = self.params(context)
        check_event_shape(type(self).__name__, x, (self.num_features,))
        return gaussian_mixture_log_prob(x, logits, loc, scale, self.covariance == "full")

    def sample(self, context) -> Tensor:
        return gaussian_mixture_sample(*self.params(context), self.covariance == "full")
