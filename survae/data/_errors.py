"""The one error a dataset raises when its files are missing."""

from __future__ import annotations

import os


class DatasetNotFoundError(FileNotFoundError, RuntimeError):
    """A dataset's files are not where they are expected.

    A ``FileNotFoundError`` and, like the official library's error, a ``RuntimeError``. The
    message names the dataset, the expected file(s) and how to get them.
    """


def missing(dataset: str, expected: str | os.PathLike | list, how: str) -> DatasetNotFoundError:
    """The error for ``dataset``: ``expected`` (a path or a list of paths) is absent; ``how``
    says how to get it."""
    items = expected if isinstance(expected, list) else [expected]
    paths = [os.fspath(p) for p in items]
    listed = "\n  ".join(paths)
    return DatasetNotFoundError(
        f"{dataset}: dataset not found; expected\n  {listed}\n{how}\n"
        f"(the data folder is SURVAE_DATA, else survae.data.set_data_path(...), else the user "
        f"cache folder; pass root=... to use another)"
    )
