"""ResidualBijection: stochastic log-det estimators, Neumann gradient, fixed-point inverse.

The exact mode (inverse, log-det against autograd, gradients, dtypes) runs in the shared harness
(``tests/transforms/cases/residual_continuous.py``).
"""

from __future__ import annotations

import pytest
import torch

from survae.nn.nets.lipschitz_mlp import LipschitzMLP
from survae.transforms.bijections.residual import ResidualBijection

D = 3


def _layer(hidden: tuple[int, ...] = (16,), coeff: float = 0.7, **kwargs) -> ResidualBijection:
    """A block whose layers all sit at the spectral-norm bound ``coeff`` (a large Jacobian)."""
    torch.manual_seed(0)
    net = LipschitzMLP(D, list(hidden), coeff=coeff).double()
    for layer in list(net)[::2]:
        with torch.no_grad():
            layer.weight.mul_(10.0)
        layer.refine_(200)
    return ResidualBijection(net, **kwargs).double().eval()


def _jac_g(layer: ResidualBijection, x: torch.Tensor) -> torch.Tensor:
    return torch.autograd.functional.jacobian(lambda v: layer.net(v[None])[0], x)


def _draws(layer: ResidualBijection, x: torch.Tensor, calls: int, copies: int) -> torch.Tensor:
    """Per-call means of the estimate at ``x`` (calls are independent; copies share the draw
    of the number of terms but not the noise)."""
    xs = x[None].expand(copies, D)
    with torch.no_grad():
        return torch.stack([layer(xs)[1].mean() for _ in range(calls)])


def _assert_mean(draws: torch.Tensor, expected: torch.Tensor, num_se: float = 4.0) -> None:
    se = draws.std() / draws.numel() ** 0.5
    assert (draws.mean() - expected).abs() <= num_se * se, (draws.mean(), expected, se)


@pytest.mark.parametrize("noise", ["gaussian", "rademacher"])
def test_russian_roulette_is_unbiased(noise):
    # linear g with ||J|| = 0.6: the variance is finite as 0.6^2 < 1 - geom_p
    layer = _layer((), 0.6, estimator="russian_roulette", n_exact_terms=1, geom_p=0.5, noise=noise)
    x = torch.randn(D, dtype=torch.float64)
    exact = torch.linalg.slogdet(torch.eye(D, dtype=torch.float64) + _jac_g(layer, x)).logabsdet
    torch.manual_seed(1)
    _assert_mean(_draws(layer, x, calls=300, copies=64), exact)


def test_truncated_series_converges_and_is_estimated_without_bias():
    layer = _layer((), 0.6, estimator="series")
    x = torch.randn(D, dtype=torch.float64)
    jac = _jac_g(layer, x)
    exact = torch.linalg.slogdet(torch.eye(D, dtype=torch.float64) + jac).logabsdet
    lip = torch.linalg.matrix_norm(jac, ord=2)
    torch.testing.assert_close(lip, torch.tensor(0.6, dtype=torch.float64))
    power, partial, errors = torch.eye(D, dtype=torch.float64), 0.0, []
    for k in range(1, 16):
        power = power @ jac
        partial = partial + (-1) ** (k + 1) * torch.trace(power) / k
        errors.append((partial - exact).abs())
        # |tail| <= D sum_{j>k} lip^j / j <= D lip^(k+1) / ((k+1)(1 - lip))
        assert errors[-1] <= D * lip ** (k + 1) / ((k + 1) * (1 - lip)) + 1e-12
        if k == 4:
            truncated_4 = partial
    assert errors[-1] < 1e-3 * errors[0]
    layer.n_terms = 4
    torch.manual_seed(1)
    _assert_mean(_draws(layer, x, calls=50, copies=200), truncated_4)


def test_neumann_gradient_keeps_the_value_and_is_unbiased():
    layer = _layer((3,), 0.9, estimator="russian_roulette", n_exact_terms=1, geom_p=0.5)
    x = torch.randn(D, dtype=torch.float64)
    xs = x[None].expand(64, D).clone()
    values = {}
    for neumann in (False, True):
        layer.neumann_grad = neumann
        torch.manual_seed(3)
        values[neumann] = layer(xs.requires_grad_())[1]
    torch.testing.assert_close(values[True], values[False])

    layer.estimator = "exact"
    xe = x[None].clone().requires_grad_()
    (expected,) = torch.autograd.grad(layer(xe)[1].sum(), xe)
    layer.estimator = "russian_roulette"
    grads = []
    torch.manual_seed(4)
    for _ in range(100):
        xg = xs.detach().requires_grad_()
        (grad,) = torch.autograd.grad(layer(xg)[1].sum(), xg)
        grads.append(grad.mean(0))
    grads = torch.stack(grads)
    se = grads.std(0) / grads.shape[0] ** 0.5
    assert ((grads.mean(0) - expected[0]).abs() <= 4 * se + 1e-12).all()


def test_parameter_gradients_of_stochastic_estimators_are_finite():
    for neumann in (False, True):
        layer = _layer(estimator="russian_roulette", neumann_grad=neumann).train()
        z, ldj = layer(torch.randn(8, D, dtype=torch.float64))
        (ldj.sum() + z.sum()).backward()
        grads = [p.grad for p in layer.parameters() if p.grad is not None]
        assert grads and all(torch.isfinite(g).all() for g in grads)


def test_inverse_is_differentiable():
    layer = _layer()
    z = torch.randn(1, D, dtype=torch.float64)
    x = layer.inverse(z)
    jac_inv = torch.autograd.functional.jacobian(lambda v: layer.inverse(v[None])[0], z[0])
    jac_fwd = torch.eye(D, dtype=torch.float64) + _jac_g(layer, x[0].detach())
    torch.testing.assert_close(jac_inv, torch.linalg.inv(jac_fwd), atol=1e-10, rtol=0)


def test_inverse_warns_when_not_converged():
    layer = _layer(inverse_max_iter=2)
    with pytest.warns(RuntimeWarning, match="did not converge"):
        layer.inverse(torch.randn(4, D, dtype=torch.float64))


def test_float32_inverse_converges_with_default_tolerance():
    layer = _layer().float()
    x = torch.randn(6, D)
    z, _ = layer(x)
    torch.testing.assert_close(layer.inverse(z), x, atol=1e-5, rtol=0)


def test_no_grad_forward_returns_detached_tensors():
    layer = _layer()
    with torch.no_grad():
        z, ldj = layer(torch.randn(2, D, dtype=torch.float64))
    assert not z.requires_grad and not ldj.requires_grad


def test_bad_arguments_and_shapes():
    with pytest.raises(ValueError, match="estimator"):
        _layer(estimator="taylor")
    with pytest.raises(ValueError, match="noise"):
        _layer(noise="uniform")
    with pytest.raises(ValueError, match="geom_p"):
        _layer(geom_p=1.0)
    layer = ResidualBijection(torch.nn.Linear(3, 2))
    with pytest.raises(ValueError, match=r"ResidualBijection\(estimator='exact'\).*shape"):
        layer(torch.randn(4, 3))
    assert _layer(estimator="russian_roulette").layer_name == (
        "ResidualBijection(estimator='russian_roulette', n_exact_terms=2, geom_p=0.5, "
        "noise='gaussian', neumann_grad=False)"
    )


def test_inference_mode_forward_raises_but_inverse_works():
    layer = _layer()
    with torch.inference_mode():
        z = torch.randn(2, D, dtype=torch.float64)
        assert layer.inverse(z).shape == (2, D)
        with pytest.raises(RuntimeError, match="inference_mode"):
            layer(z)
