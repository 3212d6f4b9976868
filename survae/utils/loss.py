r"""Evaluation metrics: negative log-likelihood (or ELBO) and importance-weighted bounds.

Conventions (as the official library), for a batch :math:`x_1, \dots, x_B`:

- ``loglik_nats(model, x)`` :math:`= -\frac{1}{B} \sum_i \log p(x_i)` (nats per example, a loss);
- ``loglik_bpd(model, x)`` :math:`= -\frac{1}{B} \sum_i \log p(x_i) / (D \log 2)` with :math:`D`
  the number of values per example (bits per dimension);
- ``iwbo(model, x, k)[i]`` :math:`= \log \frac{1}{k} \sum_{j=1}^k \exp L_j(x_i)` with
  :math:`L_1, \dots, L_k` independent evaluations of ``model.log_prob`` (a stochastic lower
  bound such as an ELBO, :math:`\mathbb{E}[L_j(x)] \le \log p(x)`); it is returned per example,
  is nondecreasing in :math:`k` in expectation and tends to :math:`\log p(x_i)`.

For an exact model (``model.log_prob`` deterministic) all bounds equal the log-likelihood.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Iterable

import torch
from torch import Tensor

__all__ = [
    "loglik_nats",
    "loglik_bpd",
    "elbo_nats",
    "elbo_bpd",
    "iwbo",
    "iwbo_batched",
    "iwbo_nats",
    "iwbo_bpd",
    "dataset_elbo_nats",
    "dataset_elbo_bpd",
    "dataset_iwbo_nats",
    "dataset_iwbo_bpd",
]


def loglik_nats(model, x: Tensor) -> Tensor:
    r"""Negative log-likelihood in nats, averaged over the batch:
    :math:`-\frac{1}{B} \sum_i \log p(x_i)`.

    Args:
        model: anything with ``log_prob(x) -> (batch,)`` (e.g. a Flow).
        x: a batch of data.

    Example:
        >>> import torch
        >>> from survae.distributions import StandardNormal
        >>> round(loglik_nats(StandardNormal((2,)), torch.zeros(3, 2)).item(), 4)  # log(2 pi)
        1.8379
    """
    return -model.log_prob(x).mean()


def loglik_bpd(model, x: Tensor) -> Tensor:
    r"""Negative log-likelihood in bits per dimension:
    :math:`-\frac{1}{B} \sum_i \log p(x_i) / (D \log 2)`.

    :math:`D` is the number of values in one example (e.g. :math:`3 \times 32 \times 32`).

    Example:
        >>> import torch
        >>> from survae.distributions import StandardNormal
        >>> x = torch.zeros(4, 3, 2, 2)
        >>> round(loglik_bpd(StandardNormal((3, 2, 2)), x).item(), 4)  # log(2 pi) / (2 log 2)
        1.3257
    """
    return -model.log_prob(x).sum() / (math.log(2) * x.numel())


def elbo_nats(model, x: Tensor) -> Tensor:
    r"""Negative ELBO in nats, :math:`-\frac{1}{B} \sum_i \mathcal{L}(x_i)` with
    :math:`\mathcal{L}(x) \le \log p(x)` the (sampled) ``model.log_prob`` (same computation as
    :func:`loglik_nats`, for readability)."""
    return loglik_nats(model, x)


def elbo_bpd(model, x: Tensor) -> Tensor:
    r"""Negative ELBO in bits per dimension, :math:`-\frac{1}{B} \sum_i \mathcal{L}(x_i) /
    (D \log 2)` (same computation as :func:`loglik_bpd`)."""
    return loglik_bpd(model, x)


def _check_k(name: str, value: int) -> int:
    if isinstance(value, bool) or int(value) != value or int(value) < 1:
        raise ValueError(f"{name} must be a positive integer, got {value!r}")
    return int(value)


def _log_weights(model, x: Tensor, reps: int) -> Tensor:
    """``reps`` independent ``log_prob`` evaluations of every example, shape ``(reps, batch)``.

    The copies are stacked replicate-major (``[x, x, ..., x]``), as the official library does.
    """
    x_stack = x.repeat(reps, *([1] * (x.dim() - 1)))
    return model.log_prob(x_stack).reshape(reps, x.shape[0])


def iwbo(model, x: Tensor, k: int) -> Tensor:
    r"""Importance-weighted bound per example,
    :math:`\log \frac{1}{k} \sum_{j=1}^k e^{L_j(x)} = \operatorname{logsumexp}_j L_j(x) - \log k`,
    shape ``(batch,)``.

    All ``k`` copies of the batch go through ``model.log_prob`` in one call (memory grows with
    ``k``; see :func:`iwbo_batched`).

    Args:
        model: anything with ``log_prob(x) -> (batch,)``, possibly stochastic.
        x: a batch of data.
        k: number of importance samples.

    Example:
        >>> import torch
        >>> from survae.distributions import StandardNormal
        >>> model = StandardNormal((2,))
        >>> x = torch.randn(3, 2)
        >>> torch.allclose(iwbo(model, x, k=5), model.log_prob(x))
        True
    """
    k = _check_k("iwbo: k", k)
    return torch.logsumexp(_log_weights(model, x, k), dim=0) - math.log(k)


def iwbo_batched(model, x: Tensor, k: int, kbs: int) -> Tensor:
    """:func:`iwbo` computed ``kbs`` importance samples at a time, with bounded memory.

    The chunks are combined with a running ``logsumexp`` (``logaddexp``), so only one chunk of
    ``kbs * batch`` evaluations is alive at once; :math:`k` need not be a multiple of ``kbs`` (the
    last chunk is smaller). Given the same random stream the result equals ``iwbo(model, x, k)``
    up to rounding. Call it under ``torch.no_grad()`` for evaluation: with autograd on, the
    graph of every chunk is kept.

    Args:
        model: anything with ``log_prob(x) -> (batch,)``.
        x: a batch of data.
        k: number of importance samples.
        kbs: number of importance samples per ``log_prob`` call.

    Example:
        >>> import torch
        >>> from survae.distributions import StandardNormal
        >>> model = StandardNormal((2,))
        >>> x = torch.randn(3, 2)
        >>> torch.allclose(iwbo_batched(model, x, k=10, kbs=3), model.log_prob(x))
        True
    """
    k = _check_k("iwbo_batched: k", k)
    kbs = _check_k("iwbo_batched: kbs", kbs)
    total = None
    done = 0
    while done < k:
        reps = min(kbs, k - done)
        chunk = torch.logsumexp(_log_weights(model, x, reps), dim=0)
        total = chunk if total is None else torch.logaddexp(total, chunk)
        done += reps
    return total - math.log(k)


def _iwbo(model, x: Tensor, k: int, kbs: int | None) -> Tensor:
    return iwbo_batched(model, x, k, kbs) if kbs else iwbo(model, x, k)


def iwbo_nats(model, x: Tensor, k: int, kbs: int | None = None) -> Tensor:
    r"""Negative importance-weighted bound in nats, averaged over the batch:
    :math:`-\frac{1}{B} \sum_i \log \frac{1}{k} \sum_j e^{L_j(x_i)}`.

    Args:
        model: anything with ``log_prob(x) -> (batch,)``.
        x: a batch of data.
        k: number of importance samples.
        kbs: if given, evaluate ``kbs`` importance samples at a time (:func:`iwbo_batched`).
    """
    return -_iwbo(model, x, k, kbs).mean()


def iwbo_bpd(model, x: Tensor, k: int, kbs: int | None = None) -> Tensor:
    r"""Negative importance-weighted bound in bits per dimension,
    :math:`-\frac{1}{B} \sum_i \log \frac{1}{k} \sum_j e^{L_j(x_i)} / (D \log 2)` (see
    :func:`iwbo_nats`)."""
    return -_iwbo(model, x, k, kbs).sum() / (x.numel() * math.log(2))


def _batches(data_loader: Iterable, device, double: bool) -> Iterable[Tensor]:
    for batch in data_loader:
        x = batch[0] if isinstance(batch, (list, tuple)) else batch  # (x, y) loaders: keep x
        if double:
            x = x.double()
        yield x.to(device)


def _dataset_average(per_example, data_loader, device, double: bool, bits: bool, verbose: bool):
    """Sum ``-per_example(x)`` over the dataset; divide by the examples (nats) or values (bits)."""
    total = 0.0
    count = 0
    try:
        num_batches = f"/{len(data_loader)}"
    except TypeError:
        num_batches = ""
    with torch.no_grad():
        for i, x in enumerate(_batches(data_loader, device, double)):
            total -= float(per_example(x).double().sum())
            count += x.numel() if bits else x.shape[0]
            if verbose:
                value = total / (count * math.log(2) if bits else count)
                print(f"{i + 1}{num_batches} {value:.6f}", end="\r")
    if count == 0:
        raise ValueError("dataset metric: the data loader yielded no examples")
    if verbose:
        print()
    return total / (count * math.log(2) if bits else count)


def dataset_elbo_nats(model, data_loader, device, double: bool = False, verbose: bool = True):
    r"""Negative ELBO (or log-likelihood) in nats per example over a whole data loader:
    :math:`-\frac{1}{N} \sum_{n=1}^N \mathcal{L}(x_n)` over its :math:`N` examples.

    Runs under ``torch.no_grad()``; batches of ``(x, y)`` use ``x``. Returns a Python float.

    Args:
        model: anything with ``log_prob(x) -> (batch,)``.
        data_loader: iterable of batches (e.g. a ``torch.utils.data.DataLoader``).
        device: device the batches are moved to.
        double: cast the batches to float64 first.
        verbose: print a running average.
    """
    return _dataset_average(model.log_prob, data_loader, device, double, False, verbose)


def dataset_elbo_bpd(model, data_loader, device, double: bool = False, verbose: bool = True):
    r"""Negative ELBO (or log-likelihood) in bits per dimension over a whole data loader:
    :math:`-\sum_n \mathcal{L}(x_n) / (N D \log 2)` over its :math:`N` examples of :math:`D`
    values.

    Same arguments as :func:`dataset_elbo_nats`.
    """
    return _dataset_average(model.log_prob, data_loader, device, double, True, verbose)


def dataset_iwbo_nats(
    model,
    data_loader,
    k: int,
    device,
    double: bool = False,
    kbs: int | None = None,
    verbose: bool = True,
):
    """Negative importance-weighted bound in nats per example over a whole data loader (the
    dataset average of :func:`iwbo`, negated).

    Args:
        model: anything with ``log_prob(x) -> (batch,)``.
        data_loader: iterable of batches.
        k: number of importance samples.
        device: device the batches are moved to.
        double: cast the batches to float64 first.
        kbs: importance samples per ``log_prob`` call (bounded memory), or None for all at once.
        verbose: print a running average.
    """

    per_example = functools.partial(_iwbo, model, k=k, kbs=kbs)
    return _dataset_average(per_example, data_loader, device, double, False, verbose)


def dataset_iwbo_bpd(
    model,
    data_loader,
    k: int,
    device,
    double: bool = False,
    kbs: int | None = None,
    verbose: bool = True,
):
    r"""Negative importance-weighted bound in bits per dimension over a whole data loader (the
    sum of :func:`iwbo` over the dataset, negated, divided by the number of values times
    :math:`\log 2`).

    Same arguments as :func:`dataset_iwbo_nats`.
    """

    per_example = functools.partial(_iwbo, model, k=k, kbs=kbs)
    return _dataset_average(per_example, data_loader, device, double, True, verbose)
