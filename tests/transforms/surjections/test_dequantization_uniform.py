"""UniformDequantization: its log-det follows num_bits, never a loaded state_dict (issue 17)."""

import math

import pytest
import torch

from survae.transforms import UniformDequantization


def test_contribution_is_minus_d_log_k():
    layer = UniformDequantization(num_bits=3)
    x = torch.randint(0, 8, (5, 2, 3))
    z, ldj = layer(x)
    torch.testing.assert_close(ldj, torch.full((5,), -6 * math.log(8)))
    assert torch.equal(layer.inverse(z), x)


def test_state_dict_of_another_bit_depth_is_refused():
    eight = UniformDequantization(num_bits=8)
    with pytest.raises(ValueError, match=r"UniformDequantization\(num_bits=8\): .*num_bits=5"):
        eight.load_state_dict(UniformDequantization(num_bits=5).state_dict())
    torch.testing.assert_close(eight.ldj_per_dim, torch.tensor(-math.log(256)))
    eight.load_state_dict(UniformDequantization(num_bits=8).state_dict())  # same bits: fine
    eight.double().load_state_dict(UniformDequantization(num_bits=8).state_dict())
