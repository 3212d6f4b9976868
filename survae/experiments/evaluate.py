"""The one evaluation loop of the experiments, on :mod:`survae.utils.metrics`.

``evaluate_bounds(model, data, ...)`` returns the test log-likelihood per example in nats (exact
for an exact model, else the one-sample ELBO) and, for ``k > 1`` on a stochastic model, the
importance-weighted bound with ``k`` samples; each experiment then states them in its unit
(bits per dim for images, nats per image for VAEs, nats per point for point sets).
"""

from __future__ import annotations

import math

import torch
from torch import nn
from torch.utils.data import DataLoader, Dataset

from survae.utils.metrics import dataset_elbo_nats, dataset_iwbo_nats


def evaluate_bounds(model: nn.Module, data: Dataset, batch_size: int = 256, k: int = 0,
                    kbs: int = 16, device: str | torch.device = "cpu",
                    exact: bool | None = None) -> dict[str, float]:
    """``{"loglik_nats": ..., "iwbo_nats": ...}``: mean log-likelihood bounds per example.

    Args:
        model: anything with ``log_prob``; evaluated as it is (call ``model.eval()`` first).
        data: a dataset of ``(x, label)`` or ``x``.
        batch_size: examples per batch.
        k: importance samples of the IWBO (``k <= 1``, or an exact model: no IWBO).
        kbs: importance samples per ``log_prob`` call.
        device: where the batches go.
        exact: whether ``model.log_prob`` is exact (default: its ``exact`` attribute, else False).

    Example:
        >>> from torch.utils.data import TensorDataset
        >>> from survae.distributions import StandardNormal
        >>> data = TensorDataset(torch.zeros(4, 2))
        >>> round(evaluate_bounds(StandardNormal((2,)), data)["loglik_nats"], 4)
        -1.8379
    """
    loader = DataLoader(data, batch_size=batch_size, shuffle=False)
    exact = bool(getattr(model, "exact", False)) if exact is None else exact
    metrics = {"loglik_nats": -dataset_elbo_nats(model, loader, device, verbose=False)}
    if k > 1 and not exact:
        metrics["iwbo_nats"] = -dataset_iwbo_nats(model, loader, k, device, kbs=min(kbs, k),
                                                  verbose=False)
    return metrics


def nats_to_bpd(nats: float, num_dims: int) -> float:
    """A log-likelihood in nats per example as bits per dim (negated: lower is better)."""
    return -nats / (num_dims * math.log(2))
