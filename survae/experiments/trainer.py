"""The training loop behind every ``survae train ...`` command.

``Trainer(model, train_set, loss_fn, spec).fit()`` runs Adam (fused) with linear warm-up and
optional cosine or exponential decay, gradient-norm clipping, a progress bar with the loss (and
bits/dim), evaluation every ``eval_every`` steps, atomic checkpoints and an exact resume, a CSV
log (and TensorBoard when it is installed), and a loss-curve PNG. ``spec`` is a
:class:`~survae.experiments.specs.TrainConfig` (or an experiment's spec deriving from it). Launched
by ``torchrun`` it trains with ``DistributedDataParallel`` (:mod:`survae.experiments.distributed`):
each rank takes its share of every global batch, gradients are averaged, and only rank 0
evaluates, logs and writes checkpoints.

Exact resume: the checkpoint holds the model, optimizer, scheduler, step, skipped-batch count,
every rank's RNG state and the spec; the data order is a function of ``(seed, epoch)`` only, so a
run of ``2N`` steps and a run of ``N`` steps resumed for ``N`` more end with identical parameters.
A checkpoint whose model or data options differ from the spec's is refused (naming them); changed
optimiser or schedule options are applied from the resumed step, and said.

Faults: a batch with NaN/inf values, a non-finite loss or non-finite gradients skip the step (on
every rank at once; also the first batch, before any data-dependent initialisation sees it), are
counted, and stop the run after ``max_nonfinite`` in a row; a checkpoint is never written while a
parameter is non-finite. SIGINT/SIGTERM end the run after the current step with a checkpoint of
the last finished step and raise :class:`~survae.experiments.errors.Interrupted`.

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

import math
import signal
import sys
import threading
import time
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import torch
from torch import Tensor, nn

from survae.experiments.compiled_step import CompiledStep
from survae.experiments.config import OPTIM, TrainConfig, resume_differences
from survae.experiments.distributed import DistributedData, agree, distributed_setup, rng_states
from survae.experiments.errors import Interrupted, ResumeMismatch, RunStopped
from survae.experiments.run_files import (
    CHECKPOINT,
    LOG,
    RunFolder,
    append_log_row,
    atomic_torch_save,
    load_checkpoint,
    tensorboard_writer,
    truncate_log,
)
from survae.experiments.training import all_finite, torch_threads

__all__ = ["Trainer", "TrainConfig", "default_optimizer", "learning_rate_factor",
           "seed_everything"]


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
        cosine = 0.5 * (1 + math.cos(math.pi * min(after / span, 1.0)))
        return config.min_lr_ratio + (1 - config.min_lr_ratio) * cosine
    if config.decay == "exponential":
        return config.gamma**after
    return 1.0


def default_optimizer(model: nn.Module, config: TrainConfig) -> torch.optim.Adam:
    """Adam with ``config.lr`` and ``config.weight_decay``, fused when it can be.

    The fused kernel (``fused=True``: one pass over all parameters per step instead of a few
    small ops per tensor) gives the same update up to rounding; on the CPU it is the cheapest
    one (Python's per-tensor loop is torch's default there). It is used when every parameter is
    a floating tensor on the CPU or a CUDA device, else the default implementation.

    Example:
        >>> net = nn.Linear(3, 2)
        >>> default_optimizer(net, TrainConfig(lr=1e-2)).defaults["fused"]
        True
    """
    params = list(model.parameters())
    fused = bool(params) and all(p.is_floating_point() and p.device.type in ("cpu", "cuda")
                                 for p in params)
    return torch.optim.Adam(params, lr=config.lr, weight_decay=config.weight_decay,
                            fused=fused or None)


class _LossModule(nn.Module):
    """Wraps ``loss_fn(model, batch)`` as a module, so DDP sees the whole loss in ``forward``."""

    def __init__(self, model: nn.Module, loss_fn: Callable[[nn.Module, Any], Tensor]):
        super().__init__()
        self.model = model
        self.loss_fn = loss_fn

    def forward(self, batch: Any) -> Tensor:
        return self.loss_fn(self.model, batch)


class Trainer:
    """Train ``model`` on ``train_set`` by minimising ``loss_fn`` (see the module docstring).

    Args:
        model: the module to train (a ``Flow`` or anything with parameters).
        train_set: a map-style ``Dataset``; a batch is what ``DataLoader`` collates from it.
        loss_fn: ``loss_fn(model, batch) -> scalar`` loss, the mean over the batch in nats per
            example (e.g. ``-model.log_prob(x).mean()``).
        config: the run's spec (a ``TrainConfig`` or an experiment's spec).
        eval_fn: ``eval_fn(model) -> dict`` of metrics, run on rank 0 under ``no_grad`` in eval
            mode every ``eval_every`` steps and at the end.
        num_dims: dimensions per example; the bar and log then show bits per dim
            ``loss / (num_dims * ln 2)``.
        metadata: plain values stored in the checkpoint (e.g. how to rebuild the model).
        optimizer: optional optimizer (default: :func:`default_optimizer`, Adam with ``lr``
            and ``weight_decay``, fused when every parameter allows it).
        compile_options: ``torch.compile`` keyword options of the compiled step when
            ``config.compile`` is on (see :class:`~survae.experiments.compiled_step.CompiledStep`).
    """

    def __init__(self, model: nn.Module, train_set, loss_fn: Callable[[nn.Module, Any], Tensor],
                 config: TrainConfig, eval_fn: Callable[[nn.Module], dict] | None = None,
                 num_dims: int | None = None, metadata: dict[str, Any] | None = None,
                 optimizer: torch.optim.Optimizer | None = None,
                 compile_options: dict[str, Any] | None = None):
        self.config = config
        self.compile_options = dict(compile_options or {})
        self.rank, self.world, self.device = distributed_setup(config.device)
        self.data = DistributedData(train_set, config.batch_size, config.seed, self.rank,
                                    self.world, config.workers, self.device)
        self.model = model.to(self.device)
        self.loss_fn, self.eval_fn, self.num_dims = loss_fn, eval_fn, num_dims
        self.metadata = dict(metadata or {})
        self.out = Path(config.out)
        self.optimizer = optimizer or default_optimizer(self.model, config)
        self.scheduler = torch.optim.lr_scheduler.LambdaLR(
            self.optimizer, lambda step: learning_rate_factor(step, self.config))
        self.step = self.skipped = self.consecutive_bad = 0
        self.checkpoint_step: int | None = None  # step of the last checkpoint in the run folder
        self._signal: int | None = None

    # ---------------------------------------------------------- checkpoints
    def save_checkpoint(self) -> Path | None:
        """Write ``out/checkpoint.pt`` atomically (rank 0; skipped if a weight is non-finite)."""
        states = rng_states(self.device, self.world)  # every rank takes part in the gather
        path = self.out / CHECKPOINT
        if self.rank != 0:
            return None
        if not all_finite(self.model):
            warnings.warn(f"step {self.step}: non-finite weights; checkpoint not written",
                          stacklevel=2)
            return None
        atomic_torch_save({
            "model": self.model.state_dict(), "optimizer": self.optimizer.state_dict(),
            "scheduler": self.scheduler.state_dict(), "step": self.step,
            "skipped": self.skipped, "rng": states, "world_size": self.world,
            "kind": self.config.kind, "config": self.config.to_dict(), "metadata": self.metadata,
        }, path)
        self.checkpoint_step = self.step
        return path

    def load_checkpoint(self, path: str | Path) -> None:
        """Restore a checkpoint written by ``save_checkpoint`` (same model and data options)."""
        state = load_checkpoint(path, ("model", "optimizer", "scheduler", "step", "skipped",
                                       "rng"))
        kind = state.get("kind")
        if kind and self.config.kind and kind != self.config.kind:
            raise ResumeMismatch(f"cannot resume {path}: it is a checkpoint of `survae train "
                                 f"{kind}`, not of `survae train {self.config.kind}`")
        saved = {**(state.get("metadata") or {}), **(state.get("config") or {})}
        changed = resume_differences(saved, self.config)
        if changed:
            detail = ", ".join(f"{k}: {a!r} -> {b!r}" for k, (a, b) in changed.items())
            raise ResumeMismatch(f"cannot resume {path}: model or data options differ from the "
                                 f"checkpoint's ({detail}); use another --out, or --overwrite")
        self.model.load_state_dict(state["model"])
        self.optimizer.load_state_dict(state["optimizer"])
        self.scheduler.load_state_dict(state["scheduler"])
        self.step = self.checkpoint_step = int(state["step"])
        self.skipped = int(state["skipped"])
        self._apply_changed_schedule(resume_differences(saved, self.config, (OPTIM,)))
        states = state["rng"]
        if len(states) != self.world:
            warnings.warn(f"resuming a {len(states)}-process run with {self.world} processes: the "
                          "data order and random draws will differ from an uninterrupted run",
                          stacklevel=2)
        mine = states[self.rank % len(states)]
        torch.set_rng_state(mine["torch"])
        if "cuda" in mine and self.device.type == "cuda":
            torch.cuda.set_rng_state(mine["cuda"], self.device)

    def _apply_changed_schedule(self, changed: dict[str, tuple[Any, Any]]) -> None:
        """Optimiser/schedule options that differ from the checkpoint's take effect now."""
        if not changed:
            return
        lr = self.config.lr
        self.scheduler.base_lrs = [lr for _ in self.optimizer.param_groups]
        for group in self.optimizer.param_groups:
            group["initial_lr"] = lr
            if "weight_decay" in group:
                group["weight_decay"] = self.config.weight_decay
            group["lr"] = lr * learning_rate_factor(self.scheduler.last_epoch, self.config)
        self.scheduler._last_lr = [g["lr"] for g in self.optimizer.param_groups]
        if self.rank == 0:
            detail = ", ".join(f"{k} {a!r} -> {b!r}" for k, (a, b) in changed.items())
            print(f"resume: applying changed optimiser/schedule options from step {self.step}: "
                  f"{detail}", file=sys.stderr)

    # ------------------------------------------------------------ training
    def evaluate(self) -> dict[str, float]:
        """Run ``eval_fn`` (rank 0) under ``no_grad`` in eval mode; return its metrics."""
        if self.eval_fn is None or self.rank != 0:
            return {}
        was_training = self.model.training
        self.model.eval()
        try:
            with torch.no_grad():
                return {k: float(v) for k, v in self.eval_fn(self.model).items()}
        finally:
            self.model.train(was_training)

    def _bad_batch(self, what: str) -> None:
        self.skipped += 1
        self.consecutive_bad += 1
        self.step += 1
        with warnings.catch_warnings():  # the schedule follows the step count, skipped or not
            warnings.filterwarnings("ignore", message="Detected call of `lr_scheduler.step")
            self.scheduler.step()
        if self.rank == 0:
            warnings.warn(f"step {self.step}: {what}; batch skipped", stacklevel=3)
        if self.consecutive_bad >= self.config.max_nonfinite:
            last = (f"the checkpoint of step {self.checkpoint_step} holds the last finite weights"
                    if self.checkpoint_step is not None else "no checkpoint was written")
            raise RunStopped(
                f"training stopped at step {self.step}: {self.consecutive_bad} consecutive "
                "non-finite batches, losses or gradients (lower the learning rate, or check the "
                f"data and the model's support); {last}")

    def _on_signal(self, signum: int, frame: Any) -> None:
        if self._signal is not None:  # a second Ctrl-C: stop at once
            raise KeyboardInterrupt
        self._signal = signum

    def fit(self, stop_at: int | None = None) -> dict[str, Any]:
        """Train up to ``config.steps`` steps; return the final metrics (see the module doc).

        ``stop_at`` ends the run early at that step, as an interruption would (the checkpoint is
        written; ``resume`` then continues with the schedule of the full ``config.steps``).
        """
        handlers = {}
        if threading.current_thread() is threading.main_thread():
            handlers = {s: signal.signal(s, self._on_signal)
                        for s in (signal.SIGINT, signal.SIGTERM)}
        try:
            with RunFolder(self.out, self.config.resume, self.config.overwrite), \
                    torch_threads(self.config.threads):
                return self._fit(time.perf_counter(), min(stop_at or self.config.steps,
                                                          self.config.steps))
        finally:
            for signum, handler in handlers.items():
                signal.signal(signum, handler)

    def _start(self) -> bool:
        """Resume or start afresh (rank 0 keeps the log in step); True for a fresh start."""
        checkpoint = self.out / CHECKPOINT
        if self.config.resume and checkpoint.exists():
            self.load_checkpoint(checkpoint)
            if self.rank == 0:
                truncate_log(self.out / LOG, self.step)
                print(f"resumed from {checkpoint} at step {self.step}", file=sys.stderr)
            return False
        if self.rank == 0:
            if self.config.resume:
                print(f"--resume: no checkpoint at {checkpoint}; starting from step 0",
                      file=sys.stderr)
            (self.out / LOG).unlink(missing_ok=True)  # a fresh run starts a fresh log
        return True

    def _fit(self, start: float, stop_at: int) -> dict[str, Any]:
        config = self.config
        fresh = self._start()
        batches = self.data.batches(self.step)
        loss_module: nn.Module = _LossModule(self.model, self.loss_fn)
        if self.world > 1:
            first = self.data.first_global_batch()
            if fresh and agree(first, False, self.world)[0]:
                with torch.no_grad():  # data-dependent initialisation on the whole global batch
                    self.model.train()
                    loss_module(first)
            device_ids = [self.device.index] if self.device.type == "cuda" else None
            loss_module = nn.parallel.DistributedDataParallel(loss_module, device_ids=device_ids)
        if config.compile:  # one batch shape (whole batches only): compiled once
            loss_module = CompiledStep(loss_module, **self.compile_options)
        writer = tensorboard_writer(self.out) if self.rank == 0 else None
        bar = None
        if self.rank == 0 and not config.quiet:
            from tqdm.auto import tqdm

            # disable=None: no bar when stderr is not a terminal (logs and CI stay readable)
            bar = tqdm(total=config.steps, initial=self.step, desc="train", dynamic_ncols=True,
                       disable=None)
        self.model.train()
        running, count, grad_norm, train_loss = 0.0, 0, float("nan"), float("nan")
        while self.step < stop_at:
            batch = next(batches)
            finite_batch, stop = agree(batch, self._signal is not None, self.world)
            if stop:
                self._interrupt(bar)
            if not finite_batch:
                self._bad_batch("non-finite values in the batch")
                continue
            loss = loss_module(batch)
            if loss.dim() != 0:
                raise ValueError(f"Trainer: loss_fn must return a scalar, got shape "
                                 f"{tuple(loss.shape)}")
            if not agree(loss.detach(), False, self.world)[0]:
                self._bad_batch(f"non-finite loss ({float(loss.detach())})")
                continue
            self.optimizer.zero_grad(set_to_none=True)
            loss.backward()
            grad_norm = self._clip_gradients()
            if not math.isfinite(grad_norm):
                self.optimizer.zero_grad(set_to_none=True)
                self._bad_batch("non-finite gradient")
                continue
            self.optimizer.step()
            self.scheduler.step()
            self.consecutive_bad = 0
            self.step += 1
            running, count = running + float(loss.detach()), count + 1
            if bar is not None:
                bar.update(1)
            last = self.step == stop_at
            row: dict[str, Any] = {}
            if self.step % config.log_every == 0 or last:
                train_loss, running, count = running / count, 0.0, 0
                row = self._row(train_loss, grad_norm, start)
                if bar is not None:
                    bar.set_postfix({k: f"{row[k]:.4f}" for k in ("loss_nats", "bpd")
                                     if row[k] != ""})
            if config.eval_every and self.step % config.eval_every == 0 and not last:
                evaluated = self.evaluate()
                if evaluated:
                    row.update(evaluated, step=self.step)
            if self.rank == 0 and row:
                append_log_row(self.out / LOG, row)
                for key, value in row.items():
                    if writer is not None and isinstance(value, float):
                        writer.add_scalar(key, value, self.step)
            if config.checkpoint_every and self.step % config.checkpoint_every == 0 and not last:
                self.save_checkpoint()
        if bar is not None:
            bar.close()
        final_eval = self.evaluate()
        if self.rank == 0 and final_eval:
            append_log_row(self.out / LOG, {"step": self.step, **final_eval})
        self.save_checkpoint()
        if self.rank == 0:
            from survae.experiments.plots import plot_loss

            plot_loss(self.out / LOG, self.out / "loss.png")
        if writer is not None:
            writer.close()
        if self.world > 1:
            torch.distributed.barrier()  # no rank leaves while rank 0 still writes
        metrics: dict[str, Any] = {"steps": self.step,
                                   "seconds": round(time.perf_counter() - start, 1),
                                   "train_loss_nats": train_loss, "skipped_batches": self.skipped}
        if self.num_dims:
            metrics["train_bpd"] = self._bpd(train_loss)
        metrics.update(final_eval)
        return metrics

    def _interrupt(self, bar: Any) -> None:
        if bar is not None:
            bar.close()
        name = signal.Signals(self._signal).name if self._signal else "a signal on another rank"
        written = self.save_checkpoint() if self.step > 0 else None
        if written is not None or self.rank != 0:
            what = f"checkpoint of step {self.step} written to {self.out / CHECKPOINT}; " \
                   "continue with --resume"
        else:
            what = "no finished step with finite weights, so no checkpoint was written"
        raise Interrupted(f"interrupted by {name} at step {self.step}: {what}")

    def _clip_gradients(self) -> float:
        params = [p for p in self.model.parameters() if p.grad is not None]
        if self.config.clip_grad_norm:
            return float(torch.nn.utils.clip_grad_norm_(params, self.config.clip_grad_norm))
        if not params:
            return 0.0
        return float(torch.linalg.vector_norm(
            torch.stack([torch.linalg.vector_norm(p.grad) for p in params])))

    def _bpd(self, nats: float) -> float | None:
        return nats / (self.num_dims * math.log(2)) if self.num_dims else None

    def _row(self, train_loss: float, grad_norm: float, start: float) -> dict[str, Any]:
        bpd = self._bpd(train_loss)
        return {"step": self.step, "loss_nats": train_loss, "bpd": bpd if bpd is not None else "",
                "lr": self.scheduler.get_last_lr()[0], "grad_norm": grad_norm,
                "seconds": round(time.perf_counter() - start, 2), "skipped": self.skipped}
