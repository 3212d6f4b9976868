"""Matplotlib figures written by the experiments (Agg backend; PNG files)."""

from __future__ import annotations

import csv
import os
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import torch

from survae.distributions import Distribution


def _pyplot():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


@torch.no_grad()
def density_grid(model: Distribution, bound: float = 4.0, size: int = 200):
    """``exp(log p)`` of a 2-D model on a ``size x size`` grid over ``[-bound, bound]^2``."""
    axis = torch.linspace(-bound, bound, size)
    xx, yy = torch.meshgrid(axis, axis, indexing="xy")
    points = torch.stack([xx.reshape(-1), yy.reshape(-1)], 1)
    density = torch.cat([model.log_prob(chunk) for chunk in points.split(20_000)]).exp()
    return xx.numpy(), yy.numpy(), density.reshape(size, size).numpy()


def _hist(ax, data: torch.Tensor, bound: float) -> None:
    ax.hist2d(
        data[:, 0].numpy(),
        data[:, 1].numpy(),
        bins=200,
        range=[[-bound, bound], [-bound, bound]],
        cmap="viridis",
    )
    ax.set_xlim(-bound, bound)
    ax.set_ylim(-bound, bound)
    ax.set_aspect("equal")
    ax.axis("off")


def _density(ax, model: Distribution, bound: float) -> None:
    xx, yy, density = density_grid(model, bound)
    # Clip the colour scale at the 99.5th percentile: a few spiky pixels (e.g. where a logit
    # squeezes the plane's edge) would otherwise wash out the whole panel.
    vmax = float(np.quantile(density, 0.995)) or None
    ax.pcolormesh(xx, yy, density, cmap="viridis", shading="auto", vmin=0.0, vmax=vmax)
    ax.set_aspect("equal")
    ax.axis("off")


def _save(fig, path: Path) -> None:
    fig.savefig(path, dpi=100, bbox_inches="tight")
    _pyplot().close(fig)


@torch.no_grad()
def plot_toy_run(model: Distribution, data: torch.Tensor, run_dir: Path, bound: float = 4.0):
    """Write ``data.png``, ``density.png`` and ``samples.png`` for a 2-D model into ``run_dir``."""
    plt = _pyplot()
    for name, draw in (
        ("data", lambda ax: _hist(ax, data, bound)),
        ("density", lambda ax: _density(ax, model, bound)),
        ("samples", lambda ax: _hist(ax, model.sample(50_000), bound)),
    ):
        fig, ax = plt.subplots(figsize=(4, 4))
        draw(ax)
        ax.set_title(name)
        _save(fig, Path(run_dir) / f"{name}.png")


@torch.no_grad()
def plot_density_comparison(
    data: torch.Tensor,
    models: Sequence[tuple[str, Distribution]],
    path: Path,
    bound: float = 4.0,
) -> None:
    """One row: the data histogram, then each model's density, side by side."""
    plt = _pyplot()
    fig, axes = plt.subplots(1, 1 + len(models), figsize=(4 * (1 + len(models)), 4))
    _hist(axes[0], data, bound)
    axes[0].set_title("data")
    for ax, (title, model) in zip(axes[1:], models):
        _density(ax, model, bound)
        ax.set_title(title)
    _save(fig, path)


@torch.no_grad()
def plot_density_grid(
    panels: Sequence[tuple[str, torch.Tensor, Sequence[tuple[str, Distribution]]]],
    path: Path,
    bound: float = 4.0,
) -> None:
    """One row per dataset: data histogram, then each model's density."""
    plt = _pyplot()
    columns = 1 + max(len(models) for _, _, models in panels)
    fig, axes = plt.subplots(
        len(panels), columns, figsize=(3.2 * columns, 3.2 * len(panels)), squeeze=False
    )
    for row, (name, data, models) in zip(axes, panels):
        _hist(row[0], data, bound)
        row[0].set_title(name)
        for ax, (title, model) in zip(row[1:], models):
            _density(ax, model, bound)
            ax.set_title(title)
    _save(fig, path)


def plot_energy_run(target, samples: torch.Tensor, log_w: torch.Tensor, path: Path,
                    title: str = "", num_target_samples: int = 50_000) -> Path:
    """Three panels over the first two coordinates: exact samples of ``target``, the model's
    samples, and the model's samples reweighted by ``softmax(log_w)`` (importance sampling)."""
    plt = _pyplot()
    low, high = target.plot_range
    span = [[low, high], [low, high]]
    exact = target.sample(num_target_samples, torch.Generator().manual_seed(0))
    samples = samples.detach().float().cpu()
    weights = torch.softmax(log_w.double(), 0).float().cpu().numpy()
    fig, axes = plt.subplots(1, 3, figsize=(12, 4))
    panels = [("target (exact samples)", exact, None), ("model samples", samples, None),
              ("reweighted", samples, weights)]
    for ax, (name, data, w) in zip(axes, panels):
        ax.hist2d(data[:, 0].numpy(), data[:, 1].numpy(), bins=120, range=span, weights=w,
                  cmap="viridis")
        ax.set_title(name)
        ax.set_aspect("equal")
        ax.axis("off")
    if title:
        fig.suptitle(title)
    path.parent.mkdir(parents=True, exist_ok=True)
    _save(fig, path)
    return path


def plot_loss(log: Path, path: Path) -> Path | None:
    """Write ``path`` (PNG): the training loss of a run's CSV ``log``, and its eval metrics, per
    step (bits/dim when the log has them, else nats); nothing when the log is missing or empty."""
    if not log.exists():
        return None
    with open(log) as handle:
        rows = list(csv.DictReader(handle))
    if not rows:
        return None
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(6, 4))
    key, unit = ("bpd", "bits/dim") if any(r.get("bpd") for r in rows) else ("loss_nats", "nats")
    train = [(int(r["step"]), float(r[key])) for r in rows if r.get(key)]
    if train:
        ax.plot(*zip(*train), label=f"train ({unit})", lw=1)
    for column in rows[0]:
        if column.startswith(("test_", "eval_")) and column.endswith("bpd") == (key == "bpd"):
            points = [(int(r["step"]), float(r[column])) for r in rows if r.get(column)]
            if points:
                ax.plot(*zip(*points), "o-", label=column, ms=3)
    ax.set_xlabel("step")
    ax.set_ylabel(unit)
    ax.legend()
    ax.grid(alpha=0.3)
    fig.tight_layout()
    tmp = path.with_name(f".{path.stem}.tmp.png")
    fig.savefig(tmp, dpi=100)
    plt.close(fig)
    os.replace(tmp, path)
    return path
