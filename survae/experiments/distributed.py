"""The data side of the shared trainer, on one process or under ``torchrun`` (DDP).

``distributed_setup`` joins the process group torchrun describes (gloo on the CPU, nccl on GPUs);
``DistributedData`` gives each rank its share of every global batch in an order that depends on
``(seed, epoch)`` only (so a resumed run sees the batches an uninterrupted one would);
``agree`` makes every rank take the same decision (skip a non-finite batch or loss, stop on a
signal) with one collective.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import torch
import torch.distributed as dist
from torch import Tensor
from torch.utils.data import DataLoader, Dataset, DistributedSampler

from survae.experiments.errors import SpecError


def distributed_setup(device: str) -> tuple[int, int, torch.device]:
    """(rank, world size, device); initialises the process group when launched by torchrun."""
    where = torch.device(device)
    if where.type == "cuda" and not torch.cuda.is_available():
        raise SpecError(f"device (--device): {device!r} asked for, but CUDA is not available here")
    world = int(os.environ.get("WORLD_SIZE", "1"))
    if world > 1 and not dist.is_initialized():
        dist.init_process_group("nccl" if device.startswith("cuda") else "gloo")
    if dist.is_initialized():
        rank, world = dist.get_rank(), dist.get_world_size()
    else:
        rank, world = 0, 1
    if where.type == "cuda" and world > 1:
        where = torch.device("cuda", int(os.environ.get("LOCAL_RANK", rank)))
        torch.cuda.set_device(where)
    return rank, world, where


def to_device(batch: Any, device: torch.device) -> Any:
    """``batch`` (tensors, or lists, tuples and dicts of them) on ``device``."""
    if isinstance(batch, Tensor):
        return batch.to(device, non_blocking=True)
    if isinstance(batch, (list, tuple)):
        return type(batch)(to_device(b, device) for b in batch)
    if isinstance(batch, dict):
        return {k: to_device(v, device) for k, v in batch.items()}
    return batch


def _floating(batch: Any) -> list[Tensor]:
    if isinstance(batch, Tensor):
        return [batch] if batch.is_floating_point() else []
    if isinstance(batch, (list, tuple)):
        return [t for b in batch for t in _floating(b)]
    if isinstance(batch, dict):
        return [t for b in batch.values() for t in _floating(b)]
    return []


def agree(batch: Any, stop: bool, world: int) -> tuple[bool, bool]:
    """``(every rank's floating tensors are finite, some rank asks to stop)``.

    One host sync on one process (none for a batch without floating tensors), one all-reduce in
    a distributed run.
    """
    tensors = _floating(batch)
    if world == 1:
        finite = not tensors or bool(torch.stack([torch.isfinite(t).all() for t in tensors]).all())
        return finite, stop
    device = tensors[0].device if tensors else torch.device("cpu")
    if dist.get_backend() == "nccl":
        device = torch.device("cuda", torch.cuda.current_device())
    finite = (torch.stack([torch.isfinite(t).all() for t in tensors]).all().to(device)
              if tensors else torch.ones((), dtype=torch.bool, device=device))
    flags = torch.stack([finite.float(), torch.tensor(float(not stop), device=device)])
    dist.all_reduce(flags, op=dist.ReduceOp.MIN)
    return bool(flags[0] > 0), bool(flags[1] == 0)


def rng_states(device: torch.device, world: int) -> list[dict[str, Tensor]]:
    """Every rank's RNG state (gathered when distributed: every rank must call it)."""
    state = {"torch": torch.get_rng_state()}
    if device.type == "cuda":
        state["cuda"] = torch.cuda.get_rng_state(device)
    if world == 1:
        return [state]
    states: list[Any] = [None] * world
    dist.all_gather_object(states, state)
    return states


class DistributedData:
    """This rank's batches of ``train_set``: its share of every global batch of ``batch_size``."""

    def __init__(self, train_set: Dataset, batch_size: int, seed: int, rank: int, world: int,
                 workers: int, device: torch.device):
        if batch_size % world:
            raise SpecError(f"batch_size {batch_size} is not divisible by the {world} ranks of "
                            "this distributed run")
        if len(train_set) < batch_size:
            raise SpecError(f"Trainer: the training set has {len(train_set)} examples, fewer "
                            f"than one batch of {batch_size}")
        self.train_set, self.batch_size, self.seed = train_set, batch_size, seed
        self.rank, self.workers, self.device = rank, workers, device
        self.local_batch = batch_size // world
        self.sampler = DistributedSampler(train_set, num_replicas=world, rank=rank, shuffle=True,
                                          seed=seed, drop_last=True)
        self.batches_per_epoch = len(self.sampler) // self.local_batch

    def batches(self, start_step: int) -> Iterator[Any]:
        """Batches of this rank from global step ``start_step`` on, forever."""
        epoch, skip = divmod(start_step, self.batches_per_epoch)
        while True:
            self.sampler.set_epoch(epoch)
            indices = list(self.sampler)
            chunks = [indices[i * self.local_batch : (i + 1) * self.local_batch]
                      for i in range(skip, self.batches_per_epoch)]
            # Its own generator: a loader would otherwise draw its workers' base seed from the
            # global RNG at every epoch start, and a resumed run starts an extra epoch iterator.
            seed = self.seed * 100_003 + epoch * 10 + self.rank
            loader = DataLoader(self.train_set, batch_sampler=chunks, num_workers=self.workers,
                                generator=torch.Generator().manual_seed(seed))
            for batch in loader:
                yield to_device(batch, self.device)
            epoch, skip = epoch + 1, 0

    def first_global_batch(self) -> Any:
        """The whole first global batch (what a one-process run sees at step 1), on every rank.

        A distributed run initialises data-dependent layers (ActNorm) on it, so that their
        initial values equal those of the one-process run, instead of rank 0's share only.
        """
        sampler = DistributedSampler(self.train_set, num_replicas=1, rank=0, shuffle=True,
                                     seed=self.seed, drop_last=True)
        sampler.set_epoch(0)
        indices = list(sampler)[: self.batch_size]
        loader = DataLoader(self.train_set, batch_sampler=[indices],
                            generator=torch.Generator().manual_seed(0))
        return to_device(next(iter(loader)), self.device)
