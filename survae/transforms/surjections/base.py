"""Surjections: deterministic in one direction, stochastic right-inverse in the other."""

from __future__ import annotations

from survae.transforms.base import Transform


class Surjection(Transform):
    r"""Base class of surjections.

    A *generative* surjection (``stochastic_forward = True``) is deterministic towards the data;
    its ``forward`` samples :math:`z \sim q(z|x)` and contributes :math:`-\log q(z|x)`, giving a
    lower bound.
    An *inference* surjection (``stochastic_forward = False``) is deterministic towards the
    latent; its ``inverse`` samples :math:`x \sim p(x|z)` and ``forward`` contributes
    :math:`\log p(x|z)`, exactly.
    """

    bijective = False

    @property
    def stochastic_inverse(self) -> bool:  # type: ignore[override]
        return not self.stochastic_forward
