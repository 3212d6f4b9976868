"""Uniform dequantization: the generative rounding surjection with a fixed uniform q(u|x)."""

from __future__ import annotations

import math

import torch
from torch import Tensor

from survae.transforms.surjections.base import Surjection
from survae.utils.validation import is_validating


class _FixedBitDepth:
    """Shared by the dequantization layers: ``ldj_per_dim`` follows from ``num_bits``, so a
    state_dict of another bit depth (which would give this layer that depth's log-det) is refused
    rather than loaded."""

    def _load_from_state_dict(self, state_dict, prefix, *args, **kwargs):
        saved = state_dict.get(prefix + "ldj_per_dim")
        if saved is not None and abs(float(saved) - float(self.ldj_per_dim)) > 1e-6:
            bits = -float(saved) / math.log(2)
            raise ValueError(
                f"{self.layer_name}: the state_dict's ldj_per_dim {float(saved):.6g} is that of "
                f"num_bits={bits:.3g}, not {self.num_bits}; build the layer with the bits the "
                "weights were trained with"
            )
        super()._load_from_state_dict(state_dict, prefix, *args, **kwargs)


class UniformDequantization(_FixedBitDepth, Surjection):
    r"""Generative rounding surjection :math:`x = \lfloor K z \rfloor` with uniform
    dequantization noise.

    Data :math:`x` take values in :math:`\{0, \dots, K-1\}^D` with :math:`K = 2^b`, :math:`b` =
    ``num_bits``.

    - forward (inference, stochastic): :math:`u \sim U[0, 1)^D`, :math:`z = (x + u) / K`;
    - inverse (generative, deterministic): :math:`x = \min(\max(\lfloor K z \rfloor, 0), K-1)`;
    - likelihood contribution: :math:`\mathcal{V}(x, z) = -\log q(z|x) = -D \log K`
      (:math:`q(z|x)` is uniform on the cell :math:`[x/K, (x+1)/K)` of volume :math:`K^{-D}`), so
      :math:`\log P(x) \ge \log p(z) - D \log K`.

    Args:
        num_bits: bits per value, e.g. 8 for :math:`x \in \{0, \dots, 255\}`.

    Example:
        >>> import torch
        >>> layer = UniformDequantization(num_bits=8)
        >>> z, ldj = layer(torch.randint(0, 256, (4, 3, 2, 2)))
        >>> bool(((z >= 0) & (z < 1)).all()), ldj.shape
        (True, torch.Size([4]))

    References: Uria et al., 2013 (RNADE); Ho et al., 2019 (Flow++); Nielsen et al., 2020 (Table 6).
    """

    stochastic_forward = True
    requires_float = False

    def __init__(self, num_bits: int = 8):
        super().__init__()
        if int(num_bits) != num_bits or num_bits < 1:
            raise ValueError(
                f"UniformDequantization: num_bits must be a positive integer, got {num_bits}"
            )
        self.num_bits = int(num_bits)
        self.quantization_bins = 2**self.num_bits
        # The official buffer name (state_dict compatibility); it also carries dtype and device.
        self.register_buffer("ldj_per_dim", torch.tensor(-math.log(self.quantization_bins)))

    def extra_repr(self) -> str:
        return f"num_bits={self.num_bits}"

    def _check_values(self, x: Tensor) -> None:
        if not is_validating():
            return
        bins = self.quantization_bins
        if x.is_floating_point() and not bool((x == x.floor()).all()):
            raise ValueError(f"{self.layer_name}: expected integer-valued input in [0, {bins - 1}]")
        if not bool(((x >= 0) & (x <= bins - 1)).all()):
            raise ValueError(f"{self.layer_name}: expected input values in [0, {bins - 1}]")

    def forward(self, x: Tensor) -> tuple[Tensor, Tensor]:
        self._check_values(x)
        dtype = self.ldj_per_dim.dtype
        u = torch.rand(x.shape, device=x.device, dtype=dtype)
        z = (x.to(dtype) + u) / self.quantization_bins
        ldj = (self.ldj_per_dim * x.shape[1:].numel()).expand(x.shape[0])
        return z, ldj

    def inverse(self, z: Tensor) -> Tensor:
        return (self.quantization_bins * z).floor().clamp(0, self.quantization_bins - 1).long()
