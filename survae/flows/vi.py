r"""Variational inference against unnormalised log-densities: losses and importance sampling.

The proposal is any model with ``sample_with_log_prob`` (a ``Flow``), a flow with MCMC layers
(a stochastic normalizing flow: then :math:`\log q` is the density of the whole generative path,
:math:`\log p(z_0) + \sum_t \mathcal{V}_t`, and the importance weights are exact on the path
space), or a ``torch.distributions`` object with ``rsample_and_log_prob`` or ``rsample``.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import asdict, dataclass

import torch
from torch import Tensor

LogDensity = Callable[[Tensor], Tensor]


def sample_with_log_q(model, num_samples: int) -> tuple[Tensor, Tensor]:
    r"""Differentiable samples of ``model`` and their proposal log-density :math:`\log q`.

    Exact flows give :math:`\log q(x)`; a flow with stochastic layers that have a generative
    likelihood contribution (MCMC layers) gives the path density
    :math:`\log p(z_0) + \sum_t \mathcal{V}_t`.

    Example:
        >>> from survae.distributions import StandardNormal
        >>> x, log_q = sample_with_log_q(StandardNormal((2,)), 3)
        >>> torch.allclose(log_q, StandardNormal((2,)).log_prob(x))
        True
    """
    if hasattr(model, "rsample_and_log_prob"):  # a FlowDistribution (or zuko-like)
        return model.rsample_and_log_prob((num_samples,))
    if isinstance(model, torch.distributions.Distribution):
        x = model.rsample((num_samples,))
        return x, model.log_prob(x)
    transforms = getattr(model, "transforms", None)
    if transforms is None or not getattr(model, "lower_bound", False):
        return model.sample_with_log_prob(num_samples)
    z, log_q = model.base_dist.sample_with_log_prob(num_samples)
    for transform in reversed(transforms):
        z, contribution = transform.inverse_and_ldj(z)
        log_q = log_q + contribution
    return z, log_q


def reverse_kl(model, log_target: LogDensity, num_samples: int) -> Tensor:
    r""":math:`\mathbb{E}_q[\log q(x) - \log \tilde\pi(x)]`: the reverse KL
    :math:`\mathrm{KL}(q \,\|\, \pi)` minus :math:`\log Z`.

    Minimising it over :math:`q` minimises :math:`\mathrm{KL}(q \,\|\, \pi)` for an unnormalised
    :math:`\tilde\pi = Z \pi`; it is the negative ELBO of :math:`\log Z` (mode-seeking). Gradients
    flow through reparametrized samples.

    Example:
        >>> from survae.distributions import StandardNormal
        >>> target = lambda x: -0.5 * (x**2).sum(-1)  # Z = 2 pi
        >>> round(float(reverse_kl(StandardNormal((2,)), target, 10)), 4)  # q = pi: -log Z
        -1.8379
    """
    x, log_q = sample_with_log_q(model, num_samples)
    return (log_q - log_target(x)).mean()


def elbo(model, log_target: LogDensity, num_samples: int) -> Tensor:
    r""":math:`\mathbb{E}_q[\log \tilde\pi(x) - \log q(x)] \le \log Z`, the negative of
    :func:`reverse_kl`."""
    return -reverse_kl(model, log_target, num_samples)


def forward_kl(model, samples: Tensor) -> Tensor:
    r""":math:`-\mathbb{E}_\pi[\log q(x)]` from samples of the target:
    :math:`\mathrm{KL}(\pi \,\|\, q)` plus the target's entropy (mass-covering). ``model`` is a
    survae model or a torch distribution.

    Example:
        >>> from survae.distributions import StandardNormal
        >>> round(float(forward_kl(StandardNormal((2,)), torch.zeros(4, 2))), 4)  # log(2 pi)
        1.8379
    """
    return -model.log_prob(samples).mean()


@dataclass
class ImportanceEstimate:
    r"""Self-normalised importance sampling summary (all floats).

    Attributes:
        log_z: :math:`\log \bigl(\frac{1}{N} \sum_i w_i\bigr)`, the estimate of :math:`\log Z`.
        log_z_stderr: its delta-method standard error
            :math:`\sqrt{(N / \mathrm{ESS} - 1) / N}`.
        ess: Kish's effective sample size
            :math:`\mathrm{ESS} = (\sum_i w_i)^2 / \sum_i w_i^2`.
        ess_fraction: :math:`\mathrm{ESS} / N`.
        num_samples: :math:`N`.
    """

    log_z: float
    log_z_stderr: float
    ess: float
    ess_fraction: float
    num_samples: int

    def as_dict(self) -> dict[str, float]:
        return asdict(self)


def importance_weights(model, log_target: LogDensity, num_samples: int,
                       batch_size: int = 8192) -> tuple[Tensor, Tensor]:
    r"""Samples ``x`` of ``model`` and their log-weights :math:`\log \tilde\pi(x) - \log q(x)`
    (float64), drawn in batches without autograd (MCMC layers still take their gradient steps)."""
    xs, log_ws = [], []
    with torch.no_grad():
        for start in range(0, num_samples, batch_size):
            x, log_q = sample_with_log_q(model, min(batch_size, num_samples - start))
            xs.append(x)
            log_ws.append(log_target(x).double() - log_q.double())
    return torch.cat(xs), torch.cat(log_ws)


def summarize_log_weights(log_w: Tensor) -> ImportanceEstimate:
    """:class:`ImportanceEstimate` of log-weights (non-finite weights count as zero).

    Example:
        >>> estimate = summarize_log_weights(torch.zeros(100, dtype=torch.float64))
        >>> estimate.log_z, round(estimate.ess, 6), estimate.log_z_stderr
        (0.0, 100.0, 0.0)
    """
    log_w = torch.where(torch.isnan(log_w), -math.inf, log_w.double())
    n = log_w.numel()
    log_sum = torch.logsumexp(log_w, 0)
    ess = float(torch.exp(2 * log_sum - torch.logsumexp(2 * log_w, 0))) if n else 0.0
    if not math.isfinite(ess):
        ess = 0.0
    stderr = math.sqrt(max(n / ess - 1.0, 0.0) / n) if ess > 0 else math.inf
    return ImportanceEstimate(
        log_z=float(log_sum) - math.log(n),
        log_z_stderr=stderr,
        ess=ess,
        ess_fraction=ess / n,
        num_samples=n,
    )


def importance_log_z(model, log_target: LogDensity, num_samples: int,
                     batch_size: int = 8192) -> ImportanceEstimate:
    r"""Importance-sampling estimate of :math:`\log Z` with ``model`` as the proposal, with its
    standard error and the effective sample size.

    :math:`\hat Z = \frac{1}{N} \sum_i \tilde\pi(x_i) / q(x_i)` is unbiased for :math:`Z`;
    :math:`\log \hat Z` is biased low by about half its variance. The standard error is
    trustworthy only when :math:`q` covers :math:`\pi` (a proposal
    that misses a mode gives a small error bar around a wrong value; compare with the trivial
    baseline, e.g. the base distribution alone).

    Example:
        >>> from survae.distributions import StandardNormal
        >>> target = lambda x: -0.5 * (x**2).sum(-1)  # Z = 2 pi
        >>> estimate = importance_log_z(StandardNormal((2,)), target, 1000)
        >>> round(estimate.log_z, 6) == round(math.log(2 * math.pi), 6)
        True
        >>> round(estimate.ess_fraction, 6)
        1.0
    """
    _, log_w = importance_weights(model, log_target, num_samples, batch_size)
    return summarize_log_weights(log_w)


def defensive_importance_log_z(model, log_target: LogDensity, num_samples: int,
                               fraction: float = 0.1, scale: float = 3.0,
                               batch_size: int = 8192) -> ImportanceEstimate:
    r""":func:`importance_log_z` with the defensive mixture
    :math:`(1 - a)\, q + a\, \mathcal{N}(0, s^2 I)` (Hesterberg, 1995) as the proposal,
    :math:`a` = ``fraction``, :math:`s` = ``scale``; ``model`` needs an exact ``log_prob``.

    The broad component bounds the weights wherever :math:`q` has (almost) no mass, so a mode
    that :math:`q` missed shows up in the estimate and in its standard error instead of silently
    biasing both. ``round(fraction * num_samples)`` samples come from the broad component, the
    rest from :math:`q`; every sample is weighted by the mixture density.

    Example:
        >>> from survae.distributions import StandardNormal
        >>> target = lambda x: -0.5 * ((x - 4) ** 2).sum(-1)  # far from q = N(0, I); Z = 2 pi
        >>> estimate = defensive_importance_log_z(StandardNormal((2,)), target, 20_000)
        >>> abs(estimate.log_z - math.log(2 * math.pi)) < 4 * estimate.log_z_stderr
        True
    """
    if not 0 < fraction < 1:
        raise ValueError(f"defensive_importance_log_z: fraction must be in (0, 1), got {fraction}")
    broad_count = round(fraction * num_samples)
    samples = []
    with torch.no_grad():
        for start in range(0, num_samples - broad_count, batch_size):
            n = min(batch_size, num_samples - broad_count - start)
            samples.append(sample_with_log_q(model, n)[0])
        x_model = torch.cat(samples)
        x_broad = scale * torch.randn(broad_count, *x_model.shape[1:], dtype=x_model.dtype,
                                      device=x_model.device)
        log_ws = []
        for x in torch.cat([x_model, x_broad]).split(batch_size):
            dims = x[0].numel()
            log_broad = (-0.5 * (x / scale).pow(2).reshape(x.shape[0], -1).sum(-1)
                         - dims * (math.log(scale) + 0.5 * math.log(2 * math.pi)))
            log_mixture = torch.logaddexp(math.log1p(-fraction) + model.log_prob(x).double(),
                                          math.log(fraction) + log_broad.double())
            log_ws.append(log_target(x).double() - log_mixture)
    return summarize_log_weights(torch.cat(log_ws))
