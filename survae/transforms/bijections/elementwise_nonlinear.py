"""Elementwise logit, sigmoid and inverse-softplus bijections (data pre-processing)."""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from torch import Tensor

from survae.transforms.bijections.base import Bijection
from survae.utils.tensors import sum_except_batch
from survae.utils.validation import is_validating


class _LogisticBijection(Bijection):
    """Arguments shared by :class:`Logit` and :class:`Sigmoid`: temperature, clamp, alpha."""

    def __init__(self, temperature: float, eps: float, alpha: float):
        super().__init__()
        if temperature <= 0:
            raise ValueError(f"{type(self).__name__}: temperature must be > 0, got {temperature}")
        if not 0.0 <= alpha < 0.5:
            raise ValueError(f"{type(self).__name__}: alpha must be in [0, 0.5), got {alpha}")
        self.temperature = float(temperature)
        self.eps = float(eps)
        self.alpha = float(alpha)

    def extra_repr(self) -> str:
        return f"temperature={self.temperature}, eps={self.eps}, alpha={self.alpha}"


class Logit(_LogisticBijection):
    """Elementwise logit for data in ``(0, 1)``, with the RealNVP ``alpha`` squeeze.

    - forward: ``y = alpha + (1 - 2 alpha) x``, ``z = logit(y) / T``;
    - inverse: ``x = (sigmoid(T z) - alpha) / (1 - 2 alpha)``;
    - log-det: ``sum[log(1 - 2 alpha) - log T - log y - log(1 - y)]``.

    With ``alpha > 0`` (RealNVP uses 0.05 for dequantized images) the input never reaches the
    infinite ends of the logit; ``eps`` clamps ``y`` to ``[eps, 1 - eps]`` (as the official layer).

    Args:
        temperature: ``T > 0``.
        eps: clamp for numerical safety.
        alpha: keyword-only squeeze ``0 <= alpha < 0.5``.

    Example:
        >>> import torch
        >>> layer = Logit(alpha=0.05)
        >>> x = torch.rand(4, 3)
        >>> z, ldj = layer(x)
        >>> torch.allclose(layer.inverse(z), x, atol=1e-5)
        True

    Reference: Dinh et al., 2017 (RealNVP, Section 4.1).
    """

    def __init__(self, temperature: float = 1.0, eps: float = 1e-6, *, alpha: float = 0.0):
        super().__init__(temperature, eps, alpha)

    def _log_det(self, y: Tensor) -> Tensor:
        const = math.log1p(-2 * self.alpha) - math.log(self.temperature)
        return sum_except_batch(const - torch.log(y) - torch.log1p(-y))

    def forward(self, x: Tensor) -> tuple[Tensor, Tensor]:
        if is_validating() and not bool(((x >= 0) & (x <= 1)).all()):
            raise ValueError(f"{self.layer_name}: expected input values in [0, 1]")
        y = (self.alpha + (1 - 2 * self.alpha) * x).clamp(self.eps, 1 - self.eps)
        z = (torch.log(y) - torch.log1p(-y)) / self.temperature
        return z, self._log_det(y)

    def inverse(self, z: Tensor) -> Tensor:
        return (torch.sigmoid(self.temperature * z) - self.alpha) / (1 - 2 * self.alpha)

    def inverse_and_ldj(self, z: Tensor) -> tuple[Tensor, Tensor]:
        t = self.temperature * z
        y = torch.sigmoid(t)
        const = math.log1p(-2 * self.alpha) - math.log(self.temperature)
        # -log y - log(1 - y) = softplus(-t) + softplus(t), stable for large |t|
        ldj = sum_except_batch(const + F.softplus(-t) + F.softplus(t))
        return (y - self.alpha) / (1 - 2 * self.alpha), ldj


class Sigmoid(_LogisticBijection):
    """Elementwise sigmoid, the inverse of :class:`Logit`.

    - forward: ``y = sigmoid(T x)``, ``z = (y - alpha) / (1 - 2 alpha)``;
    - inverse: ``x = logit(alpha + (1 - 2 alpha) z) / T``;
    - log-det: ``sum[log T - softplus(-T x) - softplus(T x) - log(1 - 2 alpha)]``.

    Args:
        temperature: ``T > 0``.
        eps: clamp of the inverse's input to ``[eps, 1 - eps]``.
        alpha: keyword-only squeeze ``0 <= alpha < 0.5``.

    Example:
        >>> import torch
        >>> layer = Sigmoid()
        >>> x = torch.randn(4, 3)
        >>> torch.allclose(layer.inverse(layer(x)[0]), x, atol=1e-5)
        True
    """

    def __init__(self, temperature: float = 1.0, eps: float = 0.0, *, alpha: float = 0.0):
        super().__init__(temperature, eps, alpha)

    def _log_det(self, t: Tensor) -> Tensor:
        const = math.log(self.temperature) - math.log1p(-2 * self.alpha)
        return sum_except_batch(const - F.softplus(-t) - F.softplus(t))

    def forward(self, x: Tensor) -> tuple[Tensor, Tensor]:
        t = self.temperature * x
        z = (torch.sigmoid(t) - self.alpha) / (1 - 2 * self.alpha)
        return z, self._log_det(t)

    def _logit(self, z: Tensor) -> Tensor:
        y = self.alpha + (1 - 2 * self.alpha) * z
        if self.eps > 0:
            y = y.clamp(self.eps, 1 - self.eps)
        return torch.log(y) - torch.log1p(-y)

    def inverse(self, z: Tensor) -> Tensor:
        return self._logit(z) / self.temperature

    def inverse_and_ldj(self, z: Tensor) -> tuple[Tensor, Tensor]:
        t = self._logit(z)
        return t / self.temperature, self._log_det(t)


class SoftplusInverse(Bijection):
    """Elementwise inverse softplus, mapping ``(0, inf)`` to the real line.

    - forward: ``z = log(exp(x) - 1) = x + log(1 - exp(-x))``;
    - inverse: ``x = softplus(z) = log(1 + exp(z))``;
    - log-det: ``sum -log(1 - exp(-x))``.

    Args:
        eps: inputs are clamped to ``[eps, inf)``.

    Example:
        >>> import torch
        >>> layer = SoftplusInverse()
        >>> x = torch.rand(3, 2) + 0.1
        >>> torch.allclose(layer.inverse(layer(x)[0]), x, atol=1e-6)
        True
    """

    def __init__(self, eps: float = 1e-7):
        super().__init__()
        self.eps = float(eps)

    def extra_repr(self) -> str:
        return f"eps={self.eps}"

    def forward(self, x: Tensor) -> tuple[Tensor, Tensor]:
        if is_validating() and not bool((x > 0).all()):
            raise ValueError(f"{self.layer_name}: expected positive input values")
        x = x.clamp(min=self.eps)
        log_one_minus = torch.log(-torch.expm1(-x))
        return x + log_one_minus, sum_except_batch(-log_one_minus)

    def inverse(self, z: Tensor) -> Tensor:
        return F.softplus(z)

    def inverse_and_ldj(self, z: Tensor) -> tuple[Tensor, Tensor]:
        # -log(1 - exp(-x)) at x = softplus(z) equals softplus(-z).
        return F.softplus(z), sum_except_batch(F.softplus(-z))
