"""Scalar and elementwise fixed affine bijections."""

from __future__ import annotations

import math

import torch
from torch import Tensor

from survae.transforms.bijections.base import Bijection


class ScalarAffineBijection(Bijection):
    r"""Elementwise :math:`z = b + a x` with fixed scalars :math:`b` = ``shift`` and :math:`a` =
    ``scale`` (:math:`a \ne 0`).

    - forward: :math:`z = b + a x`;  inverse: :math:`x = (z - b) / a`;
    - log-det: :math:`D \log|a|` with :math:`D` the number of elements per example.

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
        # The official buffers (so official state dicts load); computations use the floats.
        self.register_buffer("_shift", torch.tensor(self.shift, dtype=torch.float64))
        self.register_buffer("_scale", torch.tensor(self.scale, dtype=torch.float64))

    def _load_from_state_dict(self, state_dict, prefix, *args, **kwargs):
        super()._load_from_state_dict(state_dict, prefix, *args, **kwargs)
        self.shift, self.scale = float(self._shift), float(self._scale)
        if self.scale == 0.0 or not math.isfinite(self.scale):
            raise ValueError(f"ScalarAffineBijection: loaded scale must be finite and non-zero, "
                             f"got {self.scale}")
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


class AffineBijection(Bijection):
    r"""Elementwise :math:`z = b + a \odot x` with fixed per-element ``shift`` and ``scale``
    tensors.

    ``shift`` and ``scale`` broadcast against the event shape (stored as buffers, so they follow
    ``.to()`` / ``.double()`` and the state_dict).

    - forward: :math:`z = b + a \odot x`;  inverse: :math:`x = (z - b) / a`, with :math:`b` =
      ``shift`` and :math:`a` = ``scale``;
    - log-det: :math:`\sum_i \log|a_i|` over the event (after broadcasting).

    Args:
        shift: tensor (or sequence) broadcastable to the event shape; default 0.
        scale: tensor (or sequence) broadcastable to the event shape, non-zero; default 1.

    Example:
        >>> import torch
        >>> layer = AffineBijection(shift=[0.0, 0.5], scale=[0.25, 0.125])
        >>> layer(torch.tensor([[4.0, -4.0]]))[0].tolist()
        [[1.0, 0.0]]
    """

    def __init__(self, shift=None, scale=None):
        super().__init__()
        if shift is None and scale is None:
            raise ValueError("AffineBijection: give at least one of shift and scale")
        shift = torch.zeros(()) if shift is None else torch.as_tensor(shift, dtype=torch.float32)
        scale = torch.ones(()) if scale is None else torch.as_tensor(scale, dtype=torch.float32)
        if not bool((scale != 0).all()) or not bool(torch.isfinite(scale).all()):
            raise ValueError("AffineBijection: scale must be finite and non-zero everywhere")
        self.register_buffer("shift", shift)
        self.register_buffer("scale", scale)

    def extra_repr(self) -> str:
        return f"shift={self.shift.tolist()}, scale={self.scale.tolist()}"

    def _ldj(self, x: Tensor) -> Tensor:
        log_scale = torch.log(self.scale.abs()).expand(x.shape[1:])
        return log_scale.sum().expand(x.shape[0])

    def forward(self, x: Tensor) -> tuple[Tensor, Tensor]:
        return self.shift + self.scale * x, self._ldj(x)

    def inverse(self, z: Tensor) -> Tensor:
        return (z - self.shift) / self.scale

    def inverse_and_ldj(self, z: Tensor) -> tuple[Tensor, Tensor]:
        return self.inverse(z), self._ldj(z)
