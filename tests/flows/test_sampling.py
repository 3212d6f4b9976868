"""sample() runs without autograd (as torch.distributions); rsample() and sample_with_log_prob()
keep the graph; reparameterised sampling inside stochastic layers keeps its gradients."""

from __future__ import annotations

import torch
from torch import nn

from survae.distributions import ConditionalNormal, StandardNormal
from survae.flows import ConditionalFlow, ConditionalInverseFlow, Flow, InverseFlow
from survae.nn.layers import ElementwiseParams
from survae.transforms import (
    VAE,
    ActNormBijection,
    AffineCouplingBijection,
    ConditionalAffineBijection,
    Reverse,
    Slice,
    VariationalDequantization,
)


def _coupling_flow() -> Flow:
    torch.manual_seed(0)
    net = nn.Sequential(nn.Linear(1, 16), nn.ReLU(), nn.Linear(16, 2), ElementwiseParams(2))
    return Flow(StandardNormal((2,)), [AffineCouplingBijection(net), ActNormBijection(2),
                                        Reverse(2)])


def _grads(module: nn.Module) -> list[torch.Tensor]:
    return [p.grad for p in module.parameters() if p.grad is not None]


def test_flow_sample_is_detached_and_numpy_works():
    model = _coupling_flow()
    samples = model.sample(5)
    assert not samples.requires_grad and samples.grad_fn is None
    assert samples.numpy().shape == (5, 2)  # official users' model.sample(n).numpy()


def test_flow_rsample_and_sample_with_log_prob_are_differentiable():
    model = _coupling_flow()
    model.rsample(5).pow(2).sum().backward()
    assert len(_grads(model)) == len(list(model.parameters()))
    model.zero_grad(set_to_none=True)
    x, log_prob = model.sample_with_log_prob(5)
    assert x.grad_fn is not None
    log_prob.sum().backward()
    assert _grads(model)


def test_conditional_and_inverse_flows_sample_without_autograd_and_rsample_with_it():
    torch.manual_seed(0)
    context = torch.randn(4, 3)
    cond = ConditionalFlow(ConditionalNormal(nn.Linear(3, 4)),
                           [ConditionalAffineBijection(nn.Linear(3, 4))])
    inverse = InverseFlow(StandardNormal((2,)), [ActNormBijection(2, data_dep_init=False)])
    cond_inverse = ConditionalInverseFlow(ConditionalNormal(nn.Linear(3, 4)),
                                          [ConditionalAffineBijection(nn.Linear(3, 4))])
    for model, args in ((cond, (context,)), (inverse, (4,)), (cond_inverse, (context,))):
        assert model.sample(*args).grad_fn is None
        model.rsample(*args).sum().backward()
        assert _grads(model), type(model).__name__


def test_vae_with_a_flow_posterior_keeps_reparameterised_gradients():
    torch.manual_seed(0)
    encoder = ConditionalInverseFlow(ConditionalNormal(nn.Linear(3, 4)),
                                     [ConditionalAffineBijection(nn.Linear(3, 4))])
    decoder = ConditionalNormal(nn.Linear(2, 6))
    model = Flow(StandardNormal((2,)), [VAE(decoder=decoder, encoder=encoder)])
    assert model.lower_bound and not model.exact
    (-model.log_prob(torch.randn(8, 3)).mean()).backward()
    assert all(p.grad is not None for p in encoder.parameters())  # through z ~ q(z|x)
    samples = model.sample(3)  # generation: detached, decoder samples
    assert samples.shape == (3, 3) and samples.grad_fn is None


def test_dequantization_flow_keeps_gradients_and_rsample_reaches_the_decoder():
    torch.manual_seed(0)
    encoder = ConditionalFlow(ConditionalNormal(nn.Linear(2, 4)),
                              [ConditionalAffineBijection(nn.Linear(2, 4))])
    model = Flow(StandardNormal((2,)), [VariationalDequantization(encoder, num_bits=2)])
    x = torch.randint(0, 4, (8, 2))
    model.log_prob(x).mean().backward()
    assert all(p.grad is not None for p in encoder.parameters())

    decoder = ConditionalFlow(ConditionalNormal(nn.Linear(1, 2)),
                              [ConditionalAffineBijection(nn.Linear(1, 2))])
    sliced = Flow(StandardNormal((1,)), [Slice(decoder, num_keep=1)])
    sliced.rsample(4).sum().backward()  # Slice's inverse draws x2 ~ p(x2|z) with rsample
    assert all(p.grad is not None for p in decoder.parameters())
    assert sliced.sample(4).grad_fn is None
