"""VAEs with flow posteriors, hierarchical VAEs and VAEs with flow priors, from library layers.

``build_flow_vae`` is the flow-VAE of Rezende & Mohamed (2015) and its successors: the encoder
``q(z|x)`` is a ``ConditionalFlow``, a diagonal Gaussian ``N(mu(x), sigma(x))`` followed by
``length`` flow steps applied in the *sampling* direction ``z_k = f_k(z_{k-1})``, so that
``log q(z_K|x) = log N(z_0) - sum_k log|det df_k/dz|`` comes in closed form (planar, radial and
Sylvester maps have no closed inverse; :class:`~survae.transforms.InverseBijection` puts their
cheap direction on the sampling side). Modes:

- ``static``: the flow parameters are learned parameters shared by all ``x``;
- ``dynamic``: amortized, the encoder outputs them per example (``AmortizedBijection`` heads on the
  encoder features; NICE's conditioners see the features too).

Flows: ``none``, ``planar``, ``radial``, ``householder``, ``nice`` (additive couplings),
``iaf`` (inverse autoregressive: MADE; dynamic: a ConditionalMADE that also sees the encoder
features), ``sylvester`` (orthogonal Sylvester).
NICE ends (in the sampling direction) with its learned diagonal scaling
(``DiagonalScalingBijection``), as in the seed. Architectures: ``dense`` (MLPs) or ``conv``
(strided convolutions; height and width divisible by 4).

Decoders (``likelihood``), so that ``log_prob`` always bounds the likelihood of the data as given:

- ``bernoulli``: binary data;
- ``discretized-logistic``: integer data ``0 .. K-1`` (``num_levels = K``), one discretized
  logistic per value (``ConditionalDiscretizedLogistic``): a bound on the discrete likelihood;
- ``logit-normal``: the seed's pre-processing of non-binary images as layers of the flow:
  uniform dequantization to ``(x + u) / K``, ``Logit(alpha)`` (``logit(alpha + (1 - 2 alpha)
  y)``), then a Gaussian decoder on the logit scale. The dequantization and the logit's log-det
  are layers of the same ``Flow``, so ``log_prob`` is a bound on the discrete likelihood too (bits
  per dim on the data, not on the logits).

Example:
    >>> import torch
    >>> model = build_flow_vae((1, 8, 8), latent_dim=2, flow="planar", length=2, hidden=16)
    >>> x = torch.bernoulli(torch.full((3, 1, 8, 8), 0.3))
    >>> model.log_prob(x).shape, model.lower_bound
    (torch.Size([3]), True)
"""

from __future__ import annotations

import math
from typing import Any

import torch
from torch import Tensor, nn

from survae.distributions import (
    ConditionalBernoulli,
    ConditionalDiscretizedLogistic,
    ConditionalNormal,
    StandardNormal,
)
from survae.flows import ConditionalFlow, Flow
from survae.nn.layers import ElementwiseParams
from survae.nn.nets import MADE, MLP, ConditionalMADE
from survae.transforms import (
    VAE,
    ActNormBijection,
    AdditiveCouplingBijection,
    AffineAutoregressiveBijection,
    AffineCouplingBijection,
    AmortizedBijection,
    ConditionalAdditiveCouplingBijection,
    ConditionalAffineAutoregressiveBijection,
    ConditionalHouseholderBijection,
    ConditionalInverseBijection,
    ConditionalPlanarBijection,
    ConditionalRadialBijection,
    ConditionalSylvesterBijection,
    DiagonalScalingBijection,
    HouseholderBijection,
    InverseBijection,
    Logit,
    PlanarBijection,
    RadialBijection,
    Reverse,
    ScalarAffineBijection,
    SylvesterBijection,
    UniformDequantization,
)

VAE_FLOWS = ("none", "planar", "radial", "householder", "nice", "iaf", "sylvester")
VAE_MODES = ("static", "dynamic")
VAE_ARCHS = ("dense", "conv")
VAE_LIKELIHOODS = ("bernoulli", "discretized-logistic", "logit-normal")


class _Reshape(nn.Module):
    def __init__(self, *shape: int):
        super().__init__()
        self.shape = shape

    def forward(self, x: Tensor) -> Tensor:
        return x.reshape(x.shape[0], *self.shape)


class _ScaleLevels(nn.Module):
    """Integer levels ``0 .. K-1`` to floats in ``[0, 1]`` (the encoder's input)."""

    def __init__(self, num_levels: int):
        super().__init__()
        self.num_levels = num_levels

    def forward(self, x: Tensor) -> Tensor:
        return x.float() / (self.num_levels - 1)


def _encoder_trunk(shape: tuple[int, ...], hidden: int, arch: str) -> nn.Module:
    """``x -> h`` (``(B, hidden)`` features shared by the posterior's base and flow heads)."""
    if arch == "dense":
        return nn.Sequential(nn.Flatten(), MLP(math.prod(shape), hidden, [hidden], "relu"),
                             nn.ReLU())
    c, h, w = shape
    return nn.Sequential(
        nn.Conv2d(c, 32, 4, 2, 1), nn.ReLU(), nn.Conv2d(32, 64, 4, 2, 1), nn.ReLU(),
        nn.Flatten(), nn.Linear(64 * (h // 4) * (w // 4), hidden), nn.ReLU(),
    )


def _decoder_net(shape: tuple[int, ...], latent: int, hidden: int, arch: str,
                 params: int = 1) -> nn.Module:
    """``z -> params`` values per entry of the data, ``(B, params * C, H, W)`` (or
    ``(B, params * D)`` for vector data): logits, or means and log-scales."""
    if len(shape) == 1:
        return MLP(latent, params * shape[0], [hidden, hidden], "relu")
    c, h, w = shape
    if arch == "dense":
        return nn.Sequential(MLP(latent, params * math.prod(shape), [hidden, hidden], "relu"),
                             _Reshape(params * c, h, w))
    return nn.Sequential(
        nn.Linear(latent, hidden), nn.ReLU(), nn.Linear(hidden, 64 * (h // 4) * (w // 4)),
        nn.ReLU(), _Reshape(64, h // 4, w // 4),
        nn.ConvTranspose2d(64, 32, 4, 2, 1), nn.ReLU(),
        nn.ConvTranspose2d(32, params * c, 4, 2, 1),
    )


def dequantize_levels(num_levels: int, alpha: float) -> list[nn.Module]:
    """The seed's pre-processing of ``K``-level images as flow layers: ``z = (x + u) / K``
    (``UniformDequantization`` in the enclosing power of two, then a rescaling: together
    ``V = -D log K``), then ``Logit(alpha)``. Their log-dets make a bound on the continuous
    logits a bound on the discrete data. (The Gaussian's mass outside the logit interval is
    lost to the bound; samples there come out as the spare levels ``K .. 2**bits - 1``.)"""
    bits = max(1, math.ceil(math.log2(num_levels)))
    return [UniformDequantization(num_bits=bits),
            ScalarAffineBijection(scale=2**bits / num_levels), Logit(alpha=alpha)]


def _householder_head(hidden: int, latent: int, start: Tensor) -> nn.Linear:
    """``h -> v(h)`` of an amortized Householder step, starting almost independent of ``h`` at
    the vector ``start`` shared by all steps: a pair of equal reflections is the identity, so
    the initial posterior is (up to one fixed reflection) the Gaussian base. With independent
    random heads the initial ``x``-dependent rotations scramble ``z`` and training falls into
    posterior collapse (a test ELBO 3 nats below no flow on the digits)."""
    head = nn.Linear(hidden, latent)
    with torch.no_grad():
        head.weight.mul_(0.01)
        head.bias.copy_(start)
    return head


def _posterior_steps(flow: str, mode: str, length: int, latent: int, hidden: int) -> list:
    """The posterior's flow layers, ordered data (``z_K``) to latent (``z_0``) as a
    ``ConditionalFlow`` expects; sampling runs their ``inverse`` from ``z_0``."""
    if flow == "none":
        return []
    if flow in ("nice", "iaf") and latent < 2:
        raise ValueError(f"flow-VAE: {flow!r} needs latent_dim >= 2")
    steps: list[nn.Module] = []
    if flow == "householder" and mode == "dynamic":
        start = torch.randn(latent)  # the steps' common initial vector
    for _ in range(length):
        if flow == "planar":
            layer = (InverseBijection(PlanarBijection(latent)) if mode == "static" else
                     ConditionalInverseBijection(AmortizedBijection(
                         ConditionalPlanarBijection(latent), nn.Linear(hidden, 2 * latent + 1))))
        elif flow == "radial":
            layer = (InverseBijection(RadialBijection(latent)) if mode == "static" else
                     ConditionalInverseBijection(AmortizedBijection(
                         ConditionalRadialBijection(latent), nn.Linear(hidden, latent + 2))))
        elif flow == "householder":
            if mode == "static":
                layer = HouseholderBijection(latent, num_reflections=1)
            else:
                layer = AmortizedBijection(ConditionalHouseholderBijection(latent, 1),
                                           _householder_head(hidden, latent, start))
        elif flow == "sylvester":
            if mode == "static":
                layer = InverseBijection(SylvesterBijection(latent, kind="orthogonal"))
            else:
                core = ConditionalSylvesterBijection(latent, kind="orthogonal")
                head = nn.Linear(hidden, core.num_params)
                with torch.no_grad():
                    head.weight.mul_(0.1)
                layer = ConditionalInverseBijection(AmortizedBijection(core, head))
        elif flow == "nice":  # (the final scaling is added after the loop)
            keep = latent // 2
            if mode == "static":
                layer = AdditiveCouplingBijection(MLP(keep, latent - keep, [hidden], "relu"))
            else:
                layer = ConditionalAdditiveCouplingBijection(
                    MLP(keep + hidden, latent - keep, [hidden], "relu"))
            steps.append(Reverse(latent))
        elif flow == "iaf":
            if mode == "static":
                made = MADE(latent, 2, [hidden, hidden])
                layer = InverseBijection(AffineAutoregressiveBijection(made, scale_fn="sigmoid"))
            else:  # the MADE also sees the encoder features (Kingma et al., 2016's context h)
                made = ConditionalMADE(latent, 2, [hidden, hidden], context_features=hidden)
                layer = ConditionalInverseBijection(
                    ConditionalAffineAutoregressiveBijection(made, scale_fn="sigmoid"))
            steps.append(Reverse(latent))
        else:
            raise ValueError(f"flow-VAE: unknown flow {flow!r}; choose one of {VAE_FLOWS}")
        steps.append(layer)
    if flow == "nice":  # NICE's last step in the sampling direction: a learned diagonal scaling
        steps.insert(0, DiagonalScalingBijection(latent))
    return steps


def build_flow_vae(
    data_shape: tuple[int, ...] = (1, 8, 8),
    latent_dim: int = 8,
    flow: str = "none",
    length: int = 4,
    mode: str = "static",
    arch: str = "dense",
    hidden: int = 256,
    likelihood: str = "bernoulli",
    num_levels: int = 2,
    alpha: float = 0.05,
) -> Flow:
    """The flow-VAE (see the module docstring): ``Flow(N(0, I), [*pre, VAE(decoder, encoder)])``.

    Args:
        data_shape: ``(C, H, W)`` (or ``(D,)`` with ``arch="dense"``).
        latent_dim, flow, length, mode, arch, hidden: the latent space and the posterior.
        likelihood: the decoder, one of ``VAE_LIKELIHOODS``.
        num_levels: values per entry ``K`` of integer data (``discretized-logistic``,
            ``logit-normal``): 17 for the digits' gray levels, 256 for 8-bit images.
        alpha: ``logit-normal``: the logit's margin, ``logit(alpha + (1 - 2 alpha) y)``.
    """
    if flow not in VAE_FLOWS:
        raise ValueError(f"flow-VAE: unknown flow {flow!r}; choose one of {VAE_FLOWS}")
    if mode not in VAE_MODES:
        raise ValueError(f"flow-VAE: mode must be one of {VAE_MODES}, got {mode!r}")
    if arch not in VAE_ARCHS:
        raise ValueError(f"flow-VAE: arch must be one of {VAE_ARCHS}, got {arch!r}")
    if arch == "conv" and (len(data_shape) != 3 or data_shape[1] % 4 or data_shape[2] % 4):
        raise ValueError(f"flow-VAE: conv needs (C, H, W) with H, W divisible by 4, got "
                         f"{data_shape}")
    if likelihood not in VAE_LIKELIHOODS:
        raise ValueError(f"flow-VAE: likelihood must be one of {VAE_LIKELIHOODS}, got "
                         f"{likelihood!r}")
    if likelihood != "bernoulli" and (int(num_levels) != num_levels or num_levels < 2):
        raise ValueError(f"flow-VAE: num_levels must be an integer >= 2, got {num_levels}")
    shape = tuple(data_shape)
    trunk = _encoder_trunk(shape, hidden, arch)
    pre: list[nn.Module] = []
    if likelihood == "bernoulli":
        decoder = ConditionalBernoulli(_decoder_net(shape, latent_dim, hidden, arch))
    elif likelihood == "discretized-logistic":
        trunk = nn.Sequential(_ScaleLevels(num_levels), trunk)
        decoder = ConditionalDiscretizedLogistic(
            _decoder_net(shape, latent_dim, hidden, arch, params=2), num_levels, split_dim=1)
    else:
        pre = dequantize_levels(num_levels, alpha)
        decoder = ConditionalNormal(_decoder_net(shape, latent_dim, hidden, arch, params=2),
                                    split_dim=1)
    base = ConditionalNormal(nn.Linear(hidden, 2 * latent_dim))
    steps = _posterior_steps(flow, mode, length, latent_dim, hidden)
    encoder = ConditionalFlow(base, steps, context_init=trunk)
    return Flow(StandardNormal((latent_dim,)), [*pre, VAE(decoder=decoder, encoder=encoder)])


def _split_vae(model: Flow) -> tuple[list[nn.Module], VAE]:
    *pre, vae = model.transforms
    if not isinstance(vae, VAE) or any(isinstance(t, VAE) for t in pre):
        raise ValueError("expected Flow(base, [*pre-processing, VAE(decoder, encoder)])")
    return pre, vae


def vae_terms(model: Flow, x: Tensor) -> dict[str, Tensor]:
    """One posterior sample's ``log p(x|z)``, ``log p(z)`` and ``log q(z|x)`` (each ``(B,)``) for
    a one-layer VAE flow (after its pre-processing layers, whose likelihood contributions count
    in ``log p(x|z)``): the pieces of a KL-annealed objective
    ``log p(x|z) + beta (log p(z) - log q(z|x))``."""
    pre, vae = _split_vae(model)
    log_pre = torch.zeros(x.shape[0], device=x.device)
    for layer in pre:
        x, ldj = layer(x)
        log_pre = log_pre + ldj
    z, log_q = vae.encoder.sample_with_log_prob(context=x)
    return {"log_px": vae.decoder.log_prob(x, context=z) + log_pre,
            "log_pz": model.base_dist.log_prob(z), "log_qz": log_q, "z": z}


def decoder_images(model: Flow, z: Tensor) -> Tensor:
    """The decoder's mean image for latents ``z``, in ``[0, 1]`` (for pictures): the Bernoulli
    probabilities, the mean level over ``K - 1``, or the Gaussian mean mapped back through the
    logit (``(x + u) / K``)."""
    pre, vae = _split_vae(model)
    decoder = vae.decoder
    if isinstance(decoder, ConditionalBernoulli):
        return decoder.probs(z)
    if isinstance(decoder, ConditionalDiscretizedLogistic):
        return decoder.mean(z) / (decoder.num_levels - 1)
    x = decoder.mean(z)
    for layer in reversed(pre):  # back to (x + u) / K: the logit only
        if isinstance(layer, Logit):
            x = layer.inverse(x)
    return x.clamp(0, 1)


def build_hierarchical_vae(
    data_shape: tuple[int, ...] = (1, 8, 8), latent_dims: tuple[int, int] = (16, 4),
    hidden: int = 128,
) -> Flow:
    """Two stochastic layers in one Flow: ``x <-> z1 <-> z2``, ``p(z2) = N(0, I)``, Gaussian
    ``p(z1|z2)`` and ``q(z2|z1)``, Bernoulli ``p(x|z1)``; ``log_prob`` is the two-level ELBO.

    Example:
        >>> import torch
        >>> model = build_hierarchical_vae(latent_dims=(6, 2), hidden=16)
        >>> model.log_prob(torch.bernoulli(torch.full((3, 1, 8, 8), 0.5))).shape
        torch.Size([3])
    """
    d = math.prod(data_shape)
    z1, z2 = latent_dims
    first = VAE(
        decoder=ConditionalBernoulli(nn.Sequential(MLP(z1, d, [hidden], "relu"),
                                                   _Reshape(*data_shape))),
        encoder=ConditionalNormal(nn.Sequential(nn.Flatten(), MLP(d, 2 * z1, [hidden], "relu"))),
    )
    second = VAE(decoder=ConditionalNormal(MLP(z2, 2 * z1, [hidden], "relu")),
                 encoder=ConditionalNormal(MLP(z1, 2 * z2, [hidden], "relu")))
    return Flow(StandardNormal((z2,)), [first, second])


def build_flow_prior_vae(
    data_shape: tuple[int, ...] = (1, 8, 8), latent_dim: int = 4, prior_steps: int = 4,
    hidden: int = 128,
) -> Flow:
    """A VAE whose prior is a flow: ``Flow(N(0, I), [VAE, (affine coupling, ActNorm,
    reverse) x prior_steps])``; the layers after the VAE map ``z`` to the base, so
    ``p(z)`` is a RealNVP density instead of ``N(0, I)``.

    Example:
        >>> import torch
        >>> model = build_flow_prior_vae(latent_dim=2, prior_steps=2, hidden=16)
        >>> model.sample(4).shape
        torch.Size([4, 1, 8, 8])
    """
    vae = build_flow_vae(data_shape, latent_dim, "none", hidden=hidden).transforms[0]
    keep = latent_dim // 2
    prior: list[nn.Module] = []
    for _ in range(prior_steps):
        net = nn.Sequential(MLP(keep, 2 * (latent_dim - keep), [hidden], "relu"),
                            ElementwiseParams(2))
        prior += [AffineCouplingBijection(net, scale_fn="tanh_exp"), ActNormBijection(latent_dim),
                  Reverse(latent_dim)]
    return Flow(StandardNormal((latent_dim,)), [vae, *prior])


def describe(model: Flow) -> dict[str, Any]:
    """Parameter count and layer kinds of a VAE flow (for logs)."""
    return {"parameters": sum(p.numel() for p in model.parameters()),
            "layers": [type(t).__name__ for t in model.transforms]}
