"""Transformer conditioners: equivariance without positions, order sensitivity with them."""

import pytest
import torch

from survae.nn.nets import PositionalTransformer, SetTransformer


def test_set_transformer_is_permutation_equivariant():
    torch.manual_seed(0)
    net = SetTransformer(3, 5, d_model=16, nhead=4, num_layers=2, zero_init=False).eval()
    x = torch.randn(4, 3, 12)
    perm = torch.randperm(12)
    torch.testing.assert_close(net(x)[:, :, perm], net(x[:, :, perm]), atol=1e-5, rtol=1e-5)
    assert net(x).shape == (4, 5, 12)


def test_zero_init_and_positional_order_sensitivity():
    x = torch.randn(2, 2, 6)
    assert SetTransformer(2, 4, d_model=8, nhead=2)(x).abs().max() == 0
    torch.manual_seed(1)
    net = PositionalTransformer(2, 4, length=6, d_model=8, nhead=2, zero_init=False).eval()
    perm = torch.tensor([1, 0, 2, 3, 4, 5])
    assert not torch.allclose(net(x)[:, :, perm], net(x[:, :, perm]), atol=1e-4)


def test_bad_shapes_are_named():
    with pytest.raises(ValueError, match=r"SetTransformer: expected input of shape \(batch, 3"):
        SetTransformer(3, 2, d_model=8, nhead=2)(torch.randn(2, 4, 5))
    with pytest.raises(ValueError, match="expected length 6"):
        PositionalTransformer(2, 2, length=6, d_model=8, nhead=2)(torch.randn(1, 2, 5))
    with pytest.raises(ValueError, match="must divide"):
        SetTransformer(2, 2, d_model=10, nhead=4)


def test_pooled_set_transformer_broadcasts_the_mean_output_and_is_invariant():
    torch.manual_seed(0)
    net = SetTransformer(3, 5, d_model=16, nhead=4, num_layers=1, zero_init=False).eval()
    pooled = SetTransformer(3, 5, d_model=16, nhead=4, num_layers=1, pool=True).eval()
    pooled.load_state_dict(net.state_dict())
    x = torch.randn(4, 3, 12)
    out = pooled(x)
    assert out.shape == (4, 5, 12)
    torch.testing.assert_close(out, net(x).mean(-1, keepdim=True).expand(-1, -1, 12))
    torch.testing.assert_close(pooled(x[:, :, torch.randperm(12)]), out, atol=1e-5, rtol=1e-5)
