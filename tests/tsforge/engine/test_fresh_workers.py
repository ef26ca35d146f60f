"""Ensemble members on the local pool after the driver used torch's threads: fresh workers.

``tsforge train etth1 --model ensemble --input 720 -H 96 --n-jobs 4`` never finished: the
driver had run parallel torch ops, the pool forked it, and the worker building the NLinear
member (720 x 96 weights: a parallel ``fill_``) waited forever for OpenMP threads that a forked
process does not have. The driver here is a subprocess, so that a hang is a timeout, not a
frozen test run.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap

import pytest

#: Seconds the driver gets; it needs a few (two fresh workers import torch), a hang needs forever.
TIMEOUT_S = 60

DRIVER = textwrap.dedent(
    """
    import numpy as np
    import pandas as pd
    import torch

    from tsforge.data.frame import TimeSeriesData
    from tsforge.data.task import prepare_task
    from tsforge.engine import LocalEngine, using
    from tsforge.training.fitting import fit_model
    from tsforge.training.spec import TrainingSpec

    if __name__ == "__main__":
        torch.set_num_threads(2)  # two threads even on a one-core machine: the pool exists
        torch.ones(720, 96).fill_(1.0)  # 69,120 values: a parallel op in the driver
        n = 3000
        t = np.arange(n, dtype=float)
        vals = np.sin(2 * np.pi * t / 24)[:, None]
        times = pd.date_range("2021-01-04", periods=n, freq="h").values
        task = prepare_task(TimeSeriesData(vals, times, ("a",), "h", name="periodic"), 720, 96)
        quick = {"max_epochs": 1, "max_batches_per_epoch": 1, "batch_size": 8}
        members = [{"model": "nlinear", "train": quick}, {"model": "dlinear", "train": quick}]
        spec = TrainingSpec("ensemble", model_config={"members": members}, seed=3)
        with using(LocalEngine(2)):
            fitted = fit_model(spec, task)
        print("engine:", fitted.report.extra["engine"], flush=True)
    """
)


def test_members_with_parallel_weight_init_finish_after_the_driver_used_torch_threads(tmp_path):
    """The NLinear member's 720 x 96 weights are initialised by a parallel op: in a forked worker
    of a driver that had used torch's OpenMP pool, that op never returned."""
    script = tmp_path / "driver.py"
    script.write_text(DRIVER)
    # a session of its own: on a hang, the driver *and* its hung workers are ended
    proc = subprocess.Popen(
        [sys.executable, str(script)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=tmp_path,
        start_new_session=True,
    )
    try:
        stdout, stderr = proc.communicate(timeout=TIMEOUT_S)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.communicate()
        pytest.fail(f"the ensemble's pool did not finish in {TIMEOUT_S} s (a worker hung)")
    assert proc.returncode == 0, stderr[-3000:]
    assert "engine: local x2" in stdout


def test_torch_work_gets_fresh_workers_and_other_chunks_keep_forked_ones():
    """Guard of the mechanism: the member function's pool spawns, a plain chunk function's pool
    still forks (where the platform can), and marking returns the function itself."""
    from tsforge.engine.local import fresh_workers, start_method
    from tsforge.training.fitting import fit_member

    assert start_method(fit_member) == "spawn"

    def plain(x: int) -> int:
        return x

    expected = "fork" if "fork" in __import__("multiprocessing").get_all_start_methods() else None
    assert start_method(plain) == expected
    assert fresh_workers(plain) is plain
    assert start_method(plain) == "spawn"


LOGGING_DRIVER = textwrap.dedent(
    """
    import logging

    from tsforge.engine import LocalEngine
    from tsforge.engine.local import fresh_workers


    @fresh_workers
    def warn(i):
        logging.getLogger("tsforge.probe").warning("member %d says so", i)
        return i


    if __name__ == "__main__":
        logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
        print(LocalEngine(2).map(warn, [0, 1]), flush=True)
    """
)


def test_a_fresh_worker_logs_in_the_drivers_format(tmp_path):
    """A forked worker inherited the CLI's logging (``WARNING name: message``); a fresh one has
    none of its own and said a member's warning bare: it is set up as the driver is."""
    script = tmp_path / "driver.py"
    script.write_text(LOGGING_DRIVER)
    out = subprocess.run(
        [sys.executable, str(script)], capture_output=True, text=True, timeout=TIMEOUT_S, cwd=tmp_path
    )
    assert out.returncode == 0, out.stderr[-3000:]
    assert "[0, 1]" in out.stdout
    for i in (0, 1):
        assert f"WARNING tsforge.probe: member {i} says so" in out.stderr


@pytest.mark.skipif(not hasattr(signal, "pthread_sigmask"), reason="needs signal masks (POSIX)")
def test_a_ctrl_c_while_a_fresh_worker_imports_waits_for_its_start_up_to_ignore_it():
    """Ctrl-C reaches every process of the foreground group. A fresh worker imports for a while
    before its start-up ignores SIGINT, and one hit then died of it (a ``KeyboardInterrupt``
    traceback of its own). Started as the pool starts its workers, the process keeps the
    signal pending until its start-up (:func:`_start_worker`) has dropped it, and ends normally."""
    import logging
    import multiprocessing as mp

    from tsforge.engine.local import _ctrl_c_deferred, _start_worker

    with _ctrl_c_deferred():
        proc = mp.get_context("spawn").Process(target=_start_worker, args=((logging.WARNING, None),))
        proc.start()
    os.kill(proc.pid, signal.SIGINT)  # long before the new interpreter has imported anything
    proc.join(TIMEOUT_S)
    assert proc.exitcode == 0
