"""Shared by the digits examples: the bundled 8x8 digits as tensors, and an image-grid writer."""

from __future__ import annotations

from pathlib import Path

import torch

from survae.data.digits import load_digits_tensors


def digits(mode: str) -> tuple[torch.Tensor, torch.Tensor]:
    """(train, test) images of the bundled digits in ``mode`` (``binary`` or ``levels``)."""
    return load_digits_tensors("train", mode)[0], load_digits_tensors("test", mode)[0]


def save_grid(images: torch.Tensor, path: Path, max_value: float) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    path.parent.mkdir(parents=True, exist_ok=True)
    n = int(len(images) ** 0.5)
    grid = images[: n * n, 0].reshape(n, n, 8, 8).permute(0, 2, 1, 3).reshape(8 * n, 8 * n)
    plt.imsave(path, grid.float().numpy() / max_value, cmap="gray", vmin=0, vmax=1)
