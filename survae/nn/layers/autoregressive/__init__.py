"""Masked layers for autoregressive networks."""

from survae.nn.layers.autoregressive.masked_linear import MaskedLinear

__all__ = ["MaskedLinear"]
