"""Where datasets live: the official ``survae.data.path``, with no writes beside the package.

The data folder is, in this order:

1. the environment variable ``SURVAE_DATA``;
2. the folder stored by :func:`set_data_path` in the user's config folder
   (``$XDG_CONFIG_HOME/survae/data_path``, ``~/.config/survae/data_path``; ``%APPDATA%`` on
   Windows);
3. ``data/`` in the user's cache folder (``$XDG_CACHE_HOME/survae/data``, ``~/.cache/survae/data``;
   ``%LOCALAPPDATA%`` on Windows).

Nothing is created or written by importing this module or by reading the path: the official library
wrote a ``data_path`` file and a ``data/`` folder into ``site-packages`` on first import. Dataset
classes create their own sub-folders only when they download.

``DATA_PATH`` is read afresh at every access (``survae.data.path.DATA_PATH``,
``from survae.data import DATA_PATH``), so :func:`set_data_path` takes effect without a restart;
dataset constructors resolve ``root=None`` the same way at call time.

Example:
    >>> import os
    >>> os.environ["SURVAE_DATA"] = "/tmp/my-data"
    >>> get_data_path()
    '/tmp/my-data'
    >>> del os.environ["SURVAE_DATA"]
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

__all__ = [  # noqa: F822 - DATA_PATH is served by __getattr__, read at every access
    "get_survae_path", "get_data_path_file", "get_data_path", "set_data_path", "DATA_PATH",
]

DATA_ENV = "SURVAE_DATA"
HOME_ENV = "SURVAE_HOME"


def _user_folder(xdg: str, fallback: str, windows: str) -> Path:
    if sys.platform == "win32" and os.environ.get(windows):
        return Path(os.environ[windows]) / "survae"
    base = os.environ.get(xdg)
    return Path(base if base else Path.home() / fallback) / "survae"


def get_survae_path() -> str:
    """The survae home folder: ``SURVAE_HOME``, else the user's data folder
    (``$XDG_DATA_HOME/survae``, ``~/.local/share/survae``).

    The official function returned the folder *containing the installed package*, and its image
    experiment writes its logs to ``get_survae_path()/experiments/image/log``; here those logs go
    to a user folder instead of ``site-packages``. Nothing is created by calling this.
    """
    if os.environ.get(HOME_ENV):
        return os.path.expanduser(os.environ[HOME_ENV])
    return str(_user_folder("XDG_DATA_HOME", ".local/share", "LOCALAPPDATA"))


def get_data_path_file() -> str:
    """The file in the user's config folder where :func:`set_data_path` keeps its choice."""
    return str(_user_folder("XDG_CONFIG_HOME", ".config", "APPDATA") / "data_path")


def _default_data_path() -> str:
    return str(_user_folder("XDG_CACHE_HOME", ".cache", "LOCALAPPDATA") / "data")


def get_data_path() -> str:
    """The data folder: ``SURVAE_DATA``, else the stored choice, else the user cache folder."""
    if os.environ.get(DATA_ENV):
        return os.path.expanduser(os.environ[DATA_ENV])
    stored = Path(get_data_path_file())
    if stored.is_file():
        text = stored.read_text(encoding="utf-8").strip()
        if text:
            return os.path.expanduser(text)
    return _default_data_path()


def set_data_path(path: str | os.PathLike) -> None:
    """Store ``path`` as the data folder in the user's config folder (``SURVAE_DATA`` still wins).

    Example:
        >>> import os, tempfile
        >>> os.environ["XDG_CONFIG_HOME"] = tempfile.mkdtemp()
        >>> set_data_path("/data/survae")
        >>> get_data_path() if "SURVAE_DATA" not in os.environ else "/data/survae"
        '/data/survae'
        >>> del os.environ["XDG_CONFIG_HOME"]
    """
    file = Path(get_data_path_file())
    file.parent.mkdir(parents=True, exist_ok=True)
    file.write_text(os.path.abspath(os.path.expanduser(os.fspath(path))) + "\n", encoding="utf-8")


def resolve_root(root: str | os.PathLike | None) -> str:
    """``root`` as a string with ``~`` expanded; ``None`` means the data folder."""
    return os.path.expanduser(os.fspath(root)) if root is not None else get_data_path()


def __getattr__(name: str) -> str:
    if name == "DATA_PATH":
        return get_data_path()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
