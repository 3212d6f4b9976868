"""Stochastic transforms (e.g. the VAE layer)."""

from survae.transforms.stochastic.base import StochasticTransform
from survae.transforms.stochastic.cif import ContinuouslyIndexedTransform
from survae.transforms.stochastic.diffusion import (
    DiffusionStep,
    GaussianDiffusion,
    linear_betas,
    time_embedding,
)
from survae.transforms.stochastic.indexed import DiscretelyIndexedAffineTransform
from survae.transforms.stochastic.mcmc import (
    HamiltonianMonteCarlo,
    MetropolisHastings,
    UnadjustedLangevin,
    sample_with_log_weights,
)
from survae.transforms.stochastic.permutation import StochasticPermutation
from survae.transforms.stochastic.ppca import PPCA
from survae.transforms.stochastic.vae import VAE

__all__ = [
    "StochasticTransform",
    "VAE",
    "StochasticPermutation",
    "MetropolisHastings",
    "HamiltonianMonteCarlo",
    "UnadjustedLangevin",
    "sample_with_log_weights",
    "PPCA",
    "DiffusionStep",
    "GaussianDiffusion",
    "linear_betas",
    "time_embedding",
    "ContinuouslyIndexedTransform",
    "DiscretelyIndexedAffineTransform",
]
