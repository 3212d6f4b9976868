r"""Spline transformers: how a ``(..., P)`` parameter tensor drives an elementwise spline.

Each kind is one :class:`~survae.transforms.bijections.transformers.base.ElementwiseTransformer`
that every scheme (coupling, autoregressive, elementwise) holds::

    CouplingBijection(net, transformer=RationalQuadraticSpline(8, tail_bound=3.0))

Domain: with ``tail_bound=None`` (default, as the official library) the spline maps
:math:`[0, 1]` onto itself and inputs must lie there; with ``tail_bound=B`` it maps
:math:`[-B, B]` onto itself with ``tails='linear'`` (identity outside: any real input),
``'circular'`` (period :math:`2B`: angles with :math:`B = \pi`) or None (inputs in
:math:`[-B, B]`). Parameters per element :math:`P` (:math:`K` = ``num_bins``):

================  ===========  ===========  ==============  ===========
kind              no tails     ``linear``   ``circular``    bare ``B``
================  ===========  ===========  ==============  ===========
linear            K            K            K               K
quadratic         2K + 1       2K - 1       2K - 1          2K + 1
cubic             2K + 2       2K + 2       2K + 2          2K + 2
rational quad.    3K + 1       3K - 1       3K              3K + 1
================  ===========  ===========  ==============  ===========

The layout in the last axis is widths, heights, then derivatives (as in the official library).
"""

from __future__ import annotations

import math

import torch
from torch import Tensor

from survae.transforms.bijections.functional import splines
from survae.transforms.bijections.functional.splines.utils import (
    DEFAULT_MIN_DERIVATIVE,
    TAILS,
    inverse_softplus,
    square_domain,
)
from survae.transforms.bijections.transformers.base import (
    ElementwiseTransformer,
    OnTransformer,
    TransformerHooks,
)
from survae.utils.tensors import sum_except_batch
from survae.utils.validation import is_validating


class SplineTransformer(ElementwiseTransformer):
    """Base class of the spline transformers (see the module docstring).

    Subclasses set ``num_params`` (a property of the bins and tails), ``_spline(inputs, params,
    inverse)`` (elementwise outputs and log-derivatives of the applied map) and
    ``identity_params``.

    Args:
        num_bins: number of bins :math:`K`.
        tail_bound: :math:`B`: the spline maps :math:`[-B, B]`; None keeps :math:`[0, 1]`.
        tails: with ``tail_bound``: ``'linear'``, ``'circular'`` or None.
    """

    supported_tails: tuple = TAILS

    def __init__(self, num_bins: int, tail_bound: float | None = None,
                 tails: str | None = "linear"):
        name = type(self).__name__
        if int(num_bins) != num_bins or num_bins < 1:
            raise ValueError(f"{name}: num_bins must be a positive integer, got {num_bins!r}")
        if tail_bound is not None and not (math.isfinite(tail_bound) and tail_bound > 0):
            raise ValueError(f"{name}: tail_bound must be positive and finite, got {tail_bound!r}")
        if tails not in self.supported_tails:
            raise ValueError(f"{name}: tails must be one of {self.supported_tails}, got {tails!r}")
        self.num_bins = int(num_bins)
        self.tail_bound = None if tail_bound is None else float(tail_bound)
        self.tails = None if tail_bound is None else tails

    def extra_repr(self) -> str:
        spline = f"num_bins={self.num_bins}"
        if self.tail_bound is not None:
            spline += f", tail_bound={self.tail_bound}, tails={self.tails!r}"
        return spline

    def identity_params(self, dtype: torch.dtype | None = None) -> Tensor:
        """Parameters (shape ``(P,)``) for which the spline is the identity map."""
        return torch.zeros(self.num_params, dtype=dtype)

    def _spline(self, inputs: Tensor, params: Tensor, inverse: bool) -> tuple[Tensor, Tensor]:
        raise NotImplementedError

    def _check_domain(self, inputs: Tensor, inverse: bool) -> None:
        """With validation on, check inputs lie in the bounded domain (no tails)."""
        if not is_validating() or self.tails is not None:
            return
        low, high = (0.0, 1.0) if self.tail_bound is None else (-self.tail_bound, self.tail_bound)
        if not bool(((inputs >= low) & (inputs <= high)).all()):
            what = "latent" if inverse else "input"
            raise ValueError(
                f"{self!r}: expected {what} values in [{low}, {high}] (the spline has "
                "no tails; pass tail_bound=B for inputs on the whole real line)"
            )

    def _domain(self) -> dict:
        """Keyword arguments of the bounded kernels: ``[0, 1]`` or ``[-B, B]``."""
        return {} if self.tail_bound is None else square_domain(self.tail_bound)

    def forward(self, x: Tensor, params: Tensor) -> tuple[Tensor, Tensor]:
        self._check_domain(x, inverse=False)
        if params.dim() == x.dim():  # ElementwiseParams(1) leaves a single parameter unstacked
            params = params.unsqueeze(-1)
        z, logabsdet = self._spline(x, params, inverse=False)
        return z, sum_except_batch(logabsdet)

    def inverse(self, z: Tensor, params: Tensor) -> tuple[Tensor, Tensor]:
        self._check_domain(z, inverse=True)
        if params.dim() == z.dim():
            params = params.unsqueeze(-1)
        x, inverse_logabsdet = self._spline(z, params, inverse=True)
        return x, -sum_except_batch(inverse_logabsdet)


class SplineHooks(TransformerHooks):
    """Spline layers: the official ``num_bins`` attribute (and ``tail_bound``, ``tails``)."""

    num_bins = OnTransformer()
    tail_bound = OnTransformer()
    tails = OnTransformer()


class LinearSpline(SplineTransformer):
    """Piecewise-linear spline (:math:`K` equal bins, learned heights): :math:`P = K`."""

    @property
    def num_params(self) -> int:
        return self.num_bins

    def _spline(self, inputs: Tensor, params: Tensor, inverse: bool) -> tuple[Tensor, Tensor]:
        if self.tails is None:
            return splines.linear_spline(inputs, params, inverse, **self._domain())
        return splines.unconstrained_linear_spline(
            inputs, params, inverse, tail_bound=self.tail_bound, tails=self.tails
        )


class QuadraticSpline(SplineTransformer):
    """Piecewise-quadratic spline: :math:`K` widths then :math:`K + 1` knot log-densities
    (:math:`K - 1` with tails, the boundary slope being 1)."""

    def __init__(self, num_bins: int, tail_bound: float | None = None,
                 tails: str | None = "linear"):
        super().__init__(num_bins, tail_bound, tails)
        if self.tails is not None and self.num_bins < 2:
            raise ValueError(f"{type(self).__name__}: tails need num_bins >= 2")

    @property
    def num_params(self) -> int:
        return 2 * self.num_bins + (1 if self.tails is None else -1)

    def _spline(self, inputs: Tensor, params: Tensor, inverse: bool) -> tuple[Tensor, Tensor]:
        widths, heights = params[..., : self.num_bins], params[..., self.num_bins :]
        if self.tails is None:
            return splines.quadratic_spline(inputs, widths, heights, inverse, **self._domain())
        return splines.unconstrained_quadratic_spline(
            inputs, widths, heights, inverse, tail_bound=self.tail_bound, tails=self.tails
        )


class CubicSpline(SplineTransformer):
    """Monotone cubic spline: :math:`K` widths, :math:`K` heights, left and right end derivative:
    :math:`P = 2K + 2`."""

    @property
    def num_params(self) -> int:
        return 2 * self.num_bins + 2

    def identity_params(self, dtype: torch.dtype | None = None) -> Tensor:
        m = DEFAULT_MIN_DERIVATIVE
        end = math.log((1 - m) / (2 - m))  # m + (3 - 2m) sigmoid(end) = 1
        params = torch.zeros(self.num_params, dtype=dtype)
        params[-2:] = end
        return params

    def _spline(self, inputs: Tensor, params: Tensor, inverse: bool) -> tuple[Tensor, Tensor]:
        k = self.num_bins
        widths, heights = params[..., :k], params[..., k : 2 * k]
        left, right = params[..., 2 * k : 2 * k + 1], params[..., 2 * k + 1 :]
        if self.tails is None:
            return splines.cubic_spline(
                inputs, widths, heights, left, right, inverse, **self._domain()
            )
        return splines.unconstrained_cubic_spline(
            inputs, widths, heights, left, right, inverse, self.tail_bound, self.tails
        )


class RationalQuadraticSpline(SplineTransformer):
    """Rational-quadratic spline (Durkan et al., 2019): :math:`K` widths, :math:`K` heights and
    the knot derivatives (:math:`K + 1`; :math:`K - 1` with linear tails, :math:`K` with circular
    ones).

    Example:
        >>> import torch
        >>> spline = RationalQuadraticSpline(4, tail_bound=3.0)
        >>> x = torch.tensor([[-4.0, 0.5]])
        >>> z, ldj = spline.forward(x, spline.identity_params().expand(1, 2, -1))
        >>> torch.allclose(z, x), torch.allclose(ldj, torch.zeros(1), atol=1e-6)
        (True, True)
    """

    @property
    def num_params(self) -> int:
        extra = {None: 1, "linear": -1, "circular": 0}[self.tails]
        return 3 * self.num_bins + extra

    def identity_params(self, dtype: torch.dtype | None = None) -> Tensor:
        params = torch.zeros(self.num_params, dtype=dtype)
        params[2 * self.num_bins :] = inverse_softplus(1 - DEFAULT_MIN_DERIVATIVE)
        return params

    def _spline(self, inputs: Tensor, params: Tensor, inverse: bool) -> tuple[Tensor, Tensor]:
        # widths, heights, derivatives in one packed tensor: one split, no slice copies
        return splines.packed_rational_quadratic_spline(
            inputs, params, self.num_bins, inverse, self.tails, self.tail_bound
        )
