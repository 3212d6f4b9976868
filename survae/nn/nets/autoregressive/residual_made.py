"""MADE with masked residual blocks (as nflows' ResidualMADE; Germain et al., 2015; He et al.)."""

from __future__ import annotations

import torch
from torch import Tensor, nn

from survae.nn.layers import act_module
from survae.nn.layers.autoregressive.masked_linear import FixedMaskLinear
from survae.utils.validation import ShapeError


class _MaskedResidualBlock(nn.Module):
    """``h + W2 act(W1 act(h))`` with both masks allowing ``degree_out >= degree_in`` (the hidden
    degrees are kept, so the block stays autoregressive); the second layer starts at zero."""

    def __init__(self, degrees: Tensor, activation: str, dropout: float):
        super().__init__()
        mask = (degrees.unsqueeze(1) >= degrees.unsqueeze(0)).float()
        self.first = FixedMaskLinear(mask, degrees)
        self.second = FixedMaskLinear(mask, degrees)
        nn.init.zeros_(self.second.weight)
        nn.init.zeros_(self.second.bias)
        self.act1, self.act2 = act_module(activation), act_module(activation)
        self.dropout = nn.Dropout(dropout)

    def forward(self, h: Tensor) -> Tensor:
        return h + self.second(self.dropout(self.act2(self.first(self.act1(h)))))


class ResidualMADE(nn.Module):
    """A MADE whose hidden layers are masked residual blocks: ``(B, D) -> (B, D, num_params)``,
    output ``i`` a function of the inputs before ``i`` in the ordering only.

    Args:
        features: ``D``.
        num_params: parameters per feature.
        hidden_features: width of the residual stream.
        num_blocks: residual blocks.
        random_order: a random (seeded) input ordering instead of left to right.
        random_seed: seed of the ordering.
        activation, dropout_prob: inside the blocks.

    Example:
        >>> import torch
        >>> net = ResidualMADE(3, 2, hidden_features=16, num_blocks=2)
        >>> net(torch.randn(4, 3)).shape
        torch.Size([4, 3, 2])
    """

    def __init__(self, features: int, num_params: int, hidden_features: int = 128,
                 num_blocks: int = 2, random_order: bool = False, random_seed: int | None = None,
                 activation: str = "relu", dropout_prob: float = 0.0):
        super().__init__()
        if features < 1 or num_params < 1 or hidden_features < 1:
            raise ValueError("ResidualMADE: features, num_params and hidden_features must be > 0")
        self.features, self.num_params = int(features), int(num_params)
        generator = torch.Generator().manual_seed(0 if random_seed is None else random_seed)
        in_degrees = (torch.randperm(features, generator=generator) + 1 if random_order
                      else torch.arange(1, features + 1))
        self.register_buffer("in_degrees", in_degrees)
        hidden = torch.arange(hidden_features) % max(features - 1, 1) + (1 if features > 1 else 0)
        self.initial = FixedMaskLinear((hidden.unsqueeze(1) >= in_degrees.unsqueeze(0)).float(),
                                       hidden)
        self.blocks = nn.Sequential(*[_MaskedResidualBlock(hidden, activation, dropout_prob)
                                      for _ in range(num_blocks)])
        out_degrees = in_degrees.repeat_interleave(num_params)
        self.final = FixedMaskLinear((out_degrees.unsqueeze(1) > hidden.unsqueeze(0)).float(),
                                     out_degrees)
        self.act = act_module(activation)

    def forward(self, x: Tensor) -> Tensor:
        if x.dim() != 2 or x.shape[1] != self.features:
            raise ShapeError(f"ResidualMADE(features={self.features}): expected input of shape "
                             f"(batch, {self.features}), got {tuple(x.shape)}")
        h = self.blocks(self.initial(x))
        return self.final(self.act(h)).reshape(x.shape[0], self.features, self.num_params)
