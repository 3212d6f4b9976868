"""Harness cases for invertible residual blocks and continuous (neural ODE) flows.

Residual blocks use the exact log-det (the stochastic estimators are tested in
``tests/transforms/bijections/test_residual.py``); ODE flows use a fixed-step RK4 solver, whose
flow map and integrated trace agree with the autograd Jacobian to ~1e-9 in float64.
"""

from __future__ import annotations

import importlib.util

import pytest

from survae.nn.nets.lipschitz_convnet import LipschitzConvNet
from survae.nn.nets.lipschitz_mlp import LipschitzMLP
from survae.nn.nets.odenet import ODENet
from survae.transforms.bijections.continuous import ODEBijection
from survae.transforms.bijections.residual import ResidualBijection
from tests.transforms.harness import Case, normal_input

_NO_TORCHDIFFEQ = pytest.mark.skipif(
    importlib.util.find_spec("torchdiffeq") is None,
    reason="needs the optional dependency torchdiffeq (pip install 'survae[ode]')",
)
_RK4 = dict(method="rk4", options={"step_size": 0.1})

CASES = [
    Case(
        "ResidualBijection-exact-3d",
        lambda: ResidualBijection(LipschitzMLP(3, [16, 16], coeff=0.9)),
        normal_input((3,)),
        atol=1e-9,
    ),
    Case(
        "ResidualBijection-exact-image",
        lambda: ResidualBijection(LipschitzConvNet(2, 4, input_size=(3, 3), coeff=0.9)),
        normal_input((2, 3, 3)),
        atol=1e-9,
    ),
    Case(
        "ODEBijection-exact-rk4",
        lambda: ODEBijection(ODENet(2, [8]), T=0.7, train_T=True, **_RK4),
        normal_input((2,)),
        atol=1e-7,
        marks=[_NO_TORCHDIFFEQ],
    ),
    Case(
        "ODEBijection-exact-dopri5-adjoint",
        lambda: ODEBijection(
            ODENet(3, [8], activation="softplus"), rtol=1e-9, atol=1e-9, adjoint=True
        ),
        normal_input((3,)),
        atol=1e-7,
        marks=[_NO_TORCHDIFFEQ],
    ),
]
