"""Learning-rate schedulers."""

from survae.optim.schedulers.linear_warmup import LinearWarmupScheduler, WarmupCosineScheduler

__all__ = ["LinearWarmupScheduler", "WarmupCosineScheduler"]
