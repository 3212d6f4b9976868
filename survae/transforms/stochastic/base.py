"""Stochastic transforms: stochastic in both directions (e.g. the VAE layer)."""

from __future__ import annotations

from survae.transforms.base import Transform


class StochasticTransform(Transform):
    r"""Base class of stochastic transforms: ``forward`` samples :math:`z \sim q(z|x)` and
    contributes :math:`\mathcal{V}(x, z) = \log p(x|z) - \log q(z|x)` (a lower bound); ``inverse``
    samples :math:`x \sim p(x|z)`."""

    bijective = False
    stochastic_forward = True
    stochastic_inverse = True
