"""Spline kernels: exactness, monotonicity, tails and robustness at and beyond the bound."""

from __future__ import annotations

import math

import pytest
import torch

from survae.transforms.bijections.functional.splines import (
    cubic_spline,
    linear_spline,
    packed_rational_quadratic_spline,
    quadratic_spline,
    rational_quadratic_spline,
    unconstrained_cubic_spline,
    unconstrained_linear_spline,
    unconstrained_quadratic_spline,
    unconstrained_rational_quadratic_spline,
)
from survae.transforms.bijections.functional.splines.utils import search_bins

K = 6
KINDS = ["linear", "quadratic", "cubic", "rational_quadratic"]
TAILS = ["linear", "circular", None]
UNCONSTRAINED = {
    "linear": unconstrained_linear_spline,
    "quadratic": unconstrained_quadratic_spline,
    "cubic": unconstrained_cubic_spline,
    "rational_quadratic": unconstrained_rational_quadratic_spline,
}
BOUNDED = {
    "linear": linear_spline,
    "quadratic": quadratic_spline,
    "cubic": cubic_spline,
    "rational_quadratic": rational_quadratic_spline,
}


@pytest.fixture(autouse=True)
def _seed():
    torch.manual_seed(0)


def _param_sizes(kind: str, tails: str | None | bool) -> list[int]:
    """Last-dim sizes of each parameter tensor (``tails=False``: the bounded kernel)."""
    if kind == "linear":
        return [K]
    if kind == "quadratic":
        return [K, K - 1 if tails else K + 1]
    if kind == "cubic":
        return [K, K, 1, 1]
    derivatives = {"linear": K - 1, "circular": K, None: K + 1, False: K + 1}[tails]
    return [K, K, derivatives]


def _params(kind, tails, shape, dtype=torch.float64, scale=2.0, seed=0, requires_grad=False):
    g = torch.Generator().manual_seed(seed)
    return [
        (scale * torch.randn(*shape, size, generator=g, dtype=dtype)).requires_grad_(requires_grad)
        for size in _param_sizes(kind, tails)
    ]


def _unconstrained(kind, x, params, inverse=False, tails="linear", bound=2.0):
    return UNCONSTRAINED[kind](x, *params, inverse=inverse, tails=tails, tail_bound=bound)


def _inputs(n: int, tails, bound: float, dtype=torch.float64) -> torch.Tensor:
    g = torch.Generator().manual_seed(1)
    if tails is None:
        return (2 * torch.rand(n, generator=g, dtype=dtype) - 1) * bound
    return (2 * torch.rand(n, generator=g, dtype=dtype) - 1) * 2 * bound  # half in the tails


@pytest.mark.parametrize("tails", TAILS)
@pytest.mark.parametrize("kind", KINDS)
def test_inverse_and_log_det_match_autograd(kind, tails):
    n, bound = 400, 2.0
    x = _inputs(n, tails, bound).requires_grad_()
    params = _params(kind, tails, (n,))
    y, logabsdet = _unconstrained(kind, x, params, tails=tails, bound=bound)
    (grad,) = torch.autograd.grad(y.sum(), x)
    torch.testing.assert_close(logabsdet, torch.log(grad), atol=1e-10, rtol=1e-10)
    x_back, inverse_logabsdet = _unconstrained(kind, y.detach(), params, True, tails, bound)
    torch.testing.assert_close(x_back, x.detach(), atol=1e-9, rtol=0)
    torch.testing.assert_close(inverse_logabsdet, -logabsdet.detach(), atol=1e-9, rtol=0)


@pytest.mark.parametrize("kind", KINDS)
def test_bounded_kernel_on_a_rectangle(kind):
    """Domain ``[left, right]`` onto ``[bottom, top]`` of another length (official signature)."""
    n, left, right, bottom, top = 300, -1.0, 3.0, 0.5, 1.5
    x = (left + (right - left) * torch.rand(n, dtype=torch.float64)).requires_grad_()
    params = _params(kind, False, (n,))
    box = {"left": left, "right": right, "bottom": bottom, "top": top}
    y, logabsdet = BOUNDED[kind](x, *params, **box)
    assert bool(((y >= bottom) & (y <= top)).all())
    (grad,) = torch.autograd.grad(y.sum(), x)
    torch.testing.assert_close(logabsdet, torch.log(grad), atol=1e-10, rtol=1e-10)
    x_back, _ = BOUNDED[kind](y.detach(), *params, inverse=True, **box)
    torch.testing.assert_close(x_back, x.detach(), atol=1e-9, rtol=0)


@pytest.mark.parametrize("kind", KINDS)
def test_default_domain_is_the_unit_interval(kind):
    x = torch.tensor([0.0, 1.0], dtype=torch.float64)
    y, _ = BOUNDED[kind](x, *_params(kind, False, (2,)))
    torch.testing.assert_close(y, x, atol=1e-12, rtol=0)


@pytest.mark.parametrize("tails", TAILS)
@pytest.mark.parametrize("kind", KINDS)
def test_monotone_onto_and_continuous(kind, tails):
    n, bound = 4001, 1.5
    x = torch.linspace(-bound, bound, n, dtype=torch.float64)
    params = [p.expand(n, -1) for p in _params(kind, tails, (1,), scale=3.0)]
    y, logabsdet = _unconstrained(kind, x, params, tails=tails, bound=bound)
    assert bool((y[1:] > y[:-1]).all())
    assert float(y[0]) == pytest.approx(-bound, abs=1e-12)
    assert float(y[-1]) == pytest.approx(bound, abs=1e-12)
    assert bool(torch.isfinite(logabsdet).all())
    # Continuous: each step is bounded by (step) x (the larger end slope), up to curvature.
    slope = logabsdet.exp()
    bound_on_step = 2 * (x[1] - x[0]) * torch.maximum(slope[1:], slope[:-1]) + 1e-12
    assert bool(((y[1:] - y[:-1]) <= bound_on_step).all())


@pytest.mark.parametrize("kind", KINDS)
def test_continuous_at_the_bound_and_c1_where_promised(kind):
    bound, eps = 2.0, 1e-12
    x = torch.tensor([-bound - eps, -bound + eps, bound - eps, bound + eps], dtype=torch.float64)
    params = [p.expand(4, -1) for p in _params(kind, "linear", (1,), scale=3.0)]
    y, logabsdet = _unconstrained(kind, x, params, bound=bound)
    torch.testing.assert_close(y, x, atol=1e-7, rtol=0)
    if kind in ("quadratic", "rational_quadratic"):  # boundary slope fixed to 1
        torch.testing.assert_close(logabsdet, torch.zeros_like(x), atol=1e-6, rtol=0)


@pytest.mark.parametrize("kind", KINDS)
def test_circular_tails_are_periodic(kind):
    bound, n = math.pi, 50
    x = (2 * torch.rand(n, dtype=torch.float64) - 1) * bound
    params = _params(kind, "circular", (n,))
    y, logabsdet = _unconstrained(kind, x, params, tails="circular", bound=bound)
    for shift in (-3, 1, 2):
        y_shift, ld_shift = _unconstrained(
            kind, x + 2 * bound * shift, params, tails="circular", bound=bound
        )
        torch.testing.assert_close(y_shift, y + 2 * bound * shift, atol=1e-9, rtol=0)
        torch.testing.assert_close(ld_shift, logabsdet, atol=1e-6, rtol=0)


@pytest.mark.parametrize("kind", ["quadratic", "rational_quadratic"])
def test_circular_boundary_derivatives_are_tied(kind):
    bound, eps = math.pi, 1e-12
    x = torch.tensor([-bound + eps, bound - eps], dtype=torch.float64)
    params = [p.expand(2, -1) for p in _params(kind, "circular", (1,), scale=3.0)]
    _, logabsdet = _unconstrained(kind, x, params, tails="circular", bound=bound)
    assert float((logabsdet[0] - logabsdet[1]).abs()) < 1e-6


EDGE_INPUTS = [-3.0, 3.0, -3.0 - 1e-6, 3.0 + 1e-6, -1e30, 1e30, 0.0, 3.0 - 1e-7, -3.0 + 1e-7]


@pytest.mark.parametrize("inverse", [False, True])
@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
@pytest.mark.parametrize("tails", ["linear", "circular"])
@pytest.mark.parametrize("kind", KINDS)
def test_finite_values_and_gradients_at_and_beyond_the_bound(kind, tails, dtype, inverse):
    bound = 3.0
    x = torch.tensor(EDGE_INPUTS, dtype=dtype, requires_grad=True)
    params = _params(kind, tails, (len(EDGE_INPUTS),), dtype, scale=10.0, requires_grad=True)
    y, logabsdet = _unconstrained(kind, x, params, inverse, tails, bound)
    (y.sum() + logabsdet.sum()).backward()
    for tensor in (y, logabsdet, x.grad, *(p.grad for p in params)):
        assert bool(torch.isfinite(tensor).all())
    if tails == "linear":
        outside = x.detach().abs() >= bound
        assert torch.equal(y.detach()[outside], x.detach()[outside])
        assert bool((logabsdet.detach()[outside] == 0).all())


@pytest.mark.parametrize("kind", KINDS)
def test_all_tail_batch_gives_zero_parameter_gradients(kind):
    x = torch.tensor([5.0, -7.0, 1e4, 2.0, -2.0], dtype=torch.float64)
    params = _params(kind, "linear", (5,), requires_grad=True)
    y, logabsdet = _unconstrained(kind, x, params, bound=2.0)
    (y.sum() + logabsdet.sum()).backward()
    assert torch.equal(y, x) and bool((logabsdet == 0).all())
    for p in params:
        assert bool(torch.isfinite(p.grad).all()) and bool((p.grad == 0).all())


@pytest.mark.parametrize("kind", KINDS)
def test_float32_round_trip_with_extreme_parameters(kind):
    n = 2000
    x = _inputs(n, "linear", 3.0, torch.float32)
    params = _params(kind, "linear", (n,), torch.float32, scale=8.0)
    y, logabsdet = _unconstrained(kind, x, params, bound=3.0)
    x_back, inverse_logabsdet = _unconstrained(kind, y, params, True, bound=3.0)
    assert bool(torch.isfinite(y).all() and torch.isfinite(logabsdet).all())
    # Flat bins (slope ~1e-3 and less) amplify float32 rounding of y by 1 / slope.
    slope = logabsdet.exp()
    assert bool(((x_back - x).abs() <= 1e-5 * (1 + 1 / slope)).all())
    # Where the forward output rounds onto the bound the inverse takes the tail: skip flat spots.
    steep = slope > 1e-3
    torch.testing.assert_close(inverse_logabsdet[steep], -logabsdet[steep], atol=2e-3, rtol=1e-3)


@pytest.mark.parametrize("tails", ["linear", "circular"])
@pytest.mark.parametrize("kind", KINDS)
def test_gradcheck_both_directions(kind, tails):
    n, bound = 6, 2.0
    x = _inputs(n, tails, bound).requires_grad_()
    params = _params(kind, tails, (n,), requires_grad=True)
    for inverse in (False, True):

        def f(x, *params, inverse=inverse):
            return _unconstrained(kind, x, params, inverse, tails, bound)

        assert torch.autograd.gradcheck(f, (x, *params))


def test_search_bins_vectorized_and_clamped():
    knots = torch.tensor([[-1.0, 0.0, 0.5, 1.0]]).expand(6, 4)
    inputs = torch.tensor([-2.0, -1.0, 0.0, 0.7, 1.0, 2.0])
    assert search_bins(knots, inputs).tolist() == [0, 0, 1, 2, 2, 2]


@pytest.mark.parametrize("bins", [3, 63, 64, 200])
def test_search_bins_counting_and_binary_search_agree(bins):
    knots = torch.sort(torch.randn(50, bins + 1), dim=-1).values
    inputs = 1.5 * torch.randn(50)
    inputs[:bins + 1] = knots[0, : min(50, bins + 1)]  # exactly on knots
    want = torch.searchsorted(knots[..., 1:-1].contiguous(), inputs[:, None], right=True)[:, 0]
    assert torch.equal(search_bins(knots, inputs), want)


@pytest.mark.parametrize("kind", KINDS)
def test_wrong_parameter_count_or_tails_raise(kind):
    params = _params(kind, "linear", (3,))
    if kind in ("quadratic", "rational_quadratic"):
        with pytest.raises(ValueError, match="expected"):
            _unconstrained(kind, torch.zeros(3), params, tails=None)
    with pytest.raises(ValueError, match="tails"):
        _unconstrained(kind, torch.zeros(3), params, tails="quadratic")


@pytest.mark.parametrize("tails", TAILS)
@pytest.mark.parametrize("inverse", [False, True])
def test_packed_rational_quadratic_spline_equals_the_unpacked_kernels(tails, inverse):
    extra = {"linear": -1, "circular": 0, None: 1}[tails]
    params = torch.randn(5, 3, 3 * K + extra, dtype=torch.float64, requires_grad=True)
    x = 2.0 * torch.randn(5, 3, dtype=torch.float64)
    if tails is None:
        x = x.clamp(-1.5, 1.5)
    widths, heights, derivatives = params.split([K, K, K + extra], -1)
    if tails is None:
        want = rational_quadratic_spline(x, widths, heights, derivatives, inverse,
                                         left=-1.5, right=1.5, bottom=-1.5, top=1.5)
    else:
        want = unconstrained_rational_quadratic_spline(x, widths, heights, derivatives, inverse,
                                                       tails, tail_bound=1.5)
    got = packed_rational_quadratic_spline(x, params, K, inverse, tails, tail_bound=1.5)
    for g, w in zip(got, want):
        torch.testing.assert_close(g, w, atol=0, rtol=0)
    grad_got = torch.autograd.grad(sum(t.sum() for t in got), params)[0]
    grad_want = torch.autograd.grad(sum(t.sum() for t in want), params)[0]
    torch.testing.assert_close(grad_got, grad_want)
    with pytest.raises(ValueError, match="packed_rational_quadratic_spline"):
        packed_rational_quadratic_spline(x, params[..., : 2 * K], K, inverse, tails, 1.5)
