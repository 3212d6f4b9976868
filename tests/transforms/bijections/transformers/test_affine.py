"""The affine transformer's one-node forward for the official sigmoid scale: gradients (first and
second order) against finite differences, and the same values and gradients as the plain
formula on a coupling."""

from __future__ import annotations

import torch
from torch import nn

from survae.nn.layers import ElementwiseParams2d
from survae.transforms import AffineCouplingBijection
from survae.transforms.bijections.transformers import affine
from survae.transforms.bijections.transformers.affine import Affine, _SigmoidAffineForward


def _inputs(shape=(3, 2, 4)):
    torch.manual_seed(0)
    x = torch.randn(*shape, dtype=torch.float64, requires_grad=True)
    # params with a permuted layout, as ElementwiseParams2d leaves them
    params = torch.randn(shape[0], 2, *shape[1:], dtype=torch.float64).movedim(1, -1)
    return x, params.detach().requires_grad_(True)


def test_gradcheck_and_gradgradcheck():
    x, params = _inputs()
    assert torch.autograd.gradcheck(_SigmoidAffineForward.apply, (x, params))
    assert torch.autograd.gradgradcheck(_SigmoidAffineForward.apply, (x, params))


def test_gradient_of_params_only_and_its_layout():
    x, params = _inputs()
    x = x.detach()
    z, ldj = _SigmoidAffineForward.apply(x, params)
    (grad,) = torch.autograd.grad((z.sum() + ldj.sum()), params)
    assert grad.stride() == params.stride()  # the conditioner's reshapes take it back as a view
    z, ldj = affine._sigmoid_affine(x, params)
    (expected,) = torch.autograd.grad((z.sum() + ldj.sum()), params)
    torch.testing.assert_close(grad, expected, rtol=0, atol=1e-14)


def test_fused_path_is_taken_and_equals_the_plain_formula(monkeypatch):
    torch.manual_seed(0)
    net = nn.Sequential(nn.Conv2d(2, 4, 3, padding=1), ElementwiseParams2d(2))
    layer = AffineCouplingBijection(net, scale_fn="sigmoid").double()
    x = torch.randn(5, 4, 3, 3, dtype=torch.float64, requires_grad=True)

    def value_and_grads():
        z, ldj = layer(x)
        loss = (z * torch.linspace(-1, 1, z.numel(), dtype=z.dtype).reshape(z.shape)).sum()
        loss = loss + (ldj * torch.arange(5.0, dtype=z.dtype)).sum()
        return z, ldj, torch.autograd.grad(loss, [x, *layer.parameters()])

    calls = []
    apply = _SigmoidAffineForward.apply
    monkeypatch.setattr(_SigmoidAffineForward, "apply",
                        lambda *args: calls.append(1) or apply(*args))
    fused = value_and_grads()
    assert calls == [1]
    monkeypatch.setattr(Affine, "forward",
                        lambda self, x, params: self.forward_with(
                            x, *self.unconstrained_scale_and_shift(params)))
    plain = value_and_grads()
    assert calls == [1]
    torch.testing.assert_close(fused[0], plain[0], rtol=0, atol=1e-14)
    torch.testing.assert_close(fused[1], plain[1], rtol=0, atol=1e-13)
    for a, b in zip(fused[2], plain[2], strict=True):
        torch.testing.assert_close(a, b, rtol=0, atol=1e-12)


def test_other_scales_and_overridden_hooks_keep_the_plain_path(monkeypatch):
    calls = []
    apply = _SigmoidAffineForward.apply
    monkeypatch.setattr(_SigmoidAffineForward, "apply",
                        lambda *args: calls.append(1) or apply(*args))
    x = torch.randn(2, 3)
    params = torch.randn(2, 3, 2)
    Affine("exp").forward(x, params)
    Affine("tanh_exp").forward(x, params)
    Affine("sigmoid").forward(x.double(), params)  # mixed dtypes: torch's promotion rules

    class SwappedParams(AffineCouplingBijection):
        def _unconstrained_scale_and_shift(self, params):
            return params[..., 1], params[..., 0]

    layer = SwappedParams(nn.Sequential(nn.Linear(2, 2), nn.Unflatten(-1, (1, 2))),
                          scale_fn="sigmoid")
    x = torch.randn(4, 3)
    z, _ = layer(x)
    t, u = layer.coupling_net(x[:, :2]).unbind(-1)  # the subclass reads them swapped
    torch.testing.assert_close(z[:, 2:], (torch.sigmoid(u + 2.0) + 1e-3) * x[:, 2:] + t)
    assert calls == []
