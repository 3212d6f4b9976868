"""Optimisation helpers: learning-rate schedulers (official path ``survae.optim.schedulers``)."""

from survae.optim.schedulers import LinearWarmupScheduler, WarmupCosineScheduler

__all__ = ["LinearWarmupScheduler", "WarmupCosineScheduler"]
