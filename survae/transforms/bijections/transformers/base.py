r"""The elementwise transformer contract and the official subclassing hooks built on it.

A transformer is a monotone elementwise map :math:`z = \tau(x; \theta)` with :math:`P` parameters
per element (:math:`\theta` in the last axis of a ``(*x.shape, P)`` tensor). Coupling and
autoregressive schemes only decide *where* :math:`\theta` comes from; the transformer decides
what it does, so a new kind is one transformer class and is then available in every scheme
(zuko's ``GeneralCouplingTransform``, flowjax's ``Coupling(transformer=...)``).
"""

from __future__ import annotations

from torch import Tensor


class ElementwiseTransformer:
    r"""Base class of elementwise transformers.

    Subclasses set ``num_params`` and implement :meth:`forward` and :meth:`inverse`; both return
    the log-det of the *forward* map summed over all but the batch dimension, so the inverse
    direction gets :math:`\log p(x) = \log p(z) + \mathrm{ldj}` without a second pass.
    """

    num_params: int
    # False when the inverse is iterative (bisection): memory-saving backpropagation then keeps
    # the layer's input instead of rebuilding it by inversion.
    exact_inverse: bool = True

    def forward(self, x: Tensor, params: Tensor) -> tuple[Tensor, Tensor]:
        r""":math:`z = \tau(x; \theta)` and :math:`\sum_i \log |\tau'(x_i)|` per example."""
        raise NotImplementedError

    def inverse(self, z: Tensor, params: Tensor) -> tuple[Tensor, Tensor]:
        r""":math:`x = \tau^{-1}(z; \theta)` and the forward log-det at that :math:`x`."""
        raise NotImplementedError

    def extra_repr(self) -> str:
        return ""

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.extra_repr()})"


class OnTransformer:
    """A layer attribute that lives on the layer's transformer (official attribute names such as
    ``num_bins``, ``scale_fn``, ``eps`` read and write the transformer's own setting)."""

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    def __get__(self, layer, owner=None):
        return self if layer is None else getattr(layer.transformer, self.name)

    def __set__(self, layer, value) -> None:
        setattr(layer.transformer, self.name, value)


class TransformerHooks:
    """The official library's extension points, served by ``self.transformer``.

    A scheme (coupling, autoregressive) calls ``_elementwise_forward`` and
    ``_elementwise_inverse_and_ldj``. A subclass written for the official library may override
    ``_output_dim_multiplier``, ``_elementwise_forward(x, params) -> (z, ldj)`` and
    ``_elementwise_inverse(z, params) -> x`` and leave ``transformer`` None; its inverse's log-det
    is then its own forward's at the recovered ``x``.
    """

    transformer: ElementwiseTransformer | None
    #: True on classes that override ``_elementwise_inverse`` (set by __init_subclass__)
    _inverse_from_hook = False

    def __init_subclass__(cls, **kwargs) -> None:
        super().__init_subclass__(**kwargs)
        if "_elementwise_inverse" in cls.__dict__:
            cls._inverse_from_hook = True

    def _output_dim_multiplier(self) -> int:
        """Parameters per transformed element (official name)."""
        if self.transformer is None:
            raise NotImplementedError(
                f"{type(self).__name__}: pass a transformer or override _output_dim_multiplier, "
                "_elementwise_forward and _elementwise_inverse"
            )
        return self.transformer.num_params

    def _elementwise_forward(self, x: Tensor, elementwise_params: Tensor) -> tuple[Tensor, Tensor]:
        return self.transformer.forward(x, elementwise_params)

    def _elementwise_inverse(self, z: Tensor, elementwise_params: Tensor) -> Tensor:
        return self._transformer_inverse(z, elementwise_params)[0]

    def _transformer_inverse(self, z: Tensor, params: Tensor) -> tuple[Tensor, Tensor]:
        return self.transformer.inverse(z, params)

    def _elementwise_inverse_and_ldj(self, z: Tensor, params: Tensor) -> tuple[Tensor, Tensor]:
        """``x`` and the forward log-det at ``x`` (what the schemes call)."""
        if self._inverse_from_hook:
            x = self._elementwise_inverse(z, params)
            return x, self._elementwise_forward(x, params)[1]
        return self._transformer_inverse(z, params)

    def _transformer_repr(self) -> str:
        """``'num_bins=8, '`` when the class name says the kind, else ``'transformer=..., '``."""
        if self.transformer is None:
            return ""
        if type(self.transformer).__name__ in type(self).__name__:
            settings = self.transformer.extra_repr()
            return f"{settings}, " if settings else ""
        return f"transformer={self.transformer!r}, "
