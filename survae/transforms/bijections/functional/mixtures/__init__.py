"""Mixture-CDF kernels (Flow++, Ho et al., 2019) at the official paths.

For ``M`` components with parameters ``(w, mu, log s)`` per element (last axis, ``3M`` values:
weight logits, means, log-scales) the map is the mixture CDF

    z = F(x) = sum_j softmax(w)_j F_j((x - mu_j) / s_j),     log dz/dx = log sum_j pi_j f_j / s_j,

with ``F_j`` a standard Gaussian or logistic CDF (the real line onto ``(0, 1)``), or a censored
logistic one (``[0, 1]`` onto itself). There is no closed-form inverse: it is found by bisection
(:func:`~survae.transforms.bijections.functional.iterative_inversion.bisection_inverse`).
"""

from survae.transforms.bijections.functional.mixtures.gaussian_mixture import (
    gaussian_mixture_cdf,
    gaussian_mixture_transform,
)
from survae.transforms.bijections.functional.mixtures.logistic_mixture import (
    logistic_mixture_cdf,
    logistic_mixture_transform,
)
from survae.transforms.bijections.functional.mixtures.logistic_mixture_censored import (
    censored_logistic_mixture_cdf,
    censored_logistic_mixture_transform,
)
from survae.transforms.bijections.functional.mixtures.params import get_mixture_params

__all__ = [
    "get_mixture_params",
    "gaussian_mixture_transform",
    "logistic_mixture_transform",
    "censored_logistic_mixture_transform",
    "gaussian_mixture_cdf",
    "logistic_mixture_cdf",
    "censored_logistic_mixture_cdf",
]
