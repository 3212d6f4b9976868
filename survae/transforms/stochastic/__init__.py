"""Stochastic transforms (e.g. the VAE layer)."""

from survae.transforms.stochastic.base import StochasticTransform

__all__ = ["StochasticTransform"]
