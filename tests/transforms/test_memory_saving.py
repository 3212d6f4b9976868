"""Memory-saving backpropagation: the same values and gradients as standard autograd (float64),
and far fewer tensors saved for the backward pass."""

from __future__ import annotations

import pytest
import torch
from torch import nn

from survae.distributions import ConditionalNormal, StandardNormal
from survae.flows import Flow
from survae.models.images import glow
from survae.nn.layers import ElementwiseParams, ElementwiseParams2d
from survae.nn.nets import MADE, MLP
from survae.transforms import (
    ActNormBijection,
    ActNormBijection2d,
    AffineAutoregressiveBijection,
    AffineCouplingBijection,
    Conv1x1,
    Conv1x1LU,
    MaxPoolSurjection2d,
    Reverse,
    SequentialTransform,
    Slice,
    Squeeze2d,
    UniformDequantization,
)
from survae.transforms.memory_saving import memory_saving_forward


def _conv(c_in: int, c_out: int) -> nn.Module:
    return nn.Sequential(nn.Conv2d(c_in, 8, 3, padding=1), nn.ReLU(), nn.Conv2d(8, c_out, 3,
                                                                                 padding=1))


def _image_step(c: int) -> list[nn.Module]:
    coupling = AffineCouplingBijection(nn.Sequential(_conv(c // 2, 2 * (c - c // 2)),
                                                     ElementwiseParams2d(2)), scale_fn="sigmoid")
    return [ActNormBijection2d(c), Conv1x1(c), coupling]


def _couplings():
    layers = []
    for _ in range(3):
        net = nn.Sequential(MLP(2, 4, [16], "elu"), ElementwiseParams(2))
        layers += [AffineCouplingBijection(net), ActNormBijection(4), Reverse(4)]
    return Flow(StandardNormal((4,)), layers), (4,)


def _images():
    layers = [Squeeze2d(), *_image_step(8), Conv1x1LU(8),
              Slice(StandardNormal((4, 2, 2)), num_keep=4), *_image_step(4)]
    return Flow(StandardNormal((4, 2, 2)), layers), (2, 4, 4)


def _conditional_slice():
    prior = ConditionalNormal(_conv(4, 8), split_dim=1)
    layers = [*_image_step(8), Slice(prior, num_keep=4), *_image_step(4)]
    return Flow(StandardNormal((4, 3, 3)), layers), (8, 3, 3)


def _kept_inputs():
    """Layers that keep their input: an autoregressive bijection (D-pass inverse) and max-pooling
    (an inference surjection), between inverted layers."""
    from survae.distributions import ConditionalCategorical
    from survae.flows import ConditionalFlow
    from survae.transforms import SoftplusInverse

    gaps = ConditionalFlow(ConditionalNormal(_conv(2, 12), split_dim=1), [SoftplusInverse()])
    index = ConditionalCategorical(nn.Sequential(_conv(2, 8), ElementwiseParams2d(4)))
    layers = [*_image_step(2), MaxPoolSurjection2d(gaps, index_decoder=index), Squeeze2d(),
              *_image_step(8)]
    return Flow(StandardNormal((8, 1, 1)), layers), (2, 4, 4)


def _autoregressive():
    layers = [ActNormBijection(4), AffineAutoregressiveBijection(MADE(4, 2, [16])), Reverse(4),
              AffineAutoregressiveBijection(MADE(4, 2, [16]))]
    return Flow(StandardNormal((4,)), layers), (4,)


def _splines():
    """Spline couplings: the fused coupling re-run with a non-affine transformer."""
    from survae.transforms import RationalQuadraticSplineCouplingBijection

    layers = []
    for _ in range(2):
        net = nn.Sequential(MLP(2, 2 * 29, [16], "elu"), ElementwiseParams(29))
        layers += [RationalQuadraticSplineCouplingBijection(net, num_bins=10, tail_bound=4.0),
                   ActNormBijection(4), Reverse(4)]
    return Flow(StandardNormal((4,)), layers), (4,)


def _sets():
    """Set couplings split their input their own way: the generic re-run."""
    from survae.transforms import ActNormBijection1d, AffineSetCouplingBijection

    def coupling():
        return AffineSetCouplingBijection(4, d_model=8, nhead=2, num_layers=1, dropout=0.0)

    return Flow(StandardNormal((4, 5)), [coupling(), ActNormBijection1d(4), coupling()]), (4, 5)


def _sequential():
    inner = SequentialTransform(_image_step(4) + _image_step(4), memory_saving=True)
    return Flow(StandardNormal((4, 3, 3)), [inner, ActNormBijection2d(4)]), (4, 3, 3)


def _perturb(flow: nn.Module) -> None:
    """Move every parameter off its initialisation (zero-initialised nets, identity ActNorm)."""
    with torch.no_grad():
        for p in flow.parameters():
            p.add_(0.1 * torch.randn_like(p))


def _grads(flow: Flow, x: torch.Tensor, seed: int) -> tuple[torch.Tensor, list, torch.Tensor]:
    flow.zero_grad(set_to_none=True)
    x = x.detach().requires_grad_()
    torch.manual_seed(seed)
    value = flow.log_prob(x)
    (value * torch.linspace(0.5, 1.5, len(value), dtype=value.dtype)).sum().backward()
    return value.detach(), [p.grad for p in flow.parameters()], x.grad


MAKERS = {"couplings+actnorm+reverse": _couplings, "images+conv1x1+squeeze+slice": _images,
          "conditional-slice": _conditional_slice, "kept-inputs": _kept_inputs,
          "autoregressive": _autoregressive, "splines": _splines, "sets": _sets,
          "sequential-transform": _sequential}


@pytest.mark.parametrize("make", MAKERS.values(), ids=MAKERS.keys())
def test_gradients_equal_standard_autograd_in_float64(make):
    torch.manual_seed(0)
    flow, shape = make()
    flow = flow.double()
    x = torch.randn(6, *shape, dtype=torch.float64)
    flow.log_prob(x)  # ActNorm's data-dependent initialisation, then move off it
    _perturb(flow)
    flow.memory_saving = False
    value, grads, grad_x = _grads(flow, x, seed=1)
    flow.memory_saving = True
    value_ms, grads_ms, grad_x_ms = _grads(flow, x, seed=1)
    torch.testing.assert_close(value_ms, value, atol=1e-12, rtol=1e-12)
    torch.testing.assert_close(grad_x_ms, grad_x, atol=1e-10, rtol=1e-10)
    for name_p, g, g_ms in zip(flow.named_parameters(), grads, grads_ms):
        assert (g is None) == (g_ms is None), name_p[0]
        if g is not None:
            torch.testing.assert_close(g_ms, g, atol=1e-10, rtol=1e-10, msg=name_p[0])


def test_full_glow_gradients_equal_standard_autograd():
    """The library's Glow (dequantization outside the recomputed runs, squeezes, ActNorm, 1x1
    convolutions, sigmoid-scale couplings, a Slice with a learned conditional prior)."""
    torch.manual_seed(0)
    flow = glow((3, 8, 8), num_levels=2, steps=2, hidden=8).double()
    x = torch.randint(0, 256, (4, 3, 8, 8))
    flow.log_prob(x)
    _perturb(flow)
    for memory_saving in (False, True):
        flow.memory_saving = memory_saving
        flow.zero_grad(set_to_none=True)
        torch.manual_seed(3)  # the same dequantization noise
        flow.log_prob(x).mean().backward()
        if not memory_saving:
            value = [p.grad for p in flow.parameters()]
    for g, p in zip(value, flow.parameters()):
        torch.testing.assert_close(p.grad, g, atol=1e-10, rtol=1e-10)


def _saved_numel(flow: Flow, x: torch.Tensor) -> int:
    total = 0

    def pack(t):
        nonlocal total
        total += t.numel()
        return t

    with torch.autograd.graph.saved_tensors_hooks(pack, lambda t: t):
        flow.log_prob(x).mean().backward()
    return total


def test_saves_a_fraction_of_the_activations():
    """Standard autograd saves every conditioner's feature maps; memory saving only the
    output and what the Slice drops (packed-tensor count from autograd's saved-tensor hooks;
    the re-runs in the backward pass save and free one layer's activations at a time)."""
    torch.manual_seed(0)
    flow = glow((3, 8, 8), num_levels=2, steps=4, hidden=16)
    x = torch.randint(0, 256, (8, 3, 8, 8))
    flow.log_prob(x)
    flow.memory_saving = False
    standard = _saved_numel(flow, x)
    flow.memory_saving = True
    recorded = 0

    def pack(t):
        nonlocal recorded
        recorded += t.numel()
        return t

    with torch.autograd.graph.saved_tensors_hooks(pack, lambda t: t):
        loss = flow.log_prob(x).mean()
    loss.backward()
    assert recorded * 20 < standard, (recorded, standard)


def test_no_graph_without_gradients_and_same_values():
    torch.manual_seed(0)
    flow, shape = _images()
    x = torch.randn(5, *shape)
    flow.log_prob(x)
    flow.memory_saving = True
    with torch.no_grad():
        fast = flow.log_prob(x)
    flow.memory_saving = False
    torch.testing.assert_close(fast, flow.log_prob(x).detach())


def test_random_state_is_replayed_for_layers_that_keep_their_input():
    """A layer re-run from its kept input draws the same noise as in the forward pass (here a
    residual flow's Russian-roulette log-det estimator), so its gradient is the standard one."""
    from survae.nn.nets.lipschitz_mlp import LipschitzMLP
    from survae.transforms import ResidualBijection

    torch.manual_seed(0)
    net = LipschitzMLP(2, [8], coeff=0.9).double().eval()  # frozen power iteration
    layer = ResidualBijection(net, estimator="russian_roulette")
    flow = Flow(StandardNormal((2,)), [ActNormBijection(2), layer]).double()
    x = torch.randn(8, 2, dtype=torch.float64)
    flow.log_prob(x)
    _, grads, _ = _grads(flow, x, seed=5)
    flow.memory_saving = True
    _, grads_ms, _ = _grads(flow, x, seed=5)
    for g, g_ms in zip(grads, grads_ms):
        torch.testing.assert_close(g_ms, g, atol=1e-10, rtol=1e-10)


def test_stochastic_modules_in_training_mode_are_refused():
    net = nn.Sequential(nn.Linear(1, 8), nn.Dropout(0.1), nn.Linear(8, 2), ElementwiseParams(2))
    flow = Flow(StandardNormal((2,)), [AffineCouplingBijection(net)], memory_saving=True)
    with pytest.raises(ValueError, match=r"AffineCouplingBijection.*Dropout.*training mode"):
        flow.log_prob(torch.randn(3, 2))
    flow.eval()
    flow.log_prob(torch.randn(3, 2)).sum().backward()


def test_stochastic_forward_layers_split_the_stack():
    """UniformDequantization samples in forward: it runs with standard autograd between runs."""
    torch.manual_seed(0)
    layers = [ActNormBijection(2), UniformDequantization(num_bits=8), ActNormBijection(2)]
    ran = []
    z, ldj = memory_saving_forward("test", layers, torch.randn(4, 2).requires_grad_(),
                                   check=lambda i, t, z, s: ran.append(i))
    assert ran == [0, 1, 2]
    assert z.grad_fn is not None and ldj.shape == (4,)
