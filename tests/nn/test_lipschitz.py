"""Spectrally normalized layers, LipSwish and the Lipschitz nets built from them."""

from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F

from survae.nn.layers.lipschitz_activations import LipSwish
from survae.nn.layers.spectral_norm import SpectralNormConv2d, SpectralNormLinear
from survae.nn.nets.lipschitz_convnet import LipschitzConvNet
from survae.nn.nets.lipschitz_mlp import LipschitzMLP


def _conv_matrix(layer: SpectralNormConv2d) -> torch.Tensor:
    """The dense matrix of the normalized convolution operator on ``input_size`` images."""
    weight = layer._scaled_weight().detach()
    shape = (1, layer.in_channels, *layer.input_size)
    n = torch.Size(shape).numel()

    def op(v):
        return F.conv2d(v.reshape(shape), weight, padding=layer.padding).reshape(-1)

    return torch.autograd.functional.jacobian(op, torch.zeros(n, dtype=weight.dtype))


def test_linear_spectral_norm_is_at_most_coeff():
    torch.manual_seed(0)
    layer = SpectralNormLinear(5, 7, coeff=0.8).double().eval()
    with torch.no_grad():
        layer.weight.mul_(10.0)
    layer.refine_(100)
    true_norm = torch.linalg.matrix_norm(layer._scaled_weight().detach(), ord=2)
    torch.testing.assert_close(true_norm, torch.tensor(0.8, dtype=torch.float64))
    torch.testing.assert_close(layer.spectral_norm(), true_norm, atol=1e-8, rtol=0)


def test_linear_leaves_small_weights_alone():
    layer = SpectralNormLinear(3, 3, coeff=0.9).double().eval()
    with torch.no_grad():
        layer.weight.copy_(0.1 * torch.eye(3, dtype=torch.float64))
    layer.refine_(20)
    torch.testing.assert_close(layer._scaled_weight(), layer.weight)


def test_buffers_update_only_in_training_and_round_trip():
    torch.manual_seed(0)
    layer = SpectralNormLinear(4, 6, n_init_iterations=0)
    u0 = layer.u.clone()
    layer.eval()(torch.randn(2, 4))
    assert torch.equal(layer.u, u0)
    layer.train()(torch.randn(2, 4))
    assert not torch.equal(layer.u, u0)
    assert {"u", "v"} <= set(layer.state_dict())
    other = SpectralNormLinear(4, 6)
    other.load_state_dict(layer.state_dict())
    x = torch.randn(3, 4)
    assert torch.equal(other.eval()(x), layer.eval()(x))


def test_gradient_flows_through_sigma():
    torch.manual_seed(0)
    layer = SpectralNormLinear(3, 3, coeff=0.5)
    with torch.no_grad():
        layer.weight.mul_(10.0)
    layer(torch.randn(4, 3)).sum().backward()
    assert layer.weight.grad is not None and torch.isfinite(layer.weight.grad).all()


def test_conv_adjoint_and_operator_norm():
    torch.manual_seed(0)
    layer = SpectralNormConv2d(2, 3, 3, input_size=(4, 5), coeff=0.7).double().eval()
    v = torch.randn(1, 2, 4, 5, dtype=torch.float64)
    u = torch.randn(1, 3, 4, 5, dtype=torch.float64)
    lhs = (layer._apply_op(v, layer.weight) * u).sum()
    rhs = (v * layer._apply_adj(u, layer.weight)).sum()
    torch.testing.assert_close(lhs, rhs)
    with torch.no_grad():
        layer.weight.mul_(10.0)
    layer.refine_(200)
    true_norm = torch.linalg.matrix_norm(_conv_matrix(layer), ord=2)
    torch.testing.assert_close(true_norm, torch.tensor(0.7, dtype=torch.float64))


def test_conv_rejects_other_spatial_sizes():
    layer = SpectralNormConv2d(2, 3, 3, input_size=(4, 4))
    with pytest.raises(ValueError, match="SpectralNormConv2d.*spatial size"):
        layer(torch.randn(1, 2, 5, 5))


def test_lipswish_is_one_lipschitz():
    x = torch.linspace(-20, 20, 4001, dtype=torch.float64, requires_grad=True)
    for beta in (0.1, 1.0, 10.0):
        act = LipSwish(beta).double()
        torch.testing.assert_close(act.beta, torch.tensor(beta, dtype=torch.float64))
        (grad,) = torch.autograd.grad(act(x).sum(), x)
        assert grad.abs().max() <= 1.0
        assert grad.max() > 0.99  # tight: the bound is attained


def test_lipswish_rejects_nonpositive_beta():
    with pytest.raises(ValueError, match="LipSwish"):
        LipSwish(0.0)


@pytest.mark.parametrize(
    "net, shape",
    [
        (lambda: LipschitzMLP(3, [8, 8], coeff=0.9), (3,)),
        (lambda: LipschitzConvNet(2, 4, input_size=(3, 3), coeff=0.9), (2, 3, 3)),
    ],
    ids=["mlp", "convnet"],
)
def test_lipschitz_nets_have_jacobian_norm_below_coeff(net, shape):
    torch.manual_seed(0)
    g = net().double().eval()
    for _ in range(5):
        x = 3 * torch.randn(1, *shape, dtype=torch.float64)
        jac = torch.autograd.functional.jacobian(lambda v: g(v.reshape(1, *shape)).reshape(-1), x)
        jac = jac.reshape(x.numel(), x.numel())
        assert torch.linalg.matrix_norm(jac, ord=2) <= 0.9 + 1e-6


def test_lipschitz_convnet_rejects_even_kernels():
    with pytest.raises(ValueError, match="odd"):
        LipschitzConvNet(2, 4, input_size=(3, 3), kernel_size=2)
