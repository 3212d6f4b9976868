"""Rational-quadratic spline kernel: exactness, monotonicity, robustness at and past the tails."""

from __future__ import annotations

import pytest
import torch

from survae.transforms.bijections.functional.splines import (
    rational_quadratic_spline,
    unconstrained_rational_quadratic_spline,
)

K = 8


def _params(shape, dtype=torch.float64, scale=3.0, requires_grad=False):
    g = torch.Generator().manual_seed(0)
    make = lambda *s: (scale * torch.randn(*s, generator=g, dtype=dtype)).requires_grad_(  # noqa: E731
        requires_grad
    )
    return make(*shape, K), make(*shape, K), make(*shape, K - 1)


def test_inverse_and_log_det_match_autograd():
    x = (4 * torch.rand(500, dtype=torch.float64) - 2).requires_grad_()
    w, h, d = _params((500,))
    y, logabsdet = unconstrained_rational_quadratic_spline(x, w, h, d, tail_bound=1.5)
    (grad,) = torch.autograd.grad(y.sum(), x)
    torch.testing.assert_close(torch.log(grad), logabsdet)
    x_back, inverse_logabsdet = unconstrained_rational_quadratic_spline(
        y.detach(), w, h, d, inverse=True, tail_bound=1.5
    )
    torch.testing.assert_close(x_back, x.detach(), atol=1e-8, rtol=0)
    torch.testing.assert_close(inverse_logabsdet, -logabsdet.detach())


def test_monotone_and_onto_the_interval():
    x = torch.linspace(0, 1, 2001, dtype=torch.float64)
    w, h, d = _params((1,))
    d = torch.cat([d, torch.zeros(1, 2, dtype=torch.float64)], -1)  # K + 1 knot derivatives
    y, _ = rational_quadratic_spline(x, w.expand(2001, K), h.expand(2001, K), d.expand(2001, K + 1))
    assert bool((y[1:] > y[:-1]).all())
    assert float(y[0]) == pytest.approx(0.0, abs=1e-12) and float(y[-1]) == pytest.approx(1.0)


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
@pytest.mark.parametrize("inverse", [False, True])
def test_finite_values_and_gradients_at_and_beyond_the_bound(dtype, inverse):
    bound = 3.0
    x = torch.tensor(
        [-bound, bound, -bound - 1e-6, bound + 1e-6, -1e8, 1e8, 0.0, bound - 1e-7],
        dtype=dtype,
        requires_grad=True,
    )
    w, h, d = _params((8,), dtype=dtype, scale=10.0, requires_grad=True)
    y, logabsdet = unconstrained_rational_quadratic_spline(
        x, w, h, d, inverse=inverse, tail_bound=bound
    )
    (y.sum() + logabsdet.sum()).backward()
    for tensor in (y, logabsdet, x.grad, w.grad, h.grad, d.grad):
        assert bool(torch.isfinite(tensor).all())
    outside = x.detach().abs() >= bound
    assert torch.equal(y.detach()[outside], x.detach()[outside])
    assert bool((logabsdet.detach()[outside] == 0).all())


def test_all_tail_batch_has_zero_parameter_gradients():
    x = torch.tensor([5.0, -7.0, 1e4], dtype=torch.float64)
    w, h, d = _params((3,), requires_grad=True)
    y, logabsdet = unconstrained_rational_quadratic_spline(x, w, h, d, tail_bound=2.0)
    (y.sum() + logabsdet.sum()).backward()
    assert torch.equal(y, x)
    for grad in (w.grad, h.grad, d.grad):
        assert bool(torch.isfinite(grad).all()) and bool((grad == 0).all())


def test_continuous_at_the_bound():
    w, h, d = _params((2,))
    eps = 1e-9
    x = torch.tensor([2.0 - eps, 2.0 + eps], dtype=torch.float64)
    y, logabsdet = unconstrained_rational_quadratic_spline(x, w, h, d, tail_bound=2.0)
    assert float((y[1] - y[0]).abs()) < 1e-6
    assert float(logabsdet[0].abs()) < 1e-5  # boundary derivative is 1
