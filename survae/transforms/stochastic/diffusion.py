r"""Diffusion models as a chain of stochastic layers: a fixed noising step with a learned
reverse."""

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
from survae.utils.validation import check_event_shape

_HALF_LOG_TWO_PI = 0.5 * math.log(2 * math.pi)


class DiffusionStep(StochasticTransform):
    r"""One step of a Gaussian diffusion: fixed noising :math:`q(z|x)`, learned denoising
    :math:`p(x|z)`.

    - forward (inference, stochastic): :math:`z = \sqrt{1 - \beta}\, x + \sqrt{\beta}\, e`,
      :math:`e \sim \mathcal{N}(0, I)`, i.e.
      :math:`z \sim q(z|x) = \mathcal{N}(\sqrt{1 - \beta}\, x, \beta I)`;
    - inverse (generative, stochastic): :math:`x \sim p(x|z)` (the ``reverse`` distribution);
    - likelihood contribution (a bound): :math:`\mathcal{V}(x, z) = \log p(x|z) - \log q(z|x)`.

    It is a VAE layer whose encoder is fixed. :math:`T` steps in a row on a standard normal base
    give :math:`\log p(x_T) + \sum_t [\log p(x_{t-1}|x_t) - \log q(x_t|x_{t-1})]`, the diffusion
    ELBO of Sohl-Dickstein et al. (2015) in its sampled form; :class:`GaussianDiffusion` builds
    such a chain with one shared noise-prediction network (DDPM).

    Args:
        reverse: :math:`p(x|z)`, a ConditionalDistribution with the event shape of ``x``.
        beta: the noise variance :math:`\beta` of the step, in :math:`(0, 1)`.

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

    def noising_log_prob(self, x: Tensor, z: Tensor) -> Tensor:
        r""":math:`\log q(z|x) = \log \mathcal{N}(z; \sqrt{1 - \beta}\, x, \beta I)`."""
        noise = (z - math.sqrt(1.0 - self.beta) * x) / math.sqrt(self.beta)
        return sum_except_batch(-0.5 * noise**2) - noise[0].numel() * (
            _HALF_LOG_TWO_PI + 0.5 * math.log(self.beta)
        )

    def log_weight(self, x: Tensor, z: Tensor) -> Tensor:
        r"""The contribution :math:`\log p(x|z) - \log q(z|x)` for a given pair."""
        return self.reverse.log_prob(x, context=z) - self.noising_log_prob(x, z)

    def forward(self, x: Tensor) -> tuple[Tensor, Tensor]:
        z = math.sqrt(1.0 - self.beta) * x + math.sqrt(self.beta) * torch.randn_like(x)
        return z, self.log_weight(x, z)

    def inverse(self, z: Tensor) -> Tensor:
        return self.reverse.sample(context=z)


def linear_betas(num_steps: int, low: float = 1e-3, high: float = 0.2) -> list[float]:
    r"""A linear noise schedule :math:`\beta_1, \dots, \beta_T` from ``low`` to ``high``."""
    if num_steps == 1:
        return [float(high)]
    return [low + (high - low) * t / (num_steps - 1) for t in range(num_steps)]


class _NoisePredictionMean(nn.Module):
    r"""The DDPM mean of :math:`p(x_{t-1}|x_t)` from a shared noise-prediction network:
    :math:`\mu = \bigl(x_t - \beta_t / \sqrt{1 - \bar\alpha_t}\; \epsilon(x_t, t)\bigr) /
    \sqrt{1 - \beta_t}`."""

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
    r"""Sinusoidal features of the step :math:`t / T`:
    :math:`[\sin(2^j \pi t/T), \cos(2^j \pi t/T)]_j` (float64; layers cast them to their input's
    dtype)."""
    if num_features % 2:
        raise ValueError(f"time_embedding: num_features must be even, got {num_features}")
    phase = math.pi * step / num_steps * 2.0 ** torch.arange(num_features // 2,
                                                             dtype=torch.float64)
    return torch.cat([torch.sin(phase), torch.cos(phase)])


class GaussianDiffusion(SequentialTransform, StochasticTransform):
    r"""A DDPM-style diffusion model as :math:`T` :class:`DiffusionStep` layers (data to noise).

    Step :math:`t` (:math:`t = 1, \dots, T`, the first one next to the data) noises
    :math:`x_t \sim \mathcal{N}(\sqrt{1 - \beta_t}\, x_{t-1}, \beta_t I)`; its reverse is
    :math:`p(x_{t-1}|x_t) = \mathcal{N}(\mu_t(x_t), \sigma_t^2 I)` with the noise-prediction mean
    of Ho et al. (2020),

    .. math:: \mu_t(x_t) = \frac{1}{\sqrt{1 - \beta_t}}\Big(x_t - \frac{\beta_t}
              {\sqrt{1 - \bar\alpha_t}}\,\epsilon_\theta(x_t, t)\Big), \quad
              \bar\alpha_t = \prod_{s \le t} (1 - \beta_s),

    one network :math:`\epsilon_\theta` shared by every step (it sees :math:`x_t` and sinusoidal
    features of :math:`t / T`) and a learned per-step, per-feature :math:`\log \sigma_t`
    (initialised to :math:`\log \sqrt{\beta_t}`). On a standard normal base, ``Flow.log_prob`` is
    the diffusion ELBO (a lower bound, in its sampled form, valid for importance weighting);
    ``Flow.sample`` runs the :math:`T` reverse steps. ``forward`` draws the noising chain first
    and then evaluates the :math:`T` reverse steps in one batched call of the network (the same
    value as running the steps one after the other, see :meth:`log_weight`).

    Args:
        num_features: :math:`D`, the size of the (vector) events.
        net: :math:`\epsilon_\theta`, mapping ``(batch, D + time_features)`` to ``(batch, D)``.
        betas: the noise schedule :math:`\beta_1, \dots, \beta_T` (each in :math:`(0, 1)`), e.g.
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
        self.net = net
        times = torch.stack([step.reverse.net.time_features for step in steps])
        self.register_buffer("_time_features", times, persistent=False)
        coef = torch.tensor([[step.reverse.net.noise_coef, step.reverse.net.inv_sqrt_alpha,
                              math.sqrt(1.0 - step.beta), math.sqrt(step.beta)] for step in steps],
                            dtype=torch.float64)  # cast to the input's dtype when used
        self.register_buffer("_coefficients", coef, persistent=False)

    def _check(self, x: Tensor) -> None:
        check_event_shape(self, x, (self.num_features,))

    def log_weight(self, chain: Tensor) -> Tensor:
        r""":math:`\sum_t \log p(x_{t-1}|x_t) - \log q(x_t|x_{t-1})` for a chain
        ``(T + 1, batch, D)`` (``chain[0]`` the data), with one batched call of the network for
        the :math:`T` steps."""
        steps, batch = len(self.betas), chain.shape[1]
        noise_coef, inv_sqrt_alpha, keep, spread = self._coefficients.to(chain.dtype).T[..., None,
                                                                                       None]
        later, earlier = chain[1:], chain[:-1]
        time = self._time_features.to(chain.dtype)[:, None, :].expand(steps, batch, -1)
        eps = self.net(torch.cat([later, time], -1).reshape(steps * batch, -1))
        mean = (later - noise_coef * eps.reshape(later.shape)) * inv_sqrt_alpha
        log_std = torch.stack([step.reverse.log_scale for step in self.transforms])[:, None, :]
        residual = (earlier - mean) * torch.exp(-log_std)
        log_p = -0.5 * residual**2 - log_std
        noise = (later - keep * earlier) / spread
        log_q = -0.5 * noise**2 - torch.log(spread)
        return (log_p - log_q).sum((0, 2))

    def forward(self, x: Tensor) -> tuple[Tensor, Tensor]:
        self._check(x)
        noise = torch.randn(len(self.betas), *x.shape, dtype=x.dtype, device=x.device)
        _, _, keep, spread = self._coefficients.to(x.dtype).T[..., None, None]
        links = [x]
        for t in range(len(self.betas)):
            links.append(keep[t] * links[-1] + spread[t] * noise[t])
        chain = torch.stack(links)
        return chain[-1], self.log_weight(chain)
