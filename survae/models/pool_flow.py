"""The SurVAE paper's MaxPoolFlow and its slicing baseline, as in the official image experiments.

``pool_flow(shape, pooling=...)`` builds, for integer images ``(C, H, W)``:

- dequantization: by default (the paper's runs) a ``VariationalDequantization`` whose encoder is
  a conditional flow (``dequantization_flow``); with ``dequant="uniform"``,
  ``UniformDequantization``;
- ``ScalarAffineBijection(shift=-0.5)``, which puts the dequantized data on ``[-0.5, 0.5)``,
  and one ``Squeeze2d``. Data that use only the first ``levels`` of the ``2**num_bits`` values
  (the digits' 17 gray levels in a 5-bit range) lie in ``[0, levels / 2**num_bits)`` after
  dequantization; the layer is then ``ScalarAffineBijection(shift=-0.5, scale=2**num_bits /
  levels)``, so that they fill ``[-0.5, 0.5)`` as 8-bit images do in the paper (its log-det
  ``D log(2**num_bits / levels)`` is counted: the bound stays on the discrete data);
- per scale ``steps`` x (``ActNormBijection2d`` if ``actnorm``, ``Conv1x1``, an affine coupling
  with a DenseNet conditioner and log-scale ``2 tanh(u / 2)``); between scales a 4x reduction:

  ===================  =========================================================================
  ``pooling``          between scales
  ===================  =========================================================================
  ``"max"``            ``SimpleMaxPoolSurjection2d(StandardHalfNormal)``: the paper's MaxPoolFlow
                       (fixed decoder: uniform argmax position, half-normal gaps)
  ``"none"``           ``Squeeze2d`` + ``Slice(StandardNormal)`` keeping a quarter of the
                       channels: the paper's baseline (multi-scale slicing, fixed decoder)
  ``"max-learned"``    ``MaxPoolSurjection2d`` with learned decoders ``p(k|z)`` (categorical) and
                       ``p(d|z)`` (half-normal, scale from a DenseNet of ``z``): zero-initialised,
                       it starts as ``"max"`` and can only improve on it
  ===================  =========================================================================

- base: ``ConvNormal2d`` (one learned mean and scale per channel).

Example:
    >>> import torch
    >>> model = pool_flow((1, 8, 8), num_bits=5, steps=1, hidden=8, depth=1, growth=4)
    >>> x = torch.randint(0, 17, (2, 1, 8, 8))
    >>> model.log_prob(x).shape, model.sample(3).shape
    (torch.Size([2]), torch.Size([3, 1, 8, 8]))

Reference: Nielsen et al., 2020 (SurVAE Flows, Section 5 and Table 5).
"""

from __future__ import annotations

import torch
from torch import Tensor, nn

from survae.distributions import (
    ConditionalCategorical,
    ConditionalHalfNormal,
    ConvNormal2d,
    StandardHalfNormal,
    StandardNormal,
)
from survae.flows import ConditionalInverseFlow, Flow
from survae.nn.blocks import DenseBlock
from survae.nn.layers import ElementwiseParams2d, scale_fn
from survae.nn.nets import DenseNet
from survae.transforms import (
    ActNormBijection2d,
    AffineCouplingBijection,
    ConditionalAffineCouplingBijection,
    Conv1x1,
    MaxPoolSurjection2d,
    ScalarAffineBijection,
    Sigmoid,
    SimpleMaxPoolSurjection2d,
    Slice,
    Squeeze2d,
    UniformDequantization,
    Unsqueeze2d,
    VariationalDequantization,
)

POOLINGS = ("max", "none", "max-learned")
DEQUANTIZATIONS = ("uniform", "flow")


class _SignedUnit(nn.Module):
    """Integer images ``0 .. top`` to ``[-1, 1]`` in the module's dtype (a buffer carries it, so
    ``.double()`` applies to the dequantization context as to the rest of the model)."""

    def __init__(self, top: int):
        super().__init__()
        self.register_buffer("scale", torch.tensor(2.0 / top), persistent=False)

    def forward(self, x: Tensor) -> Tensor:
        return self.scale * x.to(self.scale.dtype) - 1


def _densenet(in_channels: int, out_channels: int, net: dict) -> DenseNet:
    return DenseNet(in_channels=in_channels, out_channels=out_channels, zero_init=True, **net)


def _coupling(channels: int, net: dict, context: int = 0) -> nn.Module:
    """The official coupling: DenseNet conditioner, log-scale ``2 tanh(u / 2)``."""
    half = channels // 2
    params = nn.Sequential(_densenet(half + context, 2 * (channels - half), net),
                           ElementwiseParams2d(2, mode="sequential"))
    layer = ConditionalAffineCouplingBijection if context else AffineCouplingBijection
    return layer(params, scale_fn=scale_fn("tanh_exp"))


def dequantization_flow(shape: tuple[int, int, int], num_bits: int, steps: int, context: int,
                        net: dict, levels: int | None = None) -> ConditionalInverseFlow:
    """The official dequantization encoder ``q(u | x)``: a conditional flow from a
    ``ConvNormal2d`` on the squeezed shape through ``steps`` x (1x1 conv, conditional coupling),
    a 1x1 conv, an unsqueeze and a sigmoid to ``(0, 1)^D``; the context is a DenseBlock / strided
    conv / DenseBlock of the image scaled to ``[-1, 1]`` (values ``0 .. levels - 1``, default
    ``levels = 2**num_bits``)."""
    c, h, w = shape
    dropout, gated = net.get("dropout", 0.0), net.get("gated_conv", True)
    mid = net["mid_channels"]
    top = (levels or 2**num_bits) - 1
    context_net = nn.Sequential(
        _SignedUnit(top),
        DenseBlock(c, mid, depth=4, growth=16, dropout=dropout, gated_conv=gated),
        nn.Conv2d(mid, mid, kernel_size=2, stride=2),
        DenseBlock(mid, context, depth=4, growth=16, dropout=dropout, gated_conv=gated),
    )
    squeezed = (4 * c, h // 2, w // 2)
    transforms: list[nn.Module] = []
    for _ in range(steps):
        transforms += [Conv1x1(squeezed[0]), _coupling(squeezed[0], net, context)]
    transforms += [Conv1x1(squeezed[0]), Unsqueeze2d(), Sigmoid()]
    return ConditionalInverseFlow(ConvNormal2d(squeezed), transforms, context_init=context_net)


def _learned_max_pool(channels: int, h: int, w: int, net: dict) -> MaxPoolSurjection2d:
    gaps = ConditionalHalfNormal(_densenet(channels, 3 * channels, net))
    index = ConditionalCategorical(nn.Sequential(_densenet(channels, 4 * channels, net),
                                                 ElementwiseParams2d(4)))
    return MaxPoolSurjection2d(gaps, index_decoder=index)


def pool_flow(
    shape: tuple[int, int, int],
    num_bits: int = 8,
    levels: int | None = None,
    num_scales: int = 2,
    steps: int = 8,
    pooling: str = "max",
    actnorm: bool = False,
    dequant: str = "flow",
    dequant_steps: int = 2,
    dequant_context: int = 16,
    hidden: int = 32,
    blocks: int = 1,
    depth: int = 2,
    growth: int = 16,
    dropout: float = 0.0,
    gated_conv: bool = True,
) -> Flow:
    """MaxPoolFlow or its baseline (see the module docstring) for images of ``shape``.

    Args:
        shape: ``(C, H, W)``; ``H`` and ``W`` divisible by ``2**num_scales``.
        num_bits: bits per value of the integer data.
        levels: values the data use, ``0 .. levels - 1`` (default, and the paper:
            ``2**num_bits``); fewer are stretched onto ``[-0.5, 0.5)`` (module docstring).
        num_scales: scales (``num_scales - 1`` poolings after the initial squeeze).
        steps: flow steps per scale (8: with 4, as in the first version here, MaxPoolFlow trailed
            its baseline by 0.19 bpd after 1000 steps on the digits, with 8 by 0.10; the paper
            uses 12 on CIFAR-10, 8 on ImageNet 64x64).
        pooling: ``"max"``, ``"none"`` or ``"max-learned"``.
        actnorm: an ActNorm before each step (and at the end); off in the official runs.
        dequant: ``"flow"`` (variational dequantization, as in the paper's runs) or
            ``"uniform"``.
        dequant_steps, dequant_context: the dequantization flow's steps and context channels.
        hidden, blocks, depth, growth, dropout, gated_conv: the DenseNet conditioners
            (``mid_channels``, ``num_blocks``, dense layers per block, channels added per layer).
    """
    if pooling not in POOLINGS:
        raise ValueError(f"pool_flow: pooling must be one of {POOLINGS}, got {pooling!r}")
    if dequant not in DEQUANTIZATIONS:
        raise ValueError(f"pool_flow: dequant must be one of {DEQUANTIZATIONS}, got {dequant!r}")
    if len(shape) != 3 or shape[1] % 2**num_scales or shape[2] % 2**num_scales:
        raise ValueError(
            f"pool_flow: expected an image shape (C, H, W) with H and W divisible by "
            f"2**{num_scales}, got {tuple(shape)}"
        )
    bins = 2**num_bits
    levels = bins if levels is None else levels
    if not 2 <= levels <= bins:
        raise ValueError(f"pool_flow: levels must be in [2, 2**num_bits = {bins}], got {levels}")
    net = {"num_blocks": blocks, "mid_channels": hidden, "depth": depth, "growth": growth,
           "dropout": dropout, "gated_conv": gated_conv}
    c, h, w = shape
    if dequant == "flow":
        encoder = dequantization_flow((c, h, w), num_bits, dequant_steps, dequant_context, net,
                                      levels)
        transforms: list[nn.Module] = [VariationalDequantization(encoder, num_bits=num_bits)]
    else:
        transforms = [UniformDequantization(num_bits=num_bits)]
    stretch = None if levels == bins else bins / levels
    transforms += [ScalarAffineBijection(shift=-0.5, scale=stretch), Squeeze2d()]
    c, h, w = 4 * c, h // 2, w // 2
    for scale in range(num_scales):
        for _ in range(steps):
            if actnorm:
                transforms.append(ActNormBijection2d(c))
            transforms += [Conv1x1(c), _coupling(c, net)]
        if scale < num_scales - 1:
            h, w = h // 2, w // 2
            if pooling == "none":
                transforms += [Squeeze2d(), Slice(StandardNormal((3 * c, h, w)), num_keep=c)]
            elif pooling == "max":
                transforms.append(SimpleMaxPoolSurjection2d(StandardHalfNormal((3 * c, h, w))))
            else:
                transforms.append(_learned_max_pool(c, h, w, net))
        elif actnorm:
            transforms.append(ActNormBijection2d(c))
    return Flow(ConvNormal2d((c, h, w)), transforms)
