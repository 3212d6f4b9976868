"""Autoregressive bijections (MAF in the inference direction; IAF when used to sample)."""

from survae.transforms.bijections.autoregressive.autoregressive import (
    AdditiveAutoregressiveBijection,
    AffineAutoregressiveBijection,
    AutoregressiveBijection,
)

__all__ = [
    "AutoregressiveBijection",
    "AdditiveAutoregressiveBijection",
    "AffineAutoregressiveBijection",
]
