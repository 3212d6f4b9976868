"""AutodiffBijection: Newton inverse, its gradients, and errors."""

from __future__ import annotations

import pytest
import torch

from survae.transforms import AutodiffBijection


def _sinh_layer() -> AutodiffBijection:
    return AutodiffBijection(torch.sinh, newton_steps=40)


def test_newton_inverse_matches_the_closed_form():
    z = torch.randn(6, 3, dtype=torch.float64)
    torch.testing.assert_close(_sinh_layer().inverse(z), torch.asinh(z))


def test_newton_inverse_is_differentiable():
    """One graph-carrying step at the solution gives the implicit-function gradient
    d asinh(z)/dz = 1 / sqrt(1 + z^2)."""
    z = torch.randn(5, 2, dtype=torch.float64, requires_grad=True)
    _sinh_layer().inverse(z).sum().backward()
    torch.testing.assert_close(z.grad, 1 / torch.sqrt(1 + z.detach() ** 2))


def test_parameters_of_the_module_are_trained():
    scale = torch.nn.Linear(2, 2, bias=False).double()
    layer = AutodiffBijection(scale, module=scale)
    _, ldj = layer(torch.randn(4, 2, dtype=torch.float64))
    ldj.sum().backward()
    expected = 4 * torch.linalg.inv(scale.weight.detach()).T  # d log|det W| / dW = W^-T
    torch.testing.assert_close(scale.weight.grad, expected)


def test_no_graph_without_grad():
    with torch.no_grad():
        z, ldj = _sinh_layer()(torch.randn(3, 2))
    assert not z.requires_grad and not ldj.requires_grad


def test_rejects_a_function_that_changes_the_size():
    layer = AutodiffBijection(lambda x: x[:, :1])
    with pytest.raises(ValueError, match="AutodiffBijection: the function must map"):
        layer(torch.randn(3, 2))
