"""Autoregressive spline bijections and conditional autoregressive bijections.

Spline kinds (linear, quadratic, cubic, rational-quadratic) come from the transformer mixins of
:mod:`survae.transforms.bijections.spline_transformers`: the autoregressive net returns
``(B, D, P)`` with ``P`` the kind's parameter count (``layer._num_params()``), and the tails
(``tail_bound``, ``tails='linear'`` or ``'circular'``) behave as in the coupling splines. The
inverse is the ``D``-sweep of :class:`AutoregressiveBijection`.
"""

from __future__ import annotations

from collections.abc import Callable

import torch
from torch import Tensor, nn

from survae.transforms.bijections.autoregressive.autoregressive import AutoregressiveBijection
from survae.transforms.bijections.base import ConditionalBijection
from survae.transforms.bijections.coupling import ScaleFn, _AffineTransformer, resolve_scale_fn
from survae.transforms.bijections.spline_transformers import (
    CubicSplineTransformer,
    LinearSplineTransformer,
    QuadraticSplineTransformer,
    RationalQuadraticSplineTransformer,
)


class _SplineAutoregressive(AutoregressiveBijection):
    def __init__(self, autoregressive_net: nn.Module, num_bins: int,
                 autoregressive_order: str = "ltr", *, tail_bound: float | None = None,
                 tails: str | None = "linear"):
        super().__init__(autoregressive_net, autoregressive_order)
        self._init_spline(num_bins, tail_bound, tails)


class LinearSplineAutoregressiveBijection(LinearSplineTransformer, _SplineAutoregressive):
    """Autoregressive bijection with piecewise-linear splines: ``z_i = f(x_i; theta(x_{<i}))``;
    log-det ``sum_i log f'(x_i)``; inverse ``D`` passes. Net output ``(B, D, K)``.

    Example:
        >>> import torch
        >>> from survae.nn.nets import MADE
        >>> layer = LinearSplineAutoregressiveBijection(MADE(3, 5, [16]), num_bins=5)
        >>> x = torch.rand(4, 3)  # the [0, 1] domain (no tail_bound)
        >>> torch.allclose(layer.inverse(layer(x)[0]), x, atol=1e-5)
        True
    """


class QuadraticSplineAutoregressiveBijection(QuadraticSplineTransformer, _SplineAutoregressive):
    """Autoregressive bijection with piecewise-quadratic splines (Müller et al., 2019).

    Example:
        >>> import torch
        >>> from survae.nn.nets import MADE
        >>> net = MADE(3, 2 * 5 - 1, [16])
        >>> layer = QuadraticSplineAutoregressiveBijection(net, 5, tail_bound=3.0)
        >>> x = 2 * torch.randn(4, 3)
        >>> torch.allclose(layer.inverse(layer(x)[0]), x, atol=1e-4)
        True
    """


class CubicSplineAutoregressiveBijection(CubicSplineTransformer, _SplineAutoregressive):
    """Autoregressive bijection with piecewise-cubic splines (Durkan et al., 2019).

    Example:
        >>> import torch
        >>> from survae.nn.nets import MADE
        >>> layer = CubicSplineAutoregressiveBijection(MADE(2, 2 * 5 + 2, [16]), 5)
        >>> x = torch.rand(4, 2).double()
        >>> torch.allclose(layer.double().inverse(layer(x)[0]), x, atol=1e-6)
        True
    """


class RationalQuadraticSplineAutoregressiveBijection(
    RationalQuadraticSplineTransformer, _SplineAutoregressive
):
    """Autoregressive neural spline flow: rational-quadratic splines with parameters from
    ``x_{<i}`` (Durkan et al., 2019).

    - forward: ``z_i = f(x_i; theta_i(x_{<i}))``, one conditioner pass;
    - inverse: ``D`` passes (the spline's closed-form root per pass);
    - log-det: ``sum_i log f'(x_i)``.

    Example:
        >>> import torch
        >>> from survae.nn.nets import MADE
        >>> layer = RationalQuadraticSplineAutoregressiveBijection(
        ...     MADE(3, 3 * 8 - 1, [32]), num_bins=8, tail_bound=3.0)
        >>> x = 4 * torch.randn(5, 3)  # beyond the bound too: linear tails
        >>> torch.allclose(layer.inverse(layer(x)[0]), x, atol=1e-4)
        True
    """


class ConditionalAutoregressiveBijection(ConditionalBijection):
    """Conditional autoregressive base: ``theta = net(x, context)`` (e.g. a ConditionalMADE);
    forward one pass, inverse ``D`` passes (vectorized over the batch)."""

    def __init__(self, autoregressive_net: nn.Module, autoregressive_order: str = "ltr"):
        super().__init__()
        self.autoregressive_net = autoregressive_net
        self.autoregressive_order = autoregressive_order

    def _params(self, x: Tensor, context: Tensor) -> Tensor:
        params = self.autoregressive_net(x, context)
        expected = (*x.shape, self._num_params())
        if tuple(params.shape) != expected:
            raise ValueError(f"{self.layer_name}: autoregressive_net must return parameters of "
                             f"shape {expected}, got {tuple(params.shape)}")
        return params

    def forward(self, x: Tensor, context: Tensor) -> tuple[Tensor, Tensor]:
        return self._elementwise_forward(x, self._params(x, context))

    def inverse_and_ldj(self, z: Tensor, context: Tensor) -> tuple[Tensor, Tensor]:
        x = torch.zeros_like(z)
        ldj = z.new_zeros(z.shape[0])
        for _ in range(z.shape[1]):
            x, ldj = self._elementwise_inverse(z, self._params(x, context))
        return x, ldj

    def inverse(self, z: Tensor, context: Tensor) -> Tensor:
        return self.inverse_and_ldj(z, context)[0]


class ConditionalAffineAutoregressiveBijection(ConditionalAutoregressiveBijection):
    """Conditional MAF layer: ``z_i = s_i x_i + t_i`` with ``(s_i, t_i)`` from ``x_{<i}`` and
    the context; log-det ``sum log s_i``; used to sample, a conditional IAF.

    Example:
        >>> import torch
        >>> from survae.nn.nets import ConditionalMADE
        >>> layer = ConditionalAffineAutoregressiveBijection(ConditionalMADE(3, 2, [16], 4))
        >>> x, c = torch.randn(5, 3), torch.randn(5, 4)
        >>> torch.allclose(layer.inverse(layer(x, c)[0], c), x, atol=1e-5)
        True
    """

    def __init__(self, autoregressive_net: nn.Module, autoregressive_order: str = "ltr",
                 scale_fn: str | ScaleFn | Callable[[Tensor], Tensor] = torch.exp):
        super().__init__(autoregressive_net, autoregressive_order)
        self.scale_fn = resolve_scale_fn(scale_fn)

    def _num_params(self) -> int:
        return 2

    _scale_shift = _AffineTransformer._scale_shift
    _elementwise_forward = _AffineTransformer._elementwise_forward
    _elementwise_inverse = _AffineTransformer._elementwise_inverse


class ConditionalAdditiveAutoregressiveBijection(ConditionalAutoregressiveBijection):
    """Conditional additive autoregressive layer: ``z_i = x_i + t_i(x_{<i}, c)``; log-det 0.

    Example:
        >>> import torch
        >>> from survae.nn.nets import ConditionalMADE
        >>> layer = ConditionalAdditiveAutoregressiveBijection(ConditionalMADE(3, 1, [16], 2))
        >>> x, c = torch.randn(4, 3), torch.randn(4, 2)
        >>> torch.allclose(layer.inverse(layer(x, c)[0], c), x, atol=1e-5)
        True
    """

    def _num_params(self) -> int:
        return 1

    def _elementwise_forward(self, x: Tensor, params: Tensor) -> tuple[Tensor, Tensor]:
        return x + params[..., 0], x.new_zeros(x.shape[0])

    def _elementwise_inverse(self, z: Tensor, params: Tensor) -> tuple[Tensor, Tensor]:
        return z - params[..., 0], z.new_zeros(z.shape[0])


class ConditionalRationalQuadraticSplineAutoregressiveBijection(
    RationalQuadraticSplineTransformer, ConditionalAutoregressiveBijection
):
    """Conditional autoregressive rational-quadratic spline layer (net ``(x, context)``).

    Example:
        >>> import torch
        >>> from survae.nn.nets import ConditionalMADE
        >>> net = ConditionalMADE(3, 3 * 4 - 1, [16], context_features=2)
        >>> layer = ConditionalRationalQuadraticSplineAutoregressiveBijection(
        ...     net, 4, tail_bound=3.0)
        >>> x, c = 2 * torch.randn(4, 3), torch.randn(4, 2)
        >>> torch.allclose(layer.inverse(layer(x, c)[0], c), x, atol=1e-4)
        True
    """

    def __init__(self, autoregressive_net: nn.Module, num_bins: int,
                 autoregressive_order: str = "ltr", *, tail_bound: float | None = None,
                 tails: str | None = "linear"):
        super().__init__(autoregressive_net, autoregressive_order)
        self._init_spline(num_bins, tail_bound, tails)
