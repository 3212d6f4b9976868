"""Discretized logistic distributions over integer levels, with parameters from a network."""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from survae.distributions.conditional._checks import check_matches
from survae.distributions.conditional.base import ConditionalDistribution
from survae.utils.tensors import sum_except_batch

_MIN_LOG_SCALE = -7.0


class ConditionalDiscretizedLogistic(ConditionalDistribution):
    r"""Discretized logistic over the levels :math:`\{0, \dots, K-1\}` (PixelCNN++'s pixel
    likelihood).

    The levels are placed on :math:`[-1, 1]`, level :math:`x` at :math:`c_x = 2x / (K-1) - 1` with
    half-width :math:`h = 1 / (K-1)`; with :math:`(\mu, \log s)` from the network and :math:`F`
    the logistic CDF,

    .. math:: P(x|c) = F\big((c_x + h - \mu) / s\big) - F\big((c_x - h - \mu) / s\big),

    except that the first level takes all the mass below it (:math:`F(\cdot) - 0`) and the last
    all the mass above it (:math:`1 - F(\cdot)`), so the :math:`K` probabilities sum to one.
    ``log_prob`` sums over the event and is computed in log space
    (:math:`\log \sigma(a) + \log \sigma(-b) + \log(1 - e^{b - a})` for
    :math:`a = (c_x + h - \mu)/s`, :math:`b = (c_x - h - \mu)/s`), stable for any scale.
    :math:`\log s` is clamped at :math:`-7`.

    Args:
        net: module mapping the context to ``[mu, log_s]``, concatenated along ``split_dim``
            (twice the event size there).
        num_levels: :math:`K` (e.g. 256 for 8-bit images, 17 for the digits' gray levels).
        split_dim: dimension of the network output holding the two halves (default 1, the
            channels of an image).

    Example:
        >>> import torch
        >>> dist = ConditionalDiscretizedLogistic(torch.nn.Conv2d(3, 2, 1), num_levels=17)
        >>> context = torch.randn(4, 3, 2, 2)
        >>> x = dist.sample(context)
        >>> x.shape, int(x.min()) >= 0 and int(x.max()) <= 16
        (torch.Size([4, 1, 2, 2]), True)
        >>> levels = torch.arange(17).reshape(17, 1, 1, 1)  # every level of one pixel
        >>> one = context[:1, :, :1, :1].expand(17, 3, 1, 1)
        >>> round(float(dist.log_prob(levels, one).exp().sum()), 6)
        1.0

    Reference: Salimans et al., 2017 (PixelCNN++); Kingma et al., 2016 (IAF).
    """

    def __init__(self, net: nn.Module, num_levels: int, split_dim: int = 1):
        super().__init__()
        if int(num_levels) != num_levels or num_levels < 2:
            raise ValueError(
                f"ConditionalDiscretizedLogistic: num_levels must be an integer >= 2, "
                f"got {num_levels}"
            )
        self.net = net
        self.num_levels = int(num_levels)
        self.split_dim = split_dim

    def extra_repr(self) -> str:
        return f"num_levels={self.num_levels}, split_dim={self.split_dim}"

    def mean_log_scale(self, context) -> tuple[Tensor, Tensor]:
        r""":math:`\mu` (on the :math:`[-1, 1]` scale) and the clamped :math:`\log s`, each of the
        event shape."""
        params = self.net(context)
        size = params.shape[self.split_dim]
        if size % 2:
            raise ValueError(
                f"ConditionalDiscretizedLogistic: the net output must have an even size along "
                f"split_dim={self.split_dim} (mean and log-scale halves), got shape "
                f"{tuple(params.shape)}"
            )
        mean, log_scale = torch.split(params, size // 2, dim=self.split_dim)
        return mean, log_scale.clamp_min(_MIN_LOG_SCALE)

    def _log_probs(self, x: Tensor, mean: Tensor, log_scale: Tensor) -> Tensor:
        last = self.num_levels - 1
        centre = 2 * x.to(mean.dtype) / last - 1
        inv_scale = torch.exp(-log_scale)
        upper = (centre + 1 / last - mean) * inv_scale  # a
        lower = (centre - 1 / last - mean) * inv_scale  # b
        log_cdf_upper = F.logsigmoid(upper)
        log_survival_lower = F.logsigmoid(-lower)
        # log(1 - exp(b - a)), b - a = -2h / s < 0
        log_width = torch.log(-torch.expm1(lower - upper))
        inner = log_cdf_upper + log_survival_lower + log_width
        return torch.where(x <= 0, log_cdf_upper, torch.where(x >= last, log_survival_lower, inner))

    def log_prob(self, x: Tensor, context) -> Tensor:
        mean, log_scale = self.mean_log_scale(context)
        check_matches(type(self).__name__, x, mean.shape)
        return sum_except_batch(self._log_probs(x, mean, log_scale))

    def _draw(self, mean: Tensor, log_scale: Tensor) -> Tensor:
        u = torch.rand_like(mean).clamp(1e-6, 1 - 1e-6)
        y = mean + torch.exp(log_scale) * (torch.log(u) - torch.log1p(-u))
        last = self.num_levels - 1
        return torch.round((y + 1) * last / 2).clamp(0, last).long()

    def sample(self, context) -> Tensor:
        return self._draw(*self.mean_log_scale(context))

    def sample_with_log_prob(self, context) -> tuple[Tensor, Tensor]:
        mean, log_scale = self.mean_log_scale(context)
        x = self._draw(mean, log_scale)
        return x, sum_except_batch(self._log_probs(x, mean, log_scale))

    def mean(self, context) -> Tensor:
        r"""The mean level :math:`\mathbb{E}[x | c]` (float), by summing over the :math:`K`
        levels."""
        mean, log_scale = self.mean_log_scale(context)
        levels = torch.arange(self.num_levels, device=mean.device, dtype=mean.dtype)
        shape = (-1,) + (1,) * mean.dim()
        log_p = self._log_probs(levels.reshape(shape), mean.unsqueeze(0), log_scale.unsqueeze(0))
        return (log_p.exp() * levels.reshape(shape)).sum(0)
