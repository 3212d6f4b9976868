"""Two-dimensional toy datasets (official ``survae.data.datasets.toy``)."""

from survae.data.datasets.toy.plane import (
    AbsDataset,
    CheckerboardDataset,
    CrescentCubedDataset,
    CrescentDataset,
    DiamondDataset,
    FaceDataset,
    FourCirclesDataset,
    GaussianDataset,
    PlaneDataset,
    SignDataset,
    SineWaveDataset,
    TestGridDataset,
    TwoMoonsDataset,
    TwoSpiralsDataset,
)

__all__ = [
    "PlaneDataset",
    "GaussianDataset",
    "CrescentDataset",
    "CrescentCubedDataset",
    "SineWaveDataset",
    "AbsDataset",
    "SignDataset",
    "FourCirclesDataset",
    "DiamondDataset",
    "TwoSpiralsDataset",
    "TestGridDataset",
    "CheckerboardDataset",
    "TwoMoonsDataset",
    "FaceDataset",
]
