"""Conditional transforms: every method also takes a ``context`` tensor."""

from __future__ import annotations

from torch import Tensor

from survae.transforms.base import Transform, require_exact_sample_likelihood


class ConditionalTransform(Transform):
    """Base class of transforms conditioned on a context: ``forward(x, context) -> (z, ldj)``,
    ``inverse(z, context) -> x``."""

    def forward(self, x: Tensor, context: Tensor) -> tuple[Tensor, Tensor]:
        raise NotImplementedError

    def inverse(self, z: Tensor, context: Tensor) -> Tensor:
        raise NotImplementedError

    def inverse_and_ldj(self, z: Tensor, context: Tensor) -> tuple[Tensor, Tensor]:
        """Conditional counterpart of :meth:`Transform.inverse_and_ldj`."""
        require_exact_sample_likelihood(self.layer_name, [self])
        x = self.inverse(z, context)
        _, ldj = self.forward(x, context)
        return x, ldj
