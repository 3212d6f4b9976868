"""Linear layers with a fixed binary connectivity mask (MADE)."""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import Tensor, nn


class FixedMaskLinear(nn.Linear):
    """``y = x (W * M)^T + b`` with a given 0/1 mask ``M`` of shape ``(out, in)`` (a buffer).

    The mask multiplies the weight inside ``forward`` (one elementwise product), so the weight
    itself is never rewritten and gradients of masked entries are exactly zero. ``degrees``
    (a buffer) records the degree of each output unit when the mask was built from degrees.

    Example:
        >>> import torch
        >>> layer = FixedMaskLinear(torch.tril(torch.ones(3, 3)))
        >>> layer(torch.randn(2, 3)).shape
        torch.Size([2, 3])
    """

    def __init__(self, mask: Tensor, degrees: Tensor | None = None, bias: bool = True):
        out_features, in_features = mask.shape
        super().__init__(in_features, out_features, bias=bias)
        if degrees is None:
            degrees = torch.zeros(out_features, dtype=torch.long)
        if degrees.shape != (out_features,):
            raise ValueError(f"{type(self).__name__}: degrees must have shape ({out_features},), "
                             f"got {tuple(degrees.shape)}")
        self.register_buffer("mask", mask.to(self.weight.dtype))
        self.register_buffer("degrees", degrees.long())

    def forward(self, x: Tensor) -> Tensor:
        return F.linear(x, self.weight * self.mask, self.bias)


def _random_generator(seed: int | None) -> torch.Generator | None:
    return None if seed is None else torch.Generator().manual_seed(int(seed))


class MaskedLinear(FixedMaskLinear):
    """A MADE layer (Germain et al., 2015): the mask comes from degrees (official arguments).

    Inputs carry degrees ``m_in`` (data features: their rank ``1..D`` in the ordering). A hidden
    layer draws degrees ``m_out`` in ``1..D-1`` (cyclically, or at random) and connects
    ``m_out >= m_in``; the output layer (``is_output``) gives each of its ``out_features`` units
    the degree of its data feature (``out_features / D`` consecutive units per feature) and
    connects ``m_out > m_in`` strictly. Chained, output ``i`` sees only inputs earlier than ``i``
    in the ordering.

    Args:
        in_degrees: degrees of the inputs (long tensor; its length is ``in_features``).
        out_features: number of outputs.
        data_features: ``D``, features of the data.
        random_mask: draw hidden degrees at random (seeded by ``random_seed``).
        random_seed: seed of the random degrees (``None``: torch's global generator).
        is_output: build the output layer's mask (needs ``data_degrees``).
        data_degrees: degrees of the data features, length ``D``.
        bias: learn a bias.

    Example:
        >>> import torch
        >>> degrees = MaskedLinear.get_data_degrees(3)
        >>> hidden = MaskedLinear(degrees, 4, 3)
        >>> out = MaskedLinear(hidden.degrees, 3, 3, is_output=True, data_degrees=degrees)
        >>> (out.mask @ hidden.mask > 0).int().tolist()  # output i sees inputs j < i
        [[0, 0, 0], [1, 0, 0], [1, 1, 0]]
    """

    def __init__(self, in_degrees: Tensor, out_features: int, data_features: int,
                 random_mask: bool = False, random_seed: int | None = None,
                 is_output: bool = False, data_degrees: Tensor | None = None, bias: bool = True):
        if is_output and (data_degrees is None or len(data_degrees) != data_features):
            raise ValueError(f"MaskedLinear: the output layer needs data_degrees of length "
                             f"{data_features}")
        self.data_features = int(data_features)
        self.is_output = bool(is_output)
        self.out_features = int(out_features)
        mask, degrees = self.get_mask_and_degrees(in_degrees, data_degrees, random_mask,
                                                  random_seed)
        super().__init__(mask, degrees, bias=bias)

    @staticmethod
    def get_data_degrees(in_features: int, random_order: bool = False,
                         random_seed: int | None = None) -> Tensor:
        """Degrees ``1..D`` of the data features: in order, or a random (seeded) permutation."""
        if random_order:
            return torch.randperm(in_features, generator=_random_generator(random_seed)) + 1
        return torch.arange(1, in_features + 1)

    def get_mask_and_degrees(self, in_degrees: Tensor, data_degrees: Tensor | None,
                             random_mask: bool, random_seed: int | None) -> tuple[Tensor, Tensor]:
        """The ``(out, in)`` mask and the output degrees (see the class docstring)."""
        in_degrees = torch.as_tensor(in_degrees).long()
        if self.is_output:
            out_degrees = torch.as_tensor(data_degrees).long().repeat_interleave(
                self.out_features // self.data_features)
            return (out_degrees[:, None] > in_degrees).float(), out_degrees
        if random_mask:
            low = min(int(in_degrees.min()), self.data_features - 1)
            out_degrees = torch.randint(low, self.data_features, (self.out_features,),
                                        generator=_random_generator(random_seed))
        else:
            top, low = max(1, self.data_features - 1), min(1, self.data_features - 1)
            out_degrees = torch.arange(self.out_features) % top + low
        return (out_degrees[:, None] >= in_degrees).float(), out_degrees

    def update_mask_and_degrees(self, in_degrees: Tensor, data_degrees: Tensor | None,
                                random_mask: bool, random_seed: int | None) -> None:
        """Rebuild the mask (in place) for new input / data degrees (order-agnostic MADE)."""
        mask, degrees = self.get_mask_and_degrees(in_degrees, data_degrees, random_mask,
                                                  random_seed)
        self.mask.copy_(mask)
        self.degrees.copy_(degrees)
