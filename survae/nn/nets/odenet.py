"""The dynamics network ``f(t, x)`` of continuous normalizing flows."""

from __future__ import annotations

from collections.abc import Sequence

import torch
from torch import Tensor, nn

from survae.nn.layers.activations import Swish
from survae.utils.validation import ShapeError

_ACTIVATIONS = {"tanh": nn.Tanh, "softplus": nn.Softplus, "swish": Swish, "elu": nn.ELU}


class ODENet(nn.Module):
    """A time-dependent MLP ``f(t, x)``: every linear layer sees its input concatenated with ``t``.

    ``h_0 = x``, ``h_{l+1} = act(W_l [h_l, t] + b_l)``, ``f(t, x) = W_L [h_L, t] + b_L``, mapping
    ``(B, features)`` to ``(B, features)`` (the "concat" layers of FFJORD). Use a smooth
    activation: the dynamics must be Lipschitz for the ODE to define a bijection, and the
    log-density involves their Jacobian. Each example is processed independently (no batch
    statistics), which the exact trace of
    :class:`~survae.transforms.bijections.continuous.ODEBijection` relies on.

    Args:
        features: size of the state ``x``.
        hidden_units: sizes of the hidden layers.
        activation: ``'tanh'``, ``'softplus'``, ``'swish'`` or ``'elu'``.
        time_dependent: if False, ``t`` is ignored (autonomous dynamics ``f(x)``).

    Example:
        >>> import torch
        >>> f = ODENet(2, [16, 16])
        >>> f(torch.tensor(0.5), torch.randn(4, 2)).shape
        torch.Size([4, 2])
    """

    def __init__(
        self,
        features: int,
        hidden_units: Sequence[int],
        activation: str = "tanh",
        time_dependent: bool = True,
    ):
        super().__init__()
        if activation not in _ACTIVATIONS:
            raise ValueError(
                f"ODENet: unknown activation {activation!r}; choose from {sorted(_ACTIVATIONS)}"
            )
        self.features = int(features)
        self.time_dependent = bool(time_dependent)
        self.activation = activation
        extra = 1 if self.time_dependent else 0
        sizes = [self.features, *hidden_units, self.features]
        self.linears = nn.ModuleList(
            nn.Linear(d_in + extra, d_out) for d_in, d_out in zip(sizes[:-1], sizes[1:])
        )
        self.acts = nn.ModuleList(_ACTIVATIONS[activation]() for _ in hidden_units)

    def extra_repr(self) -> str:
        return (
            f"features={self.features}, activation={self.activation!r}, "
            f"time_dependent={self.time_dependent}"
        )

    def forward(self, t: Tensor | float, x: Tensor) -> Tensor:
        if x.dim() != 2 or x.shape[1] != self.features:
            raise ShapeError(
                f"ODENet({self.extra_repr()}): expected x of shape (batch, {self.features}), "
                f"got shape {tuple(x.shape)}"
            )
        tt = None
        if self.time_dependent:
            tt = torch.as_tensor(t, dtype=x.dtype, device=x.device).reshape(1, 1)
            tt = tt.expand(x.shape[0], 1)
        h = x
        for i, linear in enumerate(self.linears):
            h = linear(h if tt is None else torch.cat([h, tt], dim=1))
            if i < len(self.acts):
                h = self.acts[i](h)
        return h
