"""Conditional transforms: every method also takes a ``context`` tensor."""

from __future__ import annotations

from torch import Tensor

from survae.transforms.base import Transform


class ConditionalTransform(Transform):
    """Base class of transforms conditioned on a context: ``forward(x, context) -> (z, ldj)``,
    ``inverse(z, context) -> x``."""

    def forward(self, x: Tensor, context: Tensor) -> tuple[Tensor, Tensor]:
        raise NotImplementedError

    def inverse(self, z: Tensor, context: Tensor) -> Tensor:
        raise NotImplementedError

    def inverse_and_ldj(self, z: Tensor, context: Tensor) -> tuple[Tensor, Tensor]:
        """Conditional counterpart of :meth:`Transform.inverse_and_ldj`."""
        if self.stochastic_forward:
            raise NotImplementedError(
                f"{self.layer_name}: the inference direction is stochastic, so the likelihood of "
                "a generated sample is not available in closed form (it is only bounded)"
            )
        x = self.inverse(z, context)
        _, ldj = self.forward(x, context)
        return x, ldj
