"""Conditional autoregressive spline bijections on vectors."""

from __future__ import annotations

from survae.transforms.bijections.autoregressive.autoregressive_splines import (
    SplineAutoregressive,
)
from survae.transforms.bijections.conditional.autoregressive.autoregressive import (
    ConditionalAutoregressiveBijection,
)
from survae.transforms.bijections.transformers.splines import RationalQuadraticSpline


class ConditionalRationalQuadraticSplineAutoregressiveBijection(
    SplineAutoregressive, ConditionalAutoregressiveBijection
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

    spline = RationalQuadraticSpline
