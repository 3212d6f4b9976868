"""Harness cases for stochastic transforms, with exact marginal likelihoods where tractable."""

from __future__ import annotations

import torch
from torch import nn

from survae.distributions import ConditionalMeanNormal, ConditionalNormal, StandardNormal
from survae.flows import Flow
from survae.transforms import (
    VAE,
    HamiltonianMonteCarlo,
    MetropolisHastings,
    UnadjustedLangevin,
)
from tests.transforms.exactness import assert_bound_calibrated
from tests.transforms.harness import Case, normal_input


def _make_linear_vae() -> VAE:
    # Linear-Gaussian decoder (probabilistic PCA): x | z ~ N(Wz + b, 0.5^2 I).
    decoder = ConditionalMeanNormal(nn.Linear(2, 3), scale=0.5)
    encoder = ConditionalNormal(nn.Linear(3, 4))
    return VAE(decoder=decoder, encoder=encoder)


def _ppca_exact(layer: VAE) -> None:
    linear = layer.decoder.net
    weight, bias = linear.weight.detach(), linear.bias.detach()
    cov = weight @ weight.T + 0.25 * torch.eye(3, dtype=torch.float64)
    # A proposal close to the true posterior N(A (x - b), 0.25 M^-1), M = W^T W + 0.25 I, with
    # a widened diagonal covariance, so the importance-weighted estimate has a small variance.
    precision = weight.T @ weight + 0.25 * torch.eye(2, dtype=torch.float64)
    gain = torch.linalg.solve(precision, weight.T)
    post_std = (0.25 * torch.linalg.inv(precision)).diagonal().sqrt()
    with torch.no_grad():
        encoder = layer.encoder.net
        encoder.weight.zero_()
        encoder.weight[:2] = gain
        encoder.bias[:2] = -gain @ bias
        encoder.bias[2:] = torch.log(1.3 * post_std)
    marginal = torch.distributions.MultivariateNormal(bias, covariance_matrix=cov)
    model = Flow(StandardNormal((2,)).double(), [layer])
    x = marginal.sample((4,))
    assert_bound_calibrated(model, x, marginal.log_prob(x))


def _std_normal_log(y):
    return -0.5 * (y**2).sum(-1)


def _invariant_base_exact(layer) -> None:
    """With the kernel's target equal to the base, the generative chain leaves the base
    distribution unchanged, so the exact marginal is the base density itself."""
    model = Flow(StandardNormal((2,)).double(), [layer])
    x = torch.randn(4, 2, dtype=torch.float64)
    exact = torch.distributions.Normal(0.0, 1.0).log_prob(x).sum(-1)
    assert_bound_calibrated(model, x, exact)


CASES = [
    Case("VAE-linear-gaussian", _make_linear_vae, normal_input((3,)), exact=_ppca_exact),
    Case("MetropolisHastings", lambda: MetropolisHastings(_std_normal_log, 2, num_steps=3),
         normal_input((2,)), exact=_invariant_base_exact),
    Case("HamiltonianMonteCarlo",
         lambda: HamiltonianMonteCarlo(_std_normal_log, 2, step_size=0.3, leapfrog_steps=3),
         normal_input((2,)), exact=_invariant_base_exact),
    Case("UnadjustedLangevin", lambda: UnadjustedLangevin(_std_normal_log, 2, num_steps=2),
         normal_input((2,))),
]
