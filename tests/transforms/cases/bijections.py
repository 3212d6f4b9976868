"""Harness cases for the core bijections (coupling, actnorm, permutations, linear, elementwise).

The ``-frozen`` cases run with parameters that need no gradient, which exercises the cached
inverse of the 1x1 convolutions in every harness check.
"""

from __future__ import annotations

import torch
from torch import nn

from survae.nn.layers import ElementwiseParams, ElementwiseParams2d
from survae.transforms import (
    ActNormBijection,
    ActNormBijection1d,
    ActNormBijection2d,
    AdditiveCouplingBijection,
    AffineBijection,
    AffineCouplingBijection,
    BatchNormBijection,
    BatchNormBijection1d,
    BatchNormBijection2d,
    ConditionalAdditiveCouplingBijection,
    ConditionalAffineCouplingBijection,
    ConditionalPlanarBijection,
    Conv1x1,
    Conv1x1LU,
    Exp,
    HouseholderBijection,
    LeakyReLU,
    Linear,
    LinearLU,
    Log,
    Logit,
    Permute,
    PermuteAxes,
    PlanarBijection,
    RadialBijection,
    Reshape,
    Reverse,
    ScalarAffineBijection,
    SequentialTransform,
    Shuffle,
    Sigmoid,
    SneakyReLU,
    Softplus,
    SoftplusInverse,
    Squeeze2d,
    Tanh,
    Unsqueeze2d,
)
from tests.transforms.harness import Case, normal_input, uniform_input


def _mlp(d_in: int, d_out: int, num_params: int) -> nn.Module:
    return nn.Sequential(
        nn.Linear(d_in, 16),
        nn.Tanh(),
        nn.Linear(16, d_out * num_params),
        ElementwiseParams(num_params),
    )


def _conv(c_in: int, c_out: int, num_params: int) -> nn.Module:
    return nn.Sequential(
        nn.Conv2d(c_in, 8, 3, padding=1),
        nn.Tanh(),
        nn.Conv2d(8, c_out * num_params, 1),
        ElementwiseParams2d(num_params),
    )


def _frozen(layer):
    for p in layer.parameters():
        p.requires_grad_(False)
    return layer


def _with_bias(layer):
    with torch.no_grad():
        layer.bias.normal_()
    return layer


def _batchnorm_init(layer, x, context) -> None:
    layer.train()
    for _ in range(30):  # move the running statistics away from (0, 1)
        layer(3.0 + 2.0 * x)


def _actnorm_init(layer, x, context) -> None:
    layer.train()
    layer(3.0 + 2.0 * x)


CASES = [
    Case(
        "AffineCouplingBijection-2d",
        lambda: AffineCouplingBijection(_mlp(1, 1, 2)),
        normal_input((2,)),
    ),
    Case(
        "AffineCouplingBijection-odd-5d",
        lambda: AffineCouplingBijection(_mlp(3, 2, 2)),
        normal_input((5,)),
    ),
    Case(
        "AffineCouplingBijection-num_condition",
        lambda: AffineCouplingBijection(_mlp(1, 3, 2), num_condition=1),
        normal_input((4,)),
    ),
    Case(
        "AffineCouplingBijection-tanh_exp",
        lambda: AffineCouplingBijection(_mlp(2, 2, 2), scale_fn="tanh_exp"),
        normal_input((4,)),
    ),
    Case(
        "AffineCouplingBijection-sigmoid",
        lambda: AffineCouplingBijection(_mlp(2, 2, 2), scale_fn="sigmoid"),
        normal_input((4,)),
    ),
    Case(
        "AffineCouplingBijection-image",
        lambda: AffineCouplingBijection(_conv(2, 2, 2)),
        normal_input((4, 3, 3)),
    ),
    Case(
        "AffineCouplingBijection-softplus",
        lambda: AffineCouplingBijection(_mlp(2, 2, 2), scale_fn="softplus"),
        normal_input((4,)),
    ),
    Case(
        "AffineCouplingBijection-official-lambda",
        lambda: AffineCouplingBijection(_mlp(2, 2, 2), scale_fn=lambda s: torch.exp(s)),
        normal_input((4,)),
    ),
    Case(
        "AffineCouplingBijection-split_dim2",
        # (B, 1, 4) split along dim 2; the net maps (B, 1, 2) to (B, 1, 2, 2) params.
        lambda: AffineCouplingBijection(
            nn.Sequential(nn.Linear(2, 4), nn.Unflatten(-1, (2, 2))), split_dim=2
        ),
        normal_input((1, 4)),
    ),
    Case(
        "AdditiveCouplingBijection-3d",
        lambda: AdditiveCouplingBijection(_mlp(2, 1, 1)),
        normal_input((3,)),
    ),
    Case(
        "AdditiveCouplingBijection-image",
        lambda: AdditiveCouplingBijection(_conv(1, 1, 1)),
        normal_input((2, 3, 3)),
    ),
    Case(
        "ConditionalAffineCouplingBijection",
        lambda: ConditionalAffineCouplingBijection(_mlp(2 + 3, 2, 2)),
        normal_input((4,)),
        context=normal_input((3,)),
    ),
    Case(
        "ConditionalAffineCouplingBijection-context_net",
        lambda: ConditionalAffineCouplingBijection(_mlp(2 + 2, 2, 2), context_net=nn.Linear(3, 2)),
        normal_input((4,)),
        context=normal_input((3,)),
    ),
    Case(
        "ConditionalAffineCouplingBijection-image",
        lambda: ConditionalAffineCouplingBijection(_conv(1 + 1, 1, 2)),
        normal_input((2, 3, 3)),
        context=normal_input((1, 3, 3)),
    ),
    Case(
        "ConditionalAdditiveCouplingBijection",
        lambda: ConditionalAdditiveCouplingBijection(_mlp(1 + 2, 1, 1)),
        normal_input((2,)),
        context=normal_input((2,)),
    ),
    Case("ActNormBijection", lambda: ActNormBijection(3), normal_input((3,)), init=_actnorm_init),
    Case(
        "ActNormBijection-no-init",
        lambda: ActNormBijection(3, data_dep_init=False),
        normal_input((3,)),
    ),
    Case(
        "ActNormBijection1d",
        lambda: ActNormBijection1d(2),
        normal_input((2, 4)),
        init=_actnorm_init,
    ),
    Case(
        "ActNormBijection2d",
        lambda: ActNormBijection2d(2),
        normal_input((2, 3, 3)),
        init=_actnorm_init,
    ),
    # ActNorm + 1x1 convolution in a stack: evaluated as one fused map (survae.transforms.fusion)
    Case(
        "SequentialTransform-ActNorm2d-Conv1x1LU-fused",
        lambda: SequentialTransform([ActNormBijection2d(3), Conv1x1LU(3)]),
        normal_input((3, 2, 2)),
        init=_actnorm_init,
    ),
    Case(
        "SequentialTransform-ActNorm1d-Conv1x1-fused",
        lambda: SequentialTransform([ActNormBijection1d(2), Conv1x1(2)]),
        normal_input((2, 3)),
        init=_actnorm_init,
    ),
    Case(
        "SequentialTransform-ActNorm-Conv1x1-vector-fused",
        lambda: SequentialTransform([ActNormBijection(3), Conv1x1(3, orthogonal_init=False)]),
        normal_input((3,)),
        init=_actnorm_init,
    ),
    Case("Permute", lambda: Permute([2, 0, 3, 1]), normal_input((4,))),
    Case("Permute-dim2", lambda: Permute([1, 2, 0], dim=2), normal_input((2, 3))),
    Case("Shuffle", lambda: Shuffle(5), normal_input((5,))),
    Case("Reverse", lambda: Reverse(3), normal_input((3,))),
    Case("Reverse-image-channels", lambda: Reverse(3), normal_input((3, 2, 2))),
    Case("PermuteAxes", lambda: PermuteAxes([0, 2, 3, 1]), normal_input((2, 3, 2))),
    Case(
        "ScalarAffineBijection",
        lambda: ScalarAffineBijection(shift=0.5, scale=-3.0),
        normal_input((3,)),
    ),
    Case(
        "AffineBijection",
        lambda: AffineBijection(shift=[0.0, 0.5], scale=[0.25, -2.0]),
        normal_input((2,)),
    ),
    Case(
        "AffineBijection-image",
        lambda: AffineBijection(scale=torch.tensor([2.0, 0.5]).view(2, 1, 1)),
        normal_input((2, 2, 2)),
    ),
    Case("Logit", lambda: Logit(), uniform_input((3,), 0.05, 0.95)),
    Case(
        "Logit-alpha-temperature", lambda: Logit(temperature=0.7, alpha=0.05), uniform_input((3,))
    ),
    Case("Sigmoid", lambda: Sigmoid(), normal_input((3,))),
    Case(
        "Sigmoid-alpha-temperature",
        lambda: Sigmoid(temperature=2.0, alpha=0.05),
        normal_input((3,)),
    ),
    Case("SoftplusInverse", lambda: SoftplusInverse(), uniform_input((3,), 0.1, 4.0)),
    Case("Linear", lambda: Linear(3), normal_input((3,))),
    Case(
        "Linear-bias-identity",
        lambda: Linear(3, orthogonal_init=False, bias=True),
        normal_input((3,)),
    ),
    Case("LinearLU", lambda: LinearLU(4, identity_init=False), normal_input((4,))),
    Case("LinearLU-bias", lambda: _with_bias(LinearLU(4, identity_init=False, bias=True)),
         normal_input((4,))),
    Case("HouseholderBijection", lambda: HouseholderBijection(4, 3), normal_input((4,))),
    Case(
        "BatchNormBijection",
        lambda: BatchNormBijection(3),
        normal_input((3,)),
        init=_batchnorm_init,
    ),
    Case(
        "BatchNormBijection1d",
        lambda: BatchNormBijection1d(2),
        normal_input((2, 3)),
        init=_batchnorm_init,
    ),
    Case(
        "BatchNormBijection2d",
        lambda: BatchNormBijection2d(2),
        normal_input((2, 2, 2)),
        init=_batchnorm_init,
    ),
    Case("PlanarBijection", lambda: PlanarBijection(3), normal_input((3,)), atol=1e-7),
    Case(
        "ConditionalPlanarBijection",
        lambda: ConditionalPlanarBijection(3),
        normal_input((3,)),
        context=normal_input((7,)),
        atol=1e-7,
    ),
    Case("RadialBijection", lambda: RadialBijection(3), normal_input((3,))),
    Case("Tanh", lambda: Tanh(), lambda n: 3 * normal_input((3,))(n)),
    Case("LeakyReLU", lambda: LeakyReLU(0.2), normal_input((3,))),
    Case("SneakyReLU", lambda: SneakyReLU(0.1), lambda n: 3 * normal_input((3,))(n)),
    Case("Softplus", lambda: Softplus(), normal_input((3,))),
    Case("Exp", lambda: Exp(), normal_input((3,))),
    Case("Log", lambda: Log(), uniform_input((3,), 0.1, 5.0)),
    Case("Conv1x1", lambda: Conv1x1(3), normal_input((3, 2, 2))),
    Case(
        "Conv1x1-uniform-init", lambda: Conv1x1(3, orthogonal_init=False), normal_input((3, 2, 2))
    ),
    Case("Conv1x1-1d", lambda: Conv1x1(3), normal_input((3, 4))),
    Case(
        "Conv1x1-frozen-cached-inverse",
        lambda: _frozen(Conv1x1(3, orthogonal_init=False)),
        normal_input((3, 2, 2)),
    ),
    Case("Conv1x1-vector", lambda: Conv1x1(4, orthogonal_init=False), normal_input((4,))),
    Case("Conv1x1LU", lambda: Conv1x1LU(4), normal_input((4, 2, 2))),
    Case("Conv1x1LU-1d", lambda: Conv1x1LU(3), normal_input((3, 5))),
    Case("Conv1x1LU-frozen", lambda: _frozen(Conv1x1LU(3)), normal_input((3, 2, 2))),
    Case("Squeeze2d", lambda: Squeeze2d(), normal_input((2, 4, 4))),
    Case("Squeeze2d-ordered", lambda: Squeeze2d(ordered=True), normal_input((2, 4, 4))),
    Case("Squeeze2d-factor3", lambda: Squeeze2d(factor=3), normal_input((1, 3, 6))),
    Case("Unsqueeze2d", lambda: Unsqueeze2d(), normal_input((8, 2, 2))),
    Case("Unsqueeze2d-ordered", lambda: Unsqueeze2d(ordered=True), normal_input((8, 2, 2))),
    Case("Reshape", lambda: Reshape((2, 3), (6,)), normal_input((2, 3))),
    Case("Reshape-to-image", lambda: Reshape((12,), (3, 2, 2)), normal_input((12,))),
    Case("Permute-image-width", lambda: Permute([2, 0, 1], dim=3), normal_input((2, 2, 3))),
    Case("Shuffle-image-channels", lambda: Shuffle(4), normal_input((4, 2, 2))),
]
