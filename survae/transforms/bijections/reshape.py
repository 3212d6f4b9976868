"""Reshape the event dimensions."""

from __future__ import annotations

from collections.abc import Sequence

from torch import Tensor

from survae.transforms.bijections.base import Bijection
from survae.utils.validation import ShapeError, check_event_shape


class Reshape(Bijection):
    """Reshape each example from ``input_shape`` to ``output_shape``; log-det 0.

    Args:
        input_shape: event shape of ``x`` (without the batch dimension).
        output_shape: event shape of ``z``, with the same number of elements.

    Example:
        >>> import torch
        >>> Reshape((4,), (2, 2))(torch.zeros(3, 4))[0].shape
        torch.Size([3, 2, 2])
    """

    def __init__(self, input_shape: Sequence[int], output_shape: Sequence[int]):
        super().__init__()
        self.input_shape = tuple(int(s) for s in input_shape)
        self.output_shape = tuple(int(s) for s in output_shape)
        n_in = n_out = 1
        for s in self.input_shape:
            n_in *= s
        for s in self.output_shape:
            n_out *= s
        if n_in != n_out:
            raise ShapeError(
                f"Reshape: input_shape {self.input_shape} and output_shape {self.output_shape} "
                "hold different numbers of elements"
            )

    def extra_repr(self) -> str:
        return f"input_shape={self.input_shape}, output_shape={self.output_shape}"

    def forward(self, x: Tensor) -> tuple[Tensor, Tensor]:
        check_event_shape(self, x, self.input_shape)
        return x.reshape(x.shape[0], *self.output_shape), x.new_zeros(x.shape[0])

    def inverse(self, z: Tensor) -> Tensor:
        check_event_shape(self, z, self.output_shape)
        return z.reshape(z.shape[0], *self.input_shape)

    def inverse_and_ldj(self, z: Tensor) -> tuple[Tensor, Tensor]:
        return self.inverse(z), z.new_zeros(z.shape[0])
