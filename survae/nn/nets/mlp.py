"""The multilayer perceptron used as a conditioner and as VAE encoder/decoder network."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from torch import Tensor, nn

from survae.nn.layers.activations_factory import act_factor, act_module
from survae.nn.layers.lambda_layer import LambdaLayer


class MLP(nn.Sequential):
    """Fully connected network ``[in_lambda] -> (Linear -> act) x H -> Linear -> [out_lambda]``.

    ``in_lambda`` (e.g. a flatten / rescale of images) runs first and ``out_lambda`` (e.g. a
    reshape to images) last, each wrapped in a :class:`~survae.nn.layers.LambdaLayer`. With a
    concatenated activation (``'concat_relu'``, ``'concat_elu'``) the following layer takes twice
    the features. An empty ``hidden_units`` gives a single linear layer.

    Args:
        input_size: number of input features (after ``in_lambda``).
        output_size: number of output features (before ``out_lambda``).
        hidden_units: sizes of the hidden layers, e.g. ``[512, 256]``.
        activation: activation name (see :func:`survae.nn.layers.act_module`).
        in_lambda: optional function applied to the input.
        out_lambda: optional function applied to the output.

    Example:
        >>> import torch
        >>> net = MLP(784, 4, hidden_units=[32, 16], activation='relu',
        ...           in_lambda=lambda x: 2 * x.view(x.shape[0], 784).float() - 1)
        >>> net(torch.randint(0, 2, (3, 1, 28, 28))).shape
        torch.Size([3, 4])
    """

    def __init__(
        self,
        input_size: int,
        output_size: int,
        hidden_units: Sequence[int],
        activation: str = "relu",
        in_lambda: Callable[[Tensor], Tensor] | None = None,
        out_lambda: Callable[[Tensor], Tensor] | None = None,
    ):
        factor = act_factor(activation, allow_concat=True)
        layers: list[nn.Module] = []
        if in_lambda is not None:
            layers.append(LambdaLayer(in_lambda))
        in_size = input_size
        for units in hidden_units:
            layers += [nn.Linear(in_size, units), act_module(activation, allow_concat=True)]
            in_size = factor * units
        layers.append(nn.Linear(in_size, output_size))
        if out_lambda is not None:
            layers.append(LambdaLayer(out_lambda))
        super().__init__(*layers)
