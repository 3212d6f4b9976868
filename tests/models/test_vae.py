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
