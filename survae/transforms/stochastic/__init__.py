"""Stochastic transforms (e.g. the VAE layer)."""

from survae.transforms.stochastic.base import StochasticTransform
from survae.transforms.stochastic.permutation import StochasticPermutation
from survae.transforms.stochastic.vae import VAE

__all__ = ["StochasticTransform", "VAE", "StochasticPermutation"]
