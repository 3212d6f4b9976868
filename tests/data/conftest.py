"""Every data test runs with its own data, config and cache folders (never the user's)."""

import pytest


@pytest.fixture(autouse=True)
def _private_user_folders(tmp_path_factory, monkeypatch):
    home = tmp_path_factory.mktemp("home")
    for name in ("XDG_CONFIG_HOME", "XDG_CACHE_HOME", "XDG_DATA_HOME"):
        monkeypatch.setenv(name, str(home / name.lower()))
    monkeypatch.delenv("SURVAE_DATA", raising=False)
    monkeypatch.delenv("SURVAE_HOME", raising=False)
