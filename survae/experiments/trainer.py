"""The training loop behind every ``survae train ...`` command.

``Trainer(model, train_set, loss_fn, config).fit()`` runs Adam with linear warm-up and optional
cosine or exponential decay, gradient-norm clipping, a progress bar with the loss (and bits/dim),
evaluation every ``eval_every`` steps, atomic checkpoints and an exact resume, a CSV log (and
TensorBoard when it is installed), and a loss-curve PNG. Launched by ``torchrun`` it trains with
``DistributedDataParallel`` (gloo on the CPU, nccl on GPUs): each rank takes its share of every
global batch, gradients are averaged, and only rank 0 evaluates, logs and writes checkpoints.

Exact resume: the checkpoint holds the model, optimizer, scheduler, step, skipped-batch count and
every rank's RNG state; the data order is a function of ``(seed, epoch)`` only, so a run of ``2N``
steps and a run of ``N`` steps resumed for ``N`` more end with identical parameters.

Non-finite losses or gradients skip the batch (on every rank at once), are counted, and stop the run
after ``max_nonfinite`` in a row; a checkpoint is never written while a parameter is non-finite.

Example:
    >>> import torch, tempfile
    >>> from torch.utils.data import TensorDataset
    >>> from survae.distributions import StandardNormal
    >>> from survae.flows import Flow
    >>> from survae.transforms import ActNormBijection
    >>> model = Flow(StandardNormal((2,)), [ActNormBijection(2)])
    >>> data = TensorDataset(torch.randn(256, 2) * 3 + 1)
    >>> loss = lambda m, batch: -m.log_prob(batch[0]).mean()
    >>> config = TrainConfig(out=tempfile.mkdtemp(), steps=20, batch_size=32, quiet=True)
    >>> metrics = Trainer(model, data, loss, config).fit()
    >>> metrics["steps"], sorted(p.name for p in Path(config.out).iterdir())
    (20, ['checkpoint.pt', 'log.csv', 'loss.png'])
"""

from __future__ import annotations

import argparse
import csv
import dataclasses
import math
import os
import sys
import time
import warnings
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

import torch
import torch.distributed as dist
from torch import Tensor, nn
from torch.utils.data import DataLoader, Dataset, DistributedSampler

from survae.experiments.compiled_step import CompiledStep
from survae.experiments.training import (
    all_finite,
    atomic_torch_save,
    atomic_write_text,
    load_checkpoint,
    non_negative_int,
    positive_int,
)

DECAYS = ("none", "cosine", "exponential")
CHECKPOINT = "checkpoint.pt"
LOG = "log.csv"


class ResumeMismatch(ValueError):
    """``--resume`` found a checkpoint of a run with other model or data options."""


@dataclasses.dataclass
class TrainConfig:
    """Settings of one training run (every field is a ``survae train`` flag and a YAML key).

    Attributes:
        out: run folder (checkpoint, log, plots, metrics).
        steps: optimisation steps in all (a resumed run continues up to this count).
        batch_size: global batch size (split evenly over the ranks of a distributed run).
        eval_batch_size: batch size of evaluation passes (experiments use it in ``eval_fn``).
        lr: peak learning rate of Adam.
        weight_decay: Adam's L2 penalty.
        warmup: steps of linear learning-rate warm-up from 0.
        decay: ``"none"``, ``"cosine"`` (to ``min_lr_ratio * lr`` at ``steps``) or
            ``"exponential"`` (``lr * gamma ** step`` after warm-up).
        gamma: factor per step of the exponential decay.
        min_lr_ratio: final learning rate of the cosine decay, relative to ``lr``.
        clip_grad_norm: clip the global gradient norm to this value (``None``/0: no clipping).
        eval_every: evaluate every this many steps (0: only at the end).
        checkpoint_every: checkpoint every this many steps (0: only at the end).
        log_every: write a CSV row (and update the bar) every this many steps.
        seed: seeds the data order (and, through ``seed_everything``, the model's initialisation).
        threads: torch CPU threads per process (0: torch's default).
        device: ``"cpu"``, ``"cuda"``, ``"cuda:1"``... (distributed runs use their local rank).
        resume: continue from ``out/checkpoint.pt`` when it exists.
        quiet: no progress bar.
        max_nonfinite: stop after this many consecutive non-finite batches.
        workers: ``DataLoader`` worker processes.
    """

    out: str = "runs/train"
    steps: int = 1000
    batch_size: int = 64
    eval_batch_size: int = 256
    lr: float = 1e-3
    weight_decay: float = 0.0
    warmup: int = 0
    decay: str = "none"
    gamma: float = 0.9995
    min_lr_ratio: float = 0.0
    clip_grad_norm: float | None = None
    eval_every: int = 0
    checkpoint_every: int = 0
    log_every: int = 50
    seed: int = 0
    threads: int = 1
    device: str = "cpu"
    resume: bool = False
    quiet: bool = False
    max_nonfinite: int = 10
    workers: int = 0

    def __post_init__(self):
        if self.decay not in DECAYS:
            raise ValueError(f"TrainConfig: decay must be one of {DECAYS}, got {self.decay!r}")
        for name in ("steps", "batch_size", "eval_batch_size", "log_every", "max_nonfinite"):
            if int(getattr(self, name)) < 1:
                raise ValueError(f"TrainConfig: {name} must be >= 1, got {getattr(self, name)}")
        if self.lr <= 0:
            raise ValueError(f"TrainConfig: lr must be > 0, got {self.lr}")


_FLAG_TYPES: dict[str, Callable[[str], Any]] = {
    "steps": positive_int,
    "batch_size": positive_int,
    "eval_batch_size": positive_int,
    "lr": float,
    "weight_decay": float,
    "warmup": non_negative_int,
    "gamma": float,
    "min_lr_ratio": float,
    "clip_grad_norm": float,
    "eval_every": non_negative_int,
    "checkpoint_every": non_negative_int,
    "log_every": positive_int,
    "seed": int,
    "threads": non_negative_int,
    "device": str,
    "max_nonfinite": positive_int,
    "workers": non_negative_int,
    "out": str,
}


_FIELD_HELP = {
    line.strip().split(": ", 1)[0]: line.strip().split(": ", 1)[1]
    for line in (TrainConfig.__doc__ or "").splitlines()
    if line.startswith("        ") and not line.startswith("         ") and ": " in line
}


def add_training_arguments(parser: argparse.ArgumentParser, **defaults: Any) -> None:
    """Add the training flags (``--steps``, ``--lr``, ..., ``--config``) to ``parser``.

    ``defaults`` overrides ``TrainConfig``'s defaults for this experiment (``steps=5000``...).
    Precedence, lowest first: these defaults, the YAML file of ``--config``, flags given on the
    command line (see ``parse_with_config``).
    """
    base = dataclasses.asdict(TrainConfig())
    unknown = set(defaults) - set(base)
    if unknown:
        raise ValueError(f"add_training_arguments: unknown settings {sorted(unknown)}")
    base.update(defaults)
    group = parser.add_argument_group("training")
    for name, kind in _FLAG_TYPES.items():
        help_text = _FIELD_HELP.get(name, "")
        group.add_argument(
            "--" + name.replace("_", "-"), dest=name, type=kind, default=base[name], help=help_text
        )
    group.add_argument("--decay", choices=DECAYS, default=base["decay"])
    group.add_argument("--resume", action="store_true", default=base["resume"])
    group.add_argument("--quiet", action="store_true", default=base["quiet"])
    group.add_argument(
        "--config", default=None, help="YAML file of settings (keys: flag names, - or _)"
    )
    parser.set_defaults(_config_parser=parser)


def config_from_args(args: argparse.Namespace) -> TrainConfig:
    """The ``TrainConfig`` of parsed ``args`` (extra experiment flags are ignored)."""
    fields = {f.name for f in dataclasses.fields(TrainConfig)}
    values = {k: v for k, v in vars(args).items() if k in fields}
    if values.get("clip_grad_norm") in (0, 0.0):
        values["clip_grad_norm"] = None
    return TrainConfig(**values)


def load_yaml_settings(path: str | os.PathLike, parser: argparse.ArgumentParser) -> dict:
    """Read a YAML mapping of settings and check every key is a flag of ``parser``."""
    import yaml

    with open(path) as handle:
        data = yaml.safe_load(handle) or {}
    if not isinstance(data, dict):
        raise ValueError(f"--config {path}: expected a mapping of settings, got {type(data)}")
    known = {action.dest for action in parser._actions}
    settings = {str(k).replace("-", "_"): v for k, v in data.items()}
    unknown = sorted(set(settings) - known - {"help"})
    if unknown:
        raise ValueError(f"--config {path}: unknown settings {unknown}; known: {sorted(known)}")
    return settings


def parse_with_config(
    parser: argparse.ArgumentParser, argv: Sequence[str] | None = None
) -> argparse.Namespace:
    """Parse ``argv``; if it names ``--config FILE``, FILE's settings become the defaults of the
    (sub)command that declared ``--config`` and ``argv`` is parsed again, so flags given on the
    command line win over the file and the file wins over the built-in defaults."""
    args = parser.parse_args(argv)
    config_path = getattr(args, "config", None)
    if not config_path:
        return args
    sub = args._config_parser
    sub.set_defaults(**load_yaml_settings(config_path, sub))
    return parser.parse_args(argv)


def seed_everything(seed: int) -> None:
    """Seed torch's global RNG (call before building the model for a reproducible start)."""
    torch.manual_seed(seed)


def learning_rate_factor(step: int, config: TrainConfig) -> float:
    """The multiplier of ``config.lr`` at ``step`` (0-based): linear warm-up, then the decay."""
    if config.warmup > 0 and step < config.warmup:
        return (step + 1) / config.warmup
    after = step - config.warmup
    if config.decay == "cosine":
        span = max(config.steps - config.warmup, 1)
        progress = min(after / span, 1.0)
        cosine = 0.5 * (1 + math.cos(math.pi * progress))
        return config.min_lr_ratio + (1 - config.min_lr_ratio) * cosine
    if config.decay == "exponential":
        return config.gamma**after
    return 1.0


class _LossModule(nn.Module):
    """Wraps ``loss_fn(model, batch)`` as a module, so DDP sees the whole loss in ``forward``."""

    def __init__(self, model: nn.Module, loss_fn: Callable[[nn.Module, Any], Tensor]):
        super().__init__()
        self.model = model
        self.loss_fn = loss_fn

    def forward(self, batch: Any) -> Tensor:
        return self.loss_fn(self.model, batch)


def _to_device(batch: Any, device: torch.device) -> Any:
    if isinstance(batch, Tensor):
        return batch.to(device, non_blocking=True)
    if isinstance(batch, (list, tuple)):
        return type(batch)(_to_device(b, device) for b in batch)
    if isinstance(batch, dict):
        return {k: _to_device(v, device) for k, v in batch.items()}
    return batch


def _distributed_setup(config: TrainConfig) -> tuple[int, int, torch.device]:
    """(rank, world size, device); initialises the process group when launched by torchrun."""
    world = int(os.environ.get("WORLD_SIZE", "1"))
    if world > 1 and not dist.is_initialized():
        backend = "nccl" if config.device.startswith("cuda") else "gloo"
        dist.init_process_group(backend)
    if dist.is_initialized():
        rank, world = dist.get_rank(), dist.get_world_size()
    else:
        rank, world = 0, 1
    device = torch.device(config.device)
    if device.type == "cuda" and world > 1:
        device = torch.device("cuda", int(os.environ.get("LOCAL_RANK", rank)))
        torch.cuda.set_device(device)
    return rank, world, device


class Trainer:
    """Train ``model`` on ``train_set`` by minimising ``loss_fn`` (see the module docstring).

    Args:
        model: the module to train (a ``Flow`` or anything with parameters).
        train_set: a map-style ``Dataset``; a batch is what ``DataLoader`` collates from it.
        loss_fn: ``loss_fn(model, batch) -> scalar`` loss, the mean over the batch in nats per
            example (e.g. ``-model.log_prob(x).mean()``).
        config: the run's ``TrainConfig``.
        eval_fn: ``eval_fn(model) -> dict`` of metrics, run on rank 0 under ``no_grad`` in eval
            mode every ``eval_every`` steps and at the end.
        num_dims: dimensions per example; the bar and log then show bits per dim
            ``loss / (num_dims * ln 2)``.
        metadata: plain values stored in the checkpoint (e.g. how to rebuild the model).
        optimizer: optional optimizer (default Adam with ``lr`` and ``weight_decay``).
        resume_keys: ``metadata`` entries that must equal the checkpoint's for ``resume``
            (a different model or data set raises :class:`ResumeMismatch`).
        compile: compile the training loss with ``torch.compile`` (see
            :class:`~survae.experiments.compiled_step.CompiledStep`: static shapes, one line on
            stderr and eager execution if compilation fails); ``True`` or a dict of
            ``torch.compile`` options.
    """

    def __init__(
        self,
        model: nn.Module,
        train_set: Dataset,
        loss_fn: Callable[[nn.Module, Any], Tensor],
        config: TrainConfig,
        eval_fn: Callable[[nn.Module], dict[str, float]] | None = None,
        num_dims: int | None = None,
        metadata: dict[str, Any] | None = None,
        optimizer: torch.optim.Optimizer | None = None,
        resume_keys: Sequence[str] = (),
        compile: bool | dict[str, Any] = False,
    ):
        self.config = config
        self.compile = compile
        self.rank, self.world, self.device = _distributed_setup(config)
        if config.batch_size % self.world:
            raise ValueError(
                f"Trainer: batch_size {config.batch_size} is not divisible by the {self.world} "
                "ranks of this distributed run"
            )
        self.local_batch = config.batch_size // self.world
        if len(train_set) < config.batch_size:
            raise ValueError(
                f"Trainer: the training set has {len(train_set)} examples, fewer than one batch "
                f"of {config.batch_size}"
            )
        self.model = model.to(self.device)
        self.train_set = train_set
        self.loss_fn = loss_fn
        self.eval_fn = eval_fn
        self.num_dims = num_dims
        self.metadata = dict(metadata or {})
        self.resume_keys = tuple(resume_keys)
        self.out = Path(config.out)
        self.optimizer = optimizer or torch.optim.Adam(
            self.model.parameters(), lr=config.lr, weight_decay=config.weight_decay
        )
        self.scheduler = torch.optim.lr_scheduler.LambdaLR(
            self.optimizer, lambda step: learning_rate_factor(step, config)
        )
        self.sampler = DistributedSampler(
            train_set,
            num_replicas=self.world,
            rank=self.rank,
            shuffle=True,
            seed=config.seed,
            drop_last=True,
        )
        self.batches_per_epoch = len(self.sampler) // self.local_batch
        self.step = 0
        self.skipped = 0
        self.consecutive_bad = 0
        self.history: list[dict[str, float]] = []
        self.last_eval: dict[str, float] = {}

    # ------------------------------------------------------------------ data
    def _batches(self, start_step: int) -> Iterator[Any]:
        """Batches of this rank from global step ``start_step`` on, forever."""
        epoch, skip = divmod(start_step, self.batches_per_epoch)
        while True:
            self.sampler.set_epoch(epoch)
            indices = list(self.sampler)
            chunks = [
                indices[i * self.local_batch : (i + 1) * self.local_batch]
                for i in range(skip, self.batches_per_epoch)
            ]
            # Its own generator: a loader would otherwise draw its workers' base seed from the
            # global RNG at every epoch start, and a resumed run starts an extra epoch iterator.
            seed = self.config.seed * 100_003 + epoch * 10 + self.rank
            loader = DataLoader(
                self.train_set,
                batch_sampler=chunks,
                num_workers=self.config.workers,
                generator=torch.Generator().manual_seed(seed),
            )
            for batch in loader:
                yield _to_device(batch, self.device)
            epoch, skip = epoch + 1, 0

    def _first_global_batch(self) -> Any:
        """The whole first global batch (what a one-process run sees at step 1), on every rank.

        A distributed run initialises data-dependent layers (ActNorm) on it, so that their
        initial values equal those of the one-process run, instead of rank 0's share only.
        """
        sampler = DistributedSampler(
            self.train_set, num_replicas=1, rank=0, shuffle=True, seed=self.config.seed,
            drop_last=True,
        )
        sampler.set_epoch(0)
        indices = list(sampler)[: self.config.batch_size]
        loader = DataLoader(
            self.train_set, batch_sampler=[indices], generator=torch.Generator().manual_seed(0)
        )
        return _to_device(next(iter(loader)), self.device)

    # ---------------------------------------------------------- checkpoints
    def _rng_states(self) -> list[dict[str, Tensor]]:
        state = {"torch": torch.get_rng_state()}
        if self.device.type == "cuda":
            state["cuda"] = torch.cuda.get_rng_state(self.device)
        if self.world == 1:
            return [state]
        states: list[Any] = [None] * self.world
        dist.all_gather_object(states, state)
        return states

    def save_checkpoint(self) -> Path | None:
        """Write ``out/checkpoint.pt`` atomically (rank 0; skipped if a weight is non-finite)."""
        states = self._rng_states()  # every rank takes part in the gather
        path = self.out / CHECKPOINT
        if self.rank != 0:
            return None
        if not all_finite(self.model):
            message = f"step {self.step}: non-finite weights; checkpoint not written"
            warnings.warn(message, stacklevel=2)
            return None
        atomic_torch_save(
            {
                "model": self.model.state_dict(),
                "optimizer": self.optimizer.state_dict(),
                "scheduler": self.scheduler.state_dict(),
                "step": self.step,
                "skipped": self.skipped,
                "rng": states,
                "world_size": self.world,
                "config": dataclasses.asdict(self.config),
                "metadata": self.metadata,
            },
            path,
        )
        return path

    def load_checkpoint(self, path: str | os.PathLike) -> None:
        """Restore a checkpoint written by ``save_checkpoint`` (same model and world size)."""
        state = load_checkpoint(path)
        saved = state.get("metadata") or {}
        changed = [k for k in self.resume_keys
                   if k in saved and k in self.metadata and saved[k] != self.metadata[k]]
        if changed:
            detail = ", ".join(f"{k}: {saved[k]!r} -> {self.metadata[k]!r}" for k in changed)
            raise ResumeMismatch(f"cannot resume {path}: options differ from the run ({detail})")
        self.model.load_state_dict(state["model"])
        self.optimizer.load_state_dict(state["optimizer"])
        self.scheduler.load_state_dict(state["scheduler"])
        self.step = int(state["step"])
        self.skipped = int(state["skipped"])
        states = state["rng"]
        if len(states) != self.world:
            warnings.warn(
                f"resuming a {len(states)}-process run with {self.world} processes: the data "
                "order and random draws will differ from an uninterrupted run",
                stacklevel=2,
            )
        mine = states[self.rank % len(states)]
        torch.set_rng_state(mine["torch"])
        if "cuda" in mine and self.device.type == "cuda":
            torch.cuda.set_rng_state(mine["cuda"], self.device)

    # ------------------------------------------------------------- logging
    def _bpd(self, nats: float) -> float | None:
        return nats / (self.num_dims * math.log(2)) if self.num_dims else None

    def _log_row(self, row: dict[str, Any]) -> None:
        path = self.out / LOG
        new = not path.exists()
        fields = ["step", "loss_nats", "bpd", "lr", "grad_norm", "seconds", "skipped"]
        fields += sorted(k for k in row if k not in fields)
        if not new:
            with open(path) as handle:
                header = handle.readline().strip().split(",")
            if set(row) - set(header):  # eval columns appeared: rewrite with the wider header
                rows = list(csv.DictReader(open(path)))
                fields = header + sorted(set(row) - set(header))
                with open(path, "w", newline="") as handle:
                    writer = csv.DictWriter(handle, fieldnames=fields)
                    writer.writeheader()
                    writer.writerows(rows)
            else:
                fields = header
        with open(path, "a", newline="") as handle:
            writer = csv.DictWriter(handle, fieldnames=fields, restval="")
            if new:
                writer.writeheader()
            writer.writerow({k: row.get(k, "") for k in fields})

    def _truncate_log(self) -> None:
        """Drop log rows past the resumed step (they came from the interrupted run)."""
        path = self.out / LOG
        if not path.exists():
            return
        with open(path) as handle:
            rows = list(csv.DictReader(handle))
            fields = list(rows[0].keys()) if rows else None
        if fields is None:
            return
        kept = [r for r in rows if int(r["step"]) <= self.step]
        import io

        buffer = io.StringIO()
        writer = csv.DictWriter(buffer, fieldnames=fields)
        writer.writeheader()
        writer.writerows(kept)
        atomic_write_text(buffer.getvalue(), path)

    def plot_loss(self) -> Path | None:
        """Write ``out/loss.png`` (training loss, and eval metrics, against the step)."""
        path = self.out / LOG
        if not path.exists():
            return None
        with open(path) as handle:
            rows = list(csv.DictReader(handle))
        if not rows:
            return None
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt

        steps = [int(r["step"]) for r in rows]
        fig, ax = plt.subplots(figsize=(6, 4))
        has_bpd = any(r.get("bpd") for r in rows)
        key, unit = ("bpd", "bits/dim") if has_bpd else ("loss_nats", "nats")
        train = [(s, float(r[key])) for s, r in zip(steps, rows) if r.get(key)]
        if train:
            ax.plot(*zip(*train), label=f"train ({unit})", lw=1)
        for column in rows[0]:
            if column.startswith("test_") or column.startswith("eval_"):
                pts = [(int(r["step"]), float(r[column])) for r in rows if r.get(column)]
                if pts and (column.endswith("bpd") == (key == "bpd")):
                    ax.plot(*zip(*pts), "o-", label=column, ms=3)
        ax.set_xlabel("step")
        ax.set_ylabel(unit)
        ax.legend()
        ax.grid(alpha=0.3)
        fig.tight_layout()
        out = self.out / "loss.png"
        tmp = out.with_name(".loss.tmp.png")
        fig.savefig(tmp, dpi=100)
        plt.close(fig)
        os.replace(tmp, out)
        return out

    # ------------------------------------------------------------ training
    def evaluate(self) -> dict[str, float]:
        """Run ``eval_fn`` (rank 0) under ``no_grad`` in eval mode; return its metrics."""
        if self.eval_fn is None or self.rank != 0:
            return {}
        was_training = self.model.training
        self.model.eval()
        try:
            with torch.no_grad():
                metrics = {k: float(v) for k, v in self.eval_fn(self.model).items()}
        finally:
            self.model.train(was_training)
        self.last_eval = metrics
        return metrics

    def _all_ranks_finite(self, loss: Tensor) -> bool:
        ok = torch.isfinite(loss.detach()).to(torch.float32).reshape(1)
        if self.world > 1:
            dist.all_reduce(ok, op=dist.ReduceOp.MIN)
        return bool(ok.item() > 0)

    def _bad_batch(self, what: str) -> None:
        self.skipped += 1
        self.consecutive_bad += 1
        if self.rank == 0:
            warnings.warn(f"step {self.step + 1}: {what}; batch skipped", stacklevel=3)
        if self.consecutive_bad >= self.config.max_nonfinite:
            raise RuntimeError(
                f"training stopped at step {self.step + 1}: {self.consecutive_bad} consecutive "
                "non-finite losses or gradients (lower the learning rate, or check the data and "
                "the model's support); the last checkpoint holds the last finite weights"
            )

    def fit(self, stop_at: int | None = None) -> dict[str, Any]:
        """Train up to ``config.steps`` steps; return the final metrics (see the module doc).

        ``stop_at`` ends the run early at that step, as an interruption would (the checkpoint is
        written; ``resume`` then continues with the schedule of the full ``config.steps``).
        """
        config = self.config
        start = time.perf_counter()
        previous_threads = torch.get_num_threads()
        if config.threads > 0:
            torch.set_num_threads(config.threads)
        try:
            return self._fit(start, min(stop_at or config.steps, config.steps))
        finally:
            torch.set_num_threads(previous_threads)

    def _fit(self, start: float, stop_at: int) -> dict[str, Any]:
        config = self.config
        checkpoint = self.out / CHECKPOINT
        if self.rank == 0:
            self.out.mkdir(parents=True, exist_ok=True)
        fresh = True
        if config.resume and checkpoint.exists():
            self.load_checkpoint(checkpoint)
            fresh = False
            if self.rank == 0:
                self._truncate_log()
                print(f"resumed from {checkpoint} at step {self.step}", file=sys.stderr)
        else:
            if config.resume and self.rank == 0:
                print(f"--resume: no checkpoint at {checkpoint}; starting from step 0",
                      file=sys.stderr)
            if self.rank == 0 and (self.out / LOG).exists():
                (self.out / LOG).unlink()  # a fresh run starts a fresh log
        batches = self._batches(self.step)
        loss_module: nn.Module = _LossModule(self.model, self.loss_fn)
        if self.world > 1:
            if fresh:  # data-dependent initialisation (ActNorm...) on the first global batch
                with torch.no_grad():
                    self.model.train()
                    loss_module(self._first_global_batch())
            device_ids = [self.device.index] if self.device.type == "cuda" else None
            loss_module = nn.parallel.DistributedDataParallel(loss_module, device_ids=device_ids)
        if self.compile:
            options = self.compile if isinstance(self.compile, dict) else {}
            loss_module = CompiledStep(loss_module, **options)
        writer = self._tensorboard()
        bar = None
        if self.rank == 0 and not config.quiet:
            from tqdm.auto import tqdm

            # disable=None: no bar when stderr is not a terminal (logs and CI stay readable)
            bar = tqdm(total=config.steps, initial=self.step, desc="train", dynamic_ncols=True,
                       disable=None)
        self.model.train()
        running, count, grad_norm = 0.0, 0, float("nan")
        train_loss = float("nan")
        while self.step < stop_at:
            batch = next(batches)
            loss = loss_module(batch)
            if loss.dim() != 0:
                raise ValueError(
                    f"Trainer: loss_fn must return a scalar, got shape {tuple(loss.shape)}"
                )
            if not self._all_ranks_finite(loss):
                self._bad_batch(f"non-finite loss ({float(loss.detach())})")
                self.step += 1
                self._skip_schedule()
                continue
            self.optimizer.zero_grad(set_to_none=True)
            loss.backward()
            params = [p for p in self.model.parameters() if p.grad is not None]
            if config.clip_grad_norm:
                norm = torch.nn.utils.clip_grad_norm_(params, config.clip_grad_norm)
            elif params:
                norm = torch.linalg.vector_norm(
                    torch.stack([torch.linalg.vector_norm(p.grad) for p in params])
                )
            else:
                norm = torch.zeros(())
            grad_norm = float(norm)
            if not math.isfinite(grad_norm):
                self.optimizer.zero_grad(set_to_none=True)
                self._bad_batch("non-finite gradient")
                self.step += 1
                self._skip_schedule()
                continue
            self.optimizer.step()
            self.scheduler.step()
            self.consecutive_bad = 0
            self.step += 1
            value = float(loss.detach())
            running, count = running + value, count + 1
            if bar is not None:
                bar.update(1)
            last = self.step == stop_at
            if self.step % config.log_every == 0 or last:
                train_loss = running / count
                running, count = 0.0, 0
                row = self._row(train_loss, grad_norm, start)
                if bar is not None:
                    shown = {"loss": f"{train_loss:.4f}"}
                    if row.get("bpd") != "":
                        shown["bpd"] = f"{row['bpd']:.4f}"
                    bar.set_postfix(shown)
                if config.eval_every and self.step % config.eval_every == 0 and not last:
                    row.update(self.evaluate())
                if self.rank == 0:
                    self._log_row(row)
                    if writer is not None:
                        for key, val in row.items():
                            if isinstance(val, float) and key not in ("step",):
                                writer.add_scalar(key, val, self.step)
            elif config.eval_every and self.step % config.eval_every == 0:
                metrics = self.evaluate()
                if self.rank == 0 and metrics:
                    self._log_row({"step": self.step, **metrics})
            if config.checkpoint_every and self.step % config.checkpoint_every == 0 and not last:
                self.save_checkpoint()
        if bar is not None:
            bar.close()
        final_eval = self.evaluate()
        if self.rank == 0 and final_eval:
            self._log_row({"step": self.step, **final_eval})
        self.save_checkpoint()
        if self.rank == 0:
            self.plot_loss()
        if writer is not None:
            writer.close()
        if self.world > 1:
            dist.barrier()  # no rank leaves (and tears down the group) while rank 0 still writes
        metrics: dict[str, Any] = {
            "steps": self.step,
            "seconds": round(time.perf_counter() - start, 1),
            "train_loss_nats": train_loss,
            "skipped_batches": self.skipped,
        }
        if self.num_dims:
            metrics["train_bpd"] = self._bpd(train_loss)
        metrics.update(final_eval)
        return metrics

    def _skip_schedule(self) -> None:
        """Advance the schedule past a skipped batch (the learning rate follows the step count;
        torch warns when this happens before any optimizer step: expected here)."""
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", message="Detected call of `lr_scheduler.step")
            self.scheduler.step()

    def _row(self, train_loss: float, grad_norm: float, start: float) -> dict[str, Any]:
        bpd = self._bpd(train_loss)
        return {
            "step": self.step,
            "loss_nats": train_loss,
            "bpd": bpd if bpd is not None else "",
            "lr": self.scheduler.get_last_lr()[0],
            "grad_norm": grad_norm,
            "seconds": round(time.perf_counter() - start, 2),
            "skipped": self.skipped,
        }

    def _tensorboard(self):
        if self.rank != 0:
            return None
        try:
            from torch.utils.tensorboard import SummaryWriter
        except (ImportError, ModuleNotFoundError):
            return None  # TensorBoard is optional: the CSV log is always written
        return SummaryWriter(log_dir=str(self.out / "tensorboard"))
