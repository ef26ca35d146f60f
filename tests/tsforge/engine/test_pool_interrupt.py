"""Ctrl-C (and a failing chunk) while the local process pool works: the process exits, leaves no
worker behind and prints no traceback of the pool's own threads.

Why subprocesses: what hung was the interpreter's exit (it joined a thread blocked writing a
chunk bigger than the pipe buffer into a queue no worker read), and a signal handled by a thread
other than the main one; neither can be seen from inside the test process. Every wait here is
bounded and every process started is killed in a ``finally``; no assertion is on how fast
anything ran, only that it ended at all within a generous bound.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

pytestmark = pytest.mark.skipif(
    not Path("/proc/self/stat").exists()
    or "fork" not in __import__("multiprocessing").get_all_start_methods(),
    reason="needs /proc (to see the workers) and the fork start method",
)

REPO = Path(__file__).resolve().parents[3]
EXIT_BOUND_S = 90.0  # "it exits at all": the bug was a process that never exited

#: The driver: maps a sleeping function over chunks far bigger than a pipe buffer (64 KiB), so
#: chunks wait unread in the pool's queue. ``mode``: ``sleep`` (only an interrupt ends the map),
#: ``fail`` (chunk 0 raises while the others sleep); ``other-thread`` blocks SIGINT in the main
#: thread, so the kernel must hand it to another thread, as it did to Polars' threads in tsforge.
DRIVER = textwrap.dedent(
    """
    import os, signal, sys, threading, time
    from pathlib import Path
    from tsforge.engine import LocalEngine

    folder, mode = Path(sys.argv[1]), sys.argv[2]

    def work(item):
        i, payload = item
        Path(folder, f"{os.getpid()}.pid").touch()
        if mode == "fail" and i == 0:
            time.sleep(1.0)
            raise RuntimeError("chunk 0 failed")
        time.sleep(600)
        return len(payload)

    if mode == "other-thread":
        threading.Thread(target=time.sleep, args=(600,), daemon=True).start()
        signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    items = [(i, bytes(1 << 20)) for i in range(8)]
    try:
        LocalEngine(2).map(work, items)
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        sys.exit(130)
    except RuntimeError as exc:
        print(f"failed: {exc}", file=sys.stderr)
        sys.exit(3)
    """
)


def _alive(pid: int) -> bool:
    """Whether ``pid`` runs (a zombie, already dead, does not count)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except (FileNotFoundError, ProcessLookupError):
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def _children(pid: int) -> list[int]:
    """Live processes whose parent is ``pid`` and that run the same program (pool workers are
    forked, so they share the parent's name; a short-lived ``git`` does not)."""
    try:
        name = Path(f"/proc/{pid}/comm").read_text()
    except FileNotFoundError:
        return []
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            same = (entry / "comm").read_text() == name
        except (FileNotFoundError, ProcessLookupError):
            continue
        if fields[0] != "Z" and int(fields[1]) == pid and same:
            found.append(int(entry.name))
    return found


def _wait_until(check: Callable[[], bool], bound_s: float) -> bool:
    deadline = time.monotonic() + bound_s
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.2)
    return check()


def _end(proc: subprocess.Popen, workers: list[int]) -> None:
    """Kill whatever a failed test left running (by pid: the driver, then its workers)."""
    if proc.poll() is None:
        proc.kill()
        proc.wait(timeout=30)
    for pid in workers:
        if _alive(pid):
            os.kill(pid, signal.SIGKILL)


def _start(args: list[str], cwd: Path, env: dict[str, str]) -> subprocess.Popen:
    # a new session: the test can signal the driver's whole group, as a terminal's Ctrl-C does;
    # SIGINT restored to Python's default, whatever the test runner's own disposition
    return subprocess.Popen(
        [sys.executable, *args],
        cwd=cwd,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )


def _env(**extra: str) -> dict[str, str]:
    path = os.pathsep.join(p for p in (str(REPO), os.environ.get("PYTHONPATH", "")) if p)
    return dict(os.environ, PYTHONPATH=path, PYTHONUNBUFFERED="1", **extra)


def _run_driver(tmp_path: Path, mode: str, interrupt: Callable[[subprocess.Popen], None] | None):
    """Start :data:`DRIVER`, wait until both workers hold a chunk, ``interrupt`` it (or let the
    failing chunk end it); return ``(exit code, stderr, worker pids)``."""
    script = tmp_path / "driver.py"
    script.write_text(DRIVER)
    folder = tmp_path / "pids"
    folder.mkdir()
    proc = _start([str(script), str(folder), mode], tmp_path, _env())
    workers: list[int] = []
    try:
        assert _wait_until(lambda: len(list(folder.glob("*.pid"))) >= 2, 120), "no two workers started"
        workers = [int(p.stem) for p in folder.glob("*.pid")]
        if interrupt is not None:
            interrupt(proc)
        try:
            _, err = proc.communicate(timeout=EXIT_BOUND_S)
        except subprocess.TimeoutExpired:
            pytest.fail(f"the driver ({mode}) was still running {EXIT_BOUND_S:.0f} s later")
    finally:
        _end(proc, workers)
    return proc.returncode, err, workers


def _to_driver(proc: subprocess.Popen) -> None:
    proc.send_signal(signal.SIGINT)  # what `timeout -s INT` or `kill -INT` does


def _to_group(proc: subprocess.Popen) -> None:
    os.killpg(proc.pid, signal.SIGINT)  # what Ctrl-C in a terminal does: driver and workers


@pytest.mark.parametrize(
    ("mode", "interrupt"),
    [("sleep", _to_driver), ("sleep", _to_group), ("other-thread", _to_driver)],
    ids=["driver", "process-group", "signal-on-another-thread"],
)
def test_ctrl_c_ends_a_pool_map_with_big_chunks_and_its_workers(tmp_path, mode, interrupt) -> None:
    rc, err, workers = _run_driver(tmp_path, mode, interrupt)
    assert rc == 130, err
    assert err.strip() == "interrupted"  # no traceback from the pool's threads or the workers
    assert _wait_until(lambda: not any(_alive(pid) for pid in workers), 30), workers


def test_a_failing_chunk_beside_big_unread_chunks_ends_the_process(tmp_path) -> None:
    rc, err, workers = _run_driver(tmp_path, "fail", None)
    assert rc == 3, err
    assert err.strip() == "failed: chunk 0 failed"  # no InvalidStateError traceback
    assert _wait_until(lambda: not any(_alive(pid) for pid in workers), 30), workers


#: Ctrl-C while the pool forks its workers, as a terminal's can come at any moment: the parent's
#: before-fork hook of the first fork sends SIGINT, which the kernel hands to the other thread (the
#: forking one blocks it), so the main thread would raise right after that fork. Every forked
#: process writes its pid, busy or idle.
FORKING_DRIVER = textwrap.dedent(
    """
    import os, signal, sys, threading, time
    from pathlib import Path
    from tsforge.engine import LocalEngine

    folder = Path(sys.argv[1])
    sent = []

    def ctrl_c_now():
        if not sent:
            sent.append(True)
            os.kill(os.getpid(), signal.SIGINT)

    os.register_at_fork(
        before=ctrl_c_now, after_in_child=lambda: Path(folder, f"{os.getpid()}.pid").touch()
    )
    threading.Thread(target=time.sleep, args=(600,), daemon=True).start()
    try:
        LocalEngine(2).map(time.sleep, [600] * 4)
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        sys.exit(130)
    """
)


def test_ctrl_c_as_the_pool_forks_its_workers_leaves_no_worker_behind(tmp_path) -> None:
    """The worker forked just before the interrupt surfaced was not yet on the pool's books, so
    nothing stopped it: the driver exited 130 while that idle worker lived on, holding stderr
    open (a caller reading it to the end, as this test does, waited for ever)."""
    script = tmp_path / "forking.py"
    script.write_text(FORKING_DRIVER)
    folder = tmp_path / "pids"
    folder.mkdir()
    proc = _start([str(script), str(folder)], tmp_path, _env())
    try:
        _, err = proc.communicate(timeout=EXIT_BOUND_S)
    except subprocess.TimeoutExpired:
        pytest.fail(f"stderr was still open {EXIT_BOUND_S:.0f} s after the interrupt")
    finally:
        _end(proc, [int(p.stem) for p in folder.glob("*.pid")])
    forked = [int(p.stem) for p in folder.glob("*.pid")]
    assert proc.returncode == 130, err
    assert err.strip() == "interrupted"
    assert forked  # the interrupt came as the pool forked, not before it
    assert _wait_until(lambda: not any(_alive(pid) for pid in forked), 30), forked


def _big_panel_csv(path: Path) -> None:
    """600 daily random walks of 300 values: auto_ets on them outlasts the start of the pool,
    and a chunk of them is bigger than a pipe buffer."""
    rng = np.random.default_rng(0)
    ds = pd.date_range("2020-01-01", periods=300, freq="D")
    frames = [
        pd.DataFrame({"unique_id": f"s{i:03d}", "ds": ds, "y": 100 + np.cumsum(rng.normal(size=300))})
        for i in range(600)
    ]
    pd.concat(frames, ignore_index=True).to_csv(path, index=False)


def test_ctrl_c_during_tsforge_train_with_a_pool_exits_130_and_ends_the_run_killed(tmp_path) -> None:
    import mlflow

    _big_panel_csv(tmp_path / "big.csv")
    uri = f"sqlite:///{tmp_path}/mlruns/mlflow.db"
    args = ["-m", "tsforge", "train", "big.csv", "-m", "auto_ets", "-H", "7", "--n-jobs", "2"]
    proc = _start(args, tmp_path, _env(MLFLOW_TRACKING_URI=uri, COLUMNS="120"))
    workers: list[int] = []
    try:
        assert _wait_until(lambda: len(_children(proc.pid)) >= 2 or proc.poll() is not None, 300)
        assert proc.poll() is None, proc.communicate()
        workers = _children(proc.pid)
        proc.send_signal(signal.SIGINT)
        try:
            out, err = proc.communicate(timeout=EXIT_BOUND_S)
        except subprocess.TimeoutExpired:
            pytest.fail(f"tsforge train was still running {EXIT_BOUND_S:.0f} s after Ctrl-C")
    finally:
        _end(proc, workers)
    assert proc.returncode == 130, err
    assert "Traceback" not in out + err and "Error" not in err
    assert err.replace("\r", "\n").strip().splitlines()[-1] == "interrupted"
    assert _wait_until(lambda: not any(_alive(pid) for pid in workers), 30), workers
    client = mlflow.MlflowClient(tracking_uri=uri)
    runs = client.search_runs([e.experiment_id for e in client.search_experiments()])
    assert [r.info.status for r in runs] == ["KILLED"]
