"""Autoregressive bijections on images (PixelCNN conditioners), official names and arguments.

The conditioner (e.g. :class:`~survae.nn.nets.PixelCNN`) maps ``x`` ``(B, C, H, W)`` to
``(B, C, H, W, P)`` parameters, those of value ``(c, h, w)`` depending on earlier values only.

- forward (density direction): one conditioner pass, elementwise map, log-det summed;
- inverse: raster order, one conditioner pass per position (``'raster_wh'``: all channels of a
  pixel at once, for conditioners whose channels of a pixel are independent given earlier pixels)
  or per value (``'raster_cwh'``: channel by channel within each pixel, for PixelCNN's channel
  masks). This loop is the only one over dimensions; it is vectorized over the batch.
"""

from __future__ import annotations

from collections.abc import Callable

import torch
from torch import Tensor, nn

from survae.transforms.bijections.base import Bijection, ConditionalBijection
from survae.transforms.bijections.coupling import ScaleFn, _AffineTransformer, resolve_scale_fn
from survae.transforms.bijections.spline_transformers import (
    CubicSplineTransformer,
    LinearSplineTransformer,
    QuadraticSplineTransformer,
    RationalQuadraticSplineTransformer,
)

ORDERS = ("raster_cwh", "raster_wh")


class AutoregressiveBijection2d(Bijection):
    """Base class (see the module docstring).

    Args:
        autoregressive_net: the masked conditioner.
        autoregressive_order: ``'raster_cwh'`` (default) or ``'raster_wh'``.
    """

    recompute_by_inverse = False  # iterative inverse: memory saving keeps the input

    def __init__(self, autoregressive_net: nn.Module, autoregressive_order: str = "raster_cwh"):
        super().__init__()
        if autoregressive_order not in ORDERS:
            raise ValueError(f"{type(self).__name__}: autoregressive_order must be one of "
                             f"{ORDERS}, got {autoregressive_order!r}")
        self.autoregressive_net = autoregressive_net
        self.autoregressive_order = autoregressive_order

    def extra_repr(self) -> str:
        return f"autoregressive_order={self.autoregressive_order!r}"

    def _num_params(self) -> int:
        raise NotImplementedError

    def _params(self, x: Tensor) -> Tensor:
        return _checked_params(self, x, self.autoregressive_net(x) if x.dim() == 4 else None)

    def forward(self, x: Tensor) -> tuple[Tensor, Tensor]:
        return self._elementwise_forward(x, self._params(x))

    def inverse(self, z: Tensor) -> Tensor:
        return _raster_inverse(self, z, self._params)

    def inverse_and_ldj(self, z: Tensor) -> tuple[Tensor, Tensor]:
        x = self.inverse(z)
        return x, self.forward(x)[1]


def _checked_params(layer, x: Tensor, params: Tensor | None) -> Tensor:
    """The conditioner's output, checked to be ``(*x.shape, P)`` (``P = 1`` may be dropped)."""
    if x.dim() != 4 or params is None:
        raise ValueError(f"{layer.layer_name}: expected images (batch, C, H, W), got shape "
                         f"{tuple(x.shape)}")
    if layer._num_params() == 1 and params.shape == x.shape:
        params = params.unsqueeze(-1)  # ElementwiseParams2d(1) drops the parameter axis
    expected = (*x.shape, layer._num_params())
    if tuple(params.shape) != expected:
        raise ValueError(f"{layer.layer_name}: autoregressive_net must return parameters of "
                         f"shape {expected}, got {tuple(params.shape)}")
    return params


def _raster_inverse(layer, z: Tensor, params_of: Callable[[Tensor], Tensor]) -> Tensor:
    """Fill ``x`` in raster order (per value or per pixel), one conditioner pass per step."""
    x = torch.zeros_like(z)
    _, c, h, w = z.shape
    groups = ([[k] for k in range(c)] if layer.autoregressive_order == "raster_cwh"
              else [list(range(c))])
    for i in range(h):
        for j in range(w):
            for group in groups:
                params = params_of(x)[:, group, i, j]
                value, _ = layer._elementwise_inverse(z[:, group, i, j], params)
                x = x.clone()
                x[:, group, i, j] = value
    return x


class AdditiveAutoregressiveBijection2d(AutoregressiveBijection2d):
    """``z = x + t(x_<)``; log-det 0. Net output ``(B, C, H, W, 1)``.

    Example:
        >>> import torch
        >>> from survae.nn.nets import PixelCNN
        >>> net = PixelCNN(1, 1, filters=4, num_blocks=1, output_filters=8, kernel_size_in=3)
        >>> layer = AdditiveAutoregressiveBijection2d(net)
        >>> x = torch.rand(2, 1, 3, 3)
        >>> torch.allclose(layer.inverse(layer(x)[0]), x, atol=1e-5)
        True
    """

    def _num_params(self) -> int:
        return 1

    def _elementwise_forward(self, x: Tensor, params: Tensor) -> tuple[Tensor, Tensor]:
        return x + params[..., 0], x.new_zeros(x.shape[0])

    def _elementwise_inverse(self, z: Tensor, params: Tensor) -> tuple[Tensor, Tensor]:
        return z - params[..., 0], z.new_zeros(z.shape[0])


class AffineAutoregressiveBijection2d(AutoregressiveBijection2d):
    """``z = s(x_<) x + t(x_<)``, ``s = scale_fn(u)``; log-det ``sum log s``. Net output
    ``(B, C, H, W, 2)`` (``u`` then ``t``).

    Example:
        >>> import torch
        >>> from survae.nn.nets import PixelCNN
        >>> net = PixelCNN(1, 2, filters=4, num_blocks=1, output_filters=8, kernel_size_in=3)
        >>> layer = AffineAutoregressiveBijection2d(net, scale_fn="tanh_exp")
        >>> x = torch.rand(2, 1, 3, 3)
        >>> torch.allclose(layer.inverse(layer(x)[0]), x, atol=1e-5)
        True
    """

    def __init__(self, autoregressive_net: nn.Module, autoregressive_order: str = "raster_cwh",
                 scale_fn: str | ScaleFn | Callable[[Tensor], Tensor] = torch.exp):
        super().__init__(autoregressive_net, autoregressive_order)
        self.scale_fn = resolve_scale_fn(scale_fn)

    def _num_params(self) -> int:
        return 2

    _scale_shift = _AffineTransformer._scale_shift
    _elementwise_forward = _AffineTransformer._elementwise_forward
    _elementwise_inverse = _AffineTransformer._elementwise_inverse


class _SplineAutoregressive2d(AutoregressiveBijection2d):
    def __init__(self, autoregressive_net: nn.Module, num_bins: int,
                 autoregressive_order: str = "raster_cwh", *, tail_bound: float | None = None,
                 tails: str | None = "linear"):
        super().__init__(autoregressive_net, autoregressive_order)
        self._init_spline(num_bins, tail_bound, tails)


class LinearSplineAutoregressiveBijection2d(LinearSplineTransformer, _SplineAutoregressive2d):
    """Piecewise-linear spline per value with PixelCNN parameters (``K`` per value).

    Example:
        >>> import torch
        >>> from survae.nn.nets import PixelCNN
        >>> net = PixelCNN(1, 4, filters=4, num_blocks=1, output_filters=8, kernel_size_in=3)
        >>> layer = LinearSplineAutoregressiveBijection2d(net, num_bins=4)
        >>> x = torch.rand(2, 1, 3, 3)
        >>> torch.allclose(layer.inverse(layer(x)[0]), x, atol=1e-5)
        True
    """


class QuadraticSplineAutoregressiveBijection2d(
    QuadraticSplineTransformer, _SplineAutoregressive2d
):
    """Piecewise-quadratic spline per value with PixelCNN parameters.

    Example:
        >>> import torch
        >>> from survae.nn.nets import PixelCNN
        >>> net = PixelCNN(1, 2 * 4 - 1, filters=4, num_blocks=1, output_filters=8,
        ...                kernel_size_in=3)
        >>> layer = QuadraticSplineAutoregressiveBijection2d(net, 4, tail_bound=2.0)
        >>> x = torch.randn(2, 1, 3, 3)
        >>> torch.allclose(layer.inverse(layer(x)[0]), x, atol=1e-4)
        True
    """


class CubicSplineAutoregressiveBijection2d(CubicSplineTransformer, _SplineAutoregressive2d):
    """Piecewise-cubic spline per value with PixelCNN parameters.

    Example:
        >>> import torch
        >>> from survae.nn.nets import PixelCNN
        >>> net = PixelCNN(1, 2 * 4 + 2, filters=4, num_blocks=1, output_filters=8,
        ...                kernel_size_in=3)
        >>> layer = CubicSplineAutoregressiveBijection2d(net, 4).double()
        >>> x = torch.rand(2, 1, 3, 3, dtype=torch.float64)
        >>> torch.allclose(layer.inverse(layer(x)[0]), x, atol=1e-6)
        True
    """


class RationalQuadraticSplineAutoregressiveBijection2d(
    RationalQuadraticSplineTransformer, AutoregressiveBijection2d
):
    """Rational-quadratic spline with PixelCNN parameters (tails as the other spline layers).

    Example:
        >>> import torch
        >>> from survae.nn.nets import PixelCNN
        >>> net = PixelCNN(1, 3 * 4 - 1, filters=4, num_blocks=1, output_filters=8,
        ...                kernel_size_in=3)
        >>> layer = RationalQuadraticSplineAutoregressiveBijection2d(net, 4, tail_bound=2.0)
        >>> x = torch.randn(2, 1, 3, 3)
        >>> torch.allclose(layer.inverse(layer(x)[0]), x, atol=1e-4)
        True
    """

    def __init__(self, autoregressive_net: nn.Module, num_bins: int,
                 autoregressive_order: str = "raster_cwh", *, tail_bound: float | None = None,
                 tails: str | None = "linear"):
        super().__init__(autoregressive_net, autoregressive_order)
        self._init_spline(num_bins, tail_bound, tails)


class ConditionalAutoregressiveBijection2d(ConditionalBijection):
    """Conditional version of :class:`AutoregressiveBijection2d`: the conditioner is called as
    ``autoregressive_net(x, context=context)`` (e.g. :class:`~survae.nn.nets.ConditionalPixelCNN`);
    forward one pass, inverse in raster order (official name and arguments)."""

    def __init__(self, autoregressive_net: nn.Module, autoregressive_order: str = "raster_cwh"):
        super().__init__()
        if autoregressive_order not in ORDERS:
            raise ValueError(f"{type(self).__name__}: autoregressive_order must be one of "
                             f"{ORDERS}, got {autoregressive_order!r}")
        self.autoregressive_net = autoregressive_net
        self.autoregressive_order = autoregressive_order

    def extra_repr(self) -> str:
        return f"autoregressive_order={self.autoregressive_order!r}"

    def _params(self, x: Tensor, context: Tensor) -> Tensor:
        net_out = self.autoregressive_net(x, context=context) if x.dim() == 4 else None
        return _checked_params(self, x, net_out)

    def forward(self, x: Tensor, context: Tensor) -> tuple[Tensor, Tensor]:
        return self._elementwise_forward(x, self._params(x, context))

    def inverse(self, z: Tensor, context: Tensor) -> Tensor:
        return _raster_inverse(self, z, lambda x: self._params(x, context))

    def inverse_and_ldj(self, z: Tensor, context: Tensor) -> tuple[Tensor, Tensor]:
        x = self.inverse(z, context)
        return x, self.forward(x, context)[1]


class ConditionalAdditiveAutoregressiveBijection2d(ConditionalAutoregressiveBijection2d):
    """``z = x + t(x_<, c)``; log-det 0.

    Example:
        >>> import torch
        >>> from survae.nn.nets import ConditionalPixelCNN
        >>> net = ConditionalPixelCNN(1, 1, context_channels=1, filters=4, num_blocks=1,
        ...                           output_filters=8, kernel_size_in=3)
        >>> layer = ConditionalAdditiveAutoregressiveBijection2d(net)
        >>> x, c = torch.rand(2, 1, 3, 3), torch.randn(2, 1, 3, 3)
        >>> torch.allclose(layer.inverse(layer(x, c)[0], c), x, atol=1e-5)
        True
    """

    _num_params = AdditiveAutoregressiveBijection2d._num_params
    _elementwise_forward = AdditiveAutoregressiveBijection2d._elementwise_forward
    _elementwise_inverse = AdditiveAutoregressiveBijection2d._elementwise_inverse


class ConditionalAffineAutoregressiveBijection2d(ConditionalAutoregressiveBijection2d):
    """``z = s(x_<, c) x + t(x_<, c)``; log-det ``sum log s``.

    Example:
        >>> import torch
        >>> from survae.nn.nets import ConditionalPixelCNN
        >>> net = ConditionalPixelCNN(1, 2, context_channels=2, filters=4, num_blocks=1,
        ...                           output_filters=8, kernel_size_in=3)
        >>> layer = ConditionalAffineAutoregressiveBijection2d(net)
        >>> x, c = torch.rand(2, 1, 3, 3), torch.randn(2, 2, 3, 3)
        >>> torch.allclose(layer.inverse(layer(x, c)[0], c), x, atol=1e-5)
        True
    """

    def __init__(self, autoregressive_net: nn.Module, autoregressive_order: str = "raster_cwh",
                 scale_fn: str | ScaleFn | Callable[[Tensor], Tensor] = torch.exp):
        super().__init__(autoregressive_net, autoregressive_order)
        self.scale_fn = resolve_scale_fn(scale_fn)

    def _num_params(self) -> int:
        return 2

    _scale_shift = _AffineTransformer._scale_shift
    _elementwise_forward = _AffineTransformer._elementwise_forward
    _elementwise_inverse = _AffineTransformer._elementwise_inverse


class _ConditionalSplineAutoregressive2d(ConditionalAutoregressiveBijection2d):
    def __init__(self, autoregressive_net: nn.Module, num_bins: int,
                 autoregressive_order: str = "raster_cwh", *, tail_bound: float | None = None,
                 tails: str | None = "linear"):
        super().__init__(autoregressive_net, autoregressive_order)
        self._init_spline(num_bins, tail_bound, tails)


class ConditionalLinearSplineAutoregressiveBijection2d(
    LinearSplineTransformer, _ConditionalSplineAutoregressive2d
):
    """Conditional piecewise-linear spline per value (conditioner ``net(x, context=c)``).

    Example:
        >>> import torch
        >>> from survae.nn.nets import ConditionalPixelCNN
        >>> net = ConditionalPixelCNN(1, 4, context_channels=1, filters=4, num_blocks=1,
        ...                           output_filters=8, kernel_size_in=3)
        >>> layer = ConditionalLinearSplineAutoregressiveBijection2d(net, 4)
        >>> x, c = torch.rand(2, 1, 3, 3), torch.randn(2, 1, 3, 3)
        >>> torch.allclose(layer.inverse(layer(x, c)[0], c), x, atol=1e-5)
        True
    """


class ConditionalQuadraticSplineAutoregressiveBijection2d(
    QuadraticSplineTransformer, _ConditionalSplineAutoregressive2d
):
    """Conditional piecewise-quadratic spline per value.

    Example:
        >>> import torch
        >>> from survae.nn.nets import ConditionalPixelCNN
        >>> net = ConditionalPixelCNN(1, 7, context_channels=1, filters=4, num_blocks=1,
        ...                           output_filters=8, kernel_size_in=3)
        >>> layer = ConditionalQuadraticSplineAutoregressiveBijection2d(net, 4, tail_bound=2.0)
        >>> x, c = torch.randn(2, 1, 3, 3), torch.randn(2, 1, 3, 3)
        >>> torch.allclose(layer.inverse(layer(x, c)[0], c), x, atol=1e-5)
        True
    """


class ConditionalCubicSplineAutoregressiveBijection2d(
    CubicSplineTransformer, _ConditionalSplineAutoregressive2d
):
    """Conditional piecewise-cubic spline per value.

    Example:
        >>> import torch
        >>> from survae.nn.nets import ConditionalPixelCNN
        >>> net = ConditionalPixelCNN(1, 10, context_channels=1, filters=4, num_blocks=1,
        ...                           output_filters=8, kernel_size_in=3)
        >>> layer = ConditionalCubicSplineAutoregressiveBijection2d(net, 4).double()
        >>> x = torch.rand(2, 1, 3, 3, dtype=torch.float64)
        >>> c = torch.randn(2, 1, 3, 3, dtype=torch.float64)
        >>> torch.allclose(layer.inverse(layer(x, c)[0], c), x, atol=1e-5)
        True
    """


class ConditionalRationalQuadraticSplineAutoregressiveBijection2d(
    RationalQuadraticSplineTransformer, _ConditionalSplineAutoregressive2d
):
    """Conditional rational-quadratic spline per value (official name and arguments).

    Example:
        >>> import torch
        >>> from survae.nn.nets import ConditionalPixelCNN
        >>> net = ConditionalPixelCNN(1, 3 * 4 + 1, context_channels=1, filters=4,
        ...                           num_blocks=1, output_filters=8, kernel_size_in=3)
        >>> layer = ConditionalRationalQuadraticSplineAutoregressiveBijection2d(net, 4)
        >>> x, c = torch.rand(2, 1, 3, 3), torch.randn(2, 1, 3, 3)
        >>> torch.allclose(layer.inverse(layer(x, c)[0], c), x, atol=1e-5)
        True
    """
