"""ODEBijection: exact flow map of linear dynamics, Hutchinson unbiasedness, inversion, adjoint.

The generic checks (log-det against the autograd Jacobian, gradients, dtypes) run in the shared
harness (``tests/transforms/cases/residual_continuous.py``).
"""

from __future__ import annotations

import sys

import pytest
import torch
from torch import nn

from survae.distributions import StandardNormal
from survae.nn.nets.odenet import ODENet
from survae.transforms import Augment, SequentialTransform
from survae.transforms.bijections.continuous import ODEBijection

pytest.importorskip("torchdiffeq")

TIGHT = dict(method="dopri5", rtol=1e-10, atol=1e-10)
RK4 = dict(method="rk4", options={"step_size": 0.1})


class LinearDynamics(nn.Module):
    """``f(t, x) = A x``: the flow map is ``expm(A T)`` and the log-det ``T tr(A)``."""

    def __init__(self, A: torch.Tensor):
        super().__init__()
        self.A = nn.Parameter(A)

    def forward(self, t, x):
        return x @ self.A.t()


def _linear_layer(**kwargs) -> tuple[ODEBijection, torch.Tensor]:
    torch.manual_seed(0)
    A = torch.randn(3, 3, dtype=torch.float64) / 2
    return ODEBijection(LinearDynamics(A), **kwargs).double(), A


@pytest.mark.parametrize("trace", ["exact", "hutchinson"])
def test_linear_dynamics_match_the_matrix_exponential(trace):
    layer, A = _linear_layer(T=0.7, train_T=True, trace=trace, **TIGHT)
    x = torch.randn(4, 3, dtype=torch.float64)
    z, ldj = layer(x)
    flow = torch.linalg.matrix_exp(0.7 * A.detach())
    torch.testing.assert_close(z, x @ flow.t(), atol=1e-8, rtol=0)
    expected = 0.7 * torch.trace(A.detach()).expand(4)
    if trace == "exact":
        torch.testing.assert_close(ldj, expected, atol=1e-8, rtol=0)
        # d ldj / d log T = T tr(A), d ldj / dA = T I
        ldj.sum().backward()
        torch.testing.assert_close(layer.log_T.grad, 4 * expected[0], atol=1e-7, rtol=0)
        eye = torch.eye(3, dtype=torch.float64)
        torch.testing.assert_close(layer.dynamics.A.grad, 4 * 0.7 * eye, atol=1e-7, rtol=0)
    x2, ldj2 = layer.inverse_and_ldj(z.detach())
    torch.testing.assert_close(x2, x, atol=1e-8, rtol=0)
    if trace == "exact":
        torch.testing.assert_close(ldj2, expected, atol=1e-8, rtol=0)


@pytest.mark.parametrize("noise", ["gaussian", "rademacher"])
def test_hutchinson_is_unbiased(noise):
    torch.manual_seed(0)
    dynamics = ODENet(3, [16], activation="tanh").double()
    exact_layer = ODEBijection(dynamics, trace="exact", **RK4)
    layer = ODEBijection(dynamics, trace="hutchinson", noise=noise, **RK4)
    x = torch.randn(1, 3, dtype=torch.float64).expand(4000, 3)
    with torch.no_grad():
        expected = exact_layer(x[:1])[1][0]
        z, draws = layer(x)
    torch.testing.assert_close(z[:1], exact_layer(x[:1])[0].detach())
    se = draws.std() / draws.numel() ** 0.5
    assert (draws.mean() - expected).abs() <= 4 * se, (draws.mean(), expected, se)
    assert draws.std() > 0


def test_inverse_of_forward_to_solver_tolerance():
    torch.manual_seed(0)
    layer = ODEBijection(ODENet(2, [16, 16]), T=1.5, **TIGHT).double()
    x = 2 * torch.randn(16, 2, dtype=torch.float64)
    with torch.no_grad():
        z, _ = layer(x)
        torch.testing.assert_close(layer.inverse(z), x, atol=1e-8, rtol=0)


def test_adjoint_gradients_match_direct_backprop():
    torch.manual_seed(0)
    dynamics = ODENet(2, [8]).double()
    x = torch.randn(6, 2, dtype=torch.float64)
    grads = []
    for adjoint in (False, True):
        layer = ODEBijection(dynamics, T=0.8, train_T=True, adjoint=adjoint, **TIGHT).double()
        layer.zero_grad()
        z, ldj = layer(x)
        (ldj.sum() + (z**2).sum()).backward()
        grads.append([p.grad.clone() for p in layer.parameters()])
    for direct, adjoint in zip(*grads):
        torch.testing.assert_close(adjoint, direct, atol=1e-6, rtol=1e-6)


def test_augmented_ode_flow_composes_with_augment():
    torch.manual_seed(0)
    ode = ODEBijection(ODENet(2 + 2, [8]), **RK4).double()
    flow = SequentialTransform([Augment(StandardNormal((2,)), x_size=2), ode]).double()
    x = torch.randn(5, 2, dtype=torch.float64)
    torch.manual_seed(1)
    z, ldj = flow(x)
    torch.manual_seed(1)
    augmented, neg_log_q = flow.transforms[0](x)
    z_ode, ldj_ode = ode(augmented)
    torch.testing.assert_close(z, z_ode)
    torch.testing.assert_close(ldj, neg_log_q + ldj_ode)
    assert flow.lower_bound
    torch.testing.assert_close(flow.inverse(z), x, atol=1e-7, rtol=0)


def test_float32_solve_keeps_dtype():
    torch.manual_seed(0)
    layer = ODEBijection(ODENet(2, [8]), trace="hutchinson", **RK4)
    z, ldj = layer(torch.randn(3, 2))
    assert z.dtype == ldj.dtype == torch.float32


def test_bad_arguments_and_repr():
    with pytest.raises(ValueError, match="T must be positive"):
        ODEBijection(ODENet(2, [8]), T=0.0)
    with pytest.raises(ValueError, match="trace"):
        ODEBijection(ODENet(2, [8]), trace="skilling")
    with pytest.raises(ValueError, match="noise"):
        ODEBijection(ODENet(2, [8]), noise="uniform")
    layer = ODEBijection(ODENet(2, [8]), T=0.5, **RK4)
    assert layer.layer_name == (
        "ODEBijection(T=0.5, trace='exact', method='rk4', options={'step_size': 0.1})"
    )
    with pytest.raises(ValueError, match="ODEBijection: the dynamics must keep the shape"):
        ODEBijection(_Widen())(torch.randn(4, 2))


class _Widen(nn.Module):
    def forward(self, t, x):
        return torch.cat([x, x], dim=1)


def test_missing_torchdiffeq_names_the_extra(monkeypatch):
    monkeypatch.setitem(sys.modules, "torchdiffeq", None)
    layer = ODEBijection(ODENet(2, [8]))
    with pytest.raises(ImportError, match=r"survae\[ode\]"):
        layer(torch.randn(3, 2))


def test_inference_mode_forward_raises_but_inverse_works():
    layer = ODEBijection(ODENet(2, [8]), **RK4)
    with torch.inference_mode():
        z = torch.randn(3, 2)
        assert layer.inverse(z).shape == (3, 2)
        with pytest.raises(RuntimeError, match="inference_mode"):
            layer(z)
        with pytest.raises(RuntimeError, match="inference_mode"):
            layer.inverse_and_ldj(z)
