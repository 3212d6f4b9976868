"""Pyro: survae flows as guides and priors at pyro.sample sites; SVI on conjugate Gaussian models.

Model: ``z ~ N(m0, s0^2 I)`` (2-D), ``x_i | z ~ N(z, sigma^2 I)``; the posterior is Gaussian,
``precision = 1/s0^2 + n/sigma^2``, ``mean = (m0/s0^2 + sum x/sigma^2) / precision``. Tolerances
(stated per test) are a few Monte Carlo standard errors of the checks plus SVI's own noise.
"""

from __future__ import annotations

import math

import pytest
import torch
from torch import nn

pyro = pytest.importorskip("pyro")
import pyro.distributions as pdist  # noqa: E402
from pyro.infer import SVI, Trace_ELBO  # noqa: E402
from pyro.optim import Adam, ClippedAdam  # noqa: E402

from survae.distributions import ConditionalNormal, StandardNormal  # noqa: E402
from survae.flows import ConditionalFlow, Flow  # noqa: E402
from survae.flows.pyro import to_pyro  # noqa: E402
from survae.nn.layers import ElementwiseParams  # noqa: E402
from survae.transforms import (  # noqa: E402
    ActNormBijection,
    AffineBijection,
    AffineCouplingBijection,
    ConditionalAffineCouplingBijection,
    Reverse,
)

SIGMA = 0.5


def _guide_flow() -> Flow:
    def net():
        return nn.Sequential(nn.Linear(1, 16), nn.Tanh(), nn.Linear(16, 2), ElementwiseParams(2))

    # Data -> latent: a learned affine map (enough for a Gaussian posterior) and two couplings.
    return Flow(StandardNormal((2,)), [
        AffineCouplingBijection(net(), scale_fn="tanh_exp"), Reverse(2),
        AffineCouplingBijection(net(), scale_fn="tanh_exp"),
        ActNormBijection(2, data_dep_init=False),  # a learned shift and scale, no data init
    ])


def _posterior(x: torch.Tensor, m0: torch.Tensor, s0: float) -> tuple[torch.Tensor, float]:
    precision = 1 / s0**2 + x.shape[0] / SIGMA**2
    return (m0 / s0**2 + x.sum(0) / SIGMA**2) / precision, 1 / math.sqrt(precision)


def _fit(model, guide, steps: int, lr: float, *args) -> None:
    pyro.clear_param_store()
    # The learning rate decays to 5% of lr, so the final guide is not a noisy snapshot.
    optimizer = ClippedAdam({"lr": lr, "lrd": 0.05 ** (1 / steps)})
    svi = SVI(model, guide, optimizer, Trace_ELBO(num_particles=8))
    for _ in range(steps):
        svi.step(*args)


def _check_posterior(flow: Flow, mean: torch.Tensor, std: float) -> None:
    with torch.no_grad():
        z = flow().sample((20_000,))
    # 20k samples: standard errors 0.0025 (mean) and 0.2% (std); the tolerances are SVI's.
    torch.testing.assert_close(z.mean(0), mean, atol=0.05, rtol=0)
    torch.testing.assert_close(z.std(0), torch.full((2,), std), atol=0, rtol=0.1)
    assert abs(float(torch.corrcoef(z.T)[0, 1])) < 0.1


def test_flow_guide_recovers_gaussian_posterior():
    torch.manual_seed(0)
    pyro.set_rng_seed(0)
    x = torch.tensor([1.0, -0.5]) + SIGMA * torch.randn(8, 2)
    guide_flow = _guide_flow()

    def model(x):
        z = pyro.sample("z", pdist.Normal(torch.zeros(2), 1.0).to_event(1))
        with pyro.plate("data", x.shape[0]):
            pyro.sample("x", pdist.Normal(z, SIGMA).to_event(1), obs=x)

    def guide(x):
        pyro.module("guide_flow", guide_flow)
        pyro.sample("z", to_pyro(guide_flow()))

    _fit(model, guide, 600, 0.02, x)
    _check_posterior(guide_flow, *_posterior(x, torch.zeros(2), 1.0))


def test_flow_prior_in_the_model():
    """A flow prior equal to N(m0, s0^2 I) gives the same log joint as Pyro's Normal and the
    same posterior under SVI."""
    torch.manual_seed(1)
    pyro.set_rng_seed(1)
    m0, s0 = torch.tensor([2.0, -1.0]), 0.7
    # forward (data -> latent) z = (x - m0) / s0, so x = m0 + s0 * eps: the prior N(m0, s0^2).
    prior_flow = Flow(StandardNormal((2,)), [AffineBijection(shift=-m0 / s0,
                                                             scale=torch.full((2,), 1 / s0))])
    x = torch.tensor([1.0, 0.0]) + SIGMA * torch.randn(4, 2)

    def model(x, prior):
        z = pyro.sample("z", prior)
        with pyro.plate("data", x.shape[0]):
            pyro.sample("x", pdist.Normal(z, SIGMA).to_event(1), obs=x)

    z = torch.randn(2)
    conditioned = pyro.poutine.condition(model, {"z": z})
    flow_trace = pyro.poutine.trace(conditioned).get_trace(x, to_pyro(prior_flow()))
    normal = pdist.Normal(m0, s0).to_event(1)
    torch_trace = pyro.poutine.trace(conditioned).get_trace(x, normal)
    torch.testing.assert_close(flow_trace.log_prob_sum(), torch_trace.log_prob_sum())

    guide_flow = _guide_flow()

    def guide(x, prior):
        pyro.module("guide_flow", guide_flow)
        pyro.sample("z", guide_flow().to_pyro())

    _fit(model, guide, 600, 0.02, x, to_pyro(prior_flow()))
    _check_posterior(guide_flow, *_posterior(x, m0, s0))


def test_conditional_flow_as_amortized_guide_in_a_plate():
    """One observation per problem, z_m ~ N(0, I), x_m ~ N(z_m, sigma^2 I): the posterior is
    N(x_m / (1 + sigma^2), sigma^2 / (1 + sigma^2)); the guide q(z | x) is a conditional flow."""
    torch.manual_seed(2)
    pyro.set_rng_seed(2)
    net = nn.Sequential(nn.Linear(1 + 2, 16), nn.Tanh(), nn.Linear(16, 2), ElementwiseParams(2))
    guide_flow = ConditionalFlow(ConditionalNormal(nn.Linear(2, 4)),
                                 [ConditionalAffineCouplingBijection(net, scale_fn="tanh_exp")])

    def model(x):
        with pyro.plate("problems", x.shape[0]):
            z = pyro.sample("z", pdist.Normal(torch.zeros(2), 1.0).to_event(1))
            pyro.sample("x", pdist.Normal(z, SIGMA).to_event(1), obs=x)

    def guide(x):
        pyro.module("guide_flow", guide_flow)
        with pyro.plate("problems", x.shape[0]):
            pyro.sample("z", to_pyro(guide_flow(x)))

    pyro.clear_param_store()
    svi = SVI(model, guide, Adam({"lr": 0.01}), Trace_ELBO())
    for _ in range(800):  # fresh problems each step (amortization over the prior predictive)
        svi.step(torch.randn(128, 2) * math.sqrt(1 + SIGMA**2))
    x = torch.tensor([[1.5, -1.0], [0.0, 0.5]])
    with torch.no_grad():
        z = guide_flow(x).sample((20_000,))  # (20000, 2, 2): samples per context row
    shrink = 1 / (1 + SIGMA**2)
    torch.testing.assert_close(z.mean(0), x * shrink, atol=0.08, rtol=0)
    torch.testing.assert_close(z.std(0), torch.full((2, 2), math.sqrt(SIGMA**2 * shrink)),
                               atol=0, rtol=0.12)
