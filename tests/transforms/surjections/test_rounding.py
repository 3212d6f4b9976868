"""RoundingSurjection: floor towards the latent, fractional part from the decoder."""

import pytest
import torch

from survae.distributions import Categorical, StandardNormal, StandardUniform
from survae.flows import Flow
from survae.transforms import RoundingSurjection
from survae.utils import validate_args


def test_inverse_lands_in_the_cell_of_z():
    layer = RoundingSurjection(StandardUniform((3,)))
    z = torch.randint(-5, 5, (100, 3)).double()
    x = layer.inverse(z)
    assert torch.equal(x.floor(), z)
    assert torch.equal(layer(x)[0], z)


def test_flow_with_integer_base_samples_and_scores():
    base = Categorical((2,), num_categories=4)
    model = Flow(base, [RoundingSurjection(StandardUniform((2,)))])
    x, log_prob = model.sample_with_log_prob(50)
    assert x.is_floating_point() and bool(((x >= 0) & (x < 4)).all())
    torch.testing.assert_close(log_prob, model.log_prob(x))
    assert model.exact


def test_rejects_a_non_distribution_decoder():
    with pytest.raises(ValueError, match="RoundingSurjection"):
        RoundingSurjection(torch.nn.Linear(2, 2))


def test_validation_catches_a_decoder_outside_the_unit_interval():
    layer = RoundingSurjection(StandardNormal((2,)))
    with validate_args(), pytest.raises(ValueError, match="outside"):
        layer.inverse(torch.zeros(1000, 2))
