"""OTFlowBijection: the transport cost trains the potential; copies drop the last cost."""

from __future__ import annotations

import copy
import importlib.util

import pytest
import torch

from survae.transforms import OTFlowBijection, PotentialDynamics

pytestmark = pytest.mark.skipif(importlib.util.find_spec("torchdiffeq") is None,
                                reason="needs torchdiffeq")


def _layer() -> OTFlowBijection:
    torch.manual_seed(0)
    net = torch.nn.Sequential(torch.nn.Linear(3, 8), torch.nn.Tanh(), torch.nn.Linear(8, 1))
    return OTFlowBijection(net, 2, method="rk4", options={"step_size": 0.25}).double()


def test_transport_cost_reaches_the_potential():
    layer = _layer()
    layer(torch.randn(8, 2, dtype=torch.float64))
    assert layer.transport_cost.shape == (8,) and bool((layer.transport_cost >= 0).all())
    layer.transport_cost.mean().backward()
    first, last = layer.dynamics.potential[0], layer.dynamics.potential[2]
    for grad in (first.weight.grad, first.bias.grad, last.weight.grad):
        assert grad is not None and torch.isfinite(grad).all() and bool(grad.abs().sum() > 0)
    assert last.bias.grad is None  # a constant shift of the potential moves nothing


def test_deepcopy_and_state_dict_after_forward():
    layer = _layer()
    layer(torch.randn(3, 2, dtype=torch.float64))
    clone = copy.deepcopy(layer)
    assert clone.transport_cost is None
    assert set(clone.state_dict()) == set(layer.state_dict())


def test_dynamics_are_minus_the_gradient():
    potential = torch.nn.Sequential(torch.nn.Linear(3, 1))
    dynamics = PotentialDynamics(potential, 2, rank=0)
    x = torch.randn(4, 2)
    weight = potential[0].weight.detach()[0, :2]
    torch.testing.assert_close(dynamics(torch.tensor(0.3), x), -weight.expand(4, 2))
    with pytest.raises(ValueError, match=r"PotentialDynamics: expected states of shape \(batch, 2"):
        dynamics(torch.tensor(0.0), torch.randn(4, 3))
