"""Flows: distributions built from a base distribution and transforms (Algorithm 1)."""

from survae.flows.cond_flow import ConditionalFlow
from survae.flows.cond_inverse_flow import ConditionalInverseFlow
from survae.flows.flow import Flow
from survae.flows.inverse_flow import InverseFlow
from survae.flows.torch_distribution import FlowDistribution, monte_carlo_kl

__all__ = [
    "Flow",
    "ConditionalFlow",
    "InverseFlow",
    "ConditionalInverseFlow",
    "FlowDistribution",
    "monte_carlo_kl",
]
