"""Datasets: the official ``survae.data`` tree and our own loaders.

Official paths: ``survae.data.path`` (``DATA_PATH``, ``get_data_path``, ``set_data_path``),
``survae.data.transforms``, ``survae.data.datasets.{toy,image,tabular}`` and
``survae.data.loaders.{toy,image,tabular}`` (loader objects with ``train``/``valid``/``test``
datasets and ``get_data_loaders``). Ours: ``survae.data.toy``, ``vision``, ``digits``,
``spatial_mnist``. Importing this package reads no file and writes none.
"""

from survae.data.loaders.task_loaders import (
    PresplitLoader,
    RandomSplitLoader,
    TrainTestLoader,
    TrainValidTestLoader,
)
from survae.data.path import get_data_path, set_data_path

__all__ = [
    "DATA_PATH",
    "set_data_path",
    "PresplitLoader",
    "TrainTestLoader",
    "TrainValidTestLoader",
    "RandomSplitLoader",
]


def __getattr__(name: str) -> str:
    if name == "DATA_PATH":
        return get_data_path()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
