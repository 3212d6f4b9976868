"""Variational dequantization: the generative rounding surjection with a learned q(u|x)."""

from __future__ import annotations

import math

import torch
from torch import Tensor

from survae.distributions.conditional.base import ConditionalDistribution
from survae.transforms.surjections.base import Surjection
from survae.transforms.surjections.dequantization_uniform import _FixedBitDepth
from survae.utils.validation import ShapeError, is_validating


class VariationalDequantization(_FixedBitDepth, Surjection):
    r"""Generative rounding surjection :math:`x = \lfloor K z \rfloor` with a learned
    dequantization :math:`q(u|x)`.

    Data :math:`x` take values in :math:`\{0, \dots, K-1\}^D` with :math:`K = 2^b`, :math:`b` =
    ``num_bits``.

    - forward (inference, stochastic): :math:`u \sim q(u|x)` on :math:`[0, 1)^D`,
      :math:`z = (x + u) / K`;
    - inverse (generative, deterministic): :math:`x = \min(\max(\lfloor K z \rfloor, 0), K-1)`;
    - likelihood contribution: :math:`\mathcal{V}(x, z) = -\log q(z|x) = -D \log K - \log q(u|x)`,
      so :math:`\log P(x) \ge \mathbb{E}_q[\log p(z) - D \log K - \log q(u|x)]` (Flow++'s
      variational bound).

    The encoder receives ``x`` converted to the layer's floating dtype as its context (a
    ``ConditionalFlow`` can rescale it with ``context_init``). It must put all its mass in
    :math:`[0, 1)^D` (e.g. a conditional flow ending with a sigmoid); with validation on, samples
    outside :math:`[0, 1]` raise.

    Args:
        encoder: ConditionalDistribution (or ConditionalFlow) :math:`q(u|x)` over
            :math:`u \in [0, 1)^D`, with the event shape of ``x``.
        num_bits: bits per value, e.g. 8 for :math:`x \in \{0, \dots, 255\}`.

    Example:
        >>> import torch
        >>> from survae.distributions import ConditionalDistribution
        >>> class Beta(ConditionalDistribution):  # q(u|x) = Beta(2, 2), ignoring x
        ...     def sample_with_log_prob(self, context):
        ...         u = torch.distributions.Beta(2.0, 2.0).sample(context.shape)
        ...         return u, (u * (1 - u) * 6).log().sum(1)
        >>> layer = VariationalDequantization(Beta(), num_bits=3)
        >>> x = torch.randint(0, 8, (4, 2))
        >>> z, ldj = layer(x)
        >>> torch.equal(layer.inverse(z), x), ldj.shape
        (True, torch.Size([4]))

    References: Ho et al., 2019 (Flow++); Nielsen et al., 2020 (Table 6, rounding).
    """

    stochastic_forward = True
    requires_float = False

    def __init__(self, encoder: ConditionalDistribution, num_bits: int = 8):
        super().__init__()
        if not isinstance(encoder, ConditionalDistribution):
            raise ValueError(
                "VariationalDequantization: encoder must be a survae ConditionalDistribution "
                f"(e.g. a ConditionalFlow), got {type(encoder).__name__}"
            )
        if int(num_bits) != num_bits or num_bits < 1:
            raise ValueError(
                f"VariationalDequantization: num_bits must be a positive integer, got {num_bits}"
            )
        self.encoder = encoder
        self.num_bits = int(num_bits)
        self.quantization_bins = 2**self.num_bits
        # Same buffer name as the official library (state_dict compatibility); fixes dtype/device.
        self.register_buffer("ldj_per_dim", torch.tensor(-math.log(self.quantization_bins)))

    def extra_repr(self) -> str:
        return f"num_bits={self.num_bits}"

    def _check_values(self, x: Tensor) -> None:
        bins = self.quantization_bins
        if x.is_floating_point() and not bool((x == x.floor()).all()):
            raise ValueError(f"{self.layer_name}: expected integer-valued input in [0, {bins - 1}]")
        if not bool(((x >= 0) & (x <= bins - 1)).all()):
            raise ValueError(f"{self.layer_name}: expected input values in [0, {bins - 1}]")

    def forward(self, x: Tensor) -> tuple[Tensor, Tensor]:
        if is_validating():
            self._check_values(x)
        dtype = x.dtype if x.is_floating_point() else self.ldj_per_dim.dtype
        x = x.to(dtype)
        u, log_qu = self.encoder.sample_with_log_prob(context=x)
        if u.shape != x.shape:
            raise ShapeError(
                f"{self.layer_name}: the encoder returned samples of shape {tuple(u.shape)}, "
                f"expected the input's shape {tuple(x.shape)}"
            )
        if is_validating() and not bool(((u >= 0) & (u <= 1)).all()):
            raise ValueError(f"{self.layer_name}: the encoder produced samples outside [0, 1]")
        z = (x + u) / self.quantization_bins
        ldj = self.ldj_per_dim.to(dtype) * x.shape[1:].numel() - log_qu
        return z, ldj

    def inverse(self, z: Tensor) -> Tensor:
        return (self.quantization_bins * z).floor().clamp(0, self.quantization_bins - 1).long()
