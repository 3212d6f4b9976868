"""Mixture-CDF transformers (Flow++): the CDF of a Gaussian, logistic or censored logistic
mixture, inverted by batched bisection (:mod:`survae.transforms.bijections.functional.mixtures`).

The Gaussian and logistic maps take the real line onto :math:`(0, 1)` (follow them with a
``Logit`` to return to the real line, as Flow++ does); the censored logistic map takes
:math:`[0, 1]` onto itself (dequantized data in ``num_bins`` bins). Parameters per element:
:math:`3M` (weight logits, means, log-scales).
"""

from __future__ import annotations

import torch.nn.functional as F
from torch import Tensor

from survae.transforms.bijections.functional.iterative_inversion import bisection_inverse
from survae.transforms.bijections.functional.mixtures import (
    censored_logistic_mixture_cdf,
    gaussian_mixture_cdf,
    get_mixture_params,
    logistic_mixture_cdf,
)
from survae.transforms.bijections.functional.mixtures.logistic_mixture_censored import (
    MIN_LOG_SCALE,
)
from survae.transforms.bijections.transformers.base import (
    ElementwiseTransformer,
    OnTransformer,
    TransformerHooks,
)
from survae.utils.tensors import sum_except_batch


class MixtureCDF(ElementwiseTransformer):
    r"""Base class: :math:`z = F(x)` with :math:`F(x) = \sum_m w_m F_m(x)` the mixture CDF
    (:math:`w = \operatorname{softmax}` of the weight logits, :math:`\mu_m` the means,
    :math:`s_m` the log-scales); log-det :math:`\sum_i \log F'(x_i)`; inverse by bisection.

    Args:
        num_mixtures: components :math:`M`.
        eps, max_iters: the bisection's tolerance and iteration cap.
    """

    exact_inverse = False

    def __init__(self, num_mixtures: int, eps: float = 1e-10, max_iters: int = 100):
        if int(num_mixtures) != num_mixtures or num_mixtures < 1:
            raise ValueError(f"{type(self).__name__}: num_mixtures must be a positive integer, "
                             f"got {num_mixtures!r}")
        self.num_mixtures = int(num_mixtures)
        self.eps, self.max_iters = float(eps), int(max_iters)

    @property
    def num_params(self) -> int:
        return 3 * self.num_mixtures

    def extra_repr(self) -> str:
        return f"num_mixtures={self.num_mixtures}"

    def _params(self, params: Tensor) -> tuple[Tensor, Tensor, Tensor]:
        logits, means, log_scales = get_mixture_params(params, self.num_mixtures)
        return F.log_softmax(logits, dim=-1), means, log_scales

    def _cdf(self, x: Tensor, log_w: Tensor, means: Tensor, log_scales: Tensor):
        raise NotImplementedError

    def _bracket(self, z: Tensor, means: Tensor, log_scales: Tensor) -> tuple[Tensor, Tensor]:
        spread = 40 * log_scales.exp()
        return (means - spread).amin(-1), (means + spread).amax(-1)

    def forward(self, x: Tensor, params: Tensor) -> tuple[Tensor, Tensor]:
        z, log_pdf = self._cdf(x, *self._params(params))
        return z, sum_except_batch(log_pdf)

    def inverse(self, z: Tensor, params: Tensor) -> tuple[Tensor, Tensor]:
        log_w, means, log_scales = self._params(params)
        lower, upper = self._bracket(z, means, log_scales)
        x = bisection_inverse(lambda v: self._cdf(v, log_w, means, log_scales)[0], z, None,
                              lower, upper, self.eps, self.max_iters)
        return x, sum_except_batch(self._cdf(x, log_w, means, log_scales)[1])


class GaussianMixture(MixtureCDF):
    r"""Gaussian-mixture CDF :math:`F(x) = \sum_m w_m \Phi\bigl((x - \mu_m) e^{-s_m}\bigr)`: the
    real line onto :math:`(0, 1)`."""

    def _cdf(self, x, log_w, means, log_scales):
        return gaussian_mixture_cdf(x, log_w, means, log_scales)


class LogisticMixture(MixtureCDF):
    r"""Logistic-mixture CDF (Flow++)
    :math:`F(x) = \sum_m w_m \sigma\bigl((x - \mu_m) e^{-s_m}\bigr)`: the real line onto
    :math:`(0, 1)`."""

    def _cdf(self, x, log_w, means, log_scales):
        return logistic_mixture_cdf(x, log_w, means, log_scales)


class CensoredLogisticMixture(MixtureCDF):
    """Censored logistic-mixture CDF: :math:`[0, 1]` onto itself for data in ``num_bins`` bins
    (log-scales clamped at -7).

    Example:
        >>> import torch
        >>> t = CensoredLogisticMixture(2, num_bins=16)
        >>> x = torch.tensor([[0.0, 0.3, 1.0]], dtype=torch.float64)
        >>> z, _ = t.forward(x, torch.zeros(1, 3, 6, dtype=torch.float64))
        >>> torch.allclose(t.inverse(z, torch.zeros(1, 3, 6, dtype=torch.float64))[0], x)
        True
    """

    def __init__(self, num_mixtures: int, num_bins: int, eps: float = 1e-10,
                 max_iters: int = 100):
        super().__init__(num_mixtures, eps, max_iters)
        if int(num_bins) != num_bins or num_bins < 2:
            raise ValueError(f"{type(self).__name__}: num_bins must be an integer >= 2, "
                             f"got {num_bins!r}")
        self.num_bins = int(num_bins)

    def extra_repr(self) -> str:
        return f"num_mixtures={self.num_mixtures}, num_bins={self.num_bins}"

    def _params(self, params: Tensor) -> tuple[Tensor, Tensor, Tensor]:
        log_w, means, log_scales = super()._params(params)
        return log_w, means, log_scales.clamp(min=MIN_LOG_SCALE)

    def _cdf(self, x, log_w, means, log_scales):
        return censored_logistic_mixture_cdf(x, log_w, means, log_scales, self.num_bins)

    def _bracket(self, z, means, log_scales):
        return z.new_zeros(()), z.new_ones(())


class MixtureHooks(TransformerHooks):
    """Mixture layers: the official ``num_mixtures``, ``num_bins``, ``eps``, ``max_iters``
    attributes and ``set_bisection_params``."""

    num_mixtures = OnTransformer()
    num_bins = OnTransformer()
    eps = OnTransformer()
    max_iters = OnTransformer()

    def set_bisection_params(self, eps: float = 1e-10, max_iters: int = 100) -> None:
        """Tolerance and iteration cap of the inverse's bisection (official name)."""
        self.eps, self.max_iters = float(eps), int(max_iters)
