"""Ctrl-C pressed twice on ``tsforge cv --engine ray`` (a local Ray instance): ``interrupted``,
exit code 130, no traceback, and no process of that Ray instance left behind.

The second Ctrl-C used to land in Ray's own ``atexit`` shutdown, which runs with SIGINT live:
``Exception ignored in atexit callback … KeyboardInterrupt`` on stderr, and the instance's
DashboardAgent and RuntimeEnvAgent outlived the command, orphaned, for one to two minutes.

Why a subprocess: the shutdown at the end of a command and a signal to the whole foreground
process group (what a terminal's Ctrl-C sends) cannot be seen from inside the test process.
The Ray processes are found by a variable only this run's environment holds: every process of
the instance (GCS, raylet, agents, workers) inherits the driver's environment, whatever process
group or parent it ends up with (the agents were reparented to init). Every wait is bounded,
no assertion is on speed, and every process found is killed in a ``finally``.
"""

from __future__ import annotations

import os
import queue
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import random_walks_csv

pytestmark = [
    pytest.mark.slow,  # a local Ray instance takes 10-30 s to start on a busy 2-core machine
    pytest.mark.skipif(
        not Path("/proc/self/environ").exists() or not hasattr(signal, "pthread_sigmask"),
        reason="needs /proc (to find the Ray processes) and POSIX signals",
    ),
]
ray = pytest.importorskip("ray")

REPO = Path(__file__).resolve().parents[3]
MARK = "TSFORGE_TEST_RAY_RUN"
START_BOUND_S = 300.0  # Ray's start on a loaded machine, with the CLI's imports
EXIT_BOUND_S = 120.0
GONE_BOUND_S = 30.0  # Ray stops each of its processes within seconds (SIGKILL after SIGTERM)


def _as_a_terminal_starts_it() -> None:
    """SIGINT at its default and unblocked in the command, whatever the test runner's own state,
    as tests/tsforge/cli/test_interrupts.py starts its commands."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})


def _processes_of(mark: str) -> dict[int, str]:
    """Live processes of this user whose environment holds ``MARK=mark``: pid → command line."""
    needle = f"{MARK}={mark}".encode()
    found = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            if needle not in (entry / "environ").read_bytes().split(b"\0"):
                continue
            state = (entry / "stat").read_text().rsplit(")", 1)[1].split()[0]
            command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except (FileNotFoundError, ProcessLookupError, PermissionError):
            continue
        if state != "Z":
            found[int(entry.name)] = command.strip()[:160]
    return found


def _wait_until(check: Callable[[], bool], bound_s: float) -> bool:
    deadline = time.monotonic() + bound_s
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.2)
    return check()


def _lines_of(stream) -> queue.Queue:
    """The lines of ``stream`` as a reader thread gets them; ``None`` once it ends."""
    lines: queue.Queue = queue.Queue()

    def read() -> None:
        for line in stream:
            lines.put(line)
        lines.put(None)

    threading.Thread(target=read, daemon=True).start()
    return lines


def _wait_for(lines: queue.Queue, marker: str, seen: list[str], bound_s: float) -> bool:
    """Read lines into ``seen`` until one holds ``marker`` (True) or the output ends (False)."""
    deadline = time.monotonic() + bound_s
    while True:
        try:
            line = lines.get(timeout=max(0.1, deadline - time.monotonic()))
        except queue.Empty:
            return False
        if line is None:
            return False
        seen.append(line)
        if marker in line:
            return True


def test_ctrl_c_twice_on_a_local_ray_run_exits_130_quietly_and_leaves_no_ray_process(tmp_path) -> None:
    # long enough that the map is still running when Ray is up: 120 series, auto_ets, 2 windows
    path = random_walks_csv(tmp_path / "p.csv", 120, 96, freq="MS", start="2010-01-01", level=50.0, seed=4)
    mark = uuid.uuid4().hex
    env = {k: v for k, v in os.environ.items() if k not in ("RAY_ADDRESS", "TSFORGE_ENGINE")}
    env |= {
        MARK: mark,
        # the tsforge of this checkout, whatever the virtual environment installed
        "PYTHONPATH": os.pathsep.join(p for p in (str(REPO), os.environ.get("PYTHONPATH", "")) if p),
        "PYTHONUNBUFFERED": "1",
        "COLUMNS": "120",
        "TSFORGE_CACHE_DIR": str(tmp_path / "cache"),
        "MLFLOW_TRACKING_URI": f"sqlite:///{tmp_path}/m.db",
    }
    args = ["cv", path, "-m", "auto_ets", "-H", "6", "--n-windows", "2", "--engine", "ray", "--n-jobs", "1"]
    proc = subprocess.Popen(
        [sys.executable, "-m", "tsforge", *args, "--no-track"],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,  # its own process group, which the test signals as a terminal does
        preexec_fn=_as_a_terminal_starts_it,
    )
    assert proc.stderr is not None  # stderr=PIPE
    lines = _lines_of(proc.stderr)
    seen: list[str] = []
    try:
        assert _wait_for(lines, "ray local x1 started in", seen, START_BOUND_S), "".join(seen)
        time.sleep(1.0)  # the map is under way
        assert proc.poll() is None, "".join(seen)
        ray_processes = _processes_of(mark)
        assert len(ray_processes) >= 3, ray_processes  # the driver, the GCS, the raylet, ...
        os.killpg(proc.pid, signal.SIGINT)  # Ctrl-C ...
        assert _wait_for(lines, "interrupted", seen, EXIT_BOUND_S), "".join(seen)
        # ... and again, while the command winds up: Ray's shutdown takes seconds (its own atexit
        # hook sleeps 0.5 s first), and the pause lets the command leave the line's print first
        time.sleep(0.2)
        assert proc.poll() is None, "".join(seen)  # else the second Ctrl-C would test nothing
        os.killpg(proc.pid, signal.SIGINT)
        try:
            proc.wait(timeout=EXIT_BOUND_S)
        except subprocess.TimeoutExpired:
            pytest.fail(f"tsforge cv was still running {EXIT_BOUND_S:.0f} s after Ctrl-C")
        while (line := lines.get(timeout=30)) is not None:
            seen.append(line)
        err = "".join(seen)
        assert proc.returncode == 130, err
        assert "Traceback" not in err and "Exception ignored" not in err, err
        assert err.replace("\r", "\n").strip().splitlines()[-1] == "interrupted", err
        assert _wait_until(lambda: not _processes_of(mark), GONE_BOUND_S), _processes_of(mark)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(timeout=30)
        for pid in _processes_of(mark):
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
