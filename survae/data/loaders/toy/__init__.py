"""Train/test loader objects of the 2-D toy datasets (official ``survae.data.loaders.toy``)."""

from survae.data.loaders.toy.plane import (
    Abs,
    Checkerboard,
    Crescent,
    CrescentCubed,
    Diamond,
    Face,
    FourCircles,
    Gaussian,
    Sign,
    SineWave,
    TwoMoons,
    TwoSpirals,
)

__all__ = ["Gaussian", "Crescent", "CrescentCubed", "SineWave", "Abs", "Sign", "FourCircles",
           "Diamond", "TwoSpirals", "TwoMoons", "Checkerboard", "Face"]
