"""1x1 convolutions: LU and plain agree, the cached inverse stays correct, shapes are checked."""

from __future__ import annotations

import copy

import pytest
import torch
import torch.nn.functional as F

from survae.transforms import Conv1x1, Conv1x1LU


def _pair(c: int = 4) -> tuple[Conv1x1LU, Conv1x1]:
    torch.manual_seed(0)
    lu = Conv1x1LU(c).double()
    with torch.no_grad():  # move away from a rotation so the log-det is not ~0
        lu.log_s.add_(torch.linspace(-0.5, 0.7, c, dtype=torch.float64))
        lu.upper.add_(0.3)
    plain = Conv1x1(c).double()
    with torch.no_grad():
        plain.weight.copy_(lu._weight())
    return lu, plain


@pytest.mark.parametrize("shape", [(5, 4), (5, 4, 6), (5, 4, 3, 3)], ids=["vector", "1d", "2d"])
def test_lu_and_plain_agree(shape):
    lu, plain = _pair()
    x = torch.randn(*shape, dtype=torch.float64)
    z_lu, ldj_lu = lu(x)
    z, ldj = plain(x)
    torch.testing.assert_close(z_lu, z)
    torch.testing.assert_close(ldj_lu, ldj)
    assert abs(float(ldj[0].detach())) > 0.1
    torch.testing.assert_close(lu.inverse(z), plain.inverse(z))
    torch.testing.assert_close(lu.inverse_and_ldj(z)[1], plain.inverse_and_ldj(z)[1])


def test_matches_conv2d_and_output_is_contiguous():
    _, plain = _pair()
    x = torch.randn(2, 4, 3, 5, dtype=torch.float64)
    z, _ = plain(x)
    torch.testing.assert_close(z, F.conv2d(x, plain.weight.view(4, 4, 1, 1)))
    assert z.is_contiguous() and plain.inverse(z).is_contiguous()


def test_cached_inverse_is_reused_then_invalidated(monkeypatch):
    _, plain = _pair()
    calls = []
    original = Conv1x1._compute_inverse
    monkeypatch.setattr(Conv1x1, "_compute_inverse", lambda self: calls.append(1) or original(self))
    z = torch.randn(3, 4, 2, 2, dtype=torch.float64)
    with torch.no_grad():
        x1 = plain.inverse(z)
        plain.inverse(z)
        plain(x1)
    assert len(calls) == 1
    with torch.no_grad():
        plain.weight.mul_(2.0)  # an in-place optimizer-like update invalidates the cache
        x2 = plain.inverse(z)
    assert len(calls) == 2
    torch.testing.assert_close(x2, x1 / 2)
    plain.load_state_dict(_pair()[1].state_dict())
    with torch.no_grad():
        torch.testing.assert_close(plain.inverse(z), x1)
    assert len(calls) == 3


def test_inverse_is_differentiable_with_grad_enabled():
    _, plain = _pair()
    z = torch.randn(3, 4, 2, 2, dtype=torch.float64)
    with torch.no_grad():
        plain.inverse(z)  # fills the cache; must not be used for the graph below
    x, ldj = plain.inverse_and_ldj(z)
    (x.square().sum() + ldj.sum()).backward()
    weight = plain.weight.detach().clone().requires_grad_()
    inv = torch.linalg.inv(weight)
    x_ref = torch.einsum("ij,bjhw->bihw", inv, z)
    ldj_ref = 4 * torch.linalg.slogdet(weight).logabsdet * 3
    (x_ref.square().sum() + ldj_ref).backward()
    torch.testing.assert_close(plain.weight.grad, weight.grad)


def test_lu_gradients_flow_through_inverse():
    lu, _ = _pair()
    x = lu.inverse(torch.randn(2, 4, 2, 2, dtype=torch.float64))
    x.sum().backward()
    assert all(p.grad is not None for p in (lu.lower, lu.upper, lu.log_s))


def test_copies_do_not_share_the_cache():
    _, plain = _pair()
    z = torch.randn(2, 4, dtype=torch.float64)
    with torch.no_grad():
        plain.inverse(z)
    clone = copy.deepcopy(plain)
    assert "_inverse_cache" not in clone.__dict__
    with torch.no_grad():
        clone.weight.mul_(3.0)
        torch.testing.assert_close(clone.inverse(z), plain.inverse(z) / 3)


@pytest.mark.parametrize("layer", [Conv1x1(3), Conv1x1LU(3)], ids=["plain", "lu"])
def test_bad_channels_error_names_the_layer(layer):
    name = type(layer).__name__
    with pytest.raises(ValueError, match=rf"{name}\(num_channels=3\).*3 features along dim 1"):
        layer(torch.zeros(2, 4, 2, 2))
    with pytest.raises(ValueError, match=rf"{name}\(num_channels=3\)"):
        layer.inverse(torch.zeros(2, 2, 2, 2))
