"""Image flows built from library layers: RealNVP, Glow, the official multi-scale augmented flow,
and the SurVAE paper's MaxPoolFlow with its slicing baseline.

Every model takes integer images ``(B, C, H, W)`` with values ``0 .. 2**num_bits - 1``, starts with
``UniformDequantization(num_bits)`` and gives ``log_prob(x)``, a lower bound on the discrete
log-likelihood (in nats; bits per dim ``= -log_prob / (C H W ln 2)``) and ``sample(n)`` as integer
images. Multi-scale structure comes from surjections: ``Slice`` (factor out half the channels,
RealNVP/Glow), ``Augment`` (add channels of noise) or ``MaxPoolSurjection2d`` (MaxPoolFlow).

===================  ============================================================================
name                 layers per scale
===================  ============================================================================
``realnvp``          3 checkerboard masked affine couplings (alternating parity), squeeze,
                     3 channel-masked couplings, factor out half (``Slice``) (Dinh et al., 2017)
``glow``             squeeze, ``steps`` x (ActNorm, 1x1 conv, affine coupling), factor out half
                     with a learned conditional prior (Kingma & Dhariwal, 2018)
``augmented``        the official README's flow: ``Augment`` to twice the channels, then
                     (coupling, ActNorm, 1x1 conv) x ``steps``, squeeze and slice
``maxpool``          the paper's MaxPoolFlow (:mod:`survae.models.pool_flow`): squeeze once,
                     then per scale ``steps`` x (ActNorm, 1x1 conv, DenseNet coupling) and a
                     2x2 ``SimpleMaxPoolSurjection2d`` with a fixed half-normal decoder;
                     ``ConvNormal2d`` base (Nielsen et al., 2020, Section 5)
``baseline``         the paper's baseline: as ``maxpool`` but each max-pooling is a squeeze +
                     ``Slice`` keeping a quarter of the channels (fixed ``StandardNormal``)
``maxpool-learned``  ``maxpool`` with learned decoders for the gaps and the argmax position
                     (``MaxPoolSurjection2d``), initialised at the fixed ones
===================  ============================================================================

Example:
    >>> import torch
    >>> model = build_image_model("glow", (1, 8, 8), hidden=8, steps=1)
    >>> x = torch.randint(0, 256, (2, 1, 8, 8))
    >>> model.log_prob(x).shape, model.sample(3).shape
    (torch.Size([2]), torch.Size([3, 1, 8, 8]))
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any

from torch import nn

from survae.distributions import (
    ConditionalNormal,
    StandardNormal,
    StandardUniform,
)
from survae.flows import Flow
from survae.models.pool_flow import pool_flow
from survae.nn.layers import ElementwiseParams2d
from survae.nn.nets import ResNet
from survae.transforms import (
    ActNormBijection2d,
    AffineCouplingBijection,
    Augment,
    Conv1x1,
    Logit,
    MaskedAffineCouplingBijection,
    Slice,
    Squeeze2d,
    UniformDequantization,
    channel_mask,
    checkerboard_mask,
)


def _resnet(in_channels: int, out_channels: int, hidden: int, blocks: int) -> nn.Module:
    return ResNet(in_channels, out_channels, mid_channels=hidden, num_blocks=blocks,
                  zero_init=True)


def _affine_net(in_channels: int, out_channels: int, hidden: int, blocks: int) -> nn.Module:
    """Conditioner: ``in_channels`` -> ``(shift, log-scale)`` for ``out_channels``."""
    return nn.Sequential(_resnet(in_channels, 2 * out_channels, hidden, blocks),
                         ElementwiseParams2d(2))


def _check_shape(name: str, shape: tuple[int, int, int], halvings: int) -> None:
    if len(shape) != 3:
        raise ValueError(f"{name}: expected an image shape (C, H, W), got {shape}")
    c, h, w = shape
    if h % 2**halvings or w % 2**halvings:
        raise ValueError(
            f"{name}: height and width must be divisible by 2**{halvings} for this many scales, "
            f"got {shape}"
        )


def _step(channels: int, hidden: int, blocks: int, scale_fn: str) -> list[nn.Module]:
    """One Glow step: ActNorm, invertible 1x1 convolution, affine coupling over channels."""
    keep = channels // 2
    net = _affine_net(keep, channels - keep, hidden, blocks)
    return [ActNormBijection2d(channels), Conv1x1(channels),
            AffineCouplingBijection(net, scale_fn=scale_fn)]


def realnvp(
    shape: tuple[int, int, int],
    num_bits: int = 8,
    num_scales: int = 2,
    hidden: int = 64,
    blocks: int = 2,
    alpha: float = 0.05,
    scale_fn: str = "tanh_exp",
) -> Flow:
    """RealNVP (Dinh et al., 2017) for images of ``shape`` (see the module table).

    Dequantization, then RealNVP's logit pre-processing ``logit(alpha + (1 - 2 alpha) x)``; each
    scale but the last: 3 checkerboard couplings, squeeze, 3 channel couplings, factor out half
    the channels to a standard normal; the last scale: 4 checkerboard couplings.
    """
    _check_shape("realnvp", shape, num_scales - 1)
    c, h, w = shape
    transforms: list[nn.Module] = [UniformDequantization(num_bits), Logit(alpha=alpha)]
    for scale in range(num_scales):
        last = scale == num_scales - 1
        for i in range(4 if last else 3):
            net = _affine_net(c, c, hidden, blocks)
            transforms += [MaskedAffineCouplingBijection(net, checkerboard_mask(h, w, i % 2),
                                                         scale_fn=scale_fn),
                           ActNormBijection2d(c)]
        if last:
            break
        transforms.append(Squeeze2d())
        c, h, w = 4 * c, h // 2, w // 2
        for i in range(3):
            net = _affine_net(c, c, hidden, blocks)
            transforms += [MaskedAffineCouplingBijection(net, channel_mask(c, i % 2),
                                                         scale_fn=scale_fn),
                           ActNormBijection2d(c)]
        transforms.append(Slice(StandardNormal((c - c // 2, h, w)), num_keep=c // 2))
        c = c // 2
    return Flow(StandardNormal((c, h, w)), transforms)


def glow(
    shape: tuple[int, int, int],
    num_bits: int = 8,
    num_levels: int = 2,
    steps: int = 4,
    hidden: int = 64,
    blocks: int = 1,
    scale_fn: str = "sigmoid",
) -> Flow:
    """Glow (Kingma & Dhariwal, 2018): per level a squeeze and ``steps`` flow steps, then (but
    after the last level) factor out half the channels with a learned prior
    ``p(z_2 | z_1) = N(mu(z_1), sigma(z_1))``. Input centred to ``[-0.5, 0.5)``."""
    _check_shape("glow", shape, num_levels)
    c, h, w = shape
    transforms: list[nn.Module] = [UniformDequantization(num_bits), _centre()]
    for level in range(num_levels):
        transforms.append(Squeeze2d())
        c, h, w = 4 * c, h // 2, w // 2
        for _ in range(steps):
            transforms += _step(c, hidden, blocks, scale_fn)
        if level < num_levels - 1:
            keep = c // 2
            prior = ConditionalNormal(_resnet(keep, 2 * (c - keep), hidden, blocks), split_dim=1)
            transforms.append(Slice(prior, num_keep=keep))
            c = keep
    return Flow(StandardNormal((c, h, w)), transforms)


def _centre() -> nn.Module:
    from survae.transforms import ScalarAffineBijection

    return ScalarAffineBijection(shift=-0.5)


def augmented(
    shape: tuple[int, int, int],
    num_bits: int = 8,
    num_scales: int = 3,
    steps: int = 4,
    hidden: int = 64,
    blocks: int = 1,
    scale_fn: str = "exp",
) -> Flow:
    """The official README's multi-scale augmented flow, for any image shape: dequantize,
    ``Augment`` with uniform noise to ``2C`` channels, then per scale ``steps`` x (affine
    coupling, ActNorm, 1x1 conv) and, between scales, squeeze + ``Slice`` keeping half."""
    _check_shape("augmented", shape, num_scales - 1)
    c, h, w = shape
    transforms: list[nn.Module] = [UniformDequantization(num_bits),
                                   Augment(StandardUniform((c, h, w)), x_size=c)]
    c = 2 * c
    for scale in range(num_scales):
        if scale > 0:
            transforms.append(Squeeze2d())
            c, h, w = 4 * c, h // 2, w // 2
            transforms.append(Slice(StandardNormal((c // 2, h, w)), num_keep=c // 2))
            c = c // 2
        for _ in range(steps):
            net = _affine_net(c // 2, c - c // 2, hidden, blocks)
            transforms += [AffineCouplingBijection(net, scale_fn=scale_fn), ActNormBijection2d(c),
                           Conv1x1(c)]
    return Flow(StandardNormal((c, h, w)), transforms)


def _paper_maxpool(shape: tuple[int, int, int], **kwargs: Any) -> Flow:
    return pool_flow(shape, pooling="max", **kwargs)


def _paper_baseline(shape: tuple[int, int, int], **kwargs: Any) -> Flow:
    return pool_flow(shape, pooling="none", **kwargs)


def _learned_maxpool(shape: tuple[int, int, int], **kwargs: Any) -> Flow:
    return pool_flow(shape, pooling="max-learned", **kwargs)


IMAGE_MODELS: dict[str, Callable[..., Flow]] = {
    "realnvp": realnvp,
    "glow": glow,
    "augmented": augmented,
    "maxpool": _paper_maxpool,
    "baseline": _paper_baseline,
    "maxpool-learned": _learned_maxpool,
}
POOL_FLOW_MODELS = ("maxpool", "baseline", "maxpool-learned")
_POOL_FLOWS = tuple(IMAGE_MODELS[name] for name in POOL_FLOW_MODELS)


def build_image_model(name: str, shape: tuple[int, int, int], **kwargs: Any) -> Flow:
    """The image model ``name`` (a key of ``IMAGE_MODELS``) for images of ``shape``.

    Keyword arguments go to the factory; ones it does not take raise a ``TypeError`` naming them.
    """
    if name not in IMAGE_MODELS:
        raise ValueError(f"unknown image model {name!r}; choose one of {sorted(IMAGE_MODELS)}")
    factory = IMAGE_MODELS[name]
    target = pool_flow if factory in _POOL_FLOWS else factory
    accepted = set(inspect.signature(target).parameters) - {"shape", "pooling"}
    unknown = sorted(set(kwargs) - accepted)
    if unknown:
        raise TypeError(f"{name}: unknown settings {unknown}; accepted: {sorted(accepted)}")
    return factory(tuple(shape), **kwargs)
