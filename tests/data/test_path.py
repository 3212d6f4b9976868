"""survae.data.path: where the data folder is, and that reading it writes nothing."""

import os

import pytest

import survae.data
from survae.data import path


def test_order_env_then_stored_choice_then_cache(tmp_path, monkeypatch):
    cache = os.environ["XDG_CACHE_HOME"]
    assert path.get_data_path() == os.path.join(cache, "survae", "data")
    assert not os.path.exists(cache)  # reading the default creates nothing
    path.set_data_path(tmp_path / "chosen")
    stored = path.get_data_path_file()
    assert stored.startswith(os.environ["XDG_CONFIG_HOME"])
    assert path.get_data_path() == str(tmp_path / "chosen")
    assert survae.data.DATA_PATH == str(tmp_path / "chosen")  # read afresh, no restart
    from survae.data import DATA_PATH

    assert DATA_PATH == str(tmp_path / "chosen")
    monkeypatch.setenv("SURVAE_DATA", str(tmp_path / "env"))
    assert path.DATA_PATH == str(tmp_path / "env")
    with pytest.raises(AttributeError):
        survae.data.NOT_A_NAME  # noqa: B018


def test_survae_path_is_a_user_folder(monkeypatch, tmp_path):
    import survae

    package_parent = os.path.dirname(os.path.dirname(survae.__file__))
    assert not path.get_survae_path().startswith(package_parent)
    monkeypatch.setenv("SURVAE_HOME", str(tmp_path))
    assert path.get_survae_path() == str(tmp_path)


def test_missing_files_give_one_clear_error(tmp_path):
    from survae.data.datasets.tabular import GasDataset

    with pytest.raises(FileNotFoundError) as info:
        GasDataset(tmp_path, split="test")
    message = str(info.value)
    assert str(tmp_path / "uci_maf/data/gas/ethylene_CO.pickle") in message
    assert "download=True" in message and "zenodo" in message
    assert isinstance(info.value, RuntimeError)  # what the official library raised
