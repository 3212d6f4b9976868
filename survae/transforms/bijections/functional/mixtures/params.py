"""Parameter layout of the mixture-CDF transforms and the transform shared by all three kinds."""

from __future__ import annotations

from collections.abc import Callable

import torch.nn.functional as F
from torch import Tensor

from survae.transforms.bijections.functional.iterative_inversion import bisection_inverse

MixtureCDF = Callable[[Tensor, Tensor, Tensor, Tensor], tuple[Tensor, Tensor]]


def get_mixture_params(params: Tensor, num_mixtures: int) -> tuple[Tensor, Tensor, Tensor]:
    """Split ``(..., 3M)`` into weight logits (unnormalized), means and log-scales.

    Example:
        >>> import torch
        >>> [t.tolist() for t in get_mixture_params(torch.arange(6.0), 2)]
        [[0.0, 1.0], [2.0, 3.0], [4.0, 5.0]]
    """
    if params.shape[-1] != 3 * num_mixtures:
        raise ValueError(f"mixture parameters: expected {3 * num_mixtures} values per element "
                         f"(3 x num_mixtures) in the last axis, got shape {tuple(params.shape)}")
    return params.split(num_mixtures, dim=-1)


def mixture_transform(cdf: MixtureCDF, inputs: Tensor, logit_weights: Tensor, means: Tensor,
                      log_scales: Tensor, bracket: tuple[Tensor, Tensor, Tensor | None],
                      eps: float, max_iters: int, inverse: bool):
    r"""Forward: :math:`(F(x), \log F'(x))` elementwise; inverse: :math:`F^{-1}(z)` by bisection
    in ``bracket = (lower, upper, first split)``. ``cdf(x, log_w, means, log_scales)`` is the
    mixture's :math:`(F, \log F')` with normalized log-weights."""
    log_w = F.log_softmax(logit_weights, dim=-1)
    if not inverse:
        return cdf(inputs, log_w, means, log_scales)
    lower, upper, init_x = bracket
    return bisection_inverse(lambda x: cdf(x, log_w, means, log_scales)[0], inputs, init_x,
                             lower, upper, eps, max_iters)


def scale_bracket(means: Tensor, log_scales: Tensor, width: float = 20.0):
    """A bracket holding all but a negligible mass of every component: ``means -+ width`` times
    the summed scales (``(lower, upper, None)``)."""
    spread = width * log_scales.exp().sum(-1, keepdim=True)
    return (means - spread).amin(-1), (means + spread).amax(-1), None
