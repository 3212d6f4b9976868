"""Stochastic transforms: stochastic in both directions (e.g. the VAE layer)."""

from __future__ import annotations

from survae.transforms.base import Transform


class StochasticTransform(Transform):
    """Base class of stochastic transforms: ``forward`` samples ``z ~ q(z|x)`` and contributes
    ``log p(x|z) - log q(z|x)`` (a lower bound); ``inverse`` samples ``x ~ p(x|z)``."""

    bijective = False
    stochastic_forward = True
    stochastic_inverse = True
