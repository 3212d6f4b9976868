r"""Monotone piecewise-linear splines (Müller et al., 2019), with linear or circular tails.

:math:`[\mathrm{left}, \mathrm{right}]` is cut into :math:`K` equal bins of width :math:`w`; bin
:math:`k` is mapped affinely onto a bin of height
:math:`h_k = (\mathrm{top} - \mathrm{bottom})\, p_k` with
:math:`p = m + (1 - K m) \operatorname{softmax}(u)` (:math:`m` = ``min_bin_height``; a
piecewise-constant density):

.. math::
    y = y_k + (x - x_k) \frac{h_k}{w}, \qquad \log \frac{dy}{dx} = \log h_k - \log w,

and the inverse is :math:`x = x_k + (y - y_k)\, w / h_k` with :math:`k` found among the output
knots.
"""

from __future__ import annotations

import math

import torch
from torch import Tensor

from survae.transforms.bijections.functional.splines.utils import (
    DEFAULT_MIN_BIN_HEIGHT,
    gather_elementwise,
    normalized_bins,
    search_bins,
    with_tails,
)


def linear_spline(inputs: Tensor, unnormalized_pdf: Tensor, inverse: bool = False,
                  left: float = 0.0, right: float = 1.0, bottom: float = 0.0, top: float = 1.0,
                  min_bin_height: float = DEFAULT_MIN_BIN_HEIGHT) -> tuple[Tensor, Tensor]:
    r"""Piecewise-linear spline from ``[left, right]`` onto ``[bottom, top]``, elementwise.

    Args:
        inputs: any shape ``S``, in ``[left, right]`` (``[bottom, top]`` if ``inverse``).
        unnormalized_pdf: shape ``S + (K,)``: the bin heights before the softmax.
        inverse: compute the inverse map.
        left, right, bottom, top: domain and range.
        min_bin_height: minimal fraction of ``[bottom, top]`` per bin (keeps slopes positive).

    Returns:
        outputs :math:`y` and :math:`\log|dy/dx|`, both of shape ``S``.

    Example:
        >>> import torch
        >>> _ = torch.manual_seed(0)
        >>> x, u = torch.rand(4), torch.randn(4, 5)
        >>> y, logabsdet = linear_spline(x, u)
        >>> torch.allclose(linear_spline(y, u, inverse=True)[0], x, atol=1e-6)
        True
    """
    num_bins = unnormalized_pdf.shape[-1]
    heights, cumheights = normalized_bins(unnormalized_pdf, bottom, top, min_bin_height)
    width = (right - left) / num_bins
    if inverse:
        index = search_bins(cumheights, inputs)
    else:
        position = torch.floor((inputs - left) / width).clamp(0, num_bins - 1)
        position = torch.where(torch.isnan(position), torch.zeros_like(position), position)
        index = position.long()
    x_k = left + width * index.to(inputs.dtype)
    y_k, h_k = gather_elementwise(cumheights, index), gather_elementwise(heights, index)
    logabsdet = torch.log(h_k) - math.log(width)
    if inverse:
        return x_k + (inputs - y_k) * (width / h_k), -logabsdet
    return y_k + (inputs - x_k) * (h_k / width), logabsdet


def unconstrained_linear_spline(inputs: Tensor, unnormalized_pdf: Tensor, inverse: bool = False,
                                tail_bound: float = 1.0, tails: str | None = "linear",
                                min_bin_height: float = DEFAULT_MIN_BIN_HEIGHT) -> tuple[Tensor,
                                Tensor]:
    r"""Piecewise-linear spline on :math:`[-B, B]` with tails (any real input for ``'linear'``
    or ``'circular'``; see :func:`with_tails`). The map is continuous at :math:`\pm B` (not C1).

    Args:
        inputs: any shape ``S``.
        unnormalized_pdf: shape ``S + (K,)``.
        inverse: compute the inverse map.
        tail_bound: :math:`B`.
        tails: ``'linear'`` (identity outside), ``'circular'`` (period :math:`2B`) or None.
        min_bin_height: as in :func:`linear_spline`.

    Example:
        >>> import torch
        >>> _ = torch.manual_seed(0)
        >>> y, logabsdet = unconstrained_linear_spline(torch.tensor([7.0]), torch.randn(1, 3))
        >>> y.tolist(), logabsdet.tolist()
        ([7.0], [0.0])
    """
    def spline(x: Tensor) -> tuple[Tensor, Tensor]:
        bound = float(tail_bound)
        return linear_spline(
            x, unnormalized_pdf, inverse, -bound, bound, -bound, bound, min_bin_height
        )

    return with_tails(inputs, tails, tail_bound, spline, "unconstrained_linear_spline")
