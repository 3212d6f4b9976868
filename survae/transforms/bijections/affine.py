"""Scalar affine bijection."""

from __future__ import annotations

import math

from torch import Tensor

from survae.transforms.bijections.base import Bijection


class ScalarAffineBijection(Bijection):
    """Elementwise ``z = shift + scale * x`` with fixed scalars (``scale != 0``).

    - forward: ``z = shift + scale * x``;  inverse: ``x = (z - shift) / scale``;
    - log-det: ``D log|scale|`` with ``D`` the number of elements per example.

    Args:
        shift: scalar shift (default 0).
        scale: scalar scale (default 1).

    Example:
        >>> import torch
        >>> z, ldj = ScalarAffineBijection(shift=1.0, scale=2.0)(torch.zeros(1, 3))
        >>> z.tolist(), round(float(ldj), 4)
        ([[1.0, 1.0, 1.0]], 2.0794)
    """

    def __init__(self, shift: float | None = None, scale: float | None = None):
        super().__init__()
        if shift is None and scale is None:
            raise ValueError("ScalarAffineBijection: give at least one of shift and scale")
        self.shift = 0.0 if shift is None else float(shift)
        self.scale = 1.0 if scale is None else float(scale)
        if self.scale == 0.0 or not math.isfinite(self.scale):
            raise ValueError(
                f"ScalarAffineBijection: scale must be finite and non-zero, got {scale}"
            )
        self._log_scale = math.log(abs(self.scale))

    def extra_repr(self) -> str:
        return f"shift={self.shift}, scale={self.scale}"

    def _ldj(self, x: Tensor) -> Tensor:
        return x.new_full((x.shape[0],), self._log_scale * x.shape[1:].numel())

    def forward(self, x: Tensor) -> tuple[Tensor, Tensor]:
        return self.shift + self.scale * x, self._ldj(x)

    def inverse(self, z: Tensor) -> Tensor:
        return (z - self.shift) / self.scale

    def inverse_and_ldj(self, z: Tensor) -> tuple[Tensor, Tensor]:
        return self.inverse(z), self._ldj(z)
