"""Flow-VAEs: every flow and mode builds, samples its posterior in the cheap direction, and
gives bounds that tighten with more importance samples; hierarchical and flow-prior VAEs."""

import math

import pytest
import torch

from survae.models.vae import (
    VAE_FLOWS,
    build_flow_prior_vae,
    build_flow_vae,
    build_hierarchical_vae,
    decoder_images,
    vae_terms,
)
from survae.utils.loss import iwbo_batched

X = torch.bernoulli(torch.full((6, 1, 8, 8), 0.3), generator=torch.Generator().manual_seed(0))


@pytest.mark.parametrize("arch", ["dense", "conv"])
@pytest.mark.parametrize("flow", VAE_FLOWS)
@pytest.mark.parametrize("mode", ["static", "dynamic"])
def test_every_flow_vae_trains_one_step(flow, mode, arch):
    if flow == "none" and mode == "dynamic":
        return
    torch.manual_seed(0)
    model = build_flow_vae((1, 8, 8), 4, flow, 2, mode, arch, hidden=16)
    loss = -model.log_prob(X).mean()
    loss.backward()
    assert math.isfinite(float(loss.detach())) and model.lower_bound
    grads = [p.grad for p in model.parameters() if p.grad is not None]
    assert grads and all(torch.isfinite(g).all() for g in grads)
    with torch.no_grad():
        assert model.sample(2).shape == (2, 1, 8, 8)


def test_posterior_log_density_is_exact_for_the_sample():
    """log q(z|x) from the sampling pass equals the density of the flow at that z (checked by
    inverting the planar steps numerically and re-evaluating)."""
    torch.manual_seed(1)
    model = build_flow_vae((1, 8, 8), 3, "planar", 3, "static", hidden=16).double()
    encoder = model.transforms[0].encoder
    x = X.double()
    with torch.no_grad():
        z, log_q = encoder.sample_with_log_prob(context=x)
        again = encoder.log_prob(z, context=x)  # the inference direction: bisection inverses
    torch.testing.assert_close(log_q, again, atol=1e-8, rtol=1e-8)


def test_iwbo_tightens_with_k_and_kl_terms_add_up():
    torch.manual_seed(2)
    model = build_flow_vae((1, 8, 8), 2, "radial", 2, "dynamic", hidden=16)
    with torch.no_grad():
        elbo = torch.stack([model.log_prob(X) for _ in range(200)]).mean(0)
        iw = iwbo_batched(model, X, k=500, kbs=100)
        terms = vae_terms(model, X)
    assert bool((iw > elbo).all())
    assert terms["log_px"].shape == terms["log_pz"].shape == terms["log_qz"].shape == (6,)


def test_hierarchical_and_flow_prior_vaes():
    torch.manual_seed(3)
    hier = build_hierarchical_vae(latent_dims=(6, 2), hidden=16)
    prior = build_flow_prior_vae(latent_dim=4, prior_steps=2, hidden=16)
    for model in (hier, prior):
        log_prob = model.log_prob(X)
        assert log_prob.shape == (6,) and torch.isfinite(log_prob).all()
        with torch.no_grad():
            assert model.sample(3).shape == (3, 1, 8, 8)
    assert sum(type(t).__name__ == "VAE" for t in hier.transforms) == 2
    with pytest.raises(ValueError, match="expected Flow"):
        vae_terms(hier, X)


def test_dynamic_householder_posterior_starts_near_the_identity():
    """Equal initial reflection vectors: an even number of steps composes to about the identity
    (independent random heads would rotate z by x-dependent amounts and invite collapse)."""
    torch.manual_seed(4)
    model = build_flow_vae((1, 8, 8), 4, "householder", 4, "dynamic", hidden=16)
    encoder = model.transforms[0].encoder
    z = torch.randn(6, 4)
    out = z
    with torch.no_grad():
        h = encoder.context_init(X)
        for step in encoder.transforms:
            out = step.inverse(out, h)
    assert float((out - z).abs().max()) < 0.05


def test_bad_settings_are_named():
    with pytest.raises(ValueError, match="unknown flow 'maf'"):
        build_flow_vae(flow="maf")
    with pytest.raises(ValueError, match="conv needs"):
        build_flow_vae((1, 6, 6), arch="conv")


LEVELS = torch.randint(0, 17, (6, 1, 8, 8), generator=torch.Generator().manual_seed(0))


@pytest.mark.parametrize("likelihood", ["discretized-logistic", "logit-normal"])
@pytest.mark.parametrize("arch", ["dense", "conv"])
def test_non_binary_decoders_bound_the_discrete_likelihood(likelihood, arch):
    torch.manual_seed(0)
    model = build_flow_vae((1, 8, 8), 4, "nice", 2, "dynamic", arch, hidden=16,
                           likelihood=likelihood, num_levels=17)
    log_prob = model.log_prob(LEVELS)
    assert log_prob.shape == (6,) and bool(torch.isfinite(log_prob).all())
    (-log_prob.mean()).backward()
    # a bound on the 17-level data: at initialisation worse than the uniform log2(17) bpd,
    # within a few bits (the logit-normal pays for the dequantization and the logit in nats)
    bpd = -float(log_prob.detach().mean()) / (64 * math.log(2))
    assert math.log2(17) - 0.5 < bpd < 12
    with torch.no_grad():
        samples = model.sample(3)
        means = decoder_images(model, torch.randn(3, 4))
    # discretized logistic: the 17 levels; logit-normal: the Gaussian's mass beyond the logit
    # interval lands on the dequantization's spare levels (up to 31 in its 5-bit range)
    top = 16 if likelihood == "discretized-logistic" else 31
    assert samples.dtype == torch.long and int(samples.min()) >= 0 and int(samples.max()) <= top
    assert means.shape == (3, 1, 8, 8) and bool(((means >= 0) & (means <= 1)).all())
    torch.manual_seed(1)
    terms = vae_terms(model, LEVELS)
    torch.manual_seed(1)
    torch.testing.assert_close(terms["log_px"] + terms["log_pz"] - terms["log_qz"],
                               model.log_prob(LEVELS))


def test_logit_normal_bound_counts_the_dequantization_and_logit():
    """The logit-normal flow's log_prob is the VAE's bound on the logits plus the log-dets of
    the pre-processing: -D log 17 for the dequantization and the logit's Jacobian."""
    torch.manual_seed(0)
    model = build_flow_vae((1, 8, 8), 4, "none", hidden=16, likelihood="logit-normal",
                           num_levels=17, alpha=0.05).double()
    torch.manual_seed(2)
    log_prob = model.log_prob(LEVELS)
    torch.manual_seed(2)
    y = (LEVELS.double() + torch.rand(LEVELS.shape, dtype=torch.float64)) / 17
    s = 0.05 + 0.9 * y
    logits = torch.log(s) - torch.log1p(-s)
    log_det = (math.log(0.9) - torch.log(s) - torch.log1p(-s)).sum((1, 2, 3)) - 64 * math.log(17)
    z, v = model.transforms[-1](logits)  # the same random stream: u first, then q(z|x)
    torch.testing.assert_close(log_prob, v + model.base_dist.log_prob(z) + log_det)


def test_nice_posterior_ends_with_a_diagonal_scaling():
    from survae.transforms import DiagonalScalingBijection

    for mode in ("static", "dynamic"):
        model = build_flow_vae((1, 8, 8), 4, "nice", 3, mode, hidden=16)
        steps = list(model.transforms[0].encoder.transforms)
        # ordered data (z_K) to latent (z_0): the first layer is the last sampling step
        assert isinstance(steps[0], DiagonalScalingBijection)
        assert sum(isinstance(s, DiagonalScalingBijection) for s in steps) == 1


def test_bad_likelihood_settings():
    with pytest.raises(ValueError, match="likelihood must be one of"):
        build_flow_vae((1, 8, 8), 4, likelihood="poisson")
    with pytest.raises(ValueError, match="num_levels"):
        build_flow_vae((1, 8, 8), 4, likelihood="discretized-logistic", num_levels=1)
