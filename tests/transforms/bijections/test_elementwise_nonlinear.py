"""Elementwise bijections: stable log-dets far out, the alpha squeeze, official semantics."""

from __future__ import annotations

import math

import torch

from survae.transforms import Logit, Sigmoid, SoftplusInverse, Tanh


def test_tanh_log_det_is_finite_and_exact_far_out():
    x = torch.tensor([[30.0, -30.0, 0.0]], dtype=torch.float64)
    _, ldj = Tanh()(x)
    expected = 2 * (math.log(4) - 60) + 0.0  # log(1 - tanh^2) ~ log 4 - 2|x| for large |x|
    assert torch.isfinite(ldj).all()
    torch.testing.assert_close(
        ldj, torch.tensor([expected], dtype=torch.float64), atol=1e-9, rtol=1e-9
    )


def test_logit_alpha_maps_the_unit_interval_inside_and_matches_realnvp():
    alpha = 0.05
    x = torch.tensor([[0.0, 1.0, 0.5]], dtype=torch.float64)
    z, ldj = Logit(alpha=alpha)(x)
    y = alpha + (1 - 2 * alpha) * x
    torch.testing.assert_close(z, torch.log(y) - torch.log1p(-y))
    expected = (math.log(1 - 2 * alpha) - torch.log(y) - torch.log1p(-y)).sum()
    torch.testing.assert_close(ldj, expected.reshape(1))


def test_sigmoid_is_the_inverse_of_logit():
    x = torch.rand(10, 3, dtype=torch.float64) * 0.9 + 0.05
    logit, sigmoid = Logit(temperature=0.5, alpha=0.01), Sigmoid(temperature=0.5, alpha=0.01)
    z, ldj = logit(x)
    back, ldj_back = sigmoid(z)
    torch.testing.assert_close(back, x)
    torch.testing.assert_close(ldj, -ldj_back)


def test_softplus_inverse_far_out_is_finite():
    z, ldj = SoftplusInverse()(torch.tensor([[1e-9, 50.0]], dtype=torch.float64))
    assert torch.isfinite(z).all() and torch.isfinite(ldj).all()


def test_sigmoid_inverse_checks_the_unit_interval_only_when_validating():
    import pytest

    from survae.utils.validation import validate_args

    layer = Sigmoid()
    bad = torch.tensor([[0.5, 1.5]], dtype=torch.float64)
    layer.inverse(bad)  # no value check (no host sync) by default
    with validate_args(), pytest.raises(ValueError, match=r"Sigmoid\(temperature=1.0"):
        layer.inverse(bad)
    with validate_args(), pytest.raises(ValueError, match="Sigmoid"):
        layer.inverse_and_ldj(bad)
