"""The benchmark workloads, built in each library with matched conditioner networks."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import torch
from torch import nn

HIDDEN = 128


@dataclass
class Model:
    """A model under test: its parameters, a loss on a batch and a sampler."""

    module: nn.Module
    loss: Callable[[torch.Tensor], torch.Tensor]
    log_prob: Callable[[torch.Tensor], torch.Tensor] | None = None
    sample: Callable[[int], torch.Tensor] | None = None

    @property
    def num_params(self) -> int:
        return sum(p.numel() for p in self.module.parameters())


def mlp(d_in: int, d_out: int, hidden: int = HIDDEN) -> nn.Sequential:
    return nn.Sequential(
        nn.Linear(d_in, hidden),
        nn.ReLU(),
        nn.Linear(hidden, hidden),
        nn.ReLU(),
        nn.Linear(hidden, d_out),
    )


def _from_log_prob(module, log_prob, sample=None) -> Model:
    return Model(module, lambda x: -log_prob(x).mean(), log_prob, sample)


def compiled(make: Callable[[], Model]) -> Callable[[], Model]:
    """The same survae model with ``torch.compile`` of its whole ``log_prob`` (the documented
    one-liner); compilation happens in the benchmark's warm-up calls."""

    def build() -> Model:
        model = make()
        log_prob = torch.compile(model.log_prob)
        return Model(model.module, lambda x: -log_prob(x).mean(), log_prob, None)

    return build


# ----------------------------------------------------------------------------------- survae --
def survae_coupling(layers: int = 8) -> Model:
    from survae.distributions import StandardNormal
    from survae.flows import Flow
    from survae.nn.layers import ElementwiseParams
    from survae.transforms import AffineCouplingBijection, Reverse

    transforms = []
    for _ in range(layers):
        transforms += [
            AffineCouplingBijection(nn.Sequential(mlp(1, 2), ElementwiseParams(2))),
            Reverse(2),
        ]
    flow = Flow(StandardNormal((2,)), transforms)
    return _from_log_prob(flow, flow.log_prob, flow.sample)


def survae_maf(features: int = 8, layers: int = 5) -> Model:
    from survae.distributions import StandardNormal
    from survae.flows import Flow
    from survae.nn.nets import MADE
    from survae.transforms import AffineAutoregressiveBijection, Reverse

    transforms = []
    for _ in range(layers):
        transforms += [
            AffineAutoregressiveBijection(MADE(features, 2, [HIDDEN, HIDDEN])),
            Reverse(features),
        ]
    flow = Flow(StandardNormal((features,)), transforms)
    return _from_log_prob(flow, flow.log_prob, flow.sample)


def survae_iaf(features: int = 8, layers: int = 5) -> Model:
    """The same MADE layers used in the sampling direction (an IAF): one network pass per layer
    to sample, ``D`` per layer for the density; the direction normflows' layer runs in."""
    from survae.distributions import StandardNormal
    from survae.flows import Flow
    from survae.nn.nets import MADE
    from survae.transforms import AffineAutoregressiveBijection, InverseBijection, Reverse

    transforms = []
    for _ in range(layers):
        made = MADE(features, 2, [HIDDEN, HIDDEN])
        transforms += [InverseBijection(AffineAutoregressiveBijection(made)), Reverse(features)]
    flow = Flow(StandardNormal((features,)), transforms)
    return _from_log_prob(flow, flow.log_prob, flow.sample)


def survae_spline(layers: int = 4, bins: int = 8, bound: float = 4.0) -> Model:
    from survae.distributions import StandardNormal
    from survae.flows import Flow
    from survae.nn.layers import ElementwiseParams
    from survae.transforms import RationalQuadraticSplineCouplingBijection, Reverse

    p = 3 * bins - 1
    transforms = []
    for _ in range(layers):
        net = nn.Sequential(mlp(1, p), ElementwiseParams(p))
        transforms += [
            RationalQuadraticSplineCouplingBijection(net, bins, tail_bound=bound),
            Reverse(2),
        ]
    flow = Flow(StandardNormal((2,)), transforms)
    return _from_log_prob(flow, flow.log_prob)


def conv_net(c_in: int, c_out: int, hidden: int = 32) -> nn.Sequential:
    return nn.Sequential(
        nn.Conv2d(c_in, hidden, 3, padding=1),
        nn.ReLU(),
        nn.Conv2d(hidden, hidden, 1),
        nn.ReLU(),
        nn.Conv2d(hidden, c_out, 3, padding=1),
    )


def survae_multiscale() -> Model:
    from survae.distributions import StandardNormal
    from survae.flows import Flow
    from survae.nn.layers import ElementwiseParams2d
    from survae.transforms import (
        ActNormBijection2d,
        AffineCouplingBijection,
        Conv1x1,
        Slice,
        Squeeze2d,
    )

    def step(c):
        net = nn.Sequential(conv_net(c // 2, c), ElementwiseParams2d(2))
        return [ActNormBijection2d(c), Conv1x1(c), AffineCouplingBijection(net)]

    transforms = [
        Squeeze2d(),
        *step(12),
        *step(12),
        Slice(StandardNormal((6, 8, 8)), num_keep=6),
        *step(6),
        *step(6),
    ]
    flow = Flow(StandardNormal((6, 8, 8)), transforms)
    return _from_log_prob(flow, flow.log_prob)


# ------------------------------------------------------------------------------ raw limits --
class RawCoupling(nn.Module):
    """The conditioners alone, on the shapes the flow feeds them (no flow bookkeeping)."""

    def __init__(self, nets: list[nn.Module], split: int):
        super().__init__()
        self.nets = nn.ModuleList(nets)
        self.split = split

    def forward(self, x):
        total = 0.0
        for net in self.nets:
            total = total + net(x[:, : self.split]).sum()
        return total


def raw_coupling(layers: int = 8, out: int = 2) -> Model:
    module = RawCoupling([mlp(1, out) for _ in range(layers)], 1)
    return Model(module, lambda x: module(x) / x.shape[0])


def raw_maf(features: int = 8, layers: int = 5) -> Model:
    from survae.nn.nets import MADE

    nets = nn.ModuleList([MADE(features, 2, [HIDDEN, HIDDEN]) for _ in range(layers)])
    return Model(nets, lambda x: sum(net(x).sum() for net in nets) / x.shape[0])


def raw_multiscale() -> Model:
    nets = nn.ModuleList([conv_net(6, 12), conv_net(6, 12), conv_net(3, 6), conv_net(3, 6)])

    def loss(x):
        big = x.reshape(x.shape[0], 12, 8, 8)
        total = nets[0](big[:, :6]).sum() + nets[1](big[:, :6]).sum()
        total = total + nets[2](big[:, :3]).sum() + nets[3](big[:, :3]).sum()
        return total / x.shape[0]

    return Model(nets, loss)


# ----------------------------------------------------------------------------------- peers --
def zuko_coupling(layers: int = 8) -> Model:
    import zuko

    flow = zuko.flows.RealNVP(2, transforms=layers, hidden_features=[HIDDEN, HIDDEN])
    return _from_log_prob(flow, lambda x: flow().log_prob(x), lambda n: flow().sample((n,)))


def zuko_maf(features: int = 8, layers: int = 5) -> Model:
    import zuko

    flow = zuko.flows.MAF(features, transforms=layers, hidden_features=[HIDDEN, HIDDEN])
    return _from_log_prob(flow, lambda x: flow().log_prob(x), lambda n: flow().sample((n,)))


def zuko_spline(layers: int = 4, bins: int = 8, bound: float = 4.0) -> Model:
    import zuko

    flow = zuko.flows.NSF(
        2, transforms=layers, bins=bins, hidden_features=[HIDDEN, HIDDEN], passes=2
    )
    return _from_log_prob(flow, lambda x: flow().log_prob(x))


class _ContextFree(nn.Module):
    """nflows calls ``net(x, context)``: the same MLP, ignoring the (absent) context."""

    def __init__(self, d_in: int, d_out: int):
        super().__init__()
        self.net = mlp(d_in, d_out)

    def forward(self, x, context=None):
        return self.net(x)


def _nflows(transforms, features):
    from nflows.distributions.normal import StandardNormal
    from nflows.flows.base import Flow
    from nflows.transforms import CompositeTransform

    flow = Flow(CompositeTransform(transforms), StandardNormal([features]))
    return flow


def nflows_coupling(layers: int = 8) -> Model:
    from nflows.transforms import AffineCouplingTransform, ReversePermutation

    transforms = []
    for _ in range(layers):
        transforms += [
            AffineCouplingTransform(torch.tensor([1, 0]), _ContextFree),
            ReversePermutation(2),
        ]
    flow = _nflows(transforms, 2)
    return _from_log_prob(flow, flow.log_prob, flow.sample)


def nflows_maf(features: int = 8, layers: int = 5) -> Model:
    from nflows.transforms import MaskedAffineAutoregressiveTransform, ReversePermutation

    transforms = []
    for _ in range(layers):
        transforms += [
            MaskedAffineAutoregressiveTransform(
                features, HIDDEN, num_blocks=1, use_residual_blocks=False
            ),
            ReversePermutation(features),
        ]
    flow = _nflows(transforms, features)
    return _from_log_prob(flow, flow.log_prob, flow.sample)


def nflows_spline(layers: int = 4, bins: int = 8, bound: float = 4.0) -> Model:
    from nflows.transforms import PiecewiseRationalQuadraticCouplingTransform, ReversePermutation

    transforms = []
    for _ in range(layers):
        transforms += [
            PiecewiseRationalQuadraticCouplingTransform(
                torch.tensor([1, 0]),
                _ContextFree,
                num_bins=bins,
                tails="linear",
                tail_bound=bound,
            ),
            ReversePermutation(2),
        ]
    flow = _nflows(transforms, 2)
    return _from_log_prob(flow, flow.log_prob)


def normflows_coupling(layers: int = 8) -> Model:
    import normflows as nf

    flows = []
    for _ in range(layers):
        flows += [
            nf.flows.AffineCouplingBlock(nf.nets.MLP([1, HIDDEN, HIDDEN, 2])),
            nf.flows.Permute(2, mode="swap"),
        ]
    model = nf.NormalizingFlow(nf.distributions.base.DiagGaussian(2, trainable=False), flows)
    return _from_log_prob(model, model.log_prob, lambda n: model.sample(n)[0])


def normflows_maf(features: int = 8, layers: int = 5) -> Model:
    import normflows as nf

    flows = []
    for _ in range(layers):
        flows += [
            nf.flows.MaskedAffineAutoregressive(features, HIDDEN, num_blocks=1),
            nf.flows.Permute(features, mode="swap"),
        ]
    model = nf.NormalizingFlow(nf.distributions.base.DiagGaussian(features, trainable=False), flows)
    return _from_log_prob(model, model.log_prob, lambda n: model.sample(n)[0])


def normflows_spline(layers: int = 4, bins: int = 8, bound: float = 4.0) -> Model:
    import normflows as nf

    flows = []
    for _ in range(layers):
        flows += [
            nf.flows.CoupledRationalQuadraticSpline(2, 2, HIDDEN, num_bins=bins, tail_bound=bound),
            nf.flows.Permute(2, mode="swap"),
        ]
    model = nf.NormalizingFlow(nf.distributions.base.DiagGaussian(2, trainable=False), flows)
    return _from_log_prob(model, model.log_prob)
