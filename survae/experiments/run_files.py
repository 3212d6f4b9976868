"""The run folder: its lock, atomic writes, checkpoints, the CSV log and ``metrics.json``.

Checkpoints hold only tensors and plain Python values, so ``torch.load(path, weights_only=True)``
reads them (no pickled objects), and every file is written to a temporary file in the run folder
and then renamed: an interrupted save never leaves a corrupt file behind, and the temporary files
of a killed run are removed by the next run that takes the folder.

A run holds its folder through :class:`RunFolder`: a new run refuses a folder that already holds a
run unless it resumes or overwrites it, and a lock file (``.survae.lock``, with the owner's PID)
keeps a second run out while the first is alive; the lock of a dead process is taken over.
"""

from __future__ import annotations

import csv
import io
import json
import math
import os
import shutil
import uuid
from pathlib import Path
from typing import Any

import torch

from survae.experiments.errors import CheckpointError, RunFolderError

CHECKPOINT = "checkpoint.pt"
LOG = "log.csv"
METRICS = "metrics.json"
LOCK = ".survae.lock"
# What a run writes that a new run with ``overwrite`` removes first (other files are replaced
# as the new run writes them; nothing else in the folder is touched).
RUN_RECORDS = (CHECKPOINT, LOG, METRICS, "loss.png", "tensorboard")


def _temporary_beside(path: Path) -> Path:
    """A fresh hidden file name in ``path``'s folder (same file system, so renaming is atomic)."""
    return path.with_name(f".{path.name}.{os.getpid()}.{uuid.uuid4().hex[:8]}.tmp")


def atomic_torch_save(obj: Any, path: str | os.PathLike) -> None:
    """``torch.save`` to a temporary file beside ``path``, then rename it over ``path``."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = _temporary_beside(path)
    try:
        with open(tmp, "wb") as handle:
            torch.save(obj, handle)
            handle.flush()
            os.fsync(handle.fileno())  # the bytes are on disk before the rename makes them live
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def atomic_write_text(text: str, path: str | os.PathLike) -> None:
    """Write ``text`` to ``path`` through a temporary file and a rename."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = _temporary_beside(path)
    try:
        tmp.write_text(text)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def load_checkpoint(path: str | os.PathLike, keys: tuple[str, ...] = ()) -> dict[str, Any]:
    """Load a checkpoint written by ``atomic_torch_save`` (tensors and plain values only).

    Raises :class:`CheckpointError` for a missing, corrupt or foreign file (one that is not a
    mapping with every entry of ``keys``): a file holding other objects is refused, never
    unpickled.
    """
    path = Path(path)
    if not path.is_file():
        raise CheckpointError(f"{path}: no such checkpoint file")
    try:
        state = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as error:  # noqa: BLE001 - every failure of the reader means the same here
        unsafe = "weights_only" in str(error) or "Unsupported global" in str(error)
        why = ("it holds Python objects other than tensors and plain values, which survae does "
               "not load" if unsafe else "the file is corrupt or truncated")
        raise CheckpointError(f"{path}: not a readable survae checkpoint ({why})") from None
    missing = [k for k in keys if not isinstance(state, dict) or k not in state]
    if not isinstance(state, dict) or missing:
        raise CheckpointError(f"{path}: not a checkpoint of a survae run (no {missing} in it)")
    return state


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's live process
        return True
    return True


def _temporary_pid(name: str) -> int | None:
    """The PID in a temporary file name ``.<name>.<pid>.<hex>.tmp`` (None for other files)."""
    parts = name.split(".")
    if name.startswith(".") and name.endswith(".tmp") and len(parts) >= 4 and parts[-3].isdigit():
        return int(parts[-3])
    return None


class RunFolder:
    """Hold a run folder for the duration of a ``with`` block (see the module docstring).

    Re-entrant within one process (an experiment holds the folder around its training, and its
    trainer enters it again). Only the first entry checks the folder:

    - not writable: :class:`RunFolderError`;
    - locked by a live process: :class:`RunFolderError` naming its PID;
    - holding a run (any file but the lock and temporary files) without ``resume`` or
      ``overwrite``: :class:`RunFolderError`; with ``overwrite`` the old run's records
      (checkpoint, log, metrics, loss plot, TensorBoard) are removed.

    Temporary files of dead processes are removed. Only rank 0 of a distributed run (``RANK``)
    holds the folder.
    """

    _held: dict[Path, int] = {}

    def __init__(self, out: str | os.PathLike, resume: bool = False, overwrite: bool = False):
        self.out = Path(out)
        self.resume = resume
        self.overwrite = overwrite
        self.lock = self.out / LOCK
        self.active = int(os.environ.get("RANK", "0")) == 0

    def __enter__(self) -> RunFolder:
        if not self.active:
            return self
        key = self.out.resolve()
        if self._held.get(key):
            self._held[key] += 1
            return self
        try:
            self.out.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise RunFolderError(f"cannot create the run folder {self.out}: "
                                 f"{error.strerror or error}") from None
        self._take_lock()
        self._held[key] = 1
        try:
            self._clean_temporaries()
            self._check_contents()
        except BaseException:
            self.__exit__(None, None, None)
            raise
        return self

    def __exit__(self, *exc: Any) -> None:
        if not self.active:
            return
        key = self.out.resolve()
        self._held[key] -= 1
        if self._held[key] == 0:
            del self._held[key]
            try:
                if self.lock.read_text().strip() == str(os.getpid()):
                    self.lock.unlink()
            except OSError:
                pass

    def _take_lock(self) -> None:
        for _ in range(2):
            try:
                handle = os.open(self.lock, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
            except FileExistsError:
                owner = self._owner()
                if owner is not None and owner != os.getpid() and _alive(owner):
                    raise RunFolderError(
                        f"run folder {self.out} is in use by process {owner} (lock file "
                        f"{self.lock}); wait for that run to end or choose another --out"
                    ) from None
                self.lock.unlink(missing_ok=True)  # a dead process's lock: take it over
                continue
            except OSError as error:
                raise RunFolderError(f"cannot write in the run folder {self.out}: "
                                     f"{error.strerror or error}") from None
            with os.fdopen(handle, "w") as file:
                file.write(f"{os.getpid()}\n")
            return
        raise RunFolderError(f"run folder {self.out}: could not take the lock {self.lock}")

    def _owner(self) -> int | None:
        try:
            text = self.lock.read_text().strip()
        except OSError:
            return None
        return int(text) if text.isdigit() else None

    def _clean_temporaries(self) -> None:
        for path in self.out.iterdir():
            pid = _temporary_pid(path.name)
            if pid is not None and pid != os.getpid() and not _alive(pid):
                path.unlink(missing_ok=True)

    def _check_contents(self) -> None:
        entries = sorted(p.name for p in self.out.iterdir()
                         if p.name != LOCK and _temporary_pid(p.name) is None)
        if not entries or self.resume:
            return
        if not self.overwrite:
            shown = ", ".join(entries[:4]) + (", ..." if len(entries) > 4 else "")
            raise RunFolderError(
                f"run folder {self.out} is not empty ({shown}): add --resume to continue its "
                "run, --overwrite to replace it, or choose another --out"
            )
        for name in RUN_RECORDS:
            path = self.out / name
            if path.is_dir():
                shutil.rmtree(path)
            else:
                path.unlink(missing_ok=True)


def _strict_json(value: Any) -> Any:
    """``value`` with NaN/inf floats replaced by ``None`` (JSON has no NaN)."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {key: _strict_json(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_strict_json(item) for item in value]
    return value


def metrics_line(metrics: dict[str, Any]) -> str:
    """``metrics`` as one strict JSON line (NaN/inf -> null)."""
    return json.dumps(_strict_json(metrics), allow_nan=False)


def write_metrics(metrics: dict[str, Any], run_dir: str | os.PathLike) -> str:
    """Write ``metrics`` as one strict JSON line (NaN/inf -> null) to ``run_dir/metrics.json``."""
    line = metrics_line(metrics)
    atomic_write_text(line + "\n", Path(run_dir) / METRICS)
    return line


def report_metrics(metrics: dict[str, Any], run_dir: str | os.PathLike) -> str:
    """Write ``metrics.json`` in ``run_dir`` and print the same dict as one JSON line."""
    line = write_metrics(metrics, run_dir)
    print(line, flush=True)
    return line


LOG_COLUMNS = ["step", "loss_nats", "bpd", "lr", "grad_norm", "seconds", "skipped"]


def append_log_row(path: Path, row: dict[str, Any]) -> None:
    """Append ``row`` to the CSV log at ``path`` (a new column rewrites it with a wider header)."""
    new = not path.exists()
    fields = LOG_COLUMNS + sorted(k for k in row if k not in LOG_COLUMNS)
    if not new:
        with open(path) as handle:
            header = handle.readline().strip().split(",")
        if set(row) - set(header):  # eval columns appeared: rewrite with the wider header
            with open(path) as handle:
                rows = list(csv.DictReader(handle))
            fields = header + sorted(set(row) - set(header))
            buffer = io.StringIO()
            writer = csv.DictWriter(buffer, fieldnames=fields)
            writer.writeheader()
            writer.writerows(rows)
            atomic_write_text(buffer.getvalue(), path)
        else:
            fields = header
    with open(path, "a", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=fields, restval="")
        if new:
            writer.writeheader()
        writer.writerow({k: row.get(k, "") for k in fields})


def truncate_log(path: Path, step: int) -> None:
    """Drop log rows past ``step`` (they came from an interrupted run resumed at ``step``)."""
    if not path.exists():
        return
    with open(path) as handle:
        rows = list(csv.DictReader(handle))
    if not rows:
        return
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(rows[0].keys()))
    writer.writeheader()
    writer.writerows(r for r in rows if int(r["step"]) <= step)
    atomic_write_text(buffer.getvalue(), path)


def tensorboard_writer(out: Path):
    """A TensorBoard ``SummaryWriter`` logging to ``out/tensorboard``, or None without it."""
    try:
        from torch.utils.tensorboard import SummaryWriter
    except (ImportError, ModuleNotFoundError):
        return None  # TensorBoard is optional: the CSV log is always written
    return SummaryWriter(log_dir=str(out / "tensorboard"))
