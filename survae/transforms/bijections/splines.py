r"""Elementwise spline bijections with learned parameters: one monotone spline per feature.

- forward: :math:`z_i = f_i(x_i)`, one spline per feature (dim 1; the other dims share it);
- inverse: :math:`x_i = f_i^{-1}(z_i)` (closed form; bracketed Newton for the cubic);
- log-det: :math:`\sum_i \log f_i'(x_i)`.

The spline lives on :math:`[-B, B]` (``tail_bound=B``, default 3) with ``tails='linear'``
(identity outside), ``'circular'`` (period :math:`2B`: with :math:`B = \pi` a learned
diffeomorphism of the circle) or None; ``tail_bound=None`` gives :math:`[0, 1]` without tails.
The layers start as the identity.

Example:
    >>> import torch
    >>> _ = torch.manual_seed(0)
    >>> layer = RationalQuadraticSplineBijection(3, num_bins=4)
    >>> x = 5 * torch.randn(6, 3)
    >>> torch.allclose(layer.inverse(layer(x)[0]), x, atol=1e-5)
    True
"""

from __future__ import annotations

from torch import Tensor, nn

from survae.transforms.bijections.base import Bijection
from survae.transforms.bijections.transformers import splines
from survae.transforms.bijections.transformers.splines import SplineHooks, SplineTransformer
from survae.utils.validation import check_size


class ElementwiseSplineBijection(SplineHooks, Bijection):
    """A learned spline of kind ``spline`` per feature (dim 1), broadcast over the other dims;
    initialised to the identity map.

    Args:
        num_features: number of features (size of dim 1).
        num_bins: number of bins :math:`K`.
        tail_bound: :math:`B`: the spline lives on :math:`[-B, B]`; None for :math:`[0, 1]`
            without tails.
        tails: keyword-only: ``'linear'`` (identity outside), ``'circular'`` or None.
    """

    spline: type[SplineTransformer]

    def __init__(self, num_features: int, num_bins: int = 8, tail_bound: float | None = 3.0, *,
                 tails: str | None = "linear"):
        super().__init__()
        self.num_features = int(num_features)
        self.transformer = self.spline(num_bins, tail_bound, tails)
        identity = self.transformer.identity_params()
        self.params = nn.Parameter(identity.expand(self.num_features, -1).clone())

    def extra_repr(self) -> str:
        return f"{self._transformer_repr()}num_features={self.num_features}"

    def _expanded(self, x: Tensor) -> Tensor:
        check_size(self, x, 1, self.num_features)
        num_params = self.params.shape[-1]
        shape = (self.num_features,) + (1,) * (x.dim() - 2) + (num_params,)
        return self.params.reshape(shape).expand(*x.shape, num_params)

    def forward(self, x: Tensor) -> tuple[Tensor, Tensor]:
        return self.transformer.forward(x, self._expanded(x))

    def inverse_and_ldj(self, z: Tensor) -> tuple[Tensor, Tensor]:
        return self.transformer.inverse(z, self._expanded(z))

    def inverse(self, z: Tensor) -> Tensor:
        return self.inverse_and_ldj(z)[0]


class LinearSplineBijection(ElementwiseSplineBijection):
    r"""Elementwise piecewise-linear spline with learned heights (:math:`K` equal bins, affine in
    each; the log-det is the log-slope of each element's bin): :math:`z_i = f_i(x_i)`, log-det
    :math:`\sum_i \log f_i'(x_i)`."""

    spline = splines.LinearSpline


class QuadraticSplineBijection(ElementwiseSplineBijection):
    r"""Elementwise piecewise-quadratic spline: the CDF of a learned piecewise-linear density;
    :math:`z_i = f_i(x_i)`, log-det :math:`\sum_i \log f_i'(x_i)`."""

    spline = splines.QuadraticSpline


class CubicSplineBijection(ElementwiseSplineBijection):
    r"""Elementwise monotone cubic spline (a monotone cubic Hermite per bin; the inverse is a
    bracketed Newton solve, exact to rounding); :math:`z_i = f_i(x_i)`, log-det
    :math:`\sum_i \log f_i'(x_i)`."""

    spline = splines.CubicSpline


class RationalQuadraticSplineBijection(ElementwiseSplineBijection):
    r"""Elementwise rational-quadratic spline (Durkan et al., 2019; circular: Rezende et al.,
    2020); :math:`z_i = f_i(x_i)`, log-det :math:`\sum_i \log f_i'(x_i)`, closed-form inverse."""

    spline = splines.RationalQuadraticSpline


__all__ = [
    "LinearSplineBijection",
    "QuadraticSplineBijection",
    "CubicSplineBijection",
    "RationalQuadraticSplineBijection",
]
