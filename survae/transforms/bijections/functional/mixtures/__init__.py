r"""Mixture-CDF kernels (Flow++, Ho et al., 2019) at the official paths.

For :math:`M` components with parameters :math:`(w, \mu, \log s)` per element (last axis,
:math:`3M` values: weight logits, means, log-scales) the map is the mixture CDF

.. math::

    z = F(x) = \sum_j \pi_j F_j\bigl((x - \mu_j) / s_j\bigr), \qquad
    \log \frac{dz}{dx} = \log \sum_j \pi_j f_j\bigl((x - \mu_j) / s_j\bigr) / s_j,

with :math:`\pi = \operatorname{softmax}(w)`, :math:`F_j` a standard Gaussian or logistic CDF
(the real line onto :math:`(0, 1)`) and :math:`f_j` its density, or a censored logistic one
(:math:`[0, 1]` onto itself). There is no closed-form inverse: it is found by bisection
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
