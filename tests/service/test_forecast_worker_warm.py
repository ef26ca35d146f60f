"""A warm-started large-forecast worker has imported what a local model's first forecast needs.

Before: tsforge imports statsforecast (with statsmodels, fugue, ...: ~690 modules) only when a
local model first forecasts, which the workers' start-up imports did not reach; so the first
large local or routed forecast of every fresh worker spent 0.5–1 s of its time budget on
imports (measured: auto_theta on 40 monthly series 0.9–1.7 s first, 0.4–0.7 s after).
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

from service.cpu_pool import CpuPool
from service.main import FORECAST_WORKER_MODULES

ROOT = Path(__file__).resolve().parents[2]


def first_local_forecast_imports(model: str) -> list[str]:
    """The top-level packages a first forecast of ``model`` imports (run in a worker)."""
    from tsforge.inference import SeriesInput
    from tsforge.panels.predictor import PanelPredictor

    before = set(sys.modules)
    series = [SeriesInput("a", np.array([float(10 + t % 12) for t in range(36)]))]
    PanelPredictor(model, 3, freq=None, season_length=12).predict_series(series, 3)
    return sorted({name.split(".")[0] for name in set(sys.modules) - before})


@pytest.mark.parametrize("model", ["auto_theta", "auto_ets"])
def test_a_warm_forecast_worker_imports_nothing_on_its_first_local_forecast(monkeypatch, model):
    monkeypatch.syspath_prepend(str(ROOT))  # the worker imports this module by name
    pool = CpuPool(1, 0, timeout_s=120, preload=FORECAST_WORKER_MODULES, label="large-forecast")
    try:
        pool.warm()
        imported = pool.run(f"{__name__}:first_local_forecast_imports", model)
    finally:
        pool.close()
    assert imported == [], imported
