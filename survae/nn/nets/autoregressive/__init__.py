"""Autoregressive conditioner networks."""

from survae.nn.nets.autoregressive.conditional_made import ConditionalMADE
from survae.nn.nets.autoregressive.made import MADE

__all__ = ["MADE", "ConditionalMADE"]
