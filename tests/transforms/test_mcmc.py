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


def _one_d_target(y):
    """3.7 times a two-component mixture on R: log Z = log 3.7 exactly."""
    y = y[:, 0]
    left = math.log(0.3) + torch.distributions.Normal(-1.5, 0.5).log_prob(y)
    right = math.log(0.7) + torch.distributions.Normal(2.0, 0.7).log_prob(y)
    return torch.logaddexp(left, right) + math.log(3.7)


def _interleaved_1d():
    """Generative order: N(0, 1), an affine map, MH on the halfway target N(0, 1)^1/2 pi^1/2
    (unnormalised), another affine map, HMC on pi: an interleaved SNF with fixed layers."""
    from survae.experiments.energy import AnnealedLogDensity

    halfway = AnnealedLogDensity(_one_d_target, 0.5)
    generative = [AffineBijection(shift=0.3, scale=1.5),
                  MetropolisHastings(halfway, 1, step_size=0.8, num_steps=5, stop_gradient=True),
                  AffineBijection(shift=-0.2, scale=0.9),
                  HamiltonianMonteCarlo(_one_d_target, 1, step_size=0.3, leapfrog_steps=3,
                                        num_steps=2)]
    return Flow(StandardNormal((1,)), list(reversed(generative))).double()


def test_interleaved_path_weights_estimate_z_without_bias_and_a_sign_error_shows():
    """Brute force on R: with exact path bookkeeping, E[w] = Z for the weights
    w = pi~(x_T) / (p(z_0) prod_t exp(V_t)), whatever the layers; the sample mean of 200k weights
    lands within 4 of its standard errors of Z = 3.7 (seeded). Flipping the sign of the MCMC
    layers' contributions (the bookkeeping error to guard against) is off by more than 2x."""
    torch.manual_seed(11)
    flow = _interleaved_1d()
    estimates = {}
    for flipped in (False, True):
        with torch.no_grad():
            y, log_q = flow.base_dist.sample_with_log_prob(200_000)
            for transform in reversed(flow.transforms):
                y, v = transform.inverse_and_ldj(y)
                sign = -1 if flipped and not isinstance(transform, AffineBijection) else 1
                log_q = log_q + sign * v
        w = torch.exp(_one_d_target(y) - log_q)
        estimates[flipped] = (float(w.mean()), float(w.std()) / math.sqrt(w.numel()))
    z_hat, stderr = estimates[False]
    assert abs(z_hat - 3.7) < 4 * stderr and stderr < 0.05 * 3.7, estimates
    assert abs(math.log(estimates[True][0] / 3.7)) > math.log(2), estimates


def test_stop_gradient_keeps_values_and_differentiates_only_the_start():
    layer = MetropolisHastings(mixture_log_prob, 2, step_size=0.8, num_steps=4)
    stopped = MetropolisHastings(mixture_log_prob, 2, step_size=0.8, num_steps=4,
                                 stop_gradient=True)
    z = torch.randn(5, 2, requires_grad=True)
    torch.manual_seed(3)
    x, v = layer.inverse_and_ldj(z)
    torch.manual_seed(3)
    x_stop, v_stop = stopped.inverse_and_ldj(z)
    torch.testing.assert_close(x_stop, x)
    torch.testing.assert_close(v_stop, v)
    assert not x_stop.requires_grad
    (grad,) = torch.autograd.grad(v_stop.sum(), z)
    start = z.detach().requires_grad_(True)
    (expected,) = torch.autograd.grad(-mixture_log_prob(start).sum(), start)
    torch.testing.assert_close(grad, expected)  # d/dz [log pi(x) - log pi(z)], x constant
    assert "stop_gradient=True" in repr(stopped)
