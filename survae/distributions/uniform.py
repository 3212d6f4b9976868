"""The standard uniform distribution on the unit hypercube."""

from __future__ import annotations

import math
from collections.abc import Sequence

import torch
from torch import Tensor

from survae.distributions._shape import as_event_shape
from survae.distributions.base import Distribution
from survae.utils.validation import check_event_shape


class StandardUniform(Distribution):
    r"""Uniform distribution on :math:`[0, 1]^D`.

    .. math:: \log p(x) = 0 \text{ if every } x_i \in [0, 1], \text{ else } -\infty.

    A single coordinate outside the support makes the log-density :math:`-\infty` (the official
    library averaged the per-coordinate indicators, giving a finite value in that case).
    ``log_prob`` is in the input's dtype; samples in the module's dtype and device.

    Args:
        shape: event shape.

    Example:
        >>> import torch
        >>> dist = StandardUniform((2,))
        >>> dist.log_prob(torch.tensor([[0.5, 0.2], [0.5, 1.5]])).tolist()
        [0.0, -inf]
    """

    def __init__(self, shape: int | Sequence[int]):
        super().__init__()
        self.shape = as_event_shape(type(self).__name__, shape)
        # Dummy buffers carrying the module's dtype and device (names as in the official library,
        # so that state dicts load in both directions).
        self.register_buffer("zero", torch.zeros(1))
        self.register_buffer("one", torch.ones(1))

    def extra_repr(self) -> str:
        return f"shape={tuple(self.shape)}"

    def log_prob(self, x: Tensor) -> Tensor:
        check_event_shape(type(self).__name__, x, self.shape)
        inside = ((x >= 0) & (x <= 1)).reshape(x.shape[0], -1).all(dim=1)
        dtype = x.dtype if x.is_floating_point() else self.zero.dtype
        log_prob = torch.zeros(x.shape[0], dtype=dtype, device=x.device)
        return log_prob.masked_fill(~inside, -math.inf)

    def sample(self, num_samples: int) -> Tensor:
        return torch.rand(num_samples, *self.shape, device=self.zero.device, dtype=self.zero.dtype)

    def sample_with_log_prob(self, num_samples: int) -> tuple[Tensor, Tensor]:
        z = self.sample(num_samples)
        return z, torch.zeros(num_samples, dtype=z.dtype, device=z.device)
