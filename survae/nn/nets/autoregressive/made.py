"""MADE: a masked MLP whose output ``i`` depends only on inputs earlier in an ordering, and its
order/connectivity-agnostic variant."""

from __future__ import annotations

from collections.abc import Sequence

from torch import Tensor, nn

from survae.nn.layers.activations_factory import act_module
from survae.nn.layers.autoregressive.masked_linear import MaskedLinear
from survae.nn.layers.elementwise_params import ElementwiseParams
from survae.utils.validation import ShapeError


def _seed(seed: int | None, offset: int) -> int | None:
    return None if seed is None else seed + offset


class MADE(nn.Sequential):
    """Masked autoencoder for distribution estimation (Germain et al., 2015).

    Each input ``i`` gets a degree ``m(i)`` (its position in the ordering, 1..D); hidden units get
    degrees in ``1..D-1``; a hidden unit sees the units of lower or equal degree, an output of
    feature ``i`` sees hidden units of degree strictly below ``m(i)``. So output ``i`` depends only
    on inputs ``j`` with ``m(j) < m(i)``: the Jacobian is strictly triangular in the ordering.

    Input ``(B, features)``; output ``(B, features, num_params)`` (the ``num_params`` values of
    feature ``i``, e.g. shift and log-scale, in the last axis; kept for ``num_params=1`` too).
    The layers are those of the official MADE (an ``nn.Sequential`` of :class:`MaskedLinear`,
    activations and a final ``ElementwiseParams(num_params, mode='sequential')``), so official
    state dicts load.

    Args:
        features: ``D``.
        num_params: parameters per feature.
        hidden_features: sizes of the hidden layers.
        random_order: use a random input ordering (else ``1..D`` left to right).
        random_mask: draw hidden degrees at random (else cyclic ``1..D-1``).
        random_seed: seed for the random order / degrees (``None``: torch's global generator).
        activation: activation name (see ``survae.nn.layers.act_module``).
        dropout_prob: dropout after each hidden activation.
        batch_norm: batch normalization after each hidden linear layer.

    Example:
        >>> import torch
        >>> made = MADE(3, num_params=2, hidden_features=[16])
        >>> made(torch.randn(5, 3)).shape
        torch.Size([5, 3, 2])
    """

    def __init__(
        self,
        features: int,
        num_params: int,
        hidden_features: Sequence[int],
        random_order: bool = False,
        random_mask: bool = False,
        random_seed: int | None = None,
        activation: str = "relu",
        dropout_prob: float = 0.0,
        batch_norm: bool = False,
    ):
        if features < 1 or num_params < 1:
            raise ValueError("MADE: features and num_params must be positive")
        data_degrees = MaskedLinear.get_data_degrees(features, random_order, random_seed)
        layers: list[nn.Module] = []
        degrees = data_degrees
        for i, size in enumerate(hidden_features):
            layers.append(MaskedLinear(degrees, size, features, random_mask=random_mask,
                                       random_seed=_seed(random_seed, i)))
            degrees = layers[-1].degrees
            if batch_norm:
                layers.append(nn.BatchNorm1d(size))
            layers.append(act_module(activation))
            if dropout_prob > 0:
                layers.append(nn.Dropout(dropout_prob))
        layers.append(MaskedLinear(degrees, features * num_params, features,
                                   random_mask=random_mask, random_seed=random_seed,
                                   is_output=True, data_degrees=data_degrees))
        layers.append(ElementwiseParams(num_params, mode="sequential"))
        super().__init__(*layers)
        self.features = int(features)
        self.num_params = int(num_params)

    def masked_layers(self) -> list[MaskedLinear]:
        """The masked linear layers, input to output."""
        return [m for m in self if isinstance(m, MaskedLinear)]

    @property
    def in_degrees(self) -> Tensor:
        """Degrees ``1..D`` of the input features (read from the output layer's mask)."""
        return self.masked_layers()[-1].degrees[:: self.num_params]

    @property
    def order(self) -> Tensor:
        """Feature indices sorted by degree: the order autoregressive inversion must follow."""
        return self.in_degrees.argsort()

    def _check(self, x: Tensor) -> None:
        if x.dim() != 2 or x.shape[1] != self.features:
            raise ShapeError(
                f"{type(self).__name__}(features={self.features}): expected input of shape "
                f"(batch, {self.features}), got {tuple(x.shape)}"
            )

    def _last_axis(self, params: Tensor) -> Tensor:
        # ElementwiseParams(1) drops the parameter axis; our layers always get (B, D, P).
        return params.unsqueeze(-1) if self.num_params == 1 else params

    def forward(self, x: Tensor) -> Tensor:
        self._check(x)
        return self._last_axis(super().forward(x))


class AgnosticMADE(MADE):
    """Order- and connectivity-agnostic MADE: one set of weights, ``num_masks`` patterns.

    Pattern ``k`` draws its input ordering (if ``order_agnostic``) and its hidden degrees (if
    ``connect_agnostic``) from seed ``k``, so a pattern is a pure function of ``k``. As in the
    official library, each call moves to the next pattern first (when ``num_masks > 1``): training
    then averages over orderings. ``select_mask(k)`` sets the pattern; ``mask_ensemble(x)``
    averages the outputs of all patterns. Inside a flow, whose inverse must see the pattern its
    forward used, use ``num_masks=1`` (or a plain :class:`MADE`).

    Args:
        features, num_params, hidden_features: as :class:`MADE`.
        order_agnostic: a different input ordering per pattern.
        connect_agnostic: different hidden connectivities per pattern.
        num_masks: patterns ``K``.
        activation, dropout_prob, batch_norm: as :class:`MADE`.

    Example:
        >>> import torch
        >>> net = AgnosticMADE(3, 2, [16], num_masks=4)
        >>> x = torch.randn(2, 3)
        >>> a = net(x); b = net(x)  # patterns 1 then 2
        >>> a.shape, bool((a - b).abs().max() > 0), net.current_mask
        (torch.Size([2, 3, 2]), True, 2)
    """

    def __init__(self, features: int, num_params: int, hidden_features: Sequence[int],
                 order_agnostic: bool = True, connect_agnostic: bool = True,
                 num_masks: int = 16, activation: str = "relu", dropout_prob: float = 0.0,
                 batch_norm: bool = False):
        if num_masks < 1:
            raise ValueError(f"AgnosticMADE: num_masks must be >= 1, got {num_masks}")
        super().__init__(features, num_params, hidden_features, random_order=order_agnostic,
                         random_mask=connect_agnostic, random_seed=0, activation=activation,
                         dropout_prob=dropout_prob, batch_norm=batch_norm)
        self.order_agnostic = bool(order_agnostic)
        self.connect_agnostic = bool(connect_agnostic)
        self.num_masks = int(num_masks)
        self.select_mask(0)

    def select_mask(self, k: int) -> AgnosticMADE:
        """Use connectivity pattern ``k`` (and its ordering) from now on."""
        if not 0 <= k < self.num_masks:
            raise ValueError(f"AgnosticMADE: mask index must be in [0, {self.num_masks}), got {k}")
        self.current_mask = int(k)
        data_degrees = MaskedLinear.get_data_degrees(self.features, self.order_agnostic, k)
        degrees = data_degrees
        for i, layer in enumerate(self.masked_layers()):
            layer.update_mask_and_degrees(degrees, data_degrees, self.connect_agnostic,
                                          k * 1000 + i)
            degrees = layer.degrees
        return self

    def update_masks(self) -> AgnosticMADE:
        """Move to the next pattern (cyclically); the official name of :meth:`next_mask`."""
        return self.select_mask((self.current_mask + 1) % self.num_masks)

    next_mask = update_masks

    def forward(self, x: Tensor) -> Tensor:
        if self.num_masks > 1:
            self.update_masks()
        return super().forward(x)

    def mask_ensemble(self, x: Tensor) -> Tensor:
        """The outputs averaged over all patterns (the current pattern is restored)."""
        current = self.current_mask
        outputs = []
        for k in range(self.num_masks):
            self.select_mask(k)
            outputs.append(MADE.forward(self, x))
        self.select_mask(current)
        return sum(outputs) / self.num_masks
