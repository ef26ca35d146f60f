"""The Ray connection tsforge made ends with the command, with Ctrl-C held off meanwhile.

In process and with ``ray.shutdown`` replaced: no Ray instance is started here (the real one is
test_ray_interrupt.py's). A second Ctrl-C used to break Ray's own ``atexit`` shutdown half-way
(a ``KeyboardInterrupt`` traceback, Ray's agents left running); tsforge now shuts the instance
down itself, and a Ctrl-C that comes meanwhile is raised once it is done.
"""

from __future__ import annotations

import importlib
import signal
from collections.abc import Iterator

import pytest

from tests.conftest import run_cli
from tsforge.engine import ray_engine

ray = pytest.importorskip("ray")
app_module = importlib.import_module("tsforge.cli.app")


@pytest.fixture
def ctrl_c_as_in_a_terminal() -> Iterator[None]:
    """SIGINT raises ``KeyboardInterrupt`` and is unblocked in this thread, whatever the test
    runner set (an xdist worker may ignore it); restored afterwards."""
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    mask = signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, mask)
        signal.signal(signal.SIGINT, previous)


@pytest.fixture
def shutdowns(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """``ray.shutdown`` records its calls; a Ctrl-C is pressed half-way through each."""
    calls: list[str] = []

    def shutdown() -> None:
        calls.append("began")
        signal.raise_signal(signal.SIGINT)  # Ctrl-C, pressed again while the instance stops
        calls.append("finished")

    monkeypatch.setattr(ray, "shutdown", shutdown)
    return calls


@pytest.mark.skipif(not hasattr(signal, "pthread_sigmask"), reason="needs POSIX signals")
def test_a_ctrl_c_during_the_shutdown_is_raised_once_it_is_done(
    monkeypatch, ctrl_c_as_in_a_terminal, shutdowns
) -> None:
    monkeypatch.setattr(ray_engine, "_connected_here", True)
    with pytest.raises(KeyboardInterrupt):
        ray_engine.shut_down_ray()
    assert shutdowns == ["began", "finished"]
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler  # the caller's, again
    assert not ray_engine._connected_here
    ray_engine.shut_down_ray()  # once only
    assert shutdowns == ["began", "finished"]


def test_a_connection_the_caller_made_is_left_alone(monkeypatch, shutdowns) -> None:
    monkeypatch.setattr(ray_engine, "_connected_here", False)
    ray_engine.shut_down_ray()
    assert shutdowns == []


def test_connecting_marks_the_connection_as_tsforge_s(monkeypatch) -> None:
    monkeypatch.setattr(ray_engine, "_connected_here", False)
    monkeypatch.setattr(ray, "is_initialized", lambda: False)
    monkeypatch.setattr(ray, "init", lambda **kwargs: None)
    ray_engine.RayEngine(None, 1).connect()
    assert ray_engine._connected_here


@pytest.mark.parametrize("command_ends", ["well", "by Ctrl-C", "by an error"])
def test_the_cli_ends_as_a_ctrl_c_when_one_comes_during_the_shutdown(
    monkeypatch, capsys, command_ends
) -> None:
    """However the command ended, a Ctrl-C pressed while its Ray instance stopped ends it with
    ``interrupted`` said once and exit code 130, no traceback."""
    from tsforge.errors import ConfigError

    def command(*args, **kwargs):
        if command_ends == "by Ctrl-C":
            raise KeyboardInterrupt
        if command_ends == "by an error":
            raise ConfigError("a user's error")
        return 0

    def shut_down_ray() -> None:
        raise KeyboardInterrupt  # as shut_down_ray raises a Ctrl-C it held off

    monkeypatch.setattr(app_module, "app", command)
    monkeypatch.setattr("tsforge.engine.shut_down_ray", shut_down_ray)
    got, out, err = run_cli(capsys, "cv", "anything")
    assert got == 130
    assert "Traceback" not in out + err
    assert err.strip().splitlines()[-1] == "interrupted" and err.count("interrupted") == 1


def test_the_cli_shuts_ray_down_as_each_command_ends(monkeypatch, capsys) -> None:
    ended: list[bool] = []
    monkeypatch.setattr(app_module, "app", lambda *args, **kwargs: 0)
    monkeypatch.setattr("tsforge.engine.shut_down_ray", lambda: ended.append(True))
    assert run_cli(capsys, "cv", "anything")[0] == 0
    assert ended == [True]
