r"""The coupling scheme: one part of the input parametrizes an elementwise map of the other part.

:math:`x = (x_1, x_2)` split along ``split_dim``; :math:`\theta` = ``coupling_net(x_1)`` (with a
context: ``coupling_net(cat([x_1, context_net(c)], split_dim))``), and :math:`x_2` goes through
an elementwise transformer :math:`\tau` (:mod:`survae.transforms.bijections.transformers`):

- forward: :math:`z_1 = x_1`, :math:`z_2 = \tau(x_2; \theta(x_1))`;
- inverse: :math:`x_1 = z_1`, :math:`x_2 = \tau^{-1}(z_2; \theta(z_1))`, one conditioner pass;
- log-det: :math:`\sum_i \log |\tau'(x_{2,i}; \theta)|`.

The official ``*CouplingBijection`` classes are this scheme with a fixed transformer.
"""

from __future__ import annotations

import torch
from torch import Tensor, nn

from survae.transforms.bijections.base import Bijection
from survae.transforms.bijections.transformers.base import (
    ElementwiseTransformer,
    TransformerHooks,
)


class CouplingScheme(TransformerHooks):
    """The coupling body shared by :class:`CouplingBijection` and the conditional coupling; the
    context is optional (None: the conditioner sees ``x_1`` alone)."""

    coupling_net: nn.Module
    split_dim: int
    num_condition: int | None

    def _init_scheme(self, coupling_net: nn.Module, split_dim: int, num_condition: int | None,
                     transformer: ElementwiseTransformer | None) -> None:
        if split_dim < 1:
            raise ValueError(f"{type(self).__name__}: split_dim must be >= 1, got {split_dim}")
        self.coupling_net = coupling_net
        self.split_dim = split_dim
        self.num_condition = num_condition
        self.transformer = transformer

    def extra_repr(self) -> str:
        return (f"{self._transformer_repr()}split_dim={self.split_dim}, "
                f"num_condition={self.num_condition}")

    def split_input(self, x: Tensor) -> tuple[Tensor, Tensor]:
        """``(x_1, x_2)``: ``num_condition`` entries, or the first half (the odd one included)."""
        size = x.shape[self.split_dim] if x.dim() > self.split_dim else 0
        if self.num_condition is not None:
            if not 0 < self.num_condition < size:
                raise ValueError(
                    f"{self.layer_name}: expected more than num_condition={self.num_condition} "
                    f"features along dim {self.split_dim}, got shape {tuple(x.shape)}"
                )
            sizes = (self.num_condition, size - self.num_condition)
            return x.split_with_sizes(sizes, self.split_dim)
        if size < 2:
            raise ValueError(
                f"{self.layer_name}: expected at least 2 features along dim {self.split_dim}, "
                f"got shape {tuple(x.shape)}"
            )
        first = (size + 1) // 2  # as torch.chunk(2): the conditioning half gets the odd entry
        # split_with_sizes: torch.split's Python wrapper costs more than the split itself
        return x.split_with_sizes((first, size - first), self.split_dim)

    def _params(self, x1: Tensor, x2: Tensor, context: Tensor | None) -> Tensor:
        if context is not None:
            context_net = getattr(self, "context_net", None)  # only conditional layers have one
            if context_net is not None:
                context = context_net(context)
            x1 = torch.cat([x1, context.to(x1.dtype)], dim=self.split_dim)
        params = self.coupling_net(x1)
        num = self._output_dim_multiplier()
        if tuple(params.shape) != (*x2.shape, num) and not (num == 1 and params.shape == x2.shape):
            raise ValueError(
                f"{self.layer_name}: coupling_net must map the conditioning part to parameters of "
                f"shape {(*x2.shape, num)} (e.g. end it with ElementwiseParams({num})), "
                f"got {tuple(params.shape)}"
            )
        return params

    def forward(self, x: Tensor, context: Tensor | None = None) -> tuple[Tensor, Tensor]:
        x1, x2 = self.split_input(x)
        z2, ldj = self._elementwise_forward(x2, self._params(x1, x2, context))
        return torch.cat([x1, z2], dim=self.split_dim), ldj

    def inverse_and_ldj(self, z: Tensor, context: Tensor | None = None) -> tuple[Tensor, Tensor]:
        z1, z2 = self.split_input(z)
        x2, ldj = self._elementwise_inverse_and_ldj(z2, self._params(z1, z2, context))
        return torch.cat([z1, x2], dim=self.split_dim), ldj

    def inverse(self, z: Tensor, context: Tensor | None = None) -> Tensor:
        return self.inverse_and_ldj(z, context)[0]

    @property
    def recompute_by_inverse(self) -> bool:
        """Memory-saving backpropagation rebuilds the input by inversion unless the transformer's
        inverse is iterative (mixture CDFs)."""
        transformer = getattr(self, "transformer", None)
        return transformer is None or transformer.exact_inverse


class CouplingBijection(CouplingScheme, Bijection):
    r"""Coupling bijection (Dinh et al., 2015; 2017) with any elementwise transformer.

    With :math:`\tau` the transformer and :math:`\theta` = ``coupling_net(x_1)``:
    forward :math:`z = (x_1, \tau(x_2; \theta))`, inverse
    :math:`x = (z_1, \tau^{-1}(z_2; \theta))`, log-det :math:`\sum_i \log|\tau'(x_{2,i}; \theta)|`
    (see the module docstring).

    ``coupling_net`` maps ``x_1`` to ``(*x_2.shape, P)`` parameters, ``P`` the transformer's
    ``num_params`` (end it with ``ElementwiseParams(P)`` / ``ElementwiseParams2d(P)``).

    A subclass written for the official library (overriding ``_output_dim_multiplier``,
    ``_elementwise_forward`` and ``_elementwise_inverse``) works with ``transformer=None``.

    Args:
        coupling_net: the conditioner.
        split_dim: dimension to split along (1 = features / channels).
        num_condition: size of ``x_1``; None splits in half (the first part gets the odd entry).
        transformer: the elementwise map of ``x_2``.

    Example:
        >>> import torch
        >>> from survae.nn.layers import ElementwiseParams
        >>> from survae.transforms.bijections.transformers import RationalQuadraticSpline
        >>> spline = RationalQuadraticSpline(num_bins=4, tail_bound=3.0)
        >>> net = torch.nn.Sequential(torch.nn.Linear(2, 2 * 11), ElementwiseParams(11))
        >>> layer = CouplingBijection(net, transformer=spline)
        >>> x = torch.randn(5, 4)
        >>> torch.allclose(layer.inverse(layer(x)[0]), x, atol=1e-5)
        True
    """

    def __init__(self, coupling_net: nn.Module, split_dim: int = 1,
                 num_condition: int | None = None,
                 transformer: ElementwiseTransformer | None = None):
        super().__init__()
        self._init_scheme(coupling_net, split_dim, num_condition, transformer)

    def memory_saving_rerun(
        self, z: Tensor, state: Tensor | None, input_grad: bool
    ) -> tuple[list[Tensor], Tensor, Tensor, Tensor]:
        """Memory-saving backward: ``x_1 = z_1``, so the conditioner runs once, with autograd,
        for both the inverse and the re-run forward (instead of once each)."""
        cls = type(self)
        if state is not None or (cls.forward, cls.inverse_and_ldj) != (
            CouplingScheme.forward, CouplingScheme.inverse_and_ldj
        ):  # kept input, or a subclass with its own split (set couplings)
            return super().memory_saving_rerun(z, state, input_grad)
        z1, z2 = self.split_input(z)
        x1 = z1.detach().requires_grad_(input_grad)
        with torch.enable_grad():
            params = self._params(x1, z2, None)
        with torch.no_grad():
            x2 = self._elementwise_inverse_and_ldj(z2, params)[0]
        x2.requires_grad_(input_grad)
        with torch.enable_grad():
            out2, ldj = self._elementwise_forward(x2, params)
            out = torch.cat([x1, out2], dim=self.split_dim)
        x = torch.cat([z1, x2.detach()], dim=self.split_dim)
        return ([x1, x2] if input_grad else []), x, out, ldj

    def memory_saving_input_grad(self, grads: list[Tensor]) -> Tensor:
        return grads[0] if len(grads) == 1 else torch.cat(grads, dim=self.split_dim)
