"""Diffusion layers: the batched chain equals its steps run one after the other."""

from __future__ import annotations

import math

import pytest
import torch

from survae.distributions import StandardNormal
from survae.flows import Flow
from survae.transforms import DiffusionStep, GaussianDiffusion, SequentialTransform, linear_betas


def _diffusion() -> GaussianDiffusion:
    torch.manual_seed(0)
    net = torch.nn.Sequential(torch.nn.Linear(2 + 4, 16), torch.nn.Tanh(), torch.nn.Linear(16, 2))
    return GaussianDiffusion(2, net, linear_betas(5, 0.05, 0.4), time_features=4).double()


def test_batched_log_weight_is_the_sum_over_steps():
    diffusion = _diffusion()
    links = [torch.randn(7, 2, dtype=torch.float64)]
    for step in diffusion.transforms:
        links.append(step(links[-1])[0])
    chain = torch.stack(links)
    per_step = sum(step.log_weight(chain[t], chain[t + 1])
                   for t, step in enumerate(diffusion.transforms))
    torch.testing.assert_close(diffusion.log_weight(chain), per_step)


def test_batched_and_sequential_forward_have_the_same_bound():
    """Same expected ELBO (Monte Carlo, 5 standard errors) from the batched forward and from
    the plain chain of DiffusionStep layers sharing the same parameters."""
    diffusion = _diffusion()
    chain = SequentialTransform(list(diffusion.transforms))
    x = torch.randn(1, 2, dtype=torch.float64).repeat(20_000, 1)
    with torch.no_grad():
        a = Flow(StandardNormal((2,)).double(), [diffusion]).log_prob(x)
        b = Flow(StandardNormal((2,)).double(), [chain]).log_prob(x)
    se = math.sqrt(a.var() / a.numel() + b.var() / b.numel())
    assert abs(float(a.mean() - b.mean())) < 5 * se


def test_sampling_runs_the_reverse_chain():
    model = Flow(StandardNormal((2,)).double(), [_diffusion()])
    with torch.no_grad():
        assert model.sample(11).shape == (11, 2)


def test_linear_betas():
    assert linear_betas(3, 0.1, 0.3) == pytest.approx([0.1, 0.2, 0.3])
    assert linear_betas(1, 0.1, 0.3) == [0.3]


@pytest.mark.parametrize("beta", [0.0, 1.0, -0.1])
def test_rejects_beta_outside_the_unit_interval(beta):
    from survae.distributions import ConditionalNormal

    with pytest.raises(ValueError, match="DiffusionStep: beta"):
        DiffusionStep(ConditionalNormal(torch.nn.Linear(2, 4)), beta=beta)


def test_rejects_the_wrong_event_size():
    with pytest.raises(ValueError, match=r"GaussianDiffusion.*\(batch, 2\)"):
        _diffusion()(torch.randn(3, 3, dtype=torch.float64))
