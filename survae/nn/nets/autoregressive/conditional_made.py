"""MADE with a context: the conditioner of conditional MAF / IAF layers."""

from __future__ import annotations

from collections.abc import Sequence
from itertools import islice

from torch import Tensor, nn

from survae.nn.nets.autoregressive.made import MADE
from survae.utils.validation import ShapeError


class ConditionalMADE(MADE):
    """A :class:`MADE` whose first hidden layer and output also receive ``Linear(context)``.

    The context enters every hidden unit and every output without a mask, so output ``i``
    depends on ``x_{<i}`` (in the ordering) and on the whole context:
    ``(B, D), (B, C) -> (B, D, P)``.

    Args:
        features, num_params, hidden_features: as :class:`MADE`.
        context_features: size ``C`` of the context.
        **kwargs: the other :class:`MADE` arguments.

    Example:
        >>> import torch
        >>> net = ConditionalMADE(3, 2, [16], context_features=4)
        >>> net(torch.randn(5, 3), torch.randn(5, 4)).shape
        torch.Size([5, 3, 2])
    """

    def __init__(self, features: int, num_params: int, hidden_features: Sequence[int],
                 context_features: int, **kwargs):
        super().__init__(features, num_params, hidden_features, **kwargs)
        self._num_made_layers = len(self)
        if not hidden_features:
            raise ValueError("ConditionalMADE: needs at least one hidden layer")
        self.context_features = int(context_features)
        self.context_layer = nn.Linear(self.context_features, int(hidden_features[0]))
        # Direct context -> output path: the first feature in the ordering sees no hidden unit
        # (it has no predecessors) but must still depend on the context.
        self.context_out = nn.Linear(self.context_features, self.features * self.num_params)

    def forward(self, x: Tensor, context: Tensor) -> Tensor:  # type: ignore[override]
        self._check(x)
        if context.dim() != 2 or context.shape[1] != self.context_features:
            raise ShapeError(f"ConditionalMADE: expected context of shape (batch, "
                             f"{self.context_features}), got {tuple(context.shape)}")
        context = context.to(x.dtype)
        layers = list(islice(self.children(), self._num_made_layers))
        h = layers[0](x) + self.context_layer(context)
        for layer in layers[1:-1]:  # the hidden layers and the masked output layer
            h = layer(h)
        return self._last_axis(layers[-1](h + self.context_out(context)))  # ElementwiseParams
