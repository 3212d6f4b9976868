"""Spline transformers: how a ``(..., P)`` parameter tensor drives an elementwise spline.

These mixins give a layer the ``_num_params`` / ``_elementwise_forward`` / ``_elementwise_inverse``
hooks that :class:`CouplingBijection`, :class:`AutoregressiveBijection` and the elementwise spline
bijections call, so each spline kind is written once for all of them::

    class RationalQuadraticSplineAutoregressiveBijection(
        RationalQuadraticSplineTransformer, AutoregressiveBijection
    ):
        def __init__(self, autoregressive_net, num_bins, autoregressive_order="ltr", *,
                     tail_bound=None, tails="linear"):
            super().__init__(autoregressive_net, autoregressive_order)
            self._init_spline(num_bins, tail_bound, tails)

Domain: with ``tail_bound=None`` (default, as the official library) the spline maps ``[0, 1]``
onto itself and inputs must lie there; with ``tail_bound=B`` it maps ``[-B, B]`` onto itself with
``tails='linear'`` (identity outside: any real input), ``'circular'`` (period ``2B``: angles with
``B = pi``) or None (inputs in ``[-B, B]``). Parameters per element ``P`` (``K = num_bins``):

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
)
from survae.utils.tensors import sum_except_batch
from survae.utils.validation import is_validating, owner_name


class SplineTransformer:
    """Base mixin of the elementwise spline transformers (see the module docstring).

    Subclasses implement ``_num_params``, ``_spline(inputs, params, inverse)`` (elementwise
    outputs and log-derivatives of the applied map) and ``identity_params``.
    """

    supported_tails: tuple = TAILS
    num_bins: int
    tail_bound: float | None
    tails: str | None

    def _init_spline(self, num_bins: int, tail_bound: float | None, tails: str | None) -> None:
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

    def _num_params(self) -> int:
        raise NotImplementedError

    def identity_params(self, dtype: torch.dtype | None = None) -> Tensor:
        """Parameters (shape ``(P,)``) for which the spline is the identity map."""
        raise NotImplementedError

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
                f"{owner_name(self)}: expected {what} values in [{low}, {high}] (the spline has "
                "no tails; pass tail_bound=B for inputs on the whole real line)"
            )

    def _domain(self) -> dict:
        """Keyword arguments of the bounded kernels: ``[0, 1]`` or ``[-B, B]``."""
        if self.tail_bound is None:
            return {}
        bound = self.tail_bound
        return {"left": -bound, "right": bound, "bottom": -bound, "top": bound}

    def _elementwise_forward(self, x: Tensor, params: Tensor) -> tuple[Tensor, Tensor]:
        self._check_domain(x, inverse=False)
        z, logabsdet = self._spline(x, params, inverse=False)
        return z, sum_except_batch(logabsdet)

    def _elementwise_inverse(self, z: Tensor, params: Tensor) -> tuple[Tensor, Tensor]:
        """``x`` and the forward log-det at ``x``."""
        self._check_domain(z, inverse=True)
        x, inverse_logabsdet = self._spline(z, params, inverse=True)
        return x, -sum_except_batch(inverse_logabsdet)

    def _output_dim_multiplier(self) -> int:
        """Parameters per transformed element (the official library's name)."""
        return self._num_params()

    def extra_repr(self) -> str:
        spline = f"num_bins={self.num_bins}"
        if self.tail_bound is not None:
            spline += f", tail_bound={self.tail_bound}, tails={self.tails!r}"
        rest = super().extra_repr()  # type: ignore[misc]
        return f"{spline}, {rest}" if rest else spline


class LinearSplineTransformer(SplineTransformer):
    """Piecewise-linear spline (``K`` equal bins, learned heights): ``P = K``."""

    def _num_params(self) -> int:
        return self.num_bins

    def identity_params(self, dtype: torch.dtype | None = None) -> Tensor:
        return torch.zeros(self._num_params(), dtype=dtype)

    def _spline(self, inputs: Tensor, params: Tensor, inverse: bool) -> tuple[Tensor, Tensor]:
        if self.tails is None:
            return splines.linear_spline(inputs, params, inverse, **self._domain())
        return splines.unconstrained_linear_spline(
            inputs, params, inverse, tail_bound=self.tail_bound, tails=self.tails
        )


class QuadraticSplineTransformer(SplineTransformer):
    """Piecewise-quadratic spline: ``K`` widths then ``K + 1`` knot log-densities (``K - 1`` with
    tails, the boundary slope being 1)."""

    def _init_spline(self, num_bins: int, tail_bound: float | None, tails: str | None) -> None:
        super()._init_spline(num_bins, tail_bound, tails)
        if self.tails is not None and self.num_bins < 2:
            raise ValueError(f"{type(self).__name__}: tails need num_bins >= 2")

    def _num_params(self) -> int:
        return 2 * self.num_bins + (1 if self.tails is None else -1)

    def identity_params(self, dtype: torch.dtype | None = None) -> Tensor:
        return torch.zeros(self._num_params(), dtype=dtype)

    def _spline(self, inputs: Tensor, params: Tensor, inverse: bool) -> tuple[Tensor, Tensor]:
        widths, heights = params[..., : self.num_bins], params[..., self.num_bins :]
        if self.tails is None:
            return splines.quadratic_spline(inputs, widths, heights, inverse, **self._domain())
        return splines.unconstrained_quadratic_spline(
            inputs, widths, heights, inverse, tail_bound=self.tail_bound, tails=self.tails
        )


class CubicSplineTransformer(SplineTransformer):
    """Monotone cubic spline: ``K`` widths, ``K`` heights, left and right end derivative:
    ``P = 2K + 2``."""

    def _num_params(self) -> int:
        return 2 * self.num_bins + 2

    def identity_params(self, dtype: torch.dtype | None = None) -> Tensor:
        m = DEFAULT_MIN_DERIVATIVE
        end = math.log((1 - m) / (2 - m))  # m + (3 - 2m) sigmoid(end) = 1
        params = torch.zeros(self._num_params(), dtype=dtype)
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


class RationalQuadraticSplineTransformer(SplineTransformer):
    """Rational-quadratic spline (Durkan et al., 2019): ``K`` widths, ``K`` heights and the knot
    derivatives (``K + 1``; ``K - 1`` with linear tails, ``K`` with circular ones)."""

    def _num_params(self) -> int:
        extra = {None: 1, "linear": -1, "circular": 0}[self.tails]
        return 3 * self.num_bins + extra

    def identity_params(self, dtype: torch.dtype | None = None) -> Tensor:
        params = torch.zeros(self._num_params(), dtype=dtype)
        params[2 * self.num_bins :] = inverse_softplus(1 - DEFAULT_MIN_DERIVATIVE)
        return params

    def _spline(self, inputs: Tensor, params: Tensor, inverse: bool) -> tuple[Tensor, Tensor]:
        # widths, heights, derivatives in one packed tensor: one split, no slice copies
        return splines.packed_rational_quadratic_spline(
            inputs, params, self.num_bins, inverse, self.tails, self.tail_bound
        )
