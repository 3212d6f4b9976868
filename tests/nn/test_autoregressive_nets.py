"""Autoregressive conditioners: output i never depends on inputs at or after i (in the order)."""

import pytest
import torch

from survae.nn.nets import MADE, AutoregressiveTransformer, MultiscaleDenseNet, ResidualMADE


def _jacobian(net, d):
    x = torch.randn(1, d, dtype=torch.float64)
    return torch.autograd.functional.jacobian(lambda v: net(v)[0, :, 0], x)[:, 0]


@pytest.mark.parametrize("make", [
    lambda: MADE(5, 2, [32, 32]),
    lambda: ResidualMADE(5, 2, hidden_features=32, num_blocks=2),
    lambda: ResidualMADE(5, 2, hidden_features=32, random_order=True, random_seed=3),
    lambda: AutoregressiveTransformer(5, 2, d_model=16, nhead=2, num_layers=2),
], ids=["made", "residual-made", "residual-made-random-order", "transformer"])
def test_autoregressive_structure(make):
    torch.manual_seed(0)
    net = make().double()
    with torch.no_grad():  # non-zero residual branches, so every path is exercised
        for p in net.parameters():
            p.add_(0.1 * torch.randn_like(p))
    jac = _jacobian(net, 5)
    order = getattr(net, "in_degrees", torch.arange(1, 6))
    allowed = order.unsqueeze(1) > order.unsqueeze(0)  # input j strictly before output i
    assert torch.count_nonzero(jac[~allowed]) == 0
    assert torch.count_nonzero(jac[allowed]) == allowed.sum()  # and it uses all of the past


def test_multiscale_densenet_shapes_and_bad_input():
    net = MultiscaleDenseNet(2, 6, num_scales=3, num_blocks=1, mid_channels=8, depth=1,
                             growth=4, dropout=0.0, zero_init=True)
    out = net(torch.randn(2, 2, 8, 8))
    assert out.shape == (2, 6, 8, 8) and out.abs().max() == 0
    with pytest.raises(ValueError, match="divisible by 4"):
        net(torch.randn(2, 2, 6, 6))
    with pytest.raises(ValueError, match="num_scales"):
        MultiscaleDenseNet(2, 6, 1, 1, 8, 1, 4, 0.0)


def test_agnostic_made_patterns_are_each_autoregressive_in_their_own_order():
    from survae.nn.nets import AgnosticMADE

    torch.manual_seed(0)
    net = AgnosticMADE(4, 1, [32, 32], num_masks=3).double()  # pattern 0
    orders = set()
    for k in range(3):
        net.select_mask(k)
        jac = _jacobian(net, 4)
        deg = net.in_degrees
        assert torch.count_nonzero(jac[~(deg.unsqueeze(1) > deg.unsqueeze(0))]) == 0
        orders.add(tuple(net.order.tolist()))
    assert len(orders) > 1  # different orderings, one set of weights
    x = torch.randn(2, 4, dtype=torch.float64)
    net.select_mask(1)
    ensemble = net.mask_ensemble(x)
    assert ensemble.shape == (2, 4, 1) and net.current_mask == 1
    assert net.next_mask().current_mask == 2
    with pytest.raises(ValueError, match="mask index"):
        net.select_mask(3)


def test_agnostic_made_cycles_patterns_on_each_call_as_official():
    from survae.nn.nets import AgnosticMADE

    net = AgnosticMADE(5, 2, [16], order_agnostic=True, connect_agnostic=False, num_masks=2)
    x = torch.randn(3, 5)
    first, second, third = net(x), net(x), net(x)  # patterns 1, 0, 1
    assert torch.equal(first, third) and not torch.equal(first, second)
    assert net.current_mask == 1
