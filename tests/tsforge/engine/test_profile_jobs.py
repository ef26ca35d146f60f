"""``profile --n-jobs``: the local pool's cap (2 workers) is said in a note; Ray gets what was
asked, as in ``cv`` and ``train``."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import pandas as pd
import pytest

from tests.conftest import run_cli
from tsforge.engine import LocalEngine, RayEngine


@pytest.fixture
def sizes(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, int]]:
    """Each engine's ``map`` runs in this process and records ``(engine name, n_jobs)``: no pool
    and no Ray instance is started, only the size each would have had is seen."""
    seen: list[tuple[str, int]] = []

    def in_process(self: Any, fn: Callable[[Any], Any], items: Sequence[Any], on_result=None) -> list[Any]:
        seen.append((self.name, self.n_jobs))
        out = [fn(x) for x in items]
        for i, r in enumerate(out):
            if on_result is not None:
                on_result(i, r)
        return out

    monkeypatch.setattr(LocalEngine, "map", in_process)
    monkeypatch.setattr(RayEngine, "map", in_process)
    monkeypatch.delenv("TSFORGE_ENGINE", raising=False)
    monkeypatch.delenv("RAY_ADDRESS", raising=False)
    return seen


@pytest.fixture
def panel_csv(tmp_path):
    rng = np.random.default_rng(0)
    ds = pd.date_range("2020-01-01", periods=60, freq="D")
    frames = [
        pd.DataFrame({"unique_id": f"s{i}", "ds": ds, "y": rng.normal(size=60).cumsum()}) for i in range(5)
    ]
    path = tmp_path / "panel.csv"
    pd.concat(frames).to_csv(path, index=False)
    return str(path)


def test_profile_on_ray_gets_the_n_jobs_asked(capsys, sizes, panel_csv) -> None:
    code, _, err = run_cli(capsys, "profile", panel_csv, "--per-series", "--n-jobs", "4", "--engine", "ray")
    assert code == 0, err
    assert sizes and set(sizes) == {("ray", 4)}
    assert "lowered" not in err


def test_profile_on_the_local_engine_says_it_lowers_n_jobs(capsys, sizes, panel_csv) -> None:
    code, _, err = run_cli(capsys, "profile", panel_csv, "--per-series", "--n-jobs", "4")
    assert code == 0, err
    assert sizes and set(sizes) == {("local", 2)}
    assert "note: --n-jobs 4 lowered to 2" in err and err.count("lowered") == 1


def test_profile_within_the_cap_has_no_note(capsys, sizes, panel_csv) -> None:
    code, _, err = run_cli(capsys, "profile", panel_csv, "--per-series", "--n-jobs", "2")
    assert code == 0, err
    assert set(sizes) == {("local", 2)} and "lowered" not in err


@pytest.mark.parametrize(("engine", "expected"), [("ray", ("ray", 4)), ("local", ("local", 2))])
def test_profile_windows_caps_only_a_local_pool(sizes, engine, expected) -> None:
    from recommender.properties.profile import profile_windows

    windows = np.random.default_rng(1).standard_normal((40, 48)).cumsum(axis=1)
    profile_windows(windows, n_jobs=4, chunk_size=16, engine=engine)
    assert set(sizes) == {expected}
