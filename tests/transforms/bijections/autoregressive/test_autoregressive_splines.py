"""Autoregressive splines: robust at and past the tail bound; conditional MADE is autoregressive."""

import pytest
import torch

from survae.nn.nets import MADE, ConditionalMADE
from survae.transforms import (
    QuadraticSplineAutoregressiveBijection,
    RationalQuadraticSplineAutoregressiveBijection,
)


@pytest.mark.parametrize(("cls", "params"), [
    (RationalQuadraticSplineAutoregressiveBijection, 3 * 5 - 1),
    (QuadraticSplineAutoregressiveBijection, 2 * 5 - 1),
])
def test_inputs_at_and_beyond_the_bound_give_finite_values_and_gradients(cls, params):
    torch.manual_seed(0)
    layer = cls(MADE(3, params, [16]), num_bins=5, tail_bound=3.0)
    x = torch.tensor([[3.0, -3.0, 3.0], [10.0, -10.0, 50.0], [2.999, 3.001, -3.0]],
                     requires_grad=True)
    z, ldj = layer(x)
    (z.sum() + ldj.sum()).backward()
    assert torch.isfinite(z).all() and torch.isfinite(ldj).all()
    assert torch.isfinite(x.grad).all()
    assert all(torch.isfinite(p.grad).all() for p in layer.parameters())
    torch.testing.assert_close(z[1], x[1].detach())  # all-tail row: identity
    torch.testing.assert_close(layer.inverse(z.detach()), x.detach(), atol=1e-4, rtol=1e-4)


def test_conditional_made_is_autoregressive_in_x_and_dense_in_context():
    torch.manual_seed(0)
    net = ConditionalMADE(4, 1, [32, 32], context_features=3).double()
    x = torch.randn(1, 4, dtype=torch.float64)
    c = torch.randn(1, 3, dtype=torch.float64)
    jac_x = torch.autograd.functional.jacobian(lambda v: net(v, c)[0, :, 0], x)[:, 0]
    jac_c = torch.autograd.functional.jacobian(lambda v: net(x, v)[0, :, 0], c)[:, 0]
    assert torch.equal(jac_x.triu(), torch.zeros_like(jac_x))  # output i sees x_{<i} only
    assert (jac_c.abs() > 0).all()
    with pytest.raises(ValueError, match="context of shape"):
        net(x, torch.randn(1, 2, dtype=torch.float64))
