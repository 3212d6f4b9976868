"""The shared transform harness: every registered transform runs every check that fits its kind.

Bijections: inverse(forward(x)) == x and ldj == log|det| of the autograd Jacobian (float64).
All kinds: shapes for batch 1 and N, finite gradients, float32/float64, state_dict round trip,
``inverse_and_ldj`` consistent with ``forward`` (deterministic inference direction), samples of the
inverse in the layer's support, and each case's own exactness check (brute-force likelihoods).
"""

from __future__ import annotations

import copy

import pytest
import torch

import survae.transforms as T
from tests.transforms.cases import ALL_CASES
from tests.transforms.harness import Case

CASES = [pytest.param(case, id=case.id, marks=case.marks) for case in ALL_CASES]
ABSTRACT = T.BASE_CLASSES


def build(case: Case, seed: int = 0) -> tuple[T.Transform, torch.Tensor, torch.Tensor | None]:
    """Make the layer in float64, draw inputs, run the init hook, switch to eval mode."""
    torch.manual_seed(seed)
    layer = case.make().double()
    x = case.input(5)
    context = case.context(5) if case.context is not None else None
    if case.init is not None:
        case.init(layer, x, context)
    layer.eval()
    return layer, x, context


def run_forward(layer, x, context):
    return layer(x, context) if context is not None else layer(x)


def run_inverse(layer, z, context):
    return layer.inverse(z, context) if context is not None else layer.inverse(z)


@pytest.mark.parametrize("case", CASES)
def test_shapes_batch_1_and_n(case: Case):
    layer, x, context = build(case)
    for n in (1, 5):
        xs = x[:n]
        cs = context[:n] if context is not None else None
        z, ldj = run_forward(layer, xs, cs)
        assert z.shape[0] == n
        assert ldj.shape == (n,)
        if layer.has_inverse:
            assert run_inverse(layer, z, cs).shape == xs.shape


@pytest.mark.parametrize("case", CASES)
def test_zero_ldj_flag_is_true(case: Case):
    """Layers flagged ``zero_ldj`` (flows skip their contribution) return an exact zero."""
    layer, x, context = build(case)
    if not layer.zero_ldj:
        pytest.skip("not flagged zero_ldj")
    _, ldj = run_forward(layer, x, context)
    assert torch.equal(ldj, torch.zeros_like(ldj))


@pytest.mark.parametrize("case", CASES)
def test_invertibility(case: Case):
    layer, x, context = build(case)
    if not layer.bijective:
        pytest.skip("not a bijection: covered by the support and exactness checks")
    z, _ = run_forward(layer, x, context)
    torch.testing.assert_close(run_inverse(layer, z, context), x, atol=case.atol, rtol=0)


@pytest.mark.parametrize("case", CASES)
def test_ldj_matches_autograd_jacobian(case: Case):
    layer, x, context = build(case)
    if not layer.bijective or not case.jacobian:
        pytest.skip("log-det check applies to bijections with a small event size")
    _, ldj = run_forward(layer, x, context)
    shape = x.shape[1:]
    for i in range(3):
        ci = context[i : i + 1] if context is not None else None

        def f(v, ci=ci):
            return run_forward(layer, v.reshape(1, *shape), ci)[0].reshape(-1)

        jac = torch.autograd.functional.jacobian(f, x[i].reshape(-1))
        assert jac.shape[0] == jac.shape[1], "a bijection must preserve the dimension"
        expected = torch.linalg.slogdet(jac).logabsdet
        torch.testing.assert_close(ldj[i], expected, atol=max(case.atol, 1e-7), rtol=1e-7)


@pytest.mark.parametrize("case", CASES)
def test_inverse_and_ldj_matches_forward(case: Case):
    layer, x, context = build(case)
    if layer.stochastic_forward or not layer.has_inverse:
        pytest.skip("inference direction is stochastic: log p(sample) is only bounded")
    z, _ = run_forward(layer, x, context)
    torch.manual_seed(1)
    if context is not None:
        x2, ldj = layer.inverse_and_ldj(z, context)
    else:
        x2, ldj = layer.inverse_and_ldj(z)
    _, expected = run_forward(layer, x2, context)
    torch.testing.assert_close(ldj, expected, atol=max(case.atol, 1e-7), rtol=1e-7)


@pytest.mark.parametrize("case", CASES)
def test_gradients_are_finite(case: Case):
    layer, x, context = build(case)
    layer.train()
    xin = x.clone().requires_grad_(x.is_floating_point())
    z, ldj = run_forward(layer, xin, context)
    loss = ldj.sum() + (z.sum() if z.is_floating_point() else 0.0)
    params = [p for p in layer.parameters() if p.requires_grad]
    if not params and not xin.requires_grad:
        pytest.skip("nothing to differentiate")
    loss.backward()
    for name, p in layer.named_parameters():
        if p.grad is not None:
            assert torch.isfinite(p.grad).all(), f"non-finite gradient for {name}"
    if xin.requires_grad and xin.grad is not None:
        assert torch.isfinite(xin.grad).all()
    if params:
        assert any(p.grad is not None for p in params), "no parameter received a gradient"


@pytest.mark.parametrize("case", CASES)
def test_float32_and_double(case: Case):
    torch.manual_seed(0)
    layer32 = case.make()
    x = case.input(4)
    context = case.context(4) if case.context is not None else None
    x32 = x.float() if x.is_floating_point() else x
    c32 = context.float() if context is not None else None
    if case.init is not None:
        case.init(layer32, x32, c32)
    layer32.eval()
    z, ldj = run_forward(layer32, x32, c32)
    assert ldj.dtype == torch.float32
    if z.is_floating_point():
        assert z.dtype == torch.float32
    layer64 = copy.deepcopy(layer32).double()
    z64, ldj64 = run_forward(layer64, x, context)
    assert ldj64.dtype == torch.float64
    if not layer64.stochastic_forward:
        torch.testing.assert_close(ldj64.float(), ldj, atol=1e-3, rtol=1e-3)
    moved = layer64.to(torch.device("cpu"))
    assert run_forward(moved, x, context)[1].dtype == torch.float64


@pytest.mark.parametrize("case", CASES)
def test_state_dict_round_trip(case: Case):
    layer, x, context = build(case, seed=0)
    torch.manual_seed(123)
    other = case.make().double()  # different random init
    other.load_state_dict(layer.state_dict())
    other.eval()
    torch.manual_seed(7)
    z1, ldj1 = run_forward(layer, x, context)
    torch.manual_seed(7)
    z2, ldj2 = run_forward(other, x, context)
    torch.testing.assert_close(z1, z2, atol=0, rtol=0)
    torch.testing.assert_close(ldj1, ldj2, atol=0, rtol=0)


@pytest.mark.parametrize("case", CASES)
def test_inverse_samples_in_support(case: Case):
    if case.support is None:
        pytest.skip("no support constraint registered")
    layer, x, context = build(case)
    z, _ = run_forward(layer, x, context)
    for _ in range(3):
        assert bool(case.support(run_inverse(layer, z, context)).all())


@pytest.mark.parametrize("case", CASES)
def test_case_exactness(case: Case):
    if case.exact is None:
        pytest.skip("no layer-specific exactness check registered")
    layer, _, _ = build(case)
    case.exact(layer)


@pytest.mark.parametrize("case", CASES)
def test_rejects_integer_input(case: Case):
    layer, x, context = build(case)
    if not layer.requires_float:
        pytest.skip("layer takes discrete input")
    bad = x.round().long()
    with pytest.raises(ValueError, match=type(layer).__name__):
        run_forward(layer, bad, context)


def test_every_exported_transform_is_registered():
    registered = set()
    for case in ALL_CASES:
        torch.manual_seed(0)
        registered.add(type(case.make()).__name__)
    exported = {
        name
        for name in T.__all__
        if isinstance(getattr(T, name), type) and issubclass(getattr(T, name), T.Transform)
    }
    missing = sorted(exported - ABSTRACT - registered)
    assert not missing, f"exported transforms missing from the harness registry: {missing}"
