"""Flow, ConditionalFlow and InverseFlow: Algorithm 1, sampling with log-probs, dtypes, errors."""

from __future__ import annotations

import math

import pytest
import torch
from torch import nn

import survae
from survae.distributions import ConditionalNormal, StandardNormal
from survae.flows import ConditionalFlow, ConditionalInverseFlow, Flow, InverseFlow
from survae.transforms import (
    ActNormBijection,
    Augment,
    Reverse,
    ScalarAffineBijection,
    SimpleAbsSurjection,
    Slice,
)


def _normal_logpdf(x):
    return (-0.5 * x**2 - 0.5 * math.log(2 * math.pi)).sum(1)


def test_log_prob_is_algorithm_1_sum_of_contributions():
    torch.manual_seed(0)
    layers = [ScalarAffineBijection(shift=1.0, scale=2.0), Reverse(2)]
    model = Flow(StandardNormal((2,)), layers).double()
    x = torch.randn(7, 2, dtype=torch.float64)
    z = (x * 2.0 + 1.0).flip(1)
    expected = _normal_logpdf(z) + 2 * math.log(2.0)
    torch.testing.assert_close(model.log_prob(x), expected)
    assert model.exact and not model.lower_bound


def test_log_prob_keeps_float64_precision():
    model = Flow(StandardNormal((2,)), [ScalarAffineBijection(scale=1.0 + 1e-12)]).double()
    x = torch.full((1, 2), 1e-3, dtype=torch.float64)
    out = model.log_prob(x)
    assert out.dtype == torch.float64
    expected = _normal_logpdf(x * (1.0 + 1e-12)) + 2 * math.log1p(1e-12)
    torch.testing.assert_close(out, expected, atol=1e-15, rtol=0)


def test_sample_with_log_prob_matches_log_prob_for_exact_flows():
    torch.manual_seed(0)
    model = Flow(
        StandardNormal((1,)),
        [ActNormBijection(2), Slice(StandardNormal((1,)), num_keep=1)],
    ).double()
    model.log_prob(torch.randn(16, 2, dtype=torch.float64))  # data-dependent init
    model.eval()
    x, log_prob = model.sample_with_log_prob(10)
    torch.testing.assert_close(log_prob, model.log_prob(x))


def test_sample_with_log_prob_raises_clearly_for_bounds():
    model = Flow(StandardNormal((4,)), [Augment(StandardNormal((2,)), x_size=2)])
    assert model.lower_bound and not model.exact
    with pytest.raises(NotImplementedError, match="Augment"):
        model.sample_with_log_prob(3)
    assert model.sample(3).shape == (3, 2)


def test_flow_rejects_bad_arguments():
    with pytest.raises(ValueError, match="base_dist"):
        Flow(nn.Linear(2, 2), [Reverse(2)])
    with pytest.raises(ValueError, match=r"transforms\[1\]"):
        Flow(StandardNormal((2,)), [Reverse(2), nn.Linear(2, 2)])


def test_bad_input_errors_name_the_layer():
    model = Flow(StandardNormal((2,)), [ActNormBijection(2), Reverse(2)])
    with pytest.raises(ValueError, match="floating"):
        model.log_prob(torch.ones(3, 2, dtype=torch.long))
    with pytest.raises(ValueError, match="ActNormBijection"):
        model.log_prob(torch.randn(3, 5))


def test_validation_flag_catches_nan_and_names_the_layer():
    model = Flow(StandardNormal((2,)), [ScalarAffineBijection(scale=2.0), SimpleAbsSurjection()])
    x = torch.tensor([[float("nan"), 1.0]])
    assert torch.isnan(model.log_prob(x)).all()  # off by default: no host sync on the hot path
    with survae.validate_args():
        with pytest.raises(ValueError, match="NaN"):
            model.log_prob(x)


def test_conditional_flow_log_prob_and_sampling():
    torch.manual_seed(0)
    base = ConditionalNormal(nn.Linear(3, 4))
    model = ConditionalFlow(base, [ScalarAffineBijection(scale=3.0)]).double()
    context = torch.randn(6, 3, dtype=torch.float64)
    x, log_prob = model.sample_with_log_prob(context)
    assert x.shape == (6, 2)
    torch.testing.assert_close(log_prob, model.log_prob(x, context))
    assert model.sample(context).shape == (6, 2)


def test_inverse_flow_samples_with_density():
    torch.manual_seed(0)
    model = InverseFlow(
        StandardNormal((2,)), [ScalarAffineBijection(shift=1.0, scale=0.5)]
    ).double()
    x, log_prob = model.sample_with_log_prob(5)
    torch.testing.assert_close(log_prob, model.log_prob(x))
    cond = ConditionalInverseFlow(ConditionalNormal(nn.Linear(1, 4)), [Reverse(2)]).double()
    context = torch.randn(5, 1, dtype=torch.float64)
    y, lp = cond.sample_with_log_prob(context)
    torch.testing.assert_close(lp, cond.log_prob(y, context))
