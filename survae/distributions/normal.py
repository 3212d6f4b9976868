"""Normal distributions: standard, diagonal (learned), and per-channel (learned) for images."""

from __future__ import annotations

import math
from collections.abc import Sequence

import torch
from torch import Tensor, nn

from survae.distributions._shape import as_event_shape
from survae.distributions.base import Distribution
from survae.utils.tensors import sum_except_batch
from survae.utils.validation import ShapeError, check_event_shape

_HALF_LOG_TWO_PI = 0.5 * math.log(2 * math.pi)


class StandardNormal(Distribution):
    r"""Standard Normal :math:`\mathcal{N}(0, I)` on events of shape ``shape``.

    .. math:: \log p(x) = -\tfrac12 \sum_i x_i^2 - \tfrac{D}{2} \log 2\pi.

    ``log_prob`` is computed in the input's dtype; samples are drawn in the dtype and on the
    device of the module (a dummy buffer follows ``.double()`` / ``.to(device)``).

    Args:
        shape: event shape, e.g. ``(2,)`` or ``(3, 32, 32)``.

    Example:
        >>> import torch
        >>> dist = StandardNormal((2,))
        >>> dist.log_prob(torch.zeros(1, 2)).tolist()  # -log(2 pi)
        [-1.8378770351409912]
        >>> dist.double().sample(3).dtype
        torch.float64
    """

    def __init__(self, shape: int | Sequence[int]):
        super().__init__()
        self.shape = as_event_shape(type(self).__name__, shape)
        self.register_buffer("buffer", torch.zeros(1))

    def extra_repr(self) -> str:
        return f"shape={tuple(self.shape)}"

    def _log_prob(self, x: Tensor) -> Tensor:
        # Elementwise then summed, as torch.distributions.Normal (identical float32 values).
        return sum_except_batch(-0.5 * x**2 - _HALF_LOG_TWO_PI)

    def log_prob(self, x: Tensor) -> Tensor:
        check_event_shape(type(self).__name__, x, self.shape)
        return self._log_prob(x)

    def sample(self, num_samples: int) -> Tensor:
        return torch.randn(
            num_samples, *self.shape, device=self.buffer.device, dtype=self.buffer.dtype
        )

    def sample_with_log_prob(self, num_samples: int) -> tuple[Tensor, Tensor]:
        z = self.sample(num_samples)
        return z, self._log_prob(z)


class DiagonalNormal(Distribution):
    r"""Normal with learned mean ``loc`` and log standard deviation ``log_scale`` (both ``shape``).

    .. math:: \log p(x) = \sum_i \Big[-\log \sigma_i - \tfrac12 \log 2\pi
              - \tfrac12 \big((x_i - \mu_i) / \sigma_i\big)^2\Big],
              \quad \sigma = \exp(\text{log\_scale}).

    Initialised to :math:`\mathcal{N}(0, I)`. Samples are reparametrized
    (:math:`\mu + \sigma \epsilon`, :math:`\mu` = ``loc``), so gradients flow to the parameters.
    ``log_prob`` follows type promotion of the input and the parameters (a float64 input or
    module gives float64).

    Args:
        shape: event shape.

    Example:
        >>> import torch
        >>> dist = DiagonalNormal((2,))
        >>> z, log_prob = dist.sample_with_log_prob(4)
        >>> torch.allclose(log_prob, dist.log_prob(z))
        True
    """

    def __init__(self, shape: int | Sequence[int]):
        super().__init__()
        self.shape = as_event_shape(type(self).__name__, shape)
        self.loc = nn.Parameter(torch.zeros(self.shape))
        self.log_scale = nn.Parameter(torch.zeros(self.shape))

    def extra_repr(self) -> str:
        return f"shape={tuple(self.shape)}"

    def _log_prob_from_noise(self, eps: Tensor) -> Tensor:
        # log N(x; loc, scale) written in the standardised variable eps = (x - loc) / scale; a
        # log-scale shared over positions (ConvNormal2d) counts once per position it covers.
        repeats = self.shape.numel() // self.log_scale.numel()
        return (
            sum_except_batch(-0.5 * eps**2)
            - repeats * self.log_scale.sum()
            - self.shape.numel() * _HALF_LOG_TWO_PI
        )

    def log_prob(self, x: Tensor) -> Tensor:
        check_event_shape(type(self).__name__, x, self.shape)
        return self._log_prob_from_noise((x - self.loc) * torch.exp(-self.log_scale))

    def sample(self, num_samples: int) -> Tensor:
        return self.sample_with_log_prob(num_samples)[0]

    def sample_with_log_prob(self, num_samples: int) -> tuple[Tensor, Tensor]:
        eps = torch.randn(num_samples, *self.shape, device=self.loc.device, dtype=self.loc.dtype)
        z = self.loc + torch.exp(self.log_scale) * eps
        return z, self._log_prob_from_noise(eps)


class ConvNormal2d(DiagonalNormal):
    """Normal on images ``(C, H, W)`` with a learned mean and log-std per channel.

    Same density as :class:`DiagonalNormal`, with ``loc`` and ``log_scale`` of shape
    ``(1, C, 1, 1)`` shared over the spatial positions.

    Args:
        shape: event shape ``(C, H, W)``.

    Example:
        >>> import torch
        >>> dist = ConvNormal2d((3, 4, 4))
        >>> dist.loc.shape, dist.sample(2).shape
        (torch.Size([1, 3, 1, 1]), torch.Size([2, 3, 4, 4]))
    """

    def __init__(self, shape: Sequence[int]):
        Distribution.__init__(self)
        self.shape = as_event_shape(type(self).__name__, shape)
        if len(self.shape) != 3:
            raise ShapeError(
                f"ConvNormal2d: expected an image event shape (C, H, W), got {tuple(self.shape)}"
            )
        self.loc = nn.Parameter(torch.zeros(1, self.shape[0], 1, 1))
        self.log_scale = nn.Parameter(torch.zeros(1, self.shape[0], 1, 1))
