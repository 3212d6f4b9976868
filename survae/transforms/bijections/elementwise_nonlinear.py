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
        self._temperature = float(temperature)
        self.eps = float(eps)
        self.alpha = float(alpha)
        # The official buffer (so official state dicts load); computations use the float.
        self.register_buffer("temperature", torch.tensor([self._temperature],
                                                         dtype=torch.float64))

    def _load_from_state_dict(self, state_dict, prefix, *args, **kwargs):
        super()._load_from_state_dict(state_dict, prefix, *args, **kwargs)
        self._temperature = float(self.temperature)
        if self._temperature <= 0:
            raise ValueError(f"{type(self).__name__}: loaded temperature must be > 0, got "
                             f"{self._temperature}")

    def extra_repr(self) -> str:
        return f"temperature={self._temperature}, eps={self.eps}, alpha={self.alpha}"


class Logit(_LogisticBijection):
    r"""Elementwise logit for data in ``(0, 1)``, with the RealNVP ``alpha`` squeeze.

    - forward: :math:`y = \alpha + (1 - 2\alpha) x`, :math:`z = \operatorname{logit}(y) / T`;
    - inverse: :math:`x = (\sigma(T z) - \alpha) / (1 - 2\alpha)`, :math:`\sigma` the logistic
      sigmoid;
    - log-det: :math:`\sum_i [\log(1 - 2\alpha) - \log T - \log y_i - \log(1 - y_i)]`.

    With :math:`\alpha > 0` (RealNVP uses 0.05 for dequantized images) the input never reaches
    the infinite ends of the logit; ``eps`` clamps :math:`y` to :math:`[\epsilon, 1 - \epsilon]`
    (as the official layer).

    Args:
        temperature: :math:`T > 0`.
        eps: clamp for numerical safety.
        alpha: keyword-only squeeze :math:`0 \le \alpha < 0.5`.

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
        const = math.log1p(-2 * self.alpha) - math.log(self._temperature)
        return sum_except_batch(const - torch.log(y) - torch.log1p(-y))

    def forward(self, x: Tensor) -> tuple[Tensor, Tensor]:
        if is_validating() and not bool(((x >= 0) & (x <= 1)).all()):
            raise ValueError(f"{self.layer_name}: expected input values in [0, 1]")
        y = (self.alpha + (1 - 2 * self.alpha) * x).clamp(self.eps, 1 - self.eps)
        z = (torch.log(y) - torch.log1p(-y)) / self._temperature
        return z, self._log_det(y)

    def inverse(self, z: Tensor) -> Tensor:
        return (torch.sigmoid(self._temperature * z) - self.alpha) / (1 - 2 * self.alpha)

    def inverse_and_ldj(self, z: Tensor) -> tuple[Tensor, Tensor]:
        t = self._temperature * z
        y = torch.sigmoid(t)
        const = math.log1p(-2 * self.alpha) - math.log(self._temperature)
        # -log y - log(1 - y) = softplus(-t) + softplus(t), stable for large |t|
        ldj = sum_except_batch(const + F.softplus(-t) + F.softplus(t))
        return (y - self.alpha) / (1 - 2 * self.alpha), ldj


class Sigmoid(_LogisticBijection):
    r"""Elementwise sigmoid, the inverse of :class:`Logit`.

    - forward: :math:`y = \sigma(T x)`, :math:`z = (y - \alpha) / (1 - 2\alpha)`;
    - inverse: :math:`x = \operatorname{logit}(\alpha + (1 - 2\alpha) z) / T`;
    - log-det: :math:`\sum_i [\log T - \operatorname{softplus}(-T x_i)
      - \operatorname{softplus}(T x_i) - \log(1 - 2\alpha)]`.

    Args:
        temperature: :math:`T > 0`.
        eps: clamp of the inverse's input (after the squeeze) to
            :math:`[\epsilon, 1 - \epsilon]`.
        alpha: keyword-only squeeze :math:`0 \le \alpha < 0.5`.

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
        const = math.log(self._temperature) - math.log1p(-2 * self.alpha)
        return sum_except_batch(const - F.softplus(-t) - F.softplus(t))

    def forward(self, x: Tensor) -> tuple[Tensor, Tensor]:
        t = self._temperature * x
        z = (torch.sigmoid(t) - self.alpha) / (1 - 2 * self.alpha)
        return z, self._log_det(t)

    def _logit(self, z: Tensor) -> Tensor:
        y = self.alpha + (1 - 2 * self.alpha) * z
        if self.eps > 0:
            y = y.clamp(self.eps, 1 - self.eps)
        return torch.log(y) - torch.log1p(-y)

    def _check_inverse_input(self, z: Tensor) -> None:
        if is_validating() and not bool(((z >= 0) & (z <= 1)).all()):
            raise ValueError(f"{self.layer_name}: expected values in [0, 1] to invert")

    def inverse(self, z: Tensor) -> Tensor:
        self._check_inverse_input(z)
        return self._logit(z) / self._temperature

    def inverse_and_ldj(self, z: Tensor) -> tuple[Tensor, Tensor]:
        self._check_inverse_input(z)
        t = self._logit(z)
        return t / self._temperature, self._log_det(t)


class SoftplusInverse(Bijection):
    r"""Elementwise inverse softplus, mapping :math:`(0, \infty)` to the real line.

    - forward: :math:`z = \log(e^x - 1) = x + \log(1 - e^{-x})`;
    - inverse: :math:`x = \operatorname{softplus}(z) = \log(1 + e^z)`;
    - log-det: :math:`-\sum_i \log(1 - e^{-x_i})`.

    Args:
        eps: inputs are clamped to :math:`[\epsilon, \infty)`.

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


class _Elementwise(Bijection):
    """Elementwise bijection from ``_forward(x) -> (z, log|dz/dx| elementwise)`` and ``_inverse``.

    Subclasses give both directions' elementwise log-derivatives so that ``inverse_and_ldj`` costs
    no extra pass.
    """

    def _forward(self, x: Tensor) -> tuple[Tensor, Tensor]:
        raise NotImplementedError

    def _inverse(self, z: Tensor) -> tuple[Tensor, Tensor]:
        """``x`` and ``log|dz/dx|`` at that ``x``, elementwise."""
        raise NotImplementedError

    def forward(self, x: Tensor) -> tuple[Tensor, Tensor]:
        z, log_derivative = self._forward(x)
        return z, sum_except_batch(log_derivative)

    def inverse(self, z: Tensor) -> Tensor:
        return self._inverse(z)[0]

    def inverse_and_ldj(self, z: Tensor) -> tuple[Tensor, Tensor]:
        x, log_derivative = self._inverse(z)
        return x, sum_except_batch(log_derivative)


class Tanh(_Elementwise):
    r"""Elementwise :math:`z = \tanh(x)` onto :math:`(-1, 1)`.

    - inverse: :math:`x = \operatorname{artanh}(z)`;
    - log-det: :math:`\sum_i \log(1 - \tanh^2 x_i)
      = \sum_i 2 (\log 2 - x_i - \operatorname{softplus}(-2 x_i))` (exact for large
      :math:`|x|`, where the naive form underflows to :math:`-\infty`).

    Example:
        >>> import torch
        >>> layer = Tanh()
        >>> x = torch.randn(3, 2)
        >>> torch.allclose(layer.inverse(layer(x)[0]), x, atol=1e-5)
        True
    """

    @staticmethod
    def _log_derivative(x: Tensor) -> Tensor:
        return 2 * (math.log(2.0) - x - F.softplus(-2 * x))

    def _forward(self, x: Tensor) -> tuple[Tensor, Tensor]:
        return torch.tanh(x), self._log_derivative(x)

    def _inverse(self, z: Tensor) -> tuple[Tensor, Tensor]:
        if is_validating() and not bool((z.abs() < 1).all()):
            raise ValueError(f"{self.layer_name}: expected values in (-1, 1) to invert")
        x = torch.atanh(z)
        return x, self._log_derivative(x)


class LeakyReLU(_Elementwise):
    r"""Elementwise leaky ReLU: :math:`z = x` for :math:`x \ge 0`, :math:`z = a x` otherwise
    (:math:`a > 0`).

    - inverse: :math:`x = z` for :math:`z \ge 0`, :math:`z / a` otherwise;
    - log-det: :math:`\log a \cdot \#\{i : x_i < 0\}`.

    Args:
        negative_slope: :math:`a > 0`.

    Example:
        >>> import torch
        >>> layer = LeakyReLU(negative_slope=0.5)
        >>> z, ldj = layer(torch.tensor([[-2.0, 3.0]]))
        >>> z.tolist(), [round(v, 4) for v in ldj.tolist()]
        ([[-1.0, 3.0]], [-0.6931])
    """

    def __init__(self, negative_slope: float = 1e-2):
        super().__init__()
        if negative_slope <= 0:
            raise ValueError(f"LeakyReLU: negative_slope must be > 0, got {negative_slope}")
        self.negative_slope = float(negative_slope)
        self._log_slope = math.log(self.negative_slope)

    def extra_repr(self) -> str:
        return f"negative_slope={self.negative_slope}"

    def _forward(self, x: Tensor) -> tuple[Tensor, Tensor]:
        negative = x < 0
        return F.leaky_relu(x, self.negative_slope), negative.to(x.dtype) * self._log_slope

    def _inverse(self, z: Tensor) -> tuple[Tensor, Tensor]:
        negative = z < 0
        return F.leaky_relu(z, 1 / self.negative_slope), negative.to(z.dtype) * self._log_slope


class SneakyReLU(_Elementwise):
    r"""Smooth leaky ReLU (Finzi et al., 2019):
    :math:`z = \bigl(x + b (\sqrt{1 + x^2} - 1)\bigr) / (1 + b)` with :math:`b = (1 - a) / (1 + a)`
    for negative slope :math:`a`.

    - inverse: the positive root of the quadratic in :math:`x`;
    - log-det:
      :math:`\sum_i \bigl[\log\bigl(1 + b x_i / \sqrt{1 + x_i^2}\bigr) - \log(1 + b)\bigr]`.

    Args:
        negative_slope: asymptotic slope :math:`a` for :math:`x \to -\infty` (:math:`0 < a`).

    Example:
        >>> import torch
        >>> layer = SneakyReLU(negative_slope=0.1)
        >>> x = torch.randn(4, 3)
        >>> torch.allclose(layer.inverse(layer(x)[0]), x, atol=1e-5)
        True
    """

    def __init__(self, negative_slope: float = 0.1):
        super().__init__()
        if negative_slope <= 0:
            raise ValueError(f"SneakyReLU: negative_slope must be > 0, got {negative_slope}")
        self.negative_slope = float(negative_slope)
        self.alpha = (1 - self.negative_slope) / (1 + self.negative_slope)

    def extra_repr(self) -> str:
        return f"negative_slope={self.negative_slope}"

    def _log_derivative(self, x: Tensor) -> Tensor:
        return torch.log1p(self.alpha * x / torch.sqrt(1 + x**2)) - math.log1p(self.alpha)

    def _forward(self, x: Tensor) -> tuple[Tensor, Tensor]:
        a = self.alpha
        z = (x + a * (torch.sqrt(1 + x**2) - 1)) / (1 + a)
        return z, self._log_derivative(x)

    def _inverse(self, z: Tensor) -> tuple[Tensor, Tensor]:
        a = self.alpha
        b = (1 + a) * z + a
        x = (torch.sqrt(a**2 + a**2 * b**2 - a**4) - b) / (a**2 - 1)
        return x, self._log_derivative(x)


class Softplus(_Elementwise):
    r"""Elementwise :math:`z = \operatorname{softplus}(x) = \log(1 + e^x)` onto :math:`(0, \infty)`.

    - inverse: :math:`x = z + \log(1 - e^{-z})`;
    - log-det: :math:`\sum_i \log \sigma(x_i)`.

    Args:
        eps: the inverse clamps :math:`z` to :math:`[\epsilon, \infty)`.

    Example:
        >>> import torch
        >>> layer = Softplus()
        >>> x = torch.randn(3, 2)
        >>> z, ldj = layer(x)
        >>> bool((z > 0).all()), torch.allclose(layer.inverse(z), x, atol=1e-5)
        (True, True)
    """

    def __init__(self, eps: float = 1e-7):
        super().__init__()
        self.eps = float(eps)

    def extra_repr(self) -> str:
        return f"eps={self.eps}"

    def _forward(self, x: Tensor) -> tuple[Tensor, Tensor]:
        return F.softplus(x), F.logsigmoid(x)

    def _inverse(self, z: Tensor) -> tuple[Tensor, Tensor]:
        z = z.clamp(min=self.eps)
        x = z + torch.log(-torch.expm1(-z))
        return x, F.logsigmoid(x)


class Exp(_Elementwise):
    r"""Elementwise :math:`z = e^x` onto :math:`(0, \infty)`; inverse :math:`x = \log z`; log-det
    :math:`\sum_i x_i`.

    Example:
        >>> import torch
        >>> z, ldj = Exp()(torch.tensor([[0.0, 1.0]]))
        >>> [round(v, 4) for v in z[0].tolist()], ldj.tolist()
        ([1.0, 2.7183], [1.0])
    """

    def _forward(self, x: Tensor) -> tuple[Tensor, Tensor]:
        return torch.exp(x), x

    def _inverse(self, z: Tensor) -> tuple[Tensor, Tensor]:
        x = torch.log(z)
        return x, x


class Log(_Elementwise):
    r"""Elementwise :math:`z = \log x` for :math:`x > 0`; inverse :math:`x = e^z`; log-det
    :math:`-\sum_i \log x_i`.

    Example:
        >>> import torch
        >>> z, ldj = Log()(torch.tensor([[1.0, 2.0]]))
        >>> [round(v, 4) for v in z[0].tolist()], [round(v, 4) for v in ldj.tolist()]
        ([0.0, 0.6931], [-0.6931])
    """

    def _forward(self, x: Tensor) -> tuple[Tensor, Tensor]:
        if is_validating() and not bool((x > 0).all()):
            raise ValueError(f"{self.layer_name}: expected positive input values")
        z = torch.log(x)
        return z, -z

    def _inverse(self, z: Tensor) -> tuple[Tensor, Tensor]:
        return torch.exp(z), -z
