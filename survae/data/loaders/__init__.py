"""Loader objects (official ``survae.data.loaders``): ``toy``, ``image``, ``tabular``."""

from survae.data.loaders.task_loaders import (
    PresplitLoader,
    RandomSplitLoader,
    TrainTestLoader,
    TrainValidTestLoader,
)

__all__ = ["PresplitLoader", "TrainTestLoader", "TrainValidTestLoader", "RandomSplitLoader"]
