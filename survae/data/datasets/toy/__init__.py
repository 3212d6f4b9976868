"""Two-dimensional toy datasets (official ``survae.data.datasets.toy``); all live in ``plane``."""

from survae.data.datasets.toy.plane import *  # noqa: F403
from survae.data.datasets.toy.plane import __all__  # noqa: F401
