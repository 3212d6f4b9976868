"""VariationalDequantization: z = (x + u) / K with u ~ q(u|x)."""

import math

import pytest
import torch

from survae.distributions import ConditionalDistribution, StandardUniform
from survae.transforms import VariationalDequantization
from survae.utils import validate_args


class _Shifted(ConditionalDistribution):
    """u = 0.25 + 0.5 v, v ~ U[0, 1): density 2 on [0.25, 0.75)."""

    def __init__(self, offset=0.25):
        super().__init__()
        self.offset = offset

    def sample_with_log_prob(self, context):
        u = self.offset + 0.5 * torch.rand_like(context)
        return u, torch.full((context.shape[0],), context[0].numel() * math.log(2.0))


def test_round_trip_and_contribution():
    layer = VariationalDequantization(_Shifted(), num_bits=5)
    x = torch.randint(0, 32, (64, 3, 2))
    z, ldj = layer(x)
    assert torch.equal(layer.inverse(z), x)
    assert bool(((32 * z - x >= 0.25) & (32 * z - x < 0.75)).all())
    expected = -6 * math.log(32) - 6 * math.log(2.0)
    torch.testing.assert_close(ldj, torch.full((64,), expected))


def test_float_context_in_the_layer_dtype():
    seen = {}

    class Spy(_Shifted):
        def sample_with_log_prob(self, context):
            seen["dtype"] = context.dtype
            return super().sample_with_log_prob(context)

    VariationalDequantization(Spy()).double()(torch.randint(0, 256, (2, 3)))
    assert seen["dtype"] == torch.float64


def test_requires_a_conditional_encoder():
    with pytest.raises(ValueError, match="VariationalDequantization"):
        VariationalDequantization(StandardUniform((2,)))


def test_validation():
    layer = VariationalDequantization(_Shifted(offset=0.9), num_bits=2)
    with validate_args():
        with pytest.raises(ValueError, match="outside"):
            layer(torch.randint(0, 4, (8, 2)))
        with pytest.raises(ValueError, match=r"\[0, 3\]"):
            layer(torch.tensor([[4, 0]]))


def test_state_dict_of_another_bit_depth_is_refused():
    layer = VariationalDequantization(_Shifted(), num_bits=8)
    with pytest.raises(ValueError, match=r"VariationalDequantization\(num_bits=8\): .*num_bits=3"):
        layer.load_state_dict(VariationalDequantization(_Shifted(), num_bits=3).state_dict())
    layer.load_state_dict(VariationalDequantization(_Shifted(), num_bits=8).state_dict())
