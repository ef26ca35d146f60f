"""The local engine keeps input order and each result exactly once, in-process or in a pool;
panel work routed through any engine gives the same numbers."""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import pandas as pd
import pytest

from tsforge.data.panel import Panel
from tsforge.engine import LocalEngine
from tsforge.errors import ConfigError


def _slow_square(x: int) -> tuple[int, int]:
    time.sleep(0.05 * (x % 3 == 0))  # some items finish late, so completion order differs
    return x * x, os.getpid()


def _fail_on_three(x: int) -> int:
    if x == 3:
        raise ConfigError("item 3 is bad", field="x")
    return x


@pytest.mark.parametrize("n_jobs", [1, 2])
def test_results_in_input_order_each_reported_once(n_jobs) -> None:
    calls: list[int] = []
    out = LocalEngine(n_jobs).map(_slow_square, range(12), on_result=lambda i, r: calls.append(i))
    assert [r[0] for r in out] == [x * x for x in range(12)]
    assert sorted(calls) == list(range(12))
    pids = {r[1] for r in out}
    if n_jobs == 1:
        assert pids == {os.getpid()}  # one worker = this process, no pool
    else:
        assert os.getpid() not in pids


@pytest.mark.parametrize("n_jobs", [1, 2])
def test_a_task_error_surfaces_as_itself(n_jobs):
    with pytest.raises(ConfigError, match="item 3 is bad") as info:
        LocalEngine(n_jobs).map(_fail_on_three, range(6))
    assert info.value.where == {"field": "x"}


def test_empty_input_gives_empty_output():
    assert LocalEngine(2).map(_slow_square, []) == []


class ReversedEngine:
    """A stand-in scheduler: runs the chunks last-first and records them (the contract is only
    that results come back in input order)."""

    name = "reversed"

    def __init__(self) -> None:
        self.seen = 0

    @property
    def workers(self) -> int:
        return 3

    def describe(self) -> str:
        return "reversed"

    def map(self, fn: Callable[[Any], Any], items: Sequence[Any], on_result=None) -> list[Any]:
        items = list(items)
        out: list[Any] = [None] * len(items)
        for i in reversed(range(len(items))):
            out[i] = fn(items[i])
            self.seen += 1
            if on_result is not None:
                on_result(i, out[i])
        return out


@pytest.fixture(scope="module")
def panel() -> Panel:
    rng = np.random.default_rng(7)
    arrays = [
        20 + np.sin(2 * np.pi * np.arange(n) / 12) + 0.2 * rng.standard_normal(n)
        for n in rng.integers(10, 60, size=25)
    ]
    return Panel.from_arrays(arrays, season_length=12, name="toy")


def test_forecast_local_and_cv_go_through_the_given_engine_with_the_same_numbers(panel):
    from tsforge.panels.cv import cross_validation
    from tsforge.panels.local import forecast_local

    models = ["seasonal_naive", "rw_drift"]
    eng = ReversedEngine()
    base = forecast_local(panel, models, 4, progress=False)
    other = forecast_local(panel, models, 4, progress=False, engine=eng)
    assert eng.seen >= 8  # the panel was cut into chunks and every chunk went through the engine
    pd.testing.assert_frame_equal(base, other, check_exact=True)
    seen = eng.seen
    cv_base = cross_validation(panel, models, 4, n_windows=2, progress=False)
    cv_other = cross_validation(panel, models, 4, n_windows=2, progress=False, engine=eng)
    assert eng.seen > seen
    pd.testing.assert_frame_equal(cv_base, cv_other, check_exact=True)


def test_profile_windows_through_an_engine_reports_progress_and_matches(panel) -> None:
    from recommender.properties.profile import profile_windows

    rng = np.random.default_rng(1)
    windows = rng.standard_normal((70, 48)).cumsum(axis=1)
    progress: list[tuple[int, int]] = []
    base = profile_windows(windows, chunk_size=16)
    other = profile_windows(
        windows, chunk_size=16, engine=ReversedEngine(), progress=lambda d, n: progress.append((d, n))
    )
    assert [d for d, _ in progress] == [6, 22, 38, 54, 70] and {n for _, n in progress} == {70}
    for key, value in base.items():
        if key == "periods":
            assert value == other[key]
        else:
            np.testing.assert_array_equal(value, other[key])
