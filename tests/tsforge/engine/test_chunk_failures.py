"""A chunk that fails mid-map: the error names the series and reaches the caller at once, and no
worker is left running."""

from __future__ import annotations

import os
import time
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path

import numpy as np
import pytest

import tsforge.panels.local as local_mod
from tsforge.data.panel import Panel
from tsforge.engine import LocalEngine
from tsforge.errors import ConfigError

SLEEP_S = 30.0


def _fail_first_sleep_others(task: tuple[int, str]) -> int:
    x, folder = task
    if x == 0:
        time.sleep(0.5)  # the others have started by now
        raise RuntimeError("item 0 failed")
    tmp = Path(folder, f"{x}.tmp")
    tmp.write_text(str(os.getpid()))
    os.replace(tmp, Path(folder, f"{x}.pid"))  # whole or absent when the worker is ended
    time.sleep(SLEEP_S)
    return x


def test_a_failing_chunk_stops_the_pool_without_waiting_for_the_others(tmp_path):
    t0 = time.perf_counter()
    with pytest.raises(RuntimeError, match="item 0 failed"):
        LocalEngine(2).map(_fail_first_sleep_others, [(x, str(tmp_path)) for x in range(4)])
    assert time.perf_counter() - t0 < SLEEP_S / 2  # not after the sleeping chunks finished
    pids = [int(p.read_text()) for p in tmp_path.glob("*.pid")]
    assert pids  # a chunk was running beside the failing one...
    for pid in pids:  # ...and its worker is gone, not left computing a result nobody reads
        with pytest.raises(ProcessLookupError):
            os.kill(pid, 0)


def _die_on_one(x: int) -> int:
    if x == 1:
        os._exit(9)  # what the kernel's OOM killer or a segfault in native code leaves
    time.sleep(0.2)
    return x


def test_a_worker_that_dies_is_reported_with_its_likely_cause_and_remedy():
    with pytest.raises(BrokenProcessPool) as info:
        LocalEngine(2).map(_die_on_one, range(4))
    notes = " ".join(getattr(info.value, "__notes__", []))
    assert "worker process died" in notes and "--n-jobs 1" in notes


def _panel() -> Panel:
    rng = np.random.default_rng(3)
    arrays = [40 + np.cumsum(rng.standard_normal(30 + i)) for i in range(12)]
    return Panel.from_arrays(arrays, ids=[f"s{i:02d}" for i in range(12)], season_length=12, name="toy")


@pytest.fixture
def failing_series(monkeypatch: pytest.MonkeyPatch) -> tuple[Panel, dict[str, Exception]]:
    """``forecast_series`` raising on the series whose first value marks it (inherited by the
    forked pool workers)."""
    panel = _panel()
    marker = float(panel.series(7)[0])
    original = local_mod.forecast_series
    raised: dict[str, Exception] = {"error": RuntimeError("numerical trouble")}

    def fake(spec, y, *args, **kwargs):
        if y[0] == marker:
            raise raised["error"]
        return original(spec, y, *args, **kwargs)

    monkeypatch.setattr(local_mod, "forecast_series", fake)
    return panel, raised


@pytest.mark.parametrize("n_jobs", [1, 2])
def test_an_unexpected_error_in_a_chunk_names_the_series_and_keeps_its_type(failing_series, n_jobs):
    panel, _ = failing_series
    with pytest.raises(RuntimeError, match="numerical trouble") as info:
        local_mod.forecast_local(panel, ["seasonal_naive"], 6, n_jobs=n_jobs, progress=False)
    notes = getattr(info.value, "__notes__", [])
    assert any("'s07'" in n and "seasonal_naive" in n for n in notes), notes


@pytest.mark.parametrize("n_jobs", [1, 2])
def test_a_tsforge_error_in_a_chunk_says_the_series_in_its_one_line_message(failing_series, n_jobs):
    panel, raised = failing_series
    raised["error"] = ConfigError("bad settings", field="option")
    with pytest.raises(ConfigError) as info:
        local_mod.forecast_local(panel, ["naive"], 6, n_jobs=n_jobs, progress=False)
    assert info.value.where == {"field": "option", "series": "s07"}
    assert str(info.value) == "bad settings (field='option', series='s07')"
    assert info.value.for_cli() == str(info.value)
