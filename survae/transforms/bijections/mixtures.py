"""Mixture-CDF bijections (Flow++): coupling and autoregressive layers whose elementwise map is
the CDF of a Gaussian, logistic or censored logistic mixture; inverse by batched bisection.
See :mod:`survae.transforms.bijections.functional.mixtures` for the math.

The Gaussian and logistic maps take the real line onto ``(0, 1)`` (follow them with a ``Logit``
to return to the real line, as Flow++ does); the censored logistic map takes ``[0, 1]`` onto
itself (dequantized data in ``num_bins`` bins).
"""

from __future__ import annotations

import torch
from torch import Tensor, nn

from survae.transforms.bijections.autoregressive.autoregressive import AutoregressiveBijection
from survae.transforms.bijections.autoregressive.autoregressive_2d import (
    AutoregressiveBijection2d,
    ConditionalAutoregressiveBijection2d,
)
from survae.transforms.bijections.coupling import ConditionalCouplingBijection, CouplingBijection
from survae.transforms.bijections.functional.mixtures import (
    bisection_inverse,
    censored_logistic_mixture_cdf,
    gaussian_mixture_cdf,
    logistic_mixture_cdf,
    mixture_params,
)
from survae.utils.tensors import sum_except_batch


class _MixtureTransformer:
    """The elementwise hooks shared by coupling and autoregressive mixture layers."""

    recompute_by_inverse = False  # iterative inverse: memory saving keeps the input

    num_mixtures: int
    eps: float = 1e-10
    max_iters: int = 100

    def set_bisection_params(self, eps: float = 1e-10, max_iters: int = 100) -> None:
        """Tolerance and iteration cap of the inverse's bisection (official name)."""
        self.eps, self.max_iters = float(eps), int(max_iters)

    def _num_params(self) -> int:
        return 3 * self.num_mixtures

    def _output_dim_multiplier(self) -> int:
        return self._num_params()

    def _cdf(self, x: Tensor, params: Tensor) -> tuple[Tensor, Tensor]:
        raise NotImplementedError

    def _bracket(self, z: Tensor, means: Tensor, log_scales: Tensor) -> tuple[Tensor, Tensor]:
        spread = 40 * torch.exp(log_scales)
        return (means - spread).amin(-1), (means + spread).amax(-1)

    def _elementwise_forward(self, x: Tensor, params: Tensor) -> tuple[Tensor, Tensor]:
        z, log_pdf = self._cdf(x, params)
        return z, sum_except_batch(log_pdf)

    def _elementwise_inverse(self, z: Tensor, params: Tensor) -> tuple[Tensor, Tensor]:
        _, means, log_scales = mixture_params(params, self.num_mixtures)
        lower, upper = self._bracket(z, means, log_scales)
        x = bisection_inverse(lambda v: self._cdf(v, params)[0], z, lower, upper,
                              self.eps, self.max_iters)
        return x, sum_except_batch(self._cdf(x, params)[1])

    def extra_repr(self) -> str:
        rest = super().extra_repr()  # type: ignore[misc]
        return f"num_mixtures={self.num_mixtures}" + (f", {rest}" if rest else "")


class _Gaussian(_MixtureTransformer):
    def _cdf(self, x, params):
        return gaussian_mixture_cdf(x, *mixture_params(params, self.num_mixtures))


class _Logistic(_MixtureTransformer):
    def _cdf(self, x, params):
        return logistic_mixture_cdf(x, *mixture_params(params, self.num_mixtures))


class _CensoredLogistic(_MixtureTransformer):
    num_bins: int

    def _cdf(self, x, params):
        return censored_logistic_mixture_cdf(x, *mixture_params(params, self.num_mixtures),
                                             self.num_bins)

    def _bracket(self, z, means, log_scales):
        return torch.zeros_like(z), torch.ones_like(z)


class _MixtureCoupling(CouplingBijection):
    def __init__(self, coupling_net: nn.Module, num_mixtures: int, split_dim: int = 1,
                 num_condition: int | None = None):
        super().__init__(coupling_net, split_dim=split_dim, num_condition=num_condition)
        self.num_mixtures = int(num_mixtures)
        self.set_bisection_params()


class GaussianMixtureCouplingBijection(_Gaussian, _MixtureCoupling):
    """Coupling with a Gaussian-mixture CDF: ``z_2 = F(x_2; theta(x_1))`` in ``(0, 1)``,
    log-det ``sum log F'(x_2)``, inverse by bisection (official name and arguments).

    ``coupling_net`` returns ``(*x_2.shape, 3 * num_mixtures)`` (weight logits, means,
    log-scales).

    Example:
        >>> import torch
        >>> from survae.nn.layers import ElementwiseParams
        >>> net = torch.nn.Sequential(torch.nn.Linear(1, 3 * 4), ElementwiseParams(12))
        >>> layer = GaussianMixtureCouplingBijection(net, num_mixtures=4).double()
        >>> x = torch.randn(5, 2, dtype=torch.float64)
        >>> z, ldj = layer(x)
        >>> bool(((z[:, 1] > 0) & (z[:, 1] < 1)).all()), torch.allclose(layer.inverse(z), x)
        (True, True)
    """


class LogisticMixtureCouplingBijection(_Logistic, _MixtureCoupling):
    """Coupling with a logistic-mixture CDF (Flow++): as
    :class:`GaussianMixtureCouplingBijection` with logistic components.

    Example:
        >>> import torch
        >>> from survae.nn.layers import ElementwiseParams
        >>> net = torch.nn.Sequential(torch.nn.Linear(1, 3 * 2), ElementwiseParams(6))
        >>> layer = LogisticMixtureCouplingBijection(net, num_mixtures=2).double()
        >>> x = torch.randn(4, 2, dtype=torch.float64)
        >>> torch.allclose(layer.inverse(layer(x)[0]), x)
        True
    """


class CensoredLogisticMixtureCouplingBijection(_CensoredLogistic, _MixtureCoupling):
    """Coupling with a censored logistic-mixture CDF on ``[0, 1]`` (``num_bins`` bins; see the
    functional module): ``[0, 1]`` onto itself, for dequantized data.

    Example:
        >>> import torch
        >>> from survae.nn.layers import ElementwiseParams
        >>> net = torch.nn.Sequential(torch.nn.Linear(1, 6), ElementwiseParams(6))
        >>> layer = CensoredLogisticMixtureCouplingBijection(net, 2, num_bins=16).double()
        >>> x = torch.rand(4, 2, dtype=torch.float64)
        >>> torch.allclose(layer.inverse(layer(x)[0]), x)
        True
    """

    def __init__(self, coupling_net: nn.Module, num_mixtures: int, num_bins: int,
                 split_dim: int = 1, num_condition: int | None = None):
        super().__init__(coupling_net, num_mixtures, split_dim, num_condition)
        if num_bins < 2:
            raise ValueError(f"{type(self).__name__}: num_bins must be >= 2, got {num_bins}")
        self.num_bins = int(num_bins)


class _MixtureAutoregressive(AutoregressiveBijection):
    def __init__(self, autoregressive_net: nn.Module, num_mixtures: int,
                 autoregressive_order: str = "ltr"):
        super().__init__(autoregressive_net, autoregressive_order)
        self.num_mixtures = int(num_mixtures)
        self.set_bisection_params()


class GaussianMixtureAutoregressiveBijection(_Gaussian, _MixtureAutoregressive):
    """Autoregressive Gaussian-mixture CDF layer: ``z_i = F(x_i; theta(x_{<i}))``; inverse: ``D``
    passes, each a batched bisection. Net output ``(B, D, 3 * num_mixtures)``.

    Example:
        >>> import torch
        >>> from survae.nn.nets import MADE
        >>> layer = GaussianMixtureAutoregressiveBijection(MADE(3, 3 * 2, [16]), 2).double()
        >>> x = torch.randn(4, 3, dtype=torch.float64)
        >>> torch.allclose(layer.inverse(layer(x)[0]), x)
        True
    """


class LogisticMixtureAutoregressiveBijection(_Logistic, _MixtureAutoregressive):
    """Autoregressive logistic-mixture CDF layer (as the Gaussian one, logistic components).

    Example:
        >>> import torch
        >>> from survae.nn.nets import MADE
        >>> layer = LogisticMixtureAutoregressiveBijection(MADE(2, 3 * 2, [16]), 2).double()
        >>> z, ldj = layer(torch.randn(4, 2, dtype=torch.float64))
        >>> bool(((z > 0) & (z < 1)).all()), ldj.shape
        (True, torch.Size([4]))
    """


class CensoredLogisticMixtureAutoregressiveBijection(_CensoredLogistic, _MixtureAutoregressive):
    """Autoregressive censored logistic-mixture CDF layer on ``[0, 1]``.

    Example:
        >>> import torch
        >>> from survae.nn.nets import MADE
        >>> layer = CensoredLogisticMixtureAutoregressiveBijection(MADE(2, 6, [16]), 2, num_bins=8)
        >>> x = torch.rand(4, 2, dtype=torch.float64)
        >>> torch.allclose(layer.double().inverse(layer(x)[0]), x)
        True
    """

    def __init__(self, autoregressive_net: nn.Module, num_mixtures: int, num_bins: int,
                 autoregressive_order: str = "ltr"):
        super().__init__(autoregressive_net, num_mixtures, autoregressive_order)
        if num_bins < 2:
            raise ValueError(f"{type(self).__name__}: num_bins must be >= 2, got {num_bins}")
        self.num_bins = int(num_bins)


class _ConditionalMixtureCoupling(ConditionalCouplingBijection):
    def __init__(self, coupling_net: nn.Module, num_mixtures: int,
                 context_net: nn.Module | None = None, split_dim: int = 1,
                 num_condition: int | None = None):
        super().__init__(coupling_net, context_net, split_dim=split_dim,
                         num_condition=num_condition)
        self.num_mixtures = int(num_mixtures)
        self.set_bisection_params()


class ConditionalGaussianMixtureCouplingBijection(_Gaussian, _ConditionalMixtureCoupling):
    """Conditional coupling with a Gaussian-mixture CDF: parameters from
    ``coupling_net(cat(x_1, context))`` (official name and arguments).

    Example:
        >>> import torch
        >>> from survae.nn.layers import ElementwiseParams
        >>> net = torch.nn.Sequential(torch.nn.Linear(1 + 2, 6), ElementwiseParams(6))
        >>> layer = ConditionalGaussianMixtureCouplingBijection(net, 2).double()
        >>> x, c = torch.randn(3, 2, dtype=torch.float64), torch.randn(3, 2, dtype=torch.float64)
        >>> torch.allclose(layer.inverse(layer(x, c)[0], c), x)
        True
    """


class ConditionalLogisticMixtureCouplingBijection(_Logistic, _ConditionalMixtureCoupling):
    """Conditional coupling with a logistic-mixture CDF (official name and arguments).

    Example:
        >>> import torch
        >>> from survae.nn.layers import ElementwiseParams
        >>> net = torch.nn.Sequential(torch.nn.Linear(1 + 2, 6), ElementwiseParams(6))
        >>> layer = ConditionalLogisticMixtureCouplingBijection(net, 2).double()
        >>> x, c = torch.randn(3, 2, dtype=torch.float64), torch.randn(3, 2, dtype=torch.float64)
        >>> torch.allclose(layer.inverse(layer(x, c)[0], c), x)
        True
    """


class ConditionalCensoredLogisticMixtureCouplingBijection(
    _CensoredLogistic, _ConditionalMixtureCoupling
):
    """Conditional coupling with a censored logistic-mixture CDF on ``[0, 1]``.

    Example:
        >>> import torch
        >>> from survae.nn.layers import ElementwiseParams
        >>> net = torch.nn.Sequential(torch.nn.Linear(1 + 2, 6), ElementwiseParams(6))
        >>> layer = ConditionalCensoredLogisticMixtureCouplingBijection(net, 2, num_bins=8).double()
        >>> x, c = torch.rand(3, 2, dtype=torch.float64), torch.randn(3, 2, dtype=torch.float64)
        >>> torch.allclose(layer.inverse(layer(x, c)[0], c), x)
        True
    """

    def __init__(self, coupling_net: nn.Module, num_mixtures: int, num_bins: int,
                 context_net: nn.Module | None = None, split_dim: int = 1,
                 num_condition: int | None = None):
        super().__init__(coupling_net, num_mixtures, context_net, split_dim, num_condition)
        if num_bins < 2:
            raise ValueError(f"{type(self).__name__}: num_bins must be >= 2, got {num_bins}")
        self.num_bins = int(num_bins)


class _MixtureAutoregressive2d(AutoregressiveBijection2d):
    def __init__(self, autoregressive_net: nn.Module, num_mixtures: int,
                 autoregressive_order: str = "raster_cwh"):
        super().__init__(autoregressive_net, autoregressive_order)
        self.num_mixtures = int(num_mixtures)
        self.set_bisection_params()


class GaussianMixtureAutoregressiveBijection2d(_Gaussian, _MixtureAutoregressive2d):
    """Gaussian-mixture CDF per value with PixelCNN parameters; inverse: raster order, each step
    a batched bisection.

    Example:
        >>> import torch
        >>> from survae.nn.nets import PixelCNN
        >>> net = PixelCNN(1, 6, filters=4, num_blocks=1, output_filters=8, kernel_size_in=3)
        >>> layer = GaussianMixtureAutoregressiveBijection2d(net, 2).double()
        >>> x = torch.randn(2, 1, 3, 3, dtype=torch.float64)
        >>> torch.allclose(layer.inverse(layer(x)[0]), x)
        True
    """


class LogisticMixtureAutoregressiveBijection2d(_Logistic, _MixtureAutoregressive2d):
    """Logistic-mixture CDF per value with PixelCNN parameters.

    Example:
        >>> import torch
        >>> from survae.nn.nets import PixelCNN
        >>> net = PixelCNN(1, 6, filters=4, num_blocks=1, output_filters=8, kernel_size_in=3)
        >>> layer = LogisticMixtureAutoregressiveBijection2d(net, 2).double()
        >>> z, ldj = layer(torch.randn(2, 1, 3, 3, dtype=torch.float64))
        >>> bool(((z > 0) & (z < 1)).all()), ldj.shape
        (True, torch.Size([2]))
    """


class CensoredLogisticMixtureAutoregressiveBijection2d(
    _CensoredLogistic, _MixtureAutoregressive2d
):
    """Censored logistic-mixture CDF on ``[0, 1]`` per value with PixelCNN parameters.

    Example:
        >>> import torch
        >>> from survae.nn.nets import PixelCNN
        >>> net = PixelCNN(1, 6, filters=4, num_blocks=1, output_filters=8, kernel_size_in=3)
        >>> layer = CensoredLogisticMixtureAutoregressiveBijection2d(net, 2, num_bins=16).double()
        >>> x = torch.rand(2, 1, 3, 3, dtype=torch.float64)
        >>> torch.allclose(layer.inverse(layer(x)[0]), x)
        True
    """

    def __init__(self, autoregressive_net: nn.Module, num_mixtures: int, num_bins: int,
                 autoregressive_order: str = "raster_cwh"):
        super().__init__(autoregressive_net, num_mixtures, autoregressive_order)
        if num_bins < 2:
            raise ValueError(f"{type(self).__name__}: num_bins must be >= 2, got {num_bins}")
        self.num_bins = int(num_bins)


class _ConditionalMixtureAutoregressive2d(ConditionalAutoregressiveBijection2d):
    def __init__(self, autoregressive_net: nn.Module, num_mixtures: int,
                 autoregressive_order: str = "raster_cwh"):
        super().__init__(autoregressive_net, autoregressive_order)
        self.num_mixtures = int(num_mixtures)
        self.set_bisection_params()


class ConditionalGaussianMixtureAutoregressiveBijection2d(
    _Gaussian, _ConditionalMixtureAutoregressive2d
):
    """Conditional Gaussian-mixture CDF per value (conditioner ``net(x, context=c)``).

    Example:
        >>> import torch
        >>> from survae.nn.nets import ConditionalPixelCNN
        >>> net = ConditionalPixelCNN(1, 6, context_channels=1, filters=4, num_blocks=1,
        ...                           output_filters=8, kernel_size_in=3)
        >>> layer = ConditionalGaussianMixtureAutoregressiveBijection2d(net, 2).double()
        >>> x = torch.randn(2, 1, 3, 3, dtype=torch.float64)
        >>> c = torch.randn(2, 1, 3, 3, dtype=torch.float64)
        >>> torch.allclose(layer.inverse(layer(x, c)[0], c), x)
        True
    """


class ConditionalLogisticMixtureAutoregressiveBijection2d(
    _Logistic, _ConditionalMixtureAutoregressive2d
):
    """Conditional logistic-mixture CDF per value.

    Example:
        >>> import torch
        >>> from survae.nn.nets import ConditionalPixelCNN
        >>> net = ConditionalPixelCNN(1, 6, context_channels=1, filters=4, num_blocks=1,
        ...                           output_filters=8, kernel_size_in=3)
        >>> layer = ConditionalLogisticMixtureAutoregressiveBijection2d(net, 2).double()
        >>> x = torch.randn(2, 1, 3, 3, dtype=torch.float64)
        >>> c = torch.randn(2, 1, 3, 3, dtype=torch.float64)
        >>> torch.allclose(layer.inverse(layer(x, c)[0], c), x, atol=1e-5)
        True
    """


class ConditionalCensoredLogisticMixtureAutoregressiveBijection2d(
    _CensoredLogistic, _ConditionalMixtureAutoregressive2d
):
    """Conditional censored logistic-mixture CDF on ``[0, 1]`` per value.

    Example:
        >>> import torch
        >>> from survae.nn.nets import ConditionalPixelCNN
        >>> net = ConditionalPixelCNN(1, 6, context_channels=1, filters=4, num_blocks=1,
        ...                           output_filters=8, kernel_size_in=3)
        >>> layer = ConditionalCensoredLogisticMixtureAutoregressiveBijection2d(net, 2, num_bins=16)
        >>> layer = layer.double()
        >>> x = torch.rand(2, 1, 3, 3, dtype=torch.float64)
        >>> c = torch.randn(2, 1, 3, 3, dtype=torch.float64)
        >>> torch.allclose(layer.inverse(layer(x, c)[0], c), x, atol=1e-5)
        True
    """

    def __init__(self, autoregressive_net: nn.Module, num_mixtures: int, num_bins: int,
                 autoregressive_order: str = "raster_cwh"):
        super().__init__(autoregressive_net, num_mixtures, autoregressive_order)
        if num_bins < 2:
            raise ValueError(f"{type(self).__name__}: num_bins must be >= 2, got {num_bins}")
        self.num_bins = int(num_bins)
