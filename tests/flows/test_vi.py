"""VI helpers: reverse/forward KL, importance-sampled log Z (bias, standard error, ESS), SNF
path weights."""

from __future__ import annotations

import math

import torch

from survae.data.energies import ENERGY_TARGETS, make_energy
from survae.distributions import DiagonalNormal, StandardNormal
from survae.flows import Flow, FlowDistribution
from survae.flows.vi import (
    defensive_importance_log_z,
    elbo,
    forward_kl,
    importance_log_z,
    reverse_kl,
    sample_with_log_q,
    summarize_log_weights,
)
from survae.transforms import MetropolisHastings, UnadjustedLangevin

LOC = torch.tensor([1.0, -0.5])


def _gaussian_target(x: torch.Tensor) -> torch.Tensor:
    """N(LOC, I) times Z = 2 pi."""
    return -0.5 * ((x - LOC.to(x)) ** 2).sum(-1)


def test_reverse_kl_is_minus_log_z_at_the_target_and_elbo_is_its_negative():
    q = DiagonalNormal((2,))
    with torch.no_grad():
        q.loc.copy_(LOC)
    torch.testing.assert_close(reverse_kl(q, _gaussian_target, 64),
                               torch.tensor(-math.log(2 * math.pi)))
    torch.testing.assert_close(elbo(q, _gaussian_target, 64), torch.tensor(math.log(2 * math.pi)))


def test_reverse_and_forward_kl_training_recover_a_gaussian():
    torch.manual_seed(0)
    target = lambda x: -0.5 * (((x - LOC) / torch.tensor([2.0, 0.5])) ** 2).sum(-1)  # noqa: E731
    samples = LOC + torch.tensor([2.0, 0.5]) * torch.randn(4000, 2)
    for loss in ("reverse", "forward"):
        q = DiagonalNormal((2,))
        optimizer = torch.optim.Adam(q.parameters(), lr=0.05)
        for _ in range(400):
            optimizer.zero_grad()
            value = (reverse_kl(q, target, 256) if loss == "reverse"
                     else forward_kl(q, samples))
            value.backward()
            optimizer.step()
        torch.testing.assert_close(q.loc.detach(), LOC, atol=0.1, rtol=0)
        torch.testing.assert_close(q.log_scale.detach().exp(), torch.tensor([2.0, 0.5]),
                                   atol=0, rtol=0.08)


def test_importance_log_z_standard_error_and_ess_are_calibrated():
    torch.manual_seed(1)
    q = StandardNormal((2,)).double()
    estimates = [importance_log_z(q, _gaussian_target, 2000) for _ in range(60)]
    values = torch.tensor([e.log_z for e in estimates], dtype=torch.float64)
    stderr = sum(e.log_z_stderr for e in estimates) / len(estimates)
    # Empirical spread of 60 estimates vs the reported standard error (within 25%), and the
    # mean within 4 standard errors of the mean of log(2 pi).
    assert abs(float(values.std()) / stderr - 1) < 0.25
    assert abs(float(values.mean()) - math.log(2 * math.pi)) < 4 * stderr / math.sqrt(60)
    # For q = N(0, I) and pi = N(mu, I): ESS / N -> exp(-|mu|^2).
    ess = sum(e.ess_fraction for e in estimates) / len(estimates)
    assert abs(ess - math.exp(-float((LOC**2).sum()))) < 0.03


def test_summary_handles_zero_and_nan_weights():
    estimate = summarize_log_weights(torch.tensor([0.0, -math.inf, float("nan"), 0.0]))
    assert estimate.ess == 2.0 and estimate.num_samples == 4
    assert abs(estimate.log_z - math.log(0.5)) < 1e-12
    assert summarize_log_weights(torch.full((3,), -math.inf)).log_z_stderr == math.inf


def test_snf_path_weights_give_unbiased_log_z():
    torch.manual_seed(2)
    for kernel in (MetropolisHastings(_gaussian_target, 2, step_size=0.5, num_steps=3),
                   UnadjustedLangevin(_gaussian_target, 2, step_size=0.1, num_steps=3)):
        snf = Flow(StandardNormal((2,)), [kernel])
        x, log_q = sample_with_log_q(snf, 5)
        assert x.shape == (5, 2) and log_q.shape == (5,)
        estimate = importance_log_z(snf, _gaussian_target, 20_000)
        assert abs(estimate.log_z - math.log(2 * math.pi)) < 4 * estimate.log_z_stderr


def test_torch_distributions_are_proposals_too():
    torch.manual_seed(3)
    proposal = torch.distributions.Independent(
        torch.distributions.Normal(torch.zeros(2), torch.full((2,), 1.5)), 1)
    estimate = importance_log_z(proposal, _gaussian_target, 20_000)
    assert abs(estimate.log_z - math.log(2 * math.pi)) < 4 * estimate.log_z_stderr
    flow_estimate = importance_log_z(FlowDistribution(StandardNormal((2,))), _gaussian_target,
                                     1000)
    assert flow_estimate.num_samples == 1000


def test_every_energy_log_z_within_its_standard_error_band():
    """A broad proposal that covers every target: the estimate lands within 4 reported standard
    errors of the exact log Z (the trained flows' table is in the issue-19 note)."""
    torch.manual_seed(4)
    for name in sorted(ENERGY_TARGETS):
        target = make_energy(name)
        broad = DiagonalNormal((2,))
        with torch.no_grad():
            broad.log_scale.fill_(math.log(4.0))
            if name == "banana":  # centre the broad proposal on the banana's mass
                broad.loc[1] = 2.0
            if name == "funnel":  # the funnel's mouth: x_2 has std e^{x_1 / 2}, 20 at x_1 = 6
                broad.log_scale[1] = math.log(12.0)
        estimate = importance_log_z(broad, target, 200_000)
        assert abs(estimate.log_z - target.log_z) < 4 * estimate.log_z_stderr, name


def test_defensive_mixture_reveals_a_missed_mode():
    """q covers only the heavier well of the double well (which holds 99.2% of the mass): plain
    importance sampling is wrong by over 3 standard errors; the defensive mixture is within 4."""
    torch.manual_seed(5)
    target = make_energy("double_well")
    one_well = DiagonalNormal((2,))
    with torch.no_grad():
        one_well.loc[0] = -2.5
        one_well.log_scale[0] = math.log(0.45)
    plain = importance_log_z(one_well, target, 50_000)
    assert abs(plain.log_z - target.log_z) > 3 * plain.log_z_stderr
    defensive = defensive_importance_log_z(one_well, target, 50_000)
    assert abs(defensive.log_z - target.log_z) < 4 * defensive.log_z_stderr
