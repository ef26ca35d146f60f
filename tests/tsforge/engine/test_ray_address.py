"""A Ray address nobody answers on is a one-line error at once, not a silent hang in ``ray.init``;
a Ray engine that connects says what its start-up cost.

``ray.init`` is replaced by fakes here: the real one, on a closed port, retries for many minutes
and ignores SIGTERM and Ctrl-C meanwhile (the hang these tests guard against)."""

from __future__ import annotations

import socket
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from tests.conftest import run_cli as _cli
from tsforge.engine import RayEngine
from tsforge.errors import ConfigError

ray = pytest.importorskip("ray")


def _closed_port() -> int:
    """A loopback port that nothing listens on (bound, then released)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def no_ray_init(monkeypatch: pytest.MonkeyPatch) -> list[dict]:
    """Fail the test if ``ray.init`` is reached (and pretend no Ray is connected yet)."""
    calls: list[dict] = []

    def fake_init(**kwargs):
        calls.append(kwargs)
        raise AssertionError("ray.init was called with an unreachable address")

    monkeypatch.setattr(ray, "is_initialized", lambda: False)
    monkeypatch.setattr(ray, "init", fake_init)
    return calls


def test_an_unreachable_address_is_refused_before_ray_init(no_ray_init):
    port = _closed_port()
    with pytest.raises(ConfigError, match=f"cannot reach the Ray cluster at '127.0.0.1:{port}'") as info:
        RayEngine(f"127.0.0.1:{port}").connect()
    assert info.value.where["field"] == "ray_address"
    assert no_ray_init == []


@pytest.mark.parametrize("address", ["head:notaport", "127.0.0.1:0", "127.0.0.1:70000"])
def test_a_malformed_address_names_the_expected_form(address):
    from tsforge.engine.ray_engine import _probe

    with pytest.raises(ConfigError, match="expected host:port") as info:
        _probe(address)
    assert info.value.where["field"] == "ray_address"


@pytest.mark.parametrize("address", ["auto", "http://dashboard:8265", "ray-head"])
def test_addresses_ray_resolves_itself_are_not_probed(address):
    from tsforge.engine.ray_engine import _probe

    _probe(address)  # no error: Ray decides what these mean


def test_a_listening_address_passes_the_probe():
    from tsforge.engine.ray_engine import _probe

    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen()
        _probe(f"127.0.0.1:{server.getsockname()[1]}")
        _probe(f"ray://127.0.0.1:{server.getsockname()[1]}")


def test_cli_unreachable_ray_address_is_one_line_exit_2(capsys, monkeypatch, tmp_path: Path, no_ray_init):
    monkeypatch.delenv("TSFORGE_ENGINE", raising=False)
    path = tmp_path / "panel.csv"
    pd.DataFrame(
        {
            "unique_id": np.repeat(["a", "b"], 30),
            "ds": np.tile(pd.date_range("2020-01-01", periods=30, freq="MS"), 2),
            "y": np.arange(60, dtype=float) % 7 + 1.0,
        }
    ).to_csv(path, index=False)
    port = _closed_port()
    code, _, err = _cli(
        capsys, "cv", "-d", str(path), "-m", "seasonal_naive", "-H", "3",
        "--engine", "ray", "--ray-address", f"127.0.0.1:{port}", "-o", str(tmp_path / "cv.csv"),
    )  # fmt: skip
    assert code == 2
    assert "cannot reach the Ray cluster" in err and "(--ray-address)" in err  # the option as typed
    assert len(err.strip().splitlines()) == 1


def test_connecting_reports_the_startup_time(monkeypatch) -> None:
    notes: list[str] = []
    monkeypatch.setattr(ray, "is_initialized", lambda: False)
    monkeypatch.setattr(ray, "init", lambda **kwargs: None)
    eng = RayEngine(None, 2)
    eng.on_connect = notes.append
    eng.connect()
    assert eng.startup_seconds is not None and eng.startup_seconds >= 0
    assert len(notes) == 1 and notes[0].startswith("ray local x2 started in ")


def test_the_cli_engine_reports_ray_startup_on_stderr(capsys):
    from tsforge.cli.engine_options import engine_from_options

    eng = engine_from_options("ray", None, 2)
    assert isinstance(eng, RayEngine) and eng.on_connect is not None
    eng.on_connect("ray local x2 started in 3.0 s")
    assert "ray local x2 started in 3.0 s" in capsys.readouterr().err


def test_an_unreachable_address_from_the_environment_names_ray_address_env(monkeypatch, no_ray_init):
    """``RAY_ADDRESS=127.0.0.1:6398 TSFORGE_ENGINE=ray tsforge profile …`` named
    ``field='ray_address'``, an option the user never gave; the variable is named now."""
    from tsforge.engine import get_engine

    port = _closed_port()
    monkeypatch.setenv("RAY_ADDRESS", f"127.0.0.1:{port}")
    monkeypatch.setenv("TSFORGE_ENGINE", "ray")
    with pytest.raises(ConfigError, match=rf"'127.0.0.1:{port}' \(from \$RAY_ADDRESS\)") as info:
        get_engine().connect()
    assert info.value.where["field"] == "RAY_ADDRESS"
    # an address given as an argument still names the argument, the variable set or not
    with pytest.raises(ConfigError) as info:
        get_engine("ray", address=f"127.0.0.1:{port}").connect()
    assert info.value.where["field"] == "ray_address" and "$RAY_ADDRESS" not in str(info.value)
    assert no_ray_init == []


def test_cli_unreachable_ray_address_from_the_environment_is_named(capsys, monkeypatch, no_ray_init):
    from tsforge.cli.engine_options import engine_from_options

    port = _closed_port()
    monkeypatch.setenv("RAY_ADDRESS", f"127.0.0.1:{port}")
    with pytest.raises(ConfigError) as info:
        engine_from_options("ray", None, 1).connect()
    assert "RAY_ADDRESS" in info.value.for_cli() and "ray_address" not in info.value.for_cli()
