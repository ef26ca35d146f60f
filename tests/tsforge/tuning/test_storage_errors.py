"""A study storage that cannot be opened is a one-line error naming ``--storage`` (exit 2 on the
CLI), never a SQLAlchemy traceback, and never with the URL's password in it."""

from __future__ import annotations

import socket

import pytest

from tests.conftest import run_cli as _cli
from tsforge.errors import ConfigError
from tsforge.tuning.study import resolve_storage


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_an_unreachable_postgresql_server_is_a_config_error_without_the_password():
    pytest.importorskip("psycopg")
    port = _closed_port()
    with pytest.raises(ConfigError, match="cannot open storage") as info:
        resolve_storage(f"postgresql://tsforge:hunter2@127.0.0.1:{port}/optuna")
    assert info.value.where["field"] == "storage"
    text = str(info.value)
    assert "hunter2" not in text and ":***@" in text
    assert f"127.0.0.1:{port}" in text and len(text.splitlines()) == 1


def test_a_missing_database_driver_says_so():
    import importlib.util

    if importlib.util.find_spec("MySQLdb") is not None:
        pytest.skip("a MySQL driver is installed here")
    with pytest.raises(ConfigError, match="driver is not installed") as info:
        resolve_storage("mysql://u@127.0.0.1:1/x")
    assert info.value.where["field"] == "storage"


def test_cli_tune_with_an_unreachable_storage_exits_2_in_one_line(capsys, monkeypatch, tmp_path):
    pytest.importorskip("psycopg")
    monkeypatch.setenv("MLFLOW_TRACKING_URI", f"sqlite:///{tmp_path}/mlflow.db")
    port = _closed_port()
    code, _, err = _cli(
        capsys, "tune", "synthetic", "-m", "dlinear", "-H", "24", "--trials", "1", "--epochs", "1",
        "--storage", f"postgresql://tsforge@127.0.0.1:{port}/optuna", "--no-progress",
    )  # fmt: skip
    assert code == 2
    assert "cannot open storage" in err and "storage" in err
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1
