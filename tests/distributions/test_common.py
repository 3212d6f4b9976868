"""Contract checks shared by every unconditional distribution: shapes, dtypes, errors, state."""

from __future__ import annotations

import pytest
import torch

from survae.distributions import (
    Bernoulli,
    Categorical,
    ConvNormal2d,
    DiagonalNormal,
    Distribution,
    GaussianMixture,
    StandardHalfNormal,
    StandardNormal,
    StandardUniform,
)

MAKERS = {
    "StandardNormal": lambda: StandardNormal((2, 3)),
    "DiagonalNormal": lambda: DiagonalNormal((2, 3)),
    "ConvNormal2d": lambda: ConvNormal2d((2, 3, 4)),
    "StandardHalfNormal": lambda: StandardHalfNormal((2, 3)),
    "GaussianMixture": lambda: GaussianMixture(3, num_components=4),
    "GaussianMixtureFull": lambda: GaussianMixture(3, num_components=4, covariance="full"),
    "StandardUniform": lambda: StandardUniform((2, 3)),
    "Bernoulli": lambda: Bernoulli((2, 3)),
    "Categorical": lambda: Categorical((2, 3), num_categories=5),
}
DISCRETE = {"Bernoulli", "Categorical"}


@pytest.fixture(params=sorted(MAKERS))
def name(request) -> str:
    return request.param


def _perturbed(dist: Distribution) -> Distribution:
    with torch.no_grad():
        for parameter in dist.parameters():
            parameter.add_(0.3 * torch.randn_like(parameter))
    return dist


def test_is_distribution_with_shape(name):
    dist = MAKERS[name]()
    assert isinstance(dist, Distribution)
    assert isinstance(dist.shape, torch.Size)
    assert "shape=" in repr(dist)


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
def test_sample_shape_dtype_and_log_prob(name, dtype):
    torch.manual_seed(0)
    dist = _perturbed(MAKERS[name]()).to(dtype)
    x = dist.sample(7)
    assert x.shape == (7, *dist.shape)
    assert x.dtype == (torch.long if name in DISCRETE else dtype)
    log_prob = dist.log_prob(x)
    assert log_prob.shape == (7,)
    assert log_prob.dtype == dtype
    assert bool(torch.isfinite(log_prob).all())


def test_sample_with_log_prob_matches_log_prob(name):
    torch.manual_seed(1)
    dist = _perturbed(MAKERS[name]()).double()
    x, log_prob = dist.sample_with_log_prob(6)
    assert x.shape == (6, *dist.shape) and log_prob.shape == (6,)
    torch.testing.assert_close(log_prob, dist.log_prob(x), rtol=1e-12, atol=1e-12)


def test_float64_input_gives_float64_log_prob(name):
    dist = MAKERS[name]()  # float32 module
    x = dist.sample(4)
    x = x if name in DISCRETE else x.double()
    expected = torch.float32 if name in DISCRETE else torch.float64
    assert dist.log_prob(x).dtype == expected


def test_wrong_event_shape_raises_naming_distribution(name):
    dist = MAKERS[name]()
    x = dist.sample(3)
    bad = torch.cat([x, x], dim=-1)
    with pytest.raises(ValueError, match=type(dist).__name__) as info:
        dist.log_prob(bad)
    assert ", ".join(map(str, dist.shape)) in str(info.value)


def test_state_dict_round_trip(name):
    torch.manual_seed(2)
    dist = _perturbed(MAKERS[name]())
    clone = MAKERS[name]()
    clone.load_state_dict(dist.state_dict())
    x = dist.sample(5)
    torch.testing.assert_close(clone.log_prob(x), dist.log_prob(x))


def test_call_dispatches_modes(name):
    dist = MAKERS[name]()
    x = dist(4, mode="sample")
    torch.testing.assert_close(dist(x), dist.log_prob(x))


@pytest.mark.parametrize("shape", [(0,), (-1, 2), "ab"])
def test_bad_shape_argument_raises(shape):
    with pytest.raises(ValueError, match="StandardNormal"):
        StandardNormal(shape)


def test_int_shape_means_vector():
    assert StandardNormal(3).shape == (3,)
