"""loglik/elbo/iwbo metrics: exact models, a stochastic bound, chunking, dtypes, datasets."""

from __future__ import annotations

import math

import pytest
import torch
from torch.utils.data import DataLoader, TensorDataset

from survae.distributions import StandardNormal
from survae.flows import Flow
from survae.utils import (
    dataset_elbo_bpd,
    dataset_elbo_nats,
    dataset_iwbo_bpd,
    dataset_iwbo_nats,
    elbo_bpd,
    elbo_nats,
    iwbo,
    iwbo_batched,
    iwbo_bpd,
    iwbo_nats,
    loglik_bpd,
    loglik_nats,
)


class NoisyBound(torch.nn.Module):
    """Fake latent-variable model: ``log_prob(x) = log N(x; 0, I) + s * eps - s^2 / 2``.

    ``exp`` of it is an unbiased estimate of ``N(x; 0, I)``, so it is a stochastic lower bound
    whose importance-weighted version increases to the exact value with ``k``. The noise ``eps``
    is read sequentially from a pre-drawn table, so two runs from ``reset()`` see the same noise
    whatever the chunking of the calls; ``max_rows`` records the largest call.
    """

    def __init__(self, size: int, s: float = 1.0, offset: float = 0.0, seed: int = 0):
        super().__init__()
        generator = torch.Generator().manual_seed(seed)
        self.noise = torch.randn(size, generator=generator, dtype=torch.float64)
        self.s, self.offset = s, offset
        self.reset()

    def reset(self) -> None:
        self.cursor, self.max_rows = 0, 0

    def exact(self, x: torch.Tensor) -> torch.Tensor:
        return (-0.5 * x**2 - 0.5 * math.log(2 * math.pi)).sum(1) + self.offset

    def log_prob(self, x: torch.Tensor) -> torch.Tensor:
        n = x.shape[0]
        eps = self.noise[self.cursor : self.cursor + n].to(x.dtype)
        assert eps.shape[0] == n, "noise table exhausted"
        self.cursor += n
        self.max_rows = max(self.max_rows, n)
        return self.exact(x) + self.s * eps - 0.5 * self.s**2


def _exact_model() -> Flow:
    return Flow(StandardNormal((2,)), []).double()


@pytest.mark.parametrize("k", [1, 3, 17])
def test_iwbo_equals_log_prob_for_exact_model(k):
    model = _exact_model()
    x = torch.randn(5, 2, dtype=torch.float64)
    log_prob = model.log_prob(x)
    for value in (iwbo(model, x, k), iwbo_batched(model, x, k, kbs=4)):
        assert value.shape == (5,) and value.dtype == torch.float64
        torch.testing.assert_close(value, log_prob, rtol=0, atol=1e-12)
    torch.testing.assert_close(iwbo_nats(model, x, k), -log_prob.mean(), rtol=0, atol=1e-12)
    torch.testing.assert_close(iwbo_nats(model, x, k, kbs=2), -log_prob.mean(), rtol=0, atol=1e-12)
    torch.testing.assert_close(iwbo_bpd(model, x, k, kbs=2), loglik_bpd(model, x))


def test_loglik_and_elbo_formulas():
    model = _exact_model()
    x = torch.randn(6, 2, dtype=torch.float64)
    log_prob = model.log_prob(x)
    nats = loglik_nats(model, x)
    assert nats.dtype == torch.float64
    torch.testing.assert_close(nats, -log_prob.mean())
    torch.testing.assert_close(loglik_bpd(model, x), -log_prob.mean() / (2 * math.log(2)))
    torch.testing.assert_close(elbo_nats(model, x), nats)
    torch.testing.assert_close(elbo_bpd(model, x), loglik_bpd(model, x))


def test_bpd_counts_values_per_example_for_images():
    model = Flow(StandardNormal((3, 4, 4)), []).double()
    x = torch.randn(2, 3, 4, 4, dtype=torch.float64)
    torch.testing.assert_close(loglik_bpd(model, x), -model.log_prob(x).mean() / (48 * math.log(2)))


@pytest.mark.parametrize("kbs", [1, 4, 5, 12, 50])
def test_iwbo_batched_equals_iwbo_with_same_noise(kbs):
    x = torch.randn(7, 2, dtype=torch.float64)
    model = NoisyBound(size=10_000, s=1.5)
    full = iwbo(model, x, 12)
    model.reset()
    chunked = iwbo_batched(model, x, 12, kbs)
    torch.testing.assert_close(chunked, full, rtol=0, atol=1e-12)
    assert model.max_rows == min(kbs, 12) * 7  # memory: one chunk of kbs copies at a time


def test_iwbo_batched_is_stable_for_very_negative_log_probs():
    x = torch.randn(3, 2, dtype=torch.float64)
    model = NoisyBound(size=1000, offset=-1e5)
    full = iwbo(model, x, 20)
    model.reset()
    chunked = iwbo_batched(model, x, 20, 3)
    assert bool(torch.isfinite(chunked).all())
    torch.testing.assert_close(chunked, full, rtol=0, atol=1e-9)


def test_iwbo_is_nondecreasing_in_k_on_average_and_approaches_exact():
    torch.manual_seed(0)
    x = torch.randn(200, 2, dtype=torch.float64)
    model = NoisyBound(size=300_000, s=1.0)
    exact = model.exact(x)
    ks = (1, 10, 100, 1000)
    gaps = {k: float((exact - iwbo_batched(model, x, k, kbs=50)).mean()) for k in ks}
    assert gaps[1] > gaps[10] > gaps[100] > gaps[1000] > -0.01
    assert gaps[1] == pytest.approx(0.5, abs=0.1)  # E[s * eps - s^2/2] = -1/2
    assert gaps[1000] < 0.01


def test_float32_stays_float32():
    model = Flow(StandardNormal((2,)), [])
    x = torch.randn(4, 2)
    assert iwbo(model, x, 3).dtype == torch.float32
    assert iwbo_batched(model, x, 3, 2).dtype == torch.float32


@pytest.mark.parametrize("bad", [0, -1, 1.5, True])
def test_bad_k_raises(bad):
    model = _exact_model()
    x = torch.randn(2, 2, dtype=torch.float64)
    with pytest.raises(ValueError, match="k"):
        iwbo(model, x, bad)
    with pytest.raises(ValueError, match="kbs"):
        iwbo_batched(model, x, 4, bad)


def test_dataset_metrics_weight_examples_and_values():
    model = _exact_model()
    data = torch.randn(10, 2, dtype=torch.float64)
    log_prob = model.log_prob(data)
    nats = float(-log_prob.mean())
    bpd = nats / (2 * math.log(2))
    loaders = [
        DataLoader(TensorDataset(data), batch_size=4),  # yields [x], uneven last batch
        DataLoader(data, batch_size=3),  # yields x
    ]
    for loader in loaders:
        assert dataset_elbo_nats(model, loader, "cpu", verbose=False) == pytest.approx(nats)
        assert dataset_elbo_bpd(model, loader, "cpu", verbose=False) == pytest.approx(bpd)
        value = dataset_iwbo_nats(model, loader, 5, "cpu", kbs=2, verbose=False)
        assert value == pytest.approx(nats)
        assert dataset_iwbo_bpd(model, loader, 5, "cpu", verbose=False) == pytest.approx(bpd)


def test_dataset_metric_double_casts_and_verbose_prints(capsys):
    model = _exact_model()
    data = torch.randn(6, 2, dtype=torch.float64)
    loader = DataLoader(data.float(), batch_size=4)
    value = dataset_elbo_nats(model, loader, "cpu", double=True, verbose=True)
    assert value == pytest.approx(float(-model.log_prob(data.float().double()).mean()))
    assert "2/2" in capsys.readouterr().out


def test_dataset_metric_empty_loader_raises():
    with pytest.raises(ValueError, match="no examples"):
        dataset_elbo_nats(_exact_model(), [], "cpu", verbose=False)
