"""Neural-network building blocks used as conditioners.

As in the official library, the layers of :mod:`survae.nn.layers` are exported here too
(``from survae.nn import ElementwiseParams``).
"""

from survae.nn.layers import *  # noqa: F403
from survae.nn.layers import __all__ as _layers

__all__ = list(_layers)
