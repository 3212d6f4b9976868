"""Pyro interop: survae models at ``pyro.sample`` sites (as guides, priors or likelihoods).

``to_pyro(flow())`` or ``to_pyro(cond_flow(context))`` wraps a :class:`FlowDistribution` as a
``pyro.distributions.TorchDistribution``: Pyro then broadcasts it over plates (``expand``), draws
reparametrized samples when the model is exact (``has_rsample``) and scores them with the model's
``log_prob``. Register the model's parameters with ``pyro.module(name, flow)`` in the guide or
model that uses it. Pyro is imported only when this is called (``pip install pyro-ppl``).

Example:
    >>> import pyro, torch
    >>> from survae.distributions import StandardNormal
    >>> from survae.flows import Flow
    >>> from survae.transforms import ActNormBijection
    >>> flow = Flow(StandardNormal((2,)), [ActNormBijection(2)])
    >>> def model():
    ...     with pyro.plate("data", 5):
    ...         return pyro.sample("z", to_pyro(flow()))
    >>> model().shape
    torch.Size([5, 2])
"""

from __future__ import annotations

import functools

from survae.flows.torch_distribution import FlowDistribution


@functools.cache
def _pyro_class():
    import pyro.distributions as pyro_dist

    class PyroFlowDistribution(pyro_dist.TorchDistribution):
        """A :class:`FlowDistribution` as a Pyro distribution (delegates every method)."""

        arg_constraints: dict = {}

        def __init__(self, dist: FlowDistribution):
            self.dist = dist
            super().__init__(dist.batch_shape, dist.event_shape, validate_args=False)

        @property
        def has_rsample(self) -> bool:
            return self.dist.has_rsample

        @property
        def support(self):
            return self.dist.support

        def sample(self, sample_shape=()):
            return self.dist.sample(sample_shape)

        def rsample(self, sample_shape=()):
            return self.dist.rsample(sample_shape)

        def log_prob(self, value):
            return self.dist.log_prob(value)

        def expand(self, batch_shape, _instance=None):
            return PyroFlowDistribution(self.dist.expand(batch_shape))

        def __repr__(self) -> str:
            return f"Pyro{self.dist!r}"

    return PyroFlowDistribution


def to_pyro(dist: FlowDistribution):
    """``dist`` as a ``pyro.distributions.TorchDistribution`` (see the module docstring)."""
    if not isinstance(dist, FlowDistribution):
        raise TypeError(
            f"to_pyro: expected a FlowDistribution (flow() or cond_flow(context)), got "
            f"{type(dist).__name__}"
        )
    return _pyro_class()(dist)
