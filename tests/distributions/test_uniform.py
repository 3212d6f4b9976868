"""StandardUniform: log-density 0 inside the unit cube, -inf if any coordinate is outside."""

from __future__ import annotations

import math

import torch

from survae.distributions import StandardUniform


def test_inside_is_zero_outside_is_minus_inf():
    dist = StandardUniform((3,))
    x = torch.tensor(
        [
            [0.5, 0.5, 0.5],
            [0.0, 1.0, 0.3],  # closed boundary
            [0.5, 1.5, 0.5],  # one coordinate above
            [-0.1, 0.5, 0.5],  # one coordinate below
            [2.0, 2.0, -2.0],
        ],
        dtype=torch.float64,
    )
    log_prob = dist.log_prob(x)
    assert log_prob.dtype == torch.float64
    assert log_prob.tolist()[:2] == [0.0, 0.0]
    assert all(v == -math.inf for v in log_prob.tolist()[2:])


def test_single_outside_coordinate_in_a_large_event():
    # The official library averaged the indicators, giving log(63/64) here instead of -inf.
    x = torch.full((1, 64), 0.5)
    x[0, 17] = 1.01
    assert StandardUniform((64,)).log_prob(x).item() == -math.inf


def test_samples_in_unit_cube_and_dtype():
    torch.manual_seed(0)
    dist = StandardUniform((2, 3, 3)).double()
    x, log_prob = dist.sample_with_log_prob(100)
    assert x.dtype == torch.float64 and x.shape == (100, 2, 3, 3)
    assert bool(((x >= 0) & (x <= 1)).all())
    assert bool((log_prob == 0).all()) and log_prob.dtype == torch.float64
