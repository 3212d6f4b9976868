"""Suite-wide settings: one torch thread per test process (pytest-xdist runs one process per
core; more threads per process only fight over the cores)."""

import torch

torch.set_num_threads(1)
