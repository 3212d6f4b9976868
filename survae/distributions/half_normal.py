r"""The standard half-Normal distribution: :math:`|\epsilon|` with
:math:`\epsilon \sim \mathcal{N}(0, I)`."""

from __future__ import annotations

import math
from collections.abc import Sequence

import torch
from torch import Tensor

from survae.distributions._shape import as_event_shape
from survae.distributions.base import Distribution
from survae.utils.tensors import sum_except_batch
from survae.utils.validation import check_event_shape

_LOG_NORMALISER = math.log(2) - 0.5 * math.log(2 * math.pi)


class StandardHalfNormal(Distribution):
    r"""Standard half-Normal on :math:`[0, \infty)^D`: the law of :math:`|\epsilon|` for
    :math:`\epsilon \sim \mathcal{N}(0, I)`.

    .. math:: \log p(x) = \sum_i \big[\log 2 - \tfrac12 \log 2\pi - \tfrac12 x_i^2\big]
              \text{ if all } x_i \ge 0, \text{ else } -\infty.

    ``log_prob`` is in the input's dtype; samples in the module's dtype and device.

    Args:
        shape: event shape.

    Example:
        >>> import torch
        >>> dist = StandardHalfNormal((2,))
        >>> dist.log_prob(torch.tensor([[0.0, 0.0], [1.0, -0.1]])).tolist()
        [-0.4515827000141144, -inf]
    """

    def __init__(self, shape: int | Sequence[int]):
        super().__init__()
        self.shape = as_event_shape(type(self).__name__, shape)
        self.register_buffer("buffer", torch.zeros(1))

    def extra_repr(self) -> str:
        return f"shape={tuple(self.shape)}"

    def _log_density(self, x: Tensor) -> Tensor:
        return sum_except_batch(-0.5 * x**2) + self.shape.numel() * _LOG_NORMALISER

    def log_prob(self, x: Tensor) -> Tensor:
        check_event_shape(type(self).__name__, x, self.shape)
        outside = (x < 0).reshape(x.shape[0], -1).any(dim=1)
        return self._log_density(x).masked_fill(outside, -math.inf)

    def sample(self, num_samples: int) -> Tensor:
        eps = torch.randn(
            num_samples, *self.shape, device=self.buffer.device, dtype=self.buffer.dtype
        )
        return eps.abs()

    def sample_with_log_prob(self, num_samples: int) -> tuple[Tensor, Tensor]:
        z = self.sample(num_samples)
        return z, self._log_density(z)
