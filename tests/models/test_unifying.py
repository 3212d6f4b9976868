"""Builders of the unifying table: the VAE + abs composition and the toy models."""

from __future__ import annotations

import torch

from survae.models.unifying import build_cif_flow, build_diffusion, build_rad_flow, build_vae_abs


def test_vae_abs_samples_are_sign_symmetric():
    torch.manual_seed(0)
    model = build_vae_abs(hidden_units=(8,))
    with torch.no_grad():
        x = model.sample(40_000)
    assert model.lower_bound
    for column in range(2):
        assert abs(float((x[:, column] > 0).double().mean()) - 0.5) < 0.015


def test_toy_builders_give_finite_log_probs_and_samples():
    torch.manual_seed(0)
    x = torch.rand(16, 2) * 8 - 4
    for model in (build_rad_flow("checkerboard", hidden_units=(8,)),
                  build_rad_flow("corners", hidden_units=(8,)),
                  build_cif_flow(hidden_units=(8,)), build_diffusion(hidden_units=(8,))):
        with torch.no_grad():
            assert bool(torch.isfinite(model.log_prob(x)).all())
            assert model.sample(5).shape == (5, 2)


def test_rad_checkerboard_sample_stays_in_the_square():
    torch.manual_seed(0)
    with torch.no_grad():
        x = build_rad_flow("checkerboard", hidden_units=(8,)).sample(2000)
    assert bool((x.abs() <= 4).all())


def test_cif_log_prob_stays_finite_far_from_the_data():
    # Large index-network weights stand in for a trained CIF extrapolating off its data: the
    # index u and the affine index map's scale then grow with |x|. Unbounded, exp(s(u))
    # overflowed and log_prob was NaN at the corners of the plotting grid.
    torch.manual_seed(0)
    model = build_cif_flow(hidden_units=(16,))
    with torch.no_grad():
        for name, parameter in model.named_parameters():
            if "encoder" in name or "decoder" in name or "bijection" in name:
                parameter.mul_(5.0)
        axis = torch.linspace(-50, 50, 41)
        grid = torch.stack(torch.meshgrid(axis, axis, indexing="xy"), -1).reshape(-1, 2)
        log_prob = model.log_prob(grid)
    assert not bool(torch.isnan(log_prob).any())  # -inf (no mass) is the right answer here
