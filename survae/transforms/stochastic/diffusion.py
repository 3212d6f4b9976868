"""Diffusion models as a chain of stochastic layers: a fixed noising step with a learned reverse."""

from __future__ import annotations

import math
from collections.abc import Sequence

import torch
from torch import Tensor, nn

from survae.distributions import ConditionalMeanStdNormal
from survae.distributions.conditional.base import ConditionalDistribution
from survae.transforms.base import SequentialTransform
from survae.transforms.stochastic.base import StochasticTransform
from survae.utils.tensors import sum_except_batch

_HALF_LOG_TWO_PI = 0.5 * math.log(2 * math.pi)


class DiffusionStep(StochasticTransform):
    """One step of a Gaussian diffusion: fixed noising ``q(z|x)``, learned denoising ``p(x|z)``.

    - forward (inference, stochastic): ``z = sqrt(1 - beta) x + sqrt(beta) e``, ``e ~ N(0, I)``,
      i.e. ``z ~ q(z|x) = N(sqrt(1 - beta) x, beta I)``;
    - inverse (generative, stochastic): ``x ~ p(x|z)`` (the ``reverse`` distribution);
    - likelihood contribution (a bound): ``V(x, z) = log p(x|z) - log q(z|x)``.

    It is a VAE layer whose encoder is fixed. ``T`` steps in a row on a standard normal base give
    ``log p(x_T) + sum_t [log p(x_{t-1}|x_t) - log q(x_t|x_{t-1})]``, the diffusion ELBO of
    Sohl-Dickstein et al. (2015) in its sampled form; :class:`GaussianDiffusion` builds such a
    chain with one shared noise-prediction network (DDPM).

    Args:
        reverse: ``p(x|z)``, a ConditionalDistribution with the event shape of ``x``.
        beta: the noise variance of the step, in ``(0, 1)``.

    Example:
        >>> import torch
        >>> from survae.distributions import ConditionalNormal
        >>> step = DiffusionStep(ConditionalNormal(torch.nn.Linear(2, 4)), beta=0.1)
        >>> z, ldj = step(torch.randn(3, 2))
        >>> z.shape, ldj.shape, step.inverse(z).shape
        (torch.Size([3, 2]), torch.Size([3]), torch.Size([3, 2]))

    References: Sohl-Dickstein et al., 2015; Ho et al., 2020 (DDPM); Nielsen et al., 2020
    (Table 3: diffusion models as stochastic layers).
    """

    def __init__(self, reverse: ConditionalDistribution, beta: float):
        super().__init__()
        if not isinstance(reverse, ConditionalDistribution):
            raise ValueError(
                f"DiffusionStep: reverse must be a ConditionalDistribution, got "
                f"{type(reverse).__name__}"
            )
        if not 0.0 < beta < 1.0:
            raise ValueError(f"DiffusionStep: beta must be in (0, 1), got {beta}")
        self.reverse = reverse
        self.beta = float(beta)

    def extra_repr(self) -> str:
        return f"beta={self.beta:.4g}"

    def forward(self, x: Tensor) -> tuple[Tensor, Tensor]:
        noise = torch.randn_like(x)
        z = math.sqrt(1.0 - self.beta) * x + math.sqrt(self.beta) * noise
        log_q = sum_except_batch(-0.5 * noise**2) - noise[0].numel() * (
            _HALF_LOG_TWO_PI + 0.5 * math.log(self.beta)
        )
        return z, self.reverse.log_prob(x, context=z) - log_q

    def inverse(self, z: Tensor) -> Tensor:
        return self.reverse.sample(context=z)


def linear_betas(num_steps: int, low: float = 1e-3, high: float = 0.2) -> list[float]:
    """A linear noise schedule ``beta_1, ..., beta_T`` from ``low`` to ``high``."""
    if num_steps == 1:
        return [float(high)]
    return [low + (high - low) * t / (num_steps - 1) for t in range(num_steps)]


class _NoisePredictionMean(nn.Module):
    """The DDPM mean of ``p(x_{t-1}|x_t)`` from a shared noise-prediction network:
    ``mu = (x_t - beta_t / sqrt(1 - alpha_bar_t) eps(x_t, t)) / sqrt(1 - beta_t)``."""

    def __init__(self, net: nn.Module, time_features: Tensor, beta: float, alpha_bar: float):
        super().__init__()
        self.net = net
        self.register_buffer("time_features", time_features)
        self.noise_coef = beta / math.sqrt(1.0 - alpha_bar)
        self.inv_sqrt_alpha = 1.0 / math.sqrt(1.0 - beta)

    def forward(self, x: Tensor) -> Tensor:
        time = self.time_features.to(x.dtype).expand(x.shape[0], -1)
        eps = self.net(torch.cat([x, time], dim=1))
        return (x - self.noise_coef * eps) * self.inv_sqrt_alpha


def time_embedding(step: int, num_steps: int, num_features: int) -> Tensor:
    """Sinusoidal features of the step ``t / T``: ``[sin(2^j pi t/T), cos(2^j pi t/T)]_j``."""
    if num_features % 2:
        raise ValueError(f"time_embedding: num_features must be even, got {num_features}")
    phase = math.pi * step / num_steps * 2.0 ** torch.arange(num_features // 2)
    return torch.cat([torch.sin(phase), torch.cos(phase)])


class GaussianDiffusion(SequentialTransform, StochasticTransform):
    """A DDPM-style diffusion model as ``T`` :class:`DiffusionStep` layers (data to noise).

    Step ``t`` (``t = 1..T``, the first one next to the data) noises ``x_t ~ N(sqrt(1 - beta_t)
    x_{t-1}, beta_t I)``; its reverse is ``p(x_{t-1}|x_t) = N(mu_t(x_t), sigma_t^2 I)`` with the
    noise-prediction mean of Ho et al. (2020),

    .. math:: \\mu_t(x_t) = \\frac{1}{\\sqrt{1 - \\beta_t}}\\Big(x_t - \\frac{\\beta_t}
              {\\sqrt{1 - \\bar\\alpha_t}}\\,\\epsilon_\\theta(x_t, t)\\Big), \\quad
              \\bar\\alpha_t = \\prod_{s \\le t} (1 - \\beta_s),

    one network ``eps_theta`` shared by every step (it sees ``x_t`` and sinusoidal features of
    ``t / T``) and a learned per-step, per-feature ``log sigma_t`` (initialised to
    ``log sqrt(beta_t)``). On a standard normal base, ``Flow.log_prob`` is the diffusion ELBO
    (a lower bound, in its sampled form, valid for importance weighting); ``Flow.sample`` runs
    the ``T`` reverse steps.

    Args:
        num_features: ``D``, the size of the (vector) events.
        net: ``eps_theta``, mapping ``(batch, D + time_features)`` to ``(batch, D)``.
        betas: the noise schedule ``beta_1..beta_T`` (each in ``(0, 1)``), e.g.
            :func:`linear_betas`.
        time_features: even number of sinusoidal time features appended to ``x_t``.

    Example:
        >>> import torch
        >>> from survae.distributions import StandardNormal
        >>> from survae.flows import Flow
        >>> diffusion = GaussianDiffusion(2, torch.nn.Linear(2 + 4, 2), linear_betas(5),
        ...                               time_features=4)
        >>> model = Flow(StandardNormal((2,)), [diffusion])
        >>> model.log_prob(torch.randn(3, 2)).shape, model.sample(3).shape
        (torch.Size([3]), torch.Size([3, 2]))

    References: Sohl-Dickstein et al., 2015; Ho et al., 2020; Nielsen et al., 2020 (Table 3).
    """

    def __init__(
        self, num_features: int, net: nn.Module, betas: Sequence[float], time_features: int = 8
    ):
        betas = [float(b) for b in betas]
        if not betas:
            raise ValueError("GaussianDiffusion: betas must hold at least one step")
        alpha_bar, steps = 1.0, []
        for t, beta in enumerate(betas, start=1):
            alpha_bar *= 1.0 - beta
            mean = _NoisePredictionMean(
                net, time_embedding(t, len(betas), time_features), beta, alpha_bar
            )
            reverse = ConditionalMeanStdNormal(mean, scale_shape=(num_features,))
            with torch.no_grad():
                reverse.log_scale.fill_(0.5 * math.log(beta))
            steps.append(DiffusionStep(reverse, beta))
        super().__init__(steps)
        self.num_features = int(num_features)
        self.betas = betas
