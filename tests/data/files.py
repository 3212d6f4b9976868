"""Small dataset files in the formats torchvision's loaders read, written by the tests."""

from __future__ import annotations

import struct
from pathlib import Path

import numpy as np


def write_idx(path: Path, array: np.ndarray) -> None:
    """A file in the IDX format of MNIST (``*-ubyte``): images if ``array`` is 3-D, else labels."""
    magic = 2051 if array.ndim == 3 else 2049
    with open(path, "wb") as handle:
        handle.write(struct.pack(">I", magic))
        handle.write(struct.pack(f">{array.ndim}I", *array.shape))
        handle.write(array.astype(np.uint8).tobytes())
