"""Bijections: deterministic, invertible transforms with an exact log-Jacobian-determinant."""

from __future__ import annotations

from survae.transforms.base import Transform


class Bijection(Transform):
    r"""Base class of bijections.

    ``forward(x) -> (z, ldj)`` with :math:`\mathrm{ldj} = \log|\det \partial z / \partial x|` and
    ``inverse(z) -> x``; the likelihood contribution
    :math:`\log p(x) = \log p(z) + \mathrm{ldj}` is exact.
    """

    bijective = True
    stochastic_forward = False
    stochastic_inverse = False
