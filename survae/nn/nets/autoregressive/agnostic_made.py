"""Order-agnostic MADE: one set of weights, several input orderings (Germain et al., 2015)."""

from __future__ import annotations

from collections.abc import Sequence

import torch
from torch import Tensor

from survae.nn.layers.autoregressive import MaskedLinear
from survae.nn.nets.autoregressive.made import MADE


class AgnosticMADE(MADE):
    """A :class:`MADE` that holds ``num_masks`` connectivity patterns, each with its own random
    input ordering, over the same weights (order-agnostic training).

    ``select_mask(k)`` switches every masked layer to pattern ``k`` (``next_mask()`` cycles);
    ``order`` follows the current pattern. Within a flow, keep one pattern per layer between a
    forward and its inverse (each pattern is a valid autoregressive conditioner; the
    autoregressive bijections' inverse works for any ordering). Training while cycling the
    patterns shares statistical strength across orderings; ``mask_ensemble`` averages outputs
    over all patterns for evaluation of a density estimator.

    Args:
        features, num_params, hidden_features: as :class:`MADE`.
        num_masks: connectivity patterns ``K``.
        random_seed: seeds the orderings and connectivities.
        **kwargs: the other :class:`MADE` arguments (``activation``, ``dropout_prob``...).

    Example:
        >>> import torch
        >>> net = AgnosticMADE(3, 2, [16], num_masks=4)
        >>> x = torch.randn(2, 3)
        >>> a = net(x); _ = net.select_mask(2); b = net(x)
        >>> a.shape, bool((a - b).abs().max() > 0), net.order.numel()
        (torch.Size([2, 3, 2]), True, 3)
    """

    def __init__(self, features: int, num_params: int, hidden_features: Sequence[int],
                 num_masks: int = 4, random_seed: int | None = 0, **kwargs):
        super().__init__(features, num_params, hidden_features, random_order=True,
                         random_mask=True, random_seed=random_seed, **kwargs)
        if num_masks < 1:
            raise ValueError(f"AgnosticMADE: num_masks must be >= 1, got {num_masks}")
        self.num_masks = int(num_masks)
        layers = [m for m in self.net if isinstance(m, MaskedLinear)]
        patterns: list[list[Tensor]] = [[] for _ in layers]
        degrees_all = []
        for k in range(self.num_masks):
            twin = MADE(features, num_params, hidden_features, random_order=True,
                        random_mask=True, random_seed=(random_seed or 0) * 1000 + k, **kwargs)
            twin_layers = [m for m in twin.net if isinstance(m, MaskedLinear)]
            for i, layer in enumerate(twin_layers):
                patterns[i].append(layer.mask.clone())
            degrees_all.append(twin.in_degrees.clone())
        for i, stack in enumerate(patterns):
            self.register_buffer(f"mask_bank_{i}", torch.stack(stack))
        self.register_buffer("degree_bank", torch.stack(degrees_all))
        self.register_buffer("current", torch.zeros((), dtype=torch.long))
        self.select_mask(0)

    def select_mask(self, k: int) -> AgnosticMADE:
        """Use connectivity pattern ``k`` (and its ordering) from now on."""
        if not 0 <= k < self.num_masks:
            raise ValueError(f"AgnosticMADE: mask index must be in [0, {self.num_masks}), got {k}")
        layers = [m for m in self.net if isinstance(m, MaskedLinear)]
        for i, layer in enumerate(layers):
            layer.mask.copy_(getattr(self, f"mask_bank_{i}")[k])
        self.in_degrees.copy_(self.degree_bank[k])
        self.current.fill_(k)
        return self

    def next_mask(self) -> AgnosticMADE:
        """Switch to the next pattern (cyclically)."""
        return self.select_mask((int(self.current) + 1) % self.num_masks)

    def mask_ensemble(self, x: Tensor) -> Tensor:
        """The outputs averaged over all patterns (the current one is restored)."""
        current = int(self.current)
        outputs = [self.select_mask(k)(x) for k in range(self.num_masks)]
        self.select_mask(current)
        return torch.stack(outputs).mean(0)
