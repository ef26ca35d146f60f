"""A worker that opened a progress bar leaves no semaphore behind (user walk, session 72, L3).

A large local forecast opens a (disabled) tqdm bar in its worker; the bar's first use created
tqdm's ``multiprocessing`` lock, a named semaphore registered with the server's resource
tracker, and the worker, killed at shutdown, never unregistered it: the service printed
"resource_tracker: There appear to be 1 leaked semaphore objects to clean up at shutdown".
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

#: what a worker runs: a bar, as a local forecast's chunks open one
TARGET = """
def open_bar():
    from tqdm import tqdm

    tqdm(total=1, disable=True).close()
    return "bar closed"
"""

#: a server's life in short: a worker runs the target, then the pool closes (kills it)
SERVER = """
from service.cpu_pool import CpuPool

pool = CpuPool(workers=1, timeout_s=120)
print(pool.run("bar_target:open_bar"))
pool.close()
"""


def test_a_worker_s_progress_bar_leaks_no_semaphore_at_shutdown(tmp_path) -> None:
    (tmp_path / "bar_target.py").write_text(textwrap.dedent(TARGET))
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), str(tmp_path)])}
    done = subprocess.run(
        [sys.executable, "-c", SERVER], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr
    assert "bar closed" in done.stdout
    assert "leaked semaphore" not in done.stderr, done.stderr
