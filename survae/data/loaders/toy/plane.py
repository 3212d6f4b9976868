"""Train/test loader objects over the 2-D toy datasets: two independent draws of each density.

Example:
    >>> import torch
    >>> _ = torch.manual_seed(0)
    >>> data = Checkerboard(train_samples=256, test_samples=128)
    >>> len(data.train), len(data.test)
    (256, 128)
"""

from __future__ import annotations

from survae.data.datasets.toy import plane
from survae.data.loaders.task_loaders import TrainTestLoader

__all__ = ["Gaussian", "Crescent", "CrescentCubed", "SineWave", "Abs", "Sign", "FourCircles",
           "Diamond", "TwoSpirals", "TwoMoons", "Checkerboard", "Face"]


class _PlaneLoader(TrainTestLoader):
    """``train`` and ``test``: ``dataset(num_points=train_samples/test_samples, **options)``."""

    dataset: type[plane.PlaneDataset]

    def __init__(self, train_samples: int = 100, test_samples: int = 100, **options):
        self.train = self.dataset(num_points=train_samples, **options)
        self.test = self.dataset(num_points=test_samples, **options)


class Gaussian(_PlaneLoader):
    dataset = plane.GaussianDataset


class Crescent(_PlaneLoader):
    dataset = plane.CrescentDataset


class CrescentCubed(_PlaneLoader):
    dataset = plane.CrescentCubedDataset


class SineWave(_PlaneLoader):
    dataset = plane.SineWaveDataset


class Abs(_PlaneLoader):
    dataset = plane.AbsDataset


class Sign(_PlaneLoader):
    dataset = plane.SignDataset


class FourCircles(_PlaneLoader):
    dataset = plane.FourCirclesDataset


class Diamond(_PlaneLoader):
    dataset = plane.DiamondDataset

    def __init__(self, train_samples: int = 100, test_samples: int = 100, width: int = 20,
                 bound: float = 2.5, std: float = 0.04):
        super().__init__(train_samples, test_samples, width=width, bound=bound, std=std)


class TwoSpirals(_PlaneLoader):
    dataset = plane.TwoSpiralsDataset


class TwoMoons(_PlaneLoader):
    dataset = plane.TwoMoonsDataset


class Checkerboard(_PlaneLoader):
    dataset = plane.CheckerboardDataset


class Face(_PlaneLoader):
    dataset = plane.FaceDataset

    def __init__(self, train_samples: int = 100, test_samples: int = 100,
                 name: str = "einstein", resize=(512, 512)):
        super().__init__(train_samples, test_samples, name=name, resize=resize)
