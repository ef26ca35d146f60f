"""Fixtures of the per-series recommender tests: a synthetic panel where two candidates each win
on a known half, and a router trained on another draw of it."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from tsforge.data.panel import Panel

#: The two candidates of the synthetic task: seasonal naive wins the seasonal half, naive the
#: trending half (seasonal naive repeats a level a year old, 12 × the slope behind).
HALVES_CANDIDATES = ("naive", "seasonal_naive")


def halves_panel(n: int = 60, seed: int = 0, prefix: str = "") -> Panel:
    """``n`` monthly series: the first half strongly seasonal without trend, the second half a
    steep trend without seasonality; ids say which (``seas…`` / ``trend…``)."""
    rng = np.random.default_rng(seed)
    arrays, ids, starts = [], [], []
    for i in range(n):
        length = int(rng.integers(60, 97))
        t = np.arange(length)
        if i < n // 2:
            y = 50 + 10 * np.sin(2 * np.pi * t / 12 + rng.uniform(0, 6)) + rng.normal(0, 0.8, length)
            ids.append(f"{prefix}seas{i}")
        else:
            y = 50 + rng.uniform(1.0, 2.0) * t + rng.normal(0, 0.8, length)
            ids.append(f"{prefix}trend{i}")
        arrays.append(y)
        starts.append(pd.Timestamp("2001-01-01") + pd.DateOffset(months=int(rng.integers(0, 24))))
    return Panel.from_arrays(
        arrays, ids=ids, starts=pd.DatetimeIndex(starts).values, freq="MS", name=f"halves{seed}"
    )


@pytest.fixture(scope="session")
def make_halves():
    """The :func:`halves_panel` factory (test modules cannot import conftest under importlib mode)."""
    return halves_panel


@pytest.fixture(scope="session")
def halves_kb():
    """Cases of two synthetic collections (knowledge base built without any cache)."""
    from recommender.series_kb import SeriesKBSettings, collection_cases

    settings = SeriesKBSettings(n_windows=3, base=HALVES_CANDIDATES, combinations=())
    return {
        f"halves{s}": collection_cases(halves_panel(60, s), settings, horizon=6, n_jobs=1, cache=False)
        for s in (1, 2)
    }


@pytest.fixture(scope="session")
def halves_router(halves_kb):
    from recommender.per_series import RouterConfig, train_router

    rows = pd.concat([c.kb_rows() for c in halves_kb.values()], ignore_index=True)
    config = RouterConfig(n_estimators=60, learning_rate=0.1, min_child_samples=10, n_threads=1)
    return train_router(rows, HALVES_CANDIDATES, {}, config)


@pytest.fixture
def halves_csv(tmp_path, make_halves) -> str:
    """A 12-series halves panel as a CSV file (the CLI tests' input)."""
    path = tmp_path / "halves.csv"
    make_halves(12, seed=51).to_long().to_csv(path, index=False)
    return str(path)


@pytest.fixture
def saved_router(tmp_path, monkeypatch, halves_router):
    """A small router as the default one (a checkout without the built one must not build it)."""
    from recommender.per_series import router_dir

    monkeypatch.setenv("TSFORGE_CACHE_DIR", str(tmp_path / "cache"))
    return halves_router.save(router_dir())


@pytest.fixture
def no_shipped_router(tmp_path, monkeypatch):
    """This copy of tsforge as one without a shipped per-series router (a clone before
    ``make shipped-router``): what a missing router does is then observable."""
    import recommender.shipped_router as shipped

    monkeypatch.setattr(shipped, "SHIPPED_ROUTER_DIR", tmp_path / "no-shipped-router")


def _canned_ranking(best: str, runner: str):
    """A ``recommend_panel`` stand-in that ranks ``best`` first, ``runner`` second (no fit)."""

    def canned(panel, horizon, *args, **kwargs):
        import recommender.panel as panel_mod

        rows = [
            {"model": best, "val_mase": 0.354, "val_smape": 5.0, "phase_mase": None, "score": 0.354},
            {"model": runner, "val_mase": 0.5, "val_smape": 6.0, "phase_mase": None, "score": 0.5},
        ]
        return panel_mod.PanelRecommendation(panel.name, horizon, rows, f"{best}: the lowest", len(panel))

    return canned


@pytest.fixture
def canned_ranking():
    """The :func:`_canned_ranking` factory: ``canned_ranking(best, runner)`` (test modules cannot
    import conftest under importlib mode)."""
    return _canned_ranking
