"""Layers for conditioner networks: parameter reshaping, lambdas and activations."""

from survae.nn.layers.activations import GELU, ConcatELU, ConcatReLU, GatedTanhUnit, Swish
from survae.nn.layers.activations_factory import act_factor, act_module
from survae.nn.layers.activations_functional import (
    concat_elu,
    concat_relu,
    gated_tanh,
    gelu,
    swish,
)
from survae.nn.layers.autoregressive import MaskedLinear
from survae.nn.layers.constraints_factory import scale_fn
from survae.nn.layers.elementwise_params import (
    ElementwiseParams,
    ElementwiseParams1d,
    ElementwiseParams2d,
)
from survae.nn.layers.lambda_layer import Flatten, LambdaLayer
from survae.nn.layers.lipschitz_activations import LipSwish
from survae.nn.layers.spectral_norm import SpectralNormConv2d, SpectralNormLinear

__all__ = [
    "ConcatELU",
    "ConcatReLU",
    "ElementwiseParams",
    "ElementwiseParams1d",
    "ElementwiseParams2d",
    "Flatten",
    "GELU",
    "GatedTanhUnit",
    "LambdaLayer",
    "LipSwish",
    "SpectralNormConv2d",
    "SpectralNormLinear",
    "MaskedLinear",
    "Swish",
    "act_factor",
    "act_module",
    "concat_elu",
    "concat_relu",
    "gated_tanh",
    "gelu",
    "scale_fn",
    "swish",
]
