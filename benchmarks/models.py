"""The benchmark workloads, built in each library with matched conditioner networks."""

from __future__ import annotations

import math
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


#: Extra ``torch.compile`` options of the compiled rows (``mode="reduce-overhead"`` for CUDA
#: graphs; set by ``python -m benchmarks --cuda-graphs``).
COMPILE_OPTIONS: dict[str, object] = {"mode": None}


def compiled(make: Callable[[], Model]) -> Callable[[], Model]:
    """The same survae model with ``torch.compile`` of its whole ``log_prob`` (the documented
    one-liner); compilation happens in the benchmark's warm-up calls."""

    def build() -> Model:
        model = make()
        # Each workload is measured as its own program: dynamo's caches are keyed by code object
        # (``Flow.log_prob`` is one for every flow), so without a reset the earlier workloads'
        # compilations count towards the recompile limit. Static shapes: one batch size per case.
        torch._dynamo.reset()
        log_prob = torch.compile(model.log_prob, dynamic=False, **COMPILE_OPTIONS)
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


def with_input_grads(make: Callable[[], Model]) -> Callable[[], Model]:
    """The raw limit with inputs that require gradients: the networks' backward then also
    computes the gradients with respect to their inputs, as it must inside any flow (where each
    conditioner's input depends on earlier layers). A floor no flow can go below in eager mode."""

    def build() -> Model:
        model = make()
        return Model(model.module, lambda x: model.loss(x.detach().requires_grad_()))

    return build


def raw_coupling(layers: int = 8, out: int = 2) -> Model:
    module = RawCoupling([mlp(1, out) for _ in range(layers)], 1)
    return Model(module, lambda x: module(x) / x.shape[0])


def handwritten_coupling(layers: int = 8) -> Model:
    """Workload A written by hand without any library, as lean as eager PyTorch allows: slices,
    one ``chunk``, ``addcmul``, the reverse permutation folded into the ``cat``. The floor of an
    eager flow on these shapes (the raw limit skips the flow's own arithmetic and the gradients
    with respect to the conditioners' inputs)."""
    nets = nn.ModuleList([mlp(1, 2) for _ in range(layers)])
    half_log_two_pi = 0.5 * math.log(2 * math.pi)

    def log_prob(x: torch.Tensor) -> torch.Tensor:
        ldj = None
        for net in nets:
            x1, x2 = x[:, :1], x[:, 1:]
            u, t = net(x1).chunk(2, dim=1)
            x = torch.cat([torch.addcmul(t, x2, u.exp()), x1], dim=1)
            ldj = u[:, 0] if ldj is None else ldj + u[:, 0]
        return ldj - 0.5 * x.square().sum(1) - 2 * half_log_two_pi

    return _from_log_prob(nets, log_prob)


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


def zuko_iaf(features: int = 8, layers: int = 5) -> Model:
    """zuko's MAF layers, each inverted (``.inv``): one network pass per layer to sample."""
    import zuko

    maf = zuko.flows.MAF(features, transforms=layers, hidden_features=[HIDDEN, HIDDEN])
    flow = zuko.flows.Flow([t.inv for t in maf.transform.transforms], maf.base)
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


def nflows_iaf(features: int = 8, layers: int = 5) -> Model:
    """nflows' MAF layers wrapped in ``InverseTransform``: one network pass per layer to sample."""
    from nflows.transforms import (
        InverseTransform,
        MaskedAffineAutoregressiveTransform,
        ReversePermutation,
    )

    transforms = []
    for _ in range(layers):
        transforms += [
            InverseTransform(
                MaskedAffineAutoregressiveTransform(
                    features, HIDDEN, num_blocks=1, use_residual_blocks=False
                )
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


def _normflows_made_flow(features: int, layers: int, density_direction: bool) -> Model:
    import normflows as nf

    flows = []
    for _ in range(layers):
        # Plain MADE (no residual blocks): the same network and parameter count as the others.
        layer = nf.flows.MaskedAffineAutoregressive(
            features, HIDDEN, num_blocks=1, use_residual_blocks=False
        )
        flows += [
            nf.flows.Reverse(layer) if density_direction else layer,
            nf.flows.Permute(features, mode="swap"),
        ]
    model = nf.NormalizingFlow(nf.distributions.base.DiagGaussian(features, trainable=False), flows)
    return _from_log_prob(model, model.log_prob, lambda n: model.sample(n)[0])


def normflows_maf(features: int = 8, layers: int = 5) -> Model:
    """normflows' ``MaskedAffineAutoregressive`` runs its network in the *sampling* direction
    (an IAF: ``log_prob`` takes ``D`` passes); ``nf.flows.Reverse`` turns it into the MAF of the
    other libraries (one pass for ``log_prob``, ``D`` to sample)."""
    return _normflows_made_flow(features, layers, density_direction=True)


def normflows_iaf(features: int = 8, layers: int = 5) -> Model:
    """normflows' native ``MaskedAffineAutoregressive``: one network pass per layer to sample."""
    return _normflows_made_flow(features, layers, density_direction=False)


def normflows_spline(layers: int = 4, bins: int = 8, bound: float = 4.0) -> Model:
    import normflows as nf
    from normflows.flows.neural_spline.coupling import PiecewiseRationalQuadraticCoupling

    flows = []
    for _ in range(layers):
        layer = nf.flows.CoupledRationalQuadraticSpline(2, 1, 1, num_bins=bins, tail_bound=bound)
        # The wrapper's default conditioner is a ResidualNet with an extra unconditional spline
        # on the other half; swap in the plain MLP (equal parameter count) and drop the latter.
        layer.prqct = PiecewiseRationalQuadraticCoupling(
            mask=torch.tensor([1, 0]),
            transform_net_create_fn=_ContextFree,
            num_bins=bins,
            tails="linear",
            tail_bound=bound,
        )
        flows += [layer, nf.flows.Permute(2, mode="swap")]
    model = nf.NormalizingFlow(nf.distributions.base.DiagGaussian(2, trainable=False), flows)
    return _from_log_prob(model, model.log_prob)


# ------------------------------------------------------ E: Glow-style image flow (3, 16, 16) --
GLOW_HIDDEN = 64
GLOW_STEPS = 4


def glow_net(c_in: int, c_out: int, hidden: int = GLOW_HIDDEN) -> nn.Sequential:
    """normflows' ``ConvNet2d`` conditioner of its ``GlowBlock``: 3x3, 1x1, 3x3 convolutions with
    ReLUs between them (``leaky=0``), the last layer zero-initialised (bias and weight)."""
    net = nn.Sequential(
        nn.Conv2d(c_in, hidden, 3, padding=1),
        nn.ReLU(),
        nn.Conv2d(hidden, hidden, 1),
        nn.ReLU(),
        nn.Conv2d(hidden, c_out, 3, padding=1),
    )
    nn.init.zeros_(net[-1].weight)
    nn.init.zeros_(net[-1].bias)
    return net


def _perturbed(module: nn.Module) -> nn.Module:
    """Move the zero-initialised output layers off zero (every library alike), so the benchmark
    times a flow whose couplings are not the identity."""
    generator = torch.Generator().manual_seed(1)
    with torch.no_grad():
        for m in module.modules():
            if isinstance(m, nn.Conv2d) and not m.weight.any():
                m.weight.copy_(0.01 * torch.randn(m.weight.shape, generator=generator))
    return module


def survae_glow(steps: int = GLOW_STEPS) -> Model:
    """Two levels on (3, 16, 16): squeeze, ``steps`` x (ActNorm, LU 1x1 conv, affine coupling with
    Glow's sigmoid scale), factor out half to a standard normal; squeeze, ``steps`` steps."""
    from survae.distributions import StandardNormal
    from survae.flows import Flow
    from survae.nn.layers import ElementwiseParams2d
    from survae.transforms import (
        ActNormBijection2d,
        AffineCouplingBijection,
        Conv1x1LU,
        Slice,
        Squeeze2d,
    )

    def step(c):
        net = nn.Sequential(glow_net(c // 2, c), ElementwiseParams2d(2))
        return [ActNormBijection2d(c), Conv1x1LU(c),
                AffineCouplingBijection(net, scale_fn="sigmoid")]

    transforms = [Squeeze2d()]
    for _ in range(steps):
        transforms += step(12)
    transforms += [Slice(StandardNormal((6, 8, 8)), num_keep=6), Squeeze2d()]
    for _ in range(steps):
        transforms += step(24)
    flow = _perturbed(Flow(StandardNormal((24, 4, 4)), transforms))
    return _from_log_prob(flow, flow.log_prob)


def handwritten_glow(steps: int = GLOW_STEPS) -> Model:
    """Workload E coded by hand as lean as eager PyTorch allows, on the parameters of
    :func:`survae_glow`'s flow (the same 88 tensors for Adam, the same function of them): the
    activations stay ``(batch, C, positions)`` between the 1x1 convolutions, each ActNorm is
    folded into its 1x1 convolution (one ``baddbmm``), the constant log-dets are summed as
    scalars and added once, the coupling is split, sigmoid scale, ``addcmul``, ``cat``. The floor
    of an eager Glow on these shapes."""
    from survae.transforms import ActNormBijection2d, AffineCouplingBijection, Conv1x1LU

    flow = survae_glow(steps).module
    layers = list(flow.transforms)
    half_log_two_pi = 0.5 * math.log(2 * math.pi)

    def weight(norm: ActNormBijection2d, conv: Conv1x1LU) -> torch.Tensor:
        pl = conv.permutation @ torch.addcmul(conv.eye, conv.lower, conv.lower_mask)
        w = torch.addmm(pl * (conv.sign * conv.log_s.exp()), pl, conv.upper.triu(1))
        return w * (-norm.log_scale).exp().reshape(1, -1)

    def level(x, ldj, const, steps_):
        b, c, p = x.shape
        for norm, conv, coupling in steps_:
            w = weight(norm, conv)
            x = torch.baddbmm((w @ norm.shift.reshape(c)).reshape(c, 1), w.expand(b, c, c), x,
                              beta=-1)
            const = const + p * (conv.log_s.sum() - norm.log_scale.sum())
            x1, x2 = x.split_with_sizes((c // 2, c - c // 2), 1)
            side = math.isqrt(p)
            h = coupling.coupling_net[0](x1.reshape(b, c // 2, side, side))
            u, t = h.reshape(b, 2, c - c // 2, p).unbind(1)
            scale = torch.sigmoid(u + 2.0) + 1e-3
            x = torch.cat([x1, torch.addcmul(t, scale, x2)], 1)
            part = scale.log().sum((1, 2))
            ldj = part if ldj is None else ldj + part
        return x, ldj, const

    first = [layers[1 + 3 * i: 4 + 3 * i] for i in range(steps)]
    second = [layers[3 * steps + 3 + 3 * i: 3 * steps + 6 + 3 * i] for i in range(steps)]
    assert all(isinstance(step[2], AffineCouplingBijection) for step in first + second)

    def squeeze(x: torch.Tensor) -> torch.Tensor:
        b, c, h, w = x.shape
        x = x.reshape(b, c, h // 2, 2, w // 2, 2).permute(0, 1, 3, 5, 2, 4)
        return x.reshape(b, 4 * c, (h // 2) * (w // 2))

    def log_prob(x: torch.Tensor) -> torch.Tensor:
        b = x.shape[0]
        x, ldj, const = level(squeeze(x), None, 0.0, first)
        kept, dropped = x.split_with_sizes((6, 6), 1)
        x, ldj, const = level(squeeze(kept.reshape(b, 6, 8, 8)), ldj, const, second)
        squares = dropped.square().sum((1, 2)) + x.square().sum((1, 2))
        return ldj + const - 0.5 * squares - (6 * 64 + 24 * 16) * half_log_two_pi

    return _from_log_prob(flow, log_prob)


def normflows_glow(steps: int = GLOW_STEPS) -> Model:
    """normflows' own Glow (its README's multi-scale recipe): ``GlowBlock`` (affine coupling with
    the sigmoid scale, LU 1x1 convolution, ActNorm) and ``Squeeze`` per level, ``Merge`` between
    levels, fixed standard normal bases (``DiagGaussian(trainable=False)``)."""
    import normflows as nf

    flows, merges, q0 = [], [], []
    for level in range(2):  # level 0 is the deepest (24 channels), as in normflows' recipe
        channels = 3 * 2 ** (2 + 1 - level)
        blocks = [nf.flows.GlowBlock(channels, GLOW_HIDDEN, split_mode="channel", scale=True)
                  for _ in range(steps)]
        flows.append(blocks + [nf.flows.Squeeze()])
        if level > 0:
            merges.append(nf.flows.Merge())
        shape = (24, 4, 4) if level == 0 else (6, 8, 8)
        q0.append(nf.distributions.DiagGaussian(shape, trainable=False))
    model = _perturbed(nf.MultiscaleFlow(q0, flows, merges))
    return _from_log_prob(model, lambda x: model.log_prob(x, None))


def raw_glow(steps: int = GLOW_STEPS) -> Model:
    """The conditioners alone, on the shapes the flow feeds them."""
    nets = nn.ModuleList([glow_net(6, 12) for _ in range(steps)]
                         + [glow_net(12, 24) for _ in range(steps)])

    def loss(x):
        small = x.reshape(x.shape[0], 12, 8, 8)[:, :6]
        smaller = small.reshape(x.shape[0], 24, 4, 4)[:, :12]
        total = sum(net(small).sum() for net in nets[:steps])
        total = total + sum(net(smaller).sum() for net in nets[steps:])
        return total / x.shape[0]

    return Model(_perturbed(nets), loss)
