"""survae models as ``torch.distributions.Distribution`` objects (zuko-style lazy distributions).

``FlowDistribution(flow)`` (or ``flow()``) and ``FlowDistribution(cond_flow, context)`` (or
``cond_flow(context)``) follow torch's shape semantics: values have shape
``sample_shape + batch_shape + event_shape``; a conditional model's ``batch_shape`` is the
context's leading shape (one distribution per context row), an unconditional one's is ``()`` until
``expand``-ed. ``sample`` runs without autograd, ``rsample`` keeps the graph (exact models only).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import torch
from torch import Tensor
from torch.distributions import Distribution as TorchDistribution
from torch.distributions import constraints, register_kl

from survae.distributions import (
    Bernoulli,
    Categorical,
    ConditionalBernoulli,
    ConditionalCategorical,
    ConvNormal2d,
    DiagonalNormal,
    StandardHalfNormal,
    StandardNormal,
    StandardUniform,
)
from survae.distributions.base import Distribution
from survae.distributions.conditional.base import ConditionalDistribution
from survae.distributions.conditional.normal import _ConditionalGaussian
from survae.transforms.bijections.actnorm import _ActNorm
from survae.transforms.bijections.affine import AffineBijection, ScalarAffineBijection
from survae.transforms.bijections.autoregressive.autoregressive_linear import (
    AdditiveAutoregressiveBijection,
    AffineAutoregressiveBijection,
)
from survae.transforms.bijections.batchnorm import _BatchNorm
from survae.transforms.bijections.conditional.coupling.coupling_linear import (
    ConditionalAdditiveCouplingBijection,
    ConditionalAffineCouplingBijection,
)
from survae.transforms.bijections.coupling.coupling_linear import (
    AdditiveCouplingBijection,
    AffineCouplingBijection,
)
from survae.transforms.bijections.linear import _FeatureLinear
from survae.transforms.bijections.permute import Permute
from survae.transforms.bijections.reshape import Reshape
from survae.transforms.bijections.rotate import Rotate
from survae.transforms.bijections.squeeze import Squeeze2d

# Layers mapping all of R^D onto all of R^D: a flow of these over a real base has real support.
_REAL_TO_REAL = (
    _ActNorm, _BatchNorm, _FeatureLinear, AdditiveAutoregressiveBijection,
    AffineAutoregressiveBijection, AdditiveCouplingBijection, AffineCouplingBijection,
    AffineBijection, ConditionalAdditiveCouplingBijection, ConditionalAffineCouplingBijection,
    Permute, Reshape, Rotate, ScalarAffineBijection, Squeeze2d,
)
_DISCRETE = (Bernoulli, Categorical, ConditionalBernoulli, ConditionalCategorical)


def _base_support(dist: object) -> constraints.Constraint | None:
    """The support of one coordinate of a survae base distribution, where it is known."""
    if isinstance(dist, (StandardNormal, DiagonalNormal, ConvNormal2d, _ConditionalGaussian)):
        return constraints.real
    if isinstance(dist, StandardUniform):
        return constraints.unit_interval
    if isinstance(dist, StandardHalfNormal):
        return constraints.nonnegative
    if isinstance(dist, (Bernoulli, ConditionalBernoulli)):
        return constraints.boolean
    if getattr(dist, "real_support", False):  # e.g. the Gaussian mixtures
        return constraints.real
    transforms = getattr(dist, "transforms", None)
    base = getattr(dist, "base_dist", None)
    if transforms is None or base is None:
        return None
    inner = _base_support(base)
    if len(transforms) == 0:
        return inner
    if inner is constraints.real and all(isinstance(t, _REAL_TO_REAL) for t in transforms):
        return constraints.real
    return None


def _numel(shape: Sequence[int]) -> int:
    return math.prod(shape)


class FlowDistribution(TorchDistribution):
    """A survae model as a ``torch.distributions.Distribution``.

    Wraps an unconditional survae distribution (a ``Flow``, a base such as ``StandardNormal``,
    a ``GaussianMixture``...) or a conditional one with its ``context``. Shapes follow torch:

    - ``event_shape``: the shape of one ``x``;
    - ``batch_shape``: ``context.shape[:-context_event_dims]`` for a conditional model (one
      distribution per context row), ``()`` (or ``batch_shape``) for an unconditional one;
    - ``sample(sample_shape)`` / ``rsample(sample_shape)``: ``sample_shape + batch_shape +
      event_shape``; ``sample`` runs under ``torch.no_grad()``, ``rsample`` keeps the graph;
    - ``log_prob(x)``: ``x`` of shape ``(..., *event_shape)``; its leading shape broadcasts
      against ``batch_shape`` as in torch (a ``(1, C)`` context scores a whole batch of ``x``).

    ``rsample`` and ``rsample_and_log_prob`` need an exact model (``model.exact``): for a model
    whose ``log_prob`` is a lower bound (stochastic layers in the inference direction) they raise
    ``NotImplementedError`` saying so, while ``sample`` works and ``log_prob`` returns the bound.
    ``support`` is given, or inferred where it is known (a real base through layers that map R^D
    onto R^D, a uniform or half-normal base, a Gaussian mixture).

    Args:
        model: a survae ``Distribution`` or ``ConditionalDistribution``.
        context: the context (conditional models only), shape ``batch_shape + context_event``.
        event_shape: the shape of ``x``; by default the model's ``shape`` or, for flows, the shape
            of one sample drawn once (without autograd).
        context_event_dims: how many trailing dimensions of ``context`` are one context.
        batch_shape: batch shape of an unconditional model (copies of the same distribution).
        support: the support constraint, when the inference above does not know it.
        validate_args: as in torch.

    Example:
        >>> import torch
        >>> from survae.flows import Flow
        >>> from survae.distributions import StandardNormal
        >>> from survae.transforms import ActNormBijection
        >>> dist = FlowDistribution(Flow(StandardNormal((2,)), [ActNormBijection(2)]))
        >>> isinstance(dist, torch.distributions.Distribution), dist.sample((3, 4)).shape
        (True, torch.Size([3, 4, 2]))
        >>> dist.log_prob(torch.zeros(5, 7, 2)).shape
        torch.Size([5, 7])
    """

    arg_constraints: dict = {}
    kl_samples: int = 1024  # samples of the Monte Carlo kl_divergence registered below

    def __init__(
        self,
        model: Distribution,
        context: Tensor | None = None,
        event_shape: Sequence[int] | None = None,
        context_event_dims: int = 1,
        batch_shape: Sequence[int] = (),
        support: constraints.Constraint | None = None,
        validate_args: bool | None = None,
    ):
        if not isinstance(model, Distribution):
            raise TypeError(
                f"FlowDistribution: model must be a survae Distribution, got {type(model).__name__}"
            )
        self.model = model
        self.conditional = isinstance(model, ConditionalDistribution)
        name = type(model).__name__
        if self.conditional:
            if not isinstance(context, Tensor):
                raise ValueError(f"FlowDistribution: the conditional {name} needs a context tensor")
            if context.dim() < context_event_dims:
                raise ValueError(
                    f"FlowDistribution: context of shape {tuple(context.shape)} has fewer than "
                    f"context_event_dims={context_event_dims} dimensions"
                )
            split = context.dim() - context_event_dims
            batch = context.shape[:split]
            self.context_event_shape = context.shape[split:]
            if tuple(batch_shape) not in ((), tuple(batch)):
                raise ValueError(
                    f"FlowDistribution: batch_shape={tuple(batch_shape)} differs from the "
                    f"context's leading shape {tuple(batch)}; expand the context instead"
                )
        else:
            if context is not None:
                raise ValueError(f"FlowDistribution: {name} is unconditional; got a context")
            batch = torch.Size(batch_shape)
        self.context = context
        if event_shape is None:
            event_shape = self._probe_event_shape()
        self._support = support
        if support is None:
            inner = _base_support(model)
            if inner is not None:
                self._support = constraints.independent(inner, len(event_shape))
        super().__init__(torch.Size(batch), torch.Size(event_shape), validate_args=validate_args)

    def _probe_event_shape(self) -> torch.Size:
        shape = getattr(self.model, "shape", None)
        if isinstance(shape, torch.Size) and not self.conditional:
            return shape
        with torch.no_grad():
            if self.conditional:
                one = self.context.reshape(-1, *self.context_event_shape)[:1]
                return self.model.sample(one).shape[1:]
            return self.model.sample(1).shape[1:]

    # --- torch.distributions interface -------------------------------------------------------

    @property
    def support(self) -> constraints.Constraint:
        if self._support is None:
            raise NotImplementedError(
                f"FlowDistribution: the support of {type(self.model).__name__} is not known; pass "
                "support=... (e.g. torch.distributions.constraints.real_vector)"
            )
        return self._support

    @property
    def has_rsample(self) -> bool:
        return not isinstance(self.model, _DISCRETE) and not getattr(self.model, "lower_bound",
                                                                     False)

    @property
    def exact(self) -> bool:
        """Whether ``log_prob`` is exact (False: a stochastic lower bound)."""
        return not getattr(self.model, "lower_bound", False)

    def expand(self, batch_shape: Sequence[int], _instance=None) -> FlowDistribution:
        batch_shape = torch.Size(batch_shape)
        if self.conditional:
            context = self.context.expand(*batch_shape, *self.context_event_shape)
            return FlowDistribution(
                self.model, context, self.event_shape, len(self.context_event_shape),
                support=self._support, validate_args=self._validate_args,
            )
        return FlowDistribution(
            self.model, None, self.event_shape, batch_shape=batch_shape, support=self._support,
            validate_args=self._validate_args,
        )

    def _draw(
        self, sample_shape: Sequence[int], with_log_prob: bool
    ) -> tuple[Tensor, Tensor | None]:
        shape = torch.Size(sample_shape) + self.batch_shape
        if self.conditional:
            context = self.context.expand(*shape, *self.context_event_shape)
            context = context.reshape(-1, *self.context_event_shape)
            if with_log_prob:
                x, log_prob = self.model.sample_with_log_prob(context)
            else:
                x, log_prob = self.model.sample(context), None
        else:
            n = _numel(shape)
            if with_log_prob:
                x, log_prob = self.model.sample_with_log_prob(n)
            else:
                x, log_prob = self.model.sample(n), None
        x = x.reshape(*shape, *self.event_shape)
        return x, None if log_prob is None else log_prob.reshape(shape)

    def sample(self, sample_shape: Sequence[int] = torch.Size()) -> Tensor:
        with torch.no_grad():
            return self._draw(sample_shape, with_log_prob=False)[0]

    def _check_rsample(self, what: str) -> None:
        if not self.has_rsample:
            kind = "discrete" if isinstance(self.model, _DISCRETE) else "a lower bound"
            raise NotImplementedError(
                f"FlowDistribution.{what}: {type(self.model).__name__} has no reparametrized "
                f"sample with its density (its log_prob is {kind}); use sample() and log_prob()"
            )

    def rsample(self, sample_shape: Sequence[int] = torch.Size()) -> Tensor:
        """A differentiable sample (the path from base noise through the inverses)."""
        return self.rsample_and_log_prob(sample_shape)[0]

    def rsample_and_log_prob(self, sample_shape: Sequence[int] = torch.Size()) -> tuple[Tensor,
                                                                                          Tensor]:
        """A differentiable sample and its exact log-density, in one generative pass."""
        self._check_rsample("rsample")
        return self._draw(sample_shape, with_log_prob=True)

    def log_prob(self, value: Tensor) -> Tensor:
        event_dims = len(self.event_shape)
        if value.shape[value.dim() - event_dims:] != self.event_shape or value.dim() < event_dims:
            raise ValueError(
                f"FlowDistribution({type(self.model).__name__}): expected values of shape "
                f"(..., {', '.join(map(str, self.event_shape))}), got {tuple(value.shape)}"
            )
        if self._validate_args and self._support is not None:
            self._validate_sample(value)
        lead = value.shape[: value.dim() - event_dims]
        shape = torch.broadcast_shapes(lead, self.batch_shape)
        if self.conditional:
            x = value.expand(*shape, *self.event_shape).reshape(-1, *self.event_shape)
            context = self.context.expand(*shape, *self.context_event_shape)
            log_prob = self.model.log_prob(x, context.reshape(-1, *self.context_event_shape))
            return log_prob.reshape(shape)
        log_prob = self.model.log_prob(value.reshape(-1, *self.event_shape)).reshape(lead)
        return log_prob.expand(shape)

    def to_pyro(self):
        """This distribution for ``pyro.sample`` sites (see :func:`survae.flows.pyro.to_pyro`)."""
        from survae.flows.pyro import to_pyro

        return to_pyro(self)

    def __repr__(self) -> str:
        return (f"FlowDistribution({type(self.model).__name__}, batch_shape="
                f"{tuple(self.batch_shape)}, event_shape={tuple(self.event_shape)})")


def monte_carlo_kl(p: TorchDistribution, q: TorchDistribution, num_samples: int = 1024,
                   reparametrize: bool = False) -> Tensor:
    r"""Monte Carlo estimate of
    :math:`\mathrm{KL}(p \,\|\, q) = \mathbb{E}_p[\log p(x) - \log q(x)]`, shape ``batch_shape``.

    Unbiased; its standard error shrinks as :math:`1 / \sqrt{N}` (:math:`N` = ``num_samples``).
    With ``reparametrize``
    the samples are ``p.rsample`` (gradients flow into ``p``'s parameters through the samples).
    ``torch.distributions.kl_divergence`` uses it (with ``FlowDistribution.kl_samples`` samples)
    whenever either side is a ``FlowDistribution``.

    Example:
        >>> import torch
        >>> from torch.distributions import Independent, Normal
        >>> from survae.distributions import StandardNormal
        >>> p = FlowDistribution(StandardNormal((2,)))
        >>> q = Independent(Normal(torch.ones(2), torch.ones(2)), 1)
        >>> bool(abs(monte_carlo_kl(p, q, 20000) - 1.0) < 0.05)  # exact: |mu|^2 / 2 = 1
        True
    """
    x = p.rsample((num_samples,)) if reparametrize else p.sample((num_samples,))
    return (p.log_prob(x) - q.log_prob(x)).mean(0)


@register_kl(FlowDistribution, TorchDistribution)
def _kl_flow_any(p, q):
    return monte_carlo_kl(p, q, FlowDistribution.kl_samples)


@register_kl(TorchDistribution, FlowDistribution)
def _kl_any_flow(p, q):
    return monte_carlo_kl(p, q, FlowDistribution.kl_samples)


@register_kl(FlowDistribution, FlowDistribution)
def _kl_flow_flow(p, q):
    return monte_carlo_kl(p, q, FlowDistribution.kl_samples)


class AsDistributionMixin:
    """``model()`` and ``model.as_distribution()`` give the model as a :class:`FlowDistribution`.

    Every other call keeps its meaning (``model(x)`` is ``model.log_prob(x)``).
    """

    def as_distribution(self, **kwargs) -> FlowDistribution:
        """This model as a ``torch.distributions.Distribution`` (see :class:`FlowDistribution`)."""
        return FlowDistribution(self, **kwargs)

    def forward(self, *args, mode: str = "log_prob", **kwargs):
        if not args and not kwargs and mode == "log_prob":
            return self.as_distribution()
        return super().forward(*args, mode=mode, **kwargs)


class ConditionalAsDistributionMixin:
    """``cond_model(context)`` gives the distribution of ``x`` for each row of ``context``.

    The official calls keep their meaning: ``cond_model(x, context)`` is
    ``cond_model.log_prob(x, context)``, ``log_prob``/``sample``/``sample_with_log_prob`` take the
    context as before.
    """

    def as_distribution(self, context: Tensor, **kwargs) -> FlowDistribution:
        """``p(x | context)`` for each context row, as a :class:`FlowDistribution`."""
        return FlowDistribution(self, context, **kwargs)

    def forward(self, *args, mode: str = "log_prob", **kwargs):
        if mode == "log_prob" and len(args) + len(kwargs) == 1 and set(kwargs) <= {"context"}:
            return self.as_distribution(*args, **kwargs)
        return super().forward(*args, mode=mode, **kwargs)
