"""The errors of ``survae`` runs that the command line reports as one line, without a traceback.

``UserError`` and its subclasses are a user's mistakes (a bad option, a missing or foreign
checkpoint, a busy run folder...): ``survae`` prints ``survae: <message>`` on stderr and exits
with status 2 (``--debug`` shows the traceback instead). ``RunStopped`` ends a run that cannot go
on (non-finite losses; exit status 1) and ``Interrupted`` a run stopped by SIGINT/SIGTERM after
its checkpoint was written (exit status 130).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator


class UserError(Exception):
    """A user's mistake: reported as one line on stderr, exit status 2."""

    exit_code = 2


class SpecError(UserError, ValueError):
    """An option of a run spec has the wrong type or lies outside its range."""


class ResumeMismatch(UserError, ValueError):
    """``resume`` found a checkpoint of a run with other model or data options."""


class RunFolderError(UserError):
    """The run folder is busy (locked by a live run), not empty, or not writable."""


class CheckpointError(UserError):
    """A checkpoint is missing, unreadable, or not one of the expected kind of run."""


class RunStopped(RuntimeError):
    """Training stopped: too many consecutive non-finite losses or gradients (exit status 1)."""

    exit_code = 1


class Interrupted(Exception):
    """SIGINT/SIGTERM stopped the run; the checkpoint of the last finished step is written."""

    exit_code = 130


@contextlib.contextmanager
def dataset_errors(name: str, root: str) -> Iterator[None]:
    """Turn a dataset that cannot be loaded (missing files, no torchvision) into a ``UserError``."""
    try:
        yield
    except (RuntimeError, OSError, ImportError) as error:
        reason = (str(error).strip().splitlines() or [type(error).__name__])[0]
        raise UserError(f"dataset {name}: cannot load it from {root!r} ({reason}); add "
                        "--download to let torchvision fetch it, or point --data-root at its "
                        "files") from None


@contextlib.contextmanager
def model_option_errors(experiment: str) -> Iterator[None]:
    """Turn a model factory's refusal of the options (a ``ValueError``) into a ``SpecError``."""
    try:
        yield
    except ValueError as error:
        if isinstance(error, UserError):
            raise
        raise SpecError(f"survae train {experiment}: the model options do not fit: "
                        f"{error}") from None
