"""The one error a dataset raises when its files are missing."""

from __future__ import annotations

import os


class DatasetNotFoundError(FileNotFoundError, RuntimeError):
    """A dataset's files are not where they are expected.

    A ``FileNotFoundError`` and, like the official library's error, a ``RuntimeError``. The
    first line of the message names the dataset, the (first) expected file and how to get it;
    the next lines list every missing file and where the data folder comes from.
    """


def missing(dataset: str, expected: str | os.PathLike | list, how: str) -> DatasetNotFoundError:
    """The error for ``dataset``: ``expected`` (a path or a list of paths) is absent; ``how``
    says how to get it."""
    items = expected if isinstance(expected, list) else [expected]
    paths = [os.fspath(p) for p in items]
    more = f" (and {len(paths) - 1} more files)" if len(paths) > 1 else ""
    listed = "\n  ".join(paths)
    return DatasetNotFoundError(
        f"{dataset}: dataset not found: expected {paths[0]}{more}. {how}\n"
        f"missing:\n  {listed}\n"
        f"(the data folder is SURVAE_DATA, else survae.data.set_data_path(...), else the user "
        f"cache folder; pass root=... to use another)"
    )
