"""Experiments: typed run specs, the shared trainer and the ``survae`` command line.

Python entry points (each writes the run folder and returns the final metrics, as the command)::

    from survae.experiments import ToySpec, train_toy
    metrics, model, test = train_toy(ToySpec(dataset="corners", steps=2000, out="runs/c"))

``train_toy(ToySpec)``, ``train_image(ImageSpec)``, ``train_vae(VaeSpec)``,
``train_pointcloud(PointcloudSpec)``, ``train_tabular(TabularSpec)``,
``train_energy(EnergySpec)``; see
:mod:`survae.experiments.specs`.
"""

from __future__ import annotations

import importlib
from typing import Any

_ENTRY_POINTS = {
    "TrainConfig": "specs", "ToySpec": "specs", "ImageSpec": "specs", "VaeSpec": "specs",
    "PointcloudSpec": "specs", "TabularSpec": "specs", "Trainer": "trainer", "train_toy": "toy",
    "train_image": "images", "train_vae": "vae", "train_pointcloud": "pointcloud",
    "train_tabular": "tabular",
    "EnergySpec": "specs", "train_energy": "energy",
}
__all__ = sorted(_ENTRY_POINTS)


def __getattr__(name: str) -> Any:  # imported on first use: the command line stays quick
    if name not in _ENTRY_POINTS:
        raise AttributeError(f"module 'survae.experiments' has no attribute {name!r}")
    return getattr(importlib.import_module(f"survae.experiments.{_ENTRY_POINTS[name]}"), name)
