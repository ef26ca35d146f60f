"""An engine refusal whose value came from the environment names the variable as the command
line names a flag: ``($TSFORGE_ENGINE)``, where it ended with the Python form
``(field='TSFORGE_ENGINE')``."""

from __future__ import annotations

import socket

import pytest

from tests.conftest import random_walks_csv, run_cli
from tsforge.cli.app import flag_worded
from tsforge.errors import ConfigError


def test_an_engine_named_by_the_environment_is_refused_naming_the_variable(capsys, monkeypatch, tmp_path):
    monkeypatch.setenv("TSFORGE_ENGINE", "bogus")
    path = random_walks_csv(tmp_path / "p.csv", 2, 30, freq="MS", start="2020-01-01", level=5.0, seed=0)
    code, _, err = run_cli(capsys, "profile", path, "-o", str(tmp_path / "prof"))
    assert code == 2
    assert err.strip() == "error: unknown engine 'bogus'; choose one of local, ray ($TSFORGE_ENGINE)"


def test_an_unreachable_address_from_the_environment_is_named_once(capsys, monkeypatch, tmp_path):
    ray = pytest.importorskip("ray")
    monkeypatch.setattr(ray, "is_initialized", lambda: False)
    monkeypatch.setattr(ray, "init", lambda **kwargs: pytest.fail("ray.init reached"))
    with socket.socket() as s:  # a loopback port nothing listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    monkeypatch.setenv("RAY_ADDRESS", f"127.0.0.1:{port}")
    monkeypatch.delenv("TSFORGE_ENGINE", raising=False)
    path = random_walks_csv(tmp_path / "p.csv", 2, 30, freq="MS", start="2020-01-01", level=5.0, seed=0)
    args = ["cv", path, "-m", "seasonal_naive", "-H", "3", "--engine", "ray", "--no-track"]
    code, _, err = run_cli(capsys, *args, "-o", str(tmp_path / "cv.csv"))
    assert code == 2
    line = err.strip()
    assert line.startswith(f"error: cannot reach the Ray cluster at '127.0.0.1:{port}' (from $RAY_ADDRESS): ")
    assert "field=" not in line and line.count("$RAY_ADDRESS") == 1


@pytest.mark.parametrize(
    ("error", "line"),
    [
        (ConfigError("cannot reach it", field="RAY_ADDRESS"), "cannot reach it ($RAY_ADDRESS)"),
        (ConfigError("bad (from $RAY_ADDRESS): no", field="RAY_ADDRESS"), "bad (from $RAY_ADDRESS): no"),
        # a longer variable that begins with the name does not say it
        (ConfigError("bad $RAY_ADDRESS_X", field="RAY_ADDRESS"), "bad $RAY_ADDRESS_X ($RAY_ADDRESS)"),
        # other places stay; a field in lower case is a parameter, not a variable
        (ConfigError("no", field="TSFORGE_ENGINE", h=3), "no ($TSFORGE_ENGINE) (h=3)"),
        (ConfigError("no", field="series[0]"), "no (field='series[0]')"),
    ],
)
def test_a_field_that_is_a_variable_is_said_as_the_variable(error, line):
    assert flag_worded(error, ["cv", "x.csv"]) == line
