"""MCMC layers (stochastic normalizing flows): reweighted samples recover a known target."""

import math

import pytest
import torch

from survae.distributions import StandardNormal
from survae.flows import Flow
from survae.transforms import (
    VAE,
    AffineBijection,
    HamiltonianMonteCarlo,
    MetropolisHastings,
    UnadjustedLangevin,
    sample_with_log_weights,
)

WEIGHTS = torch.tensor([0.3, 0.7])
MEANS = torch.tensor([[-2.0, 0.0], [2.0, 1.0]])
STD = 0.5


def mixture_log_prob(y):
    comp = torch.distributions.Normal(MEANS.to(y.dtype), STD).log_prob(y.unsqueeze(-2)).sum(-1)
    return torch.logsumexp(comp + WEIGHTS.to(y.dtype).log(), dim=-1)


@pytest.mark.parametrize("kernel", ["mh", "hmc", "ula"])
def test_reweighted_samples_match_the_mixture_moments(kernel):
    torch.manual_seed(0)
    layers = {
        "mh": [MetropolisHastings(mixture_log_prob, 2, step_size=0.8, num_steps=10)],
        "hmc": [HamiltonianMonteCarlo(mixture_log_prob, 2, step_size=0.25, leapfrog_steps=5,
                                      num_steps=3)],
        "ula": [UnadjustedLangevin(mixture_log_prob, 2, step_size=0.02, num_steps=10)],
    }[kernel]
    flow = Flow(StandardNormal((2,)), [*layers, AffineBijection(scale=[1 / 3, 1 / 3])])
    with torch.no_grad():
        x, log_w = sample_with_log_weights(flow, mixture_log_prob, 20000)
    w = torch.softmax(log_w, 0).unsqueeze(-1)
    mean = (w * x).sum(0)
    second = (w * x**2).sum(0)
    torch.testing.assert_close(mean, WEIGHTS @ MEANS, atol=0.08, rtol=0)
    torch.testing.assert_close(second, WEIGHTS @ (MEANS**2 + STD**2), atol=0.15, rtol=0)
    ess = 1 / (w**2).sum()
    assert ess > 500  # enough effective samples for the moment checks to mean something


def test_kernels_move_samples_towards_the_target():
    torch.manual_seed(1)
    base_only = Flow(StandardNormal((2,)), [AffineBijection(scale=[1 / 3, 1 / 3])])
    with_hmc = Flow(StandardNormal((2,)), [
        HamiltonianMonteCarlo(mixture_log_prob, 2, step_size=0.25, leapfrog_steps=5, num_steps=5),
        AffineBijection(scale=[1 / 3, 1 / 3])])
    with torch.no_grad():
        before = mixture_log_prob(base_only.sample(5000)).mean()
        after = mixture_log_prob(with_hmc.sample(5000)).mean()
    assert after > before + 1.0


def test_contributions_are_consistent_between_directions():
    torch.manual_seed(2)
    layer = UnadjustedLangevin(mixture_log_prob, 2, step_size=0.05, num_steps=3).double()
    z = torch.randn(6, 2, dtype=torch.float64)
    x, v = layer.inverse_and_ldj(z)
    assert x.shape == z.shape and v.shape == (6,) and torch.isfinite(v).all()
    mh = MetropolisHastings(mixture_log_prob, 2)
    x, v = mh.inverse_and_ldj(z.float())
    torch.testing.assert_close(v, mixture_log_prob(x) - mixture_log_prob(z.float()))


def test_bad_input_and_unsupported_layers():
    layer = MetropolisHastings(mixture_log_prob, 2)
    with pytest.raises(ValueError, match="MetropolisHastings"):
        layer(torch.randn(3, 4))
    with pytest.raises(ValueError, match="num_steps"):
        UnadjustedLangevin(mixture_log_prob, 2, num_steps=0)
    from survae.distributions import ConditionalNormal
    vae = VAE(ConditionalNormal(torch.nn.Linear(2, 4)), ConditionalNormal(torch.nn.Linear(2, 4)))
    with pytest.raises(TypeError, match="no generative"):
        sample_with_log_weights(Flow(StandardNormal((2,)), [vae]), mixture_log_prob, 3)
    assert math.isfinite(float(layer(torch.randn(3, 2))[1].sum()))
