"""Normal distributions whose parameters are given by a network of the context."""

from __future__ import annotations

import math
from collections.abc import Sequence

import torch
from torch import Tensor, nn
from torch.distributions import Normal

from survae.distributions.conditional._checks import check_matches
from survae.distributions.conditional.base import ConditionalDistribution
from survae.utils.tensors import sum_except_batch
from survae.utils.validation import ShapeError

_HALF_LOG_TWO_PI = 0.5 * math.log(2 * math.pi)


class _ConditionalGaussian(ConditionalDistribution):
    """Shared machinery: subclasses give ``mean`` and ``log_std`` (a tensor or a float)."""

    def mean_log_std(self, context) -> tuple[Tensor, Tensor | float]:
        """Mean ``(batch, *event)`` and log-std (broadcastable to it) for ``context``."""
        raise NotImplementedError

    @staticmethod
    def _log_prob_from_noise(eps: Tensor, log_std: Tensor | float) -> Tensor:
        # log N(x; mean, std) in the standardised variable eps = (x - mean) / std.
        # (log_std broadcasts against eps, so a shared log-std counts once per position).
        return sum_except_batch(-0.5 * eps**2 - log_std - _HALF_LOG_TWO_PI)

    def cond_dist(self, context) -> Normal:
        """The ``torch.distributions.Normal`` for ``context`` (as in the official library)."""
        mean, log_std = self.mean_log_std(context)
        std = torch.exp(log_std) if isinstance(log_std, Tensor) else math.exp(log_std)
        return Normal(loc=mean, scale=std)

    def log_prob(self, x: Tensor, context) -> Tensor:
        mean, log_std = self.mean_log_std(context)
        check_matches(type(self).__name__, x, mean.shape)
        return self._log_prob_given(x, mean, log_std)

    def _log_prob_given(self, x: Tensor, mean: Tensor, log_std: Tensor | float) -> Tensor:
        inv_std = torch.exp(-log_std) if isinstance(log_std, Tensor) else math.exp(-log_std)
        return self._log_prob_from_noise((x - mean) * inv_std, log_std)

    def sample(self, context) -> Tensor:
        return self.sample_with_log_prob(context)[0]

    def sample_with_log_prob(self, context) -> tuple[Tensor, Tensor]:
        mean, log_std = self.mean_log_std(context)
        std = torch.exp(log_std) if isinstance(log_std, Tensor) else math.exp(log_std)
        x = mean + std * torch.randn_like(mean)
        # Scored as log_prob(x, context) scores it: the same value to the last bit.
        return x, self._log_prob_given(x, mean, log_std)

    def mean(self, context) -> Tensor:
        r"""The conditional mean :math:`\mathbb{E}[x | c]`."""
        return self.mean_log_std(context)[0]

    def mean_stddev(self, context) -> tuple[Tensor, Tensor]:
        """The conditional mean and standard deviation (broadcast to the mean's shape)."""
        mean, log_std = self.mean_log_std(context)
        std = torch.exp(log_std) if isinstance(log_std, Tensor) else math.exp(log_std)
        return mean, (torch.zeros_like(mean) + std)


class ConditionalNormal(_ConditionalGaussian):
    r"""Normal :math:`\mathcal{N}(x; \mu(c), \operatorname{diag}(\sigma(c)^2))` with mean and
    log-std from one network.

    The network output is split in two halves along ``split_dim``: :math:`\mu`,
    :math:`\log \sigma`.

    .. math:: \log p(x|c) = \sum_i \Big[-\log \sigma_i - \tfrac12 \log 2\pi
              - \tfrac12 \big((x_i - \mu_i)/\sigma_i\big)^2\Big].

    Samples are reparametrized (:math:`\mu + \sigma \epsilon`): gradients flow into the network.

    Args:
        net: module mapping the context to the parameters, e.g. ``(B, 2D)`` for events ``(B, D)``.
        split_dim: dimension of the network output holding ``[mu, log_sigma]`` (default: last).

    Example:
        >>> import torch
        >>> dist = ConditionalNormal(torch.nn.Linear(3, 4))
        >>> context = torch.randn(5, 3)
        >>> x, log_prob = dist.sample_with_log_prob(context)
        >>> x.shape, torch.allclose(log_prob, dist.log_prob(x, context))
        (torch.Size([5, 2]), True)
    """

    def __init__(self, net: nn.Module, split_dim: int = -1):
        super().__init__()
        self.net = net
        self.split_dim = split_dim

    def extra_repr(self) -> str:
        return f"split_dim={self.split_dim}"

    def mean_log_std(self, context) -> tuple[Tensor, Tensor]:
        params = self.net(context)
        size = params.shape[self.split_dim]
        if size % 2:
            raise ValueError(
                f"ConditionalNormal: the net output must have an even size along split_dim="
                f"{self.split_dim} (mean and log-std halves), got shape {tuple(params.shape)}"
            )
        mean, log_std = torch.split(params, size // 2, dim=self.split_dim)
        return mean, log_std


class ConditionalMeanNormal(_ConditionalGaussian):
    r"""Normal :math:`\mathcal{N}(x; \mu(c), s^2 I)` with a network mean and a fixed standard
    deviation :math:`s` = ``scale``.

    .. math:: \log p(x|c) = \sum_i \Big[-\log s - \tfrac12 \log 2\pi
              - \tfrac12 \big((x_i - \mu_i)/s\big)^2\Big].

    Args:
        net: module mapping the context to the mean (the event shape).
        scale: the fixed standard deviation :math:`s > 0`.

    Example:
        >>> import torch
        >>> dist = ConditionalMeanNormal(torch.nn.Linear(3, 2), scale=0.5)
        >>> dist.sample(torch.randn(4, 3)).shape
        torch.Size([4, 2])
    """

    def __init__(self, net: nn.Module, scale: float = 1.0):
        super().__init__()
        if not float(scale) > 0:
            raise ValueError(f"ConditionalMeanNormal: scale must be positive, got {scale}")
        self.net = net
        self.scale = float(scale)

    def extra_repr(self) -> str:
        return f"scale={self.scale}"

    def mean_log_std(self, context) -> tuple[Tensor, float]:
        return self.net(context), math.log(self.scale)


class ConditionalMeanStdNormal(_ConditionalGaussian):
    r"""Normal with a network mean and a learned, context-free log-std ``log_scale``.

    .. math:: \log p(x|c) = \sum_i \Big[-\log \sigma_i - \tfrac12 \log 2\pi
              - \tfrac12 \big((x_i - \mu_i(c))/\sigma_i\big)^2\Big],
              \quad \sigma = \exp(\text{log\_scale}).

    Args:
        net: module mapping the context to the mean (the event shape).
        scale_shape: shape of ``log_scale``, broadcastable to the event shape (e.g. ``(C, 1, 1)``
            for one scale per channel); initialised to zeros (unit scale).

    Example:
        >>> import torch
        >>> dist = ConditionalMeanStdNormal(torch.nn.Linear(3, 2), scale_shape=(2,))
        >>> dist.log_prob(torch.zeros(4, 2), torch.randn(4, 3)).shape
        torch.Size([4])
    """

    def __init__(self, net: nn.Module, scale_shape: int | Sequence[int]):
        super().__init__()
        self.net = net
        shape = (scale_shape,) if isinstance(scale_shape, int) else tuple(scale_shape)
        self.log_scale = nn.Parameter(torch.zeros(shape))

    def extra_repr(self) -> str:
        return f"scale_shape={tuple(self.log_scale.shape)}"

    def mean_log_std(self, context) -> tuple[Tensor, Tensor]:
        mean = self.net(context)
        try:
            broadcast = torch.broadcast_shapes(mean.shape, self.log_scale.shape)
        except RuntimeError:
            broadcast = None
        if broadcast != mean.shape:
            raise ShapeError(
                f"ConditionalMeanStdNormal: log_scale of shape {tuple(self.log_scale.shape)} does "
                f"not broadcast to the net's output of shape {tuple(mean.shape)}"
            )
        return mean, self.log_scale
