"""Harness cases: autoregressive image bijections with PixelCNN conditioners."""

from __future__ import annotations

import torch

from survae.nn.nets import PixelCNN
from survae.transforms import (
    AdditiveAutoregressiveBijection2d,
    AffineAutoregressiveBijection2d,
    RationalQuadraticSplineAutoregressiveBijection2d,
)
from tests.transforms.harness import Case, normal_input


def _pixelcnn(channels: int, params: int):
    torch.manual_seed(0)
    net = PixelCNN(channels, params, filters=4, num_blocks=1, output_filters=8,
                   kernel_size_in=3, init_transforms=lambda x: x)
    with torch.no_grad():
        net[-2].weight.mul_(3.0)  # outputs far from zero
    return net


CASES = [
    Case("AffineAutoregressiveBijection2d-rgb",
         lambda: AffineAutoregressiveBijection2d(_pixelcnn(2, 2), scale_fn="tanh_exp"),
         normal_input((2, 3, 3))),
    Case("AdditiveAutoregressiveBijection2d",
         lambda: AdditiveAutoregressiveBijection2d(_pixelcnn(1, 1)), normal_input((1, 3, 3))),
    Case("RationalQuadraticSplineAutoregressiveBijection2d",
         lambda: RationalQuadraticSplineAutoregressiveBijection2d(
             _pixelcnn(1, 3 * 4 - 1), 4, tail_bound=2.0),
         lambda n: 2.5 * normal_input((1, 3, 3))(n), atol=1e-6),
]

from survae.nn.nets import ConditionalPixelCNN  # noqa: E402
from survae.transforms import (  # noqa: E402
    ConditionalAdditiveAutoregressiveBijection2d,
    ConditionalAffineAutoregressiveBijection2d,
)


def _conditional_pixelcnn(channels: int, params: int):
    torch.manual_seed(0)
    return ConditionalPixelCNN(channels, params, context_channels=2, filters=4, num_blocks=1,
                               output_filters=8, kernel_size_in=3, init_transforms=lambda x: x)


CASES += [
    Case("ConditionalAffineAutoregressiveBijection2d",
         lambda: ConditionalAffineAutoregressiveBijection2d(_conditional_pixelcnn(2, 2),
                                                            scale_fn="softplus"),
         normal_input((2, 3, 3)), context=normal_input((2, 3, 3))),
    Case("ConditionalAdditiveAutoregressiveBijection2d-raster_wh",
         lambda: ConditionalAdditiveAutoregressiveBijection2d(_conditional_pixelcnn(1, 1),
                                                              autoregressive_order="raster_wh"),
         normal_input((1, 3, 3)), context=normal_input((2, 3, 3))),
]

from survae.transforms import (  # noqa: E402
    CubicSplineAutoregressiveBijection2d,
    LinearSplineAutoregressiveBijection2d,
    QuadraticSplineAutoregressiveBijection2d,
)
from tests.transforms.harness import uniform_input  # noqa: E402

CASES += [
    Case("LinearSplineAutoregressiveBijection2d",
         lambda: LinearSplineAutoregressiveBijection2d(_pixelcnn(1, 4), 4),
         uniform_input((1, 3, 3), 0.01, 0.99), atol=1e-6),
    Case("QuadraticSplineAutoregressiveBijection2d",
         lambda: QuadraticSplineAutoregressiveBijection2d(_pixelcnn(1, 2 * 4 - 1), 4,
                                                          tail_bound=2.0),
         lambda n: 2.5 * normal_input((1, 3, 3))(n), atol=1e-6),
    Case("CubicSplineAutoregressiveBijection2d",
         lambda: CubicSplineAutoregressiveBijection2d(_pixelcnn(1, 2 * 4 + 2), 4),
         uniform_input((1, 3, 3), 0.01, 0.99), atol=1e-6),
]

from survae.transforms import (  # noqa: E402
    ConditionalCensoredLogisticMixtureAutoregressiveBijection2d,
    ConditionalCubicSplineAutoregressiveBijection2d,
    ConditionalGaussianMixtureAutoregressiveBijection2d,
    ConditionalLinearSplineAutoregressiveBijection2d,
    ConditionalLogisticMixtureAutoregressiveBijection2d,
    ConditionalQuadraticSplineAutoregressiveBijection2d,
    ConditionalRationalQuadraticSplineAutoregressiveBijection2d,
)

_CTX = normal_input((2, 3, 3))
CASES += [
    Case("ConditionalLinearSplineAutoregressiveBijection2d",
         lambda: ConditionalLinearSplineAutoregressiveBijection2d(_conditional_pixelcnn(1, 4), 4),
         uniform_input((1, 3, 3), 0.01, 0.99), context=_CTX, atol=1e-6),
    Case("ConditionalQuadraticSplineAutoregressiveBijection2d",
         lambda: ConditionalQuadraticSplineAutoregressiveBijection2d(
             _conditional_pixelcnn(1, 2 * 4 - 1), 4, tail_bound=2.0),
         lambda n: 2.5 * normal_input((1, 3, 3))(n), context=_CTX, atol=1e-6),
    Case("ConditionalCubicSplineAutoregressiveBijection2d",
         lambda: ConditionalCubicSplineAutoregressiveBijection2d(
             _conditional_pixelcnn(1, 2 * 4 + 2), 4),
         uniform_input((1, 3, 3), 0.01, 0.99), context=_CTX, atol=1e-6),
    Case("ConditionalRationalQuadraticSplineAutoregressiveBijection2d",
         lambda: ConditionalRationalQuadraticSplineAutoregressiveBijection2d(
             _conditional_pixelcnn(1, 3 * 4 - 1), 4, tail_bound=2.0),
         lambda n: 2.5 * normal_input((1, 3, 3))(n), context=_CTX, atol=1e-6),
    Case("ConditionalGaussianMixtureAutoregressiveBijection2d",
         lambda: ConditionalGaussianMixtureAutoregressiveBijection2d(
             _conditional_pixelcnn(1, 6), 2),
         normal_input((1, 3, 3)), context=_CTX),
    Case("ConditionalLogisticMixtureAutoregressiveBijection2d",
         lambda: ConditionalLogisticMixtureAutoregressiveBijection2d(
             _conditional_pixelcnn(1, 6), 2),
         normal_input((1, 3, 3)), context=_CTX),
    Case("ConditionalCensoredLogisticMixtureAutoregressiveBijection2d",
         lambda: ConditionalCensoredLogisticMixtureAutoregressiveBijection2d(
             _conditional_pixelcnn(1, 6), 2, num_bins=16),
         uniform_input((1, 3, 3)), context=_CTX),
]
