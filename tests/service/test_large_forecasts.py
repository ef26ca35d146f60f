"""Large forecasts run within a time budget (1000 monthly series to a routed ensemble computed for
minutes, on after the client had left), and the inline path weighs a model's cost per value
(2 × 9,000 values to auto_theta ran on the event loop and held ``/healthz`` for 0.6 s).

The fakes below are computed in spawned worker processes, which import them by module name:
each test puts the repository root on ``sys.path`` (a spawned process starts with its parent's).
"""

from __future__ import annotations

import os
import threading
import time
import warnings
from pathlib import Path
from types import SimpleNamespace
from typing import cast

import numpy as np
import pytest
from fastapi.testclient import TestClient

from service.inline import COST_PER_VALUE, INLINE_MAX_COST, POOL_MIN_COST
from service.main import create_app
from service.model_store import ModelStore
from service.settings import ServiceSettings
from tests.service.conftest import OnePredictorStore, serving
from tsforge.errors import TsforgeWarning
from tsforge.inference import SeriesForecast

ROOT = Path(__file__).resolve().parents[2]


class _Local:
    """A fake local model (``kind`` ``local``): forecasts the last value, warns where it ran
    (process id, thread name), and sleeps ``sleep_s`` first."""

    kind = "local"
    input_len, max_horizon = 1, 3

    def __init__(self, sleep_s: float = 0.0) -> None:
        self.sleep_s = sleep_s

    def predict_series(self, series, horizon=None, *, level=None, quantiles=None):
        time.sleep(self.sleep_s)
        where = f"computed in pid {os.getpid()} thread {threading.current_thread().name}"
        warnings.warn(where, TsforgeWarning, stacklevel=2)
        return [SeriesForecast(s.id, np.full(horizon, float(s.values[-1]))) for s in series]

    def interval_shortfall(self, level=None, quantiles=None, horizon=None):
        return None


class _Window(_Local):
    """The same fake as a window model (no ``kind``: one cost unit a value)."""

    kind = None  # type: ignore[assignment]


@pytest.fixture()
def importable(monkeypatch):
    """This module importable by name in the spawned workers."""
    monkeypatch.syspath_prepend(str(ROOT))
    assert __name__.endswith("test_large_forecasts")


def _body(n_series: int, length: int) -> dict:
    return {
        "series": [
            {"id": f"s{i}", "values": [float(i + t % 7) for t in range(length)]} for i in range(n_series)
        ],
        "horizon": 2,
    }


def _where(response) -> str:
    notes = [n for n in response.json()["notes"] or [] if n.startswith("computed in")]
    assert len(notes) == 1, response.json()
    return notes[0]


def _large(predictor) -> dict:
    """A request costing the pool threshold for ``predictor``'s kind."""
    per_value = COST_PER_VALUE.get(str(getattr(predictor, "kind", "")), 1)
    return _body(10, -(-POOL_MIN_COST // per_value // 10))


def _serving(store: OnePredictorStore, **settings) -> TestClient:
    """As :func:`tests.service.conftest.serving`, with these settings."""
    from service.dependencies import get_store

    app = create_app(ServiceSettings(alias_poll_seconds=0, **settings), store=cast(ModelStore, store))
    app.dependency_overrides[get_store] = lambda: store
    return TestClient(app)


def test_a_large_forecast_past_its_budget_is_504_and_its_worker_is_stopped(importable):
    store = OnePredictorStore(_Local(sleep_s=120), "slow")
    with _serving(store, forecast_timeout_seconds=3) as c:
        r = c.post("/v1/forecast", json=_large(store.predictor))
        assert r.status_code == 504, r.text
        body = r.json()
        assert body["error"] == "DeadlineExceededError" and body["error_code"] == "DEADLINE_EXCEEDED"
        assert "budget of 3 s" in body["message"], body["message"]
        assert "TSFORGE_FORECAST_TIMEOUT_SECONDS" in body["message"]
        assert "fewer series per request" in body["message"]
        assert c.app.state.forecast_pool.processes() == []  # killed, not left computing


def test_the_budget_and_the_workers_are_settings_read_from_the_environment():
    env = {"TSFORGE_FORECAST_TIMEOUT_SECONDS": "7", "TSFORGE_FORECAST_WORKERS": "2"}
    settings = ServiceSettings.from_env(env)
    assert settings.forecast_timeout_seconds == 7 and settings.forecast_workers == 2
    pool = create_app(settings).state.forecast_pool
    assert pool.timeout_s == 7 and pool.workers == 2


def test_a_large_forecast_is_computed_in_a_worker_with_its_notes(importable):
    store = OnePredictorStore(_Local(), "local")
    with serving(store) as c:
        body = _large(store.predictor)
        r = c.post("/v1/forecast", json=body)
        assert r.status_code == 200, r.text
        assert f"pid {os.getpid()} " not in _where(r)  # another process, and its note came back
        last = [f["values"][-1] for f in r.json()["forecasts"]]
        assert last == [s["values"][-1] for s in body["series"]]
        frame = {
            "unique_id": [s["id"] for s in body["series"] for _ in s["values"]],
            "y": [v for s in body["series"] for v in s["values"]],
        }
        r = c.post("/invocations", json={"inputs": frame, "params": {"horizon": 2}})
        assert r.status_code == 200, r.text
        assert f"pid {os.getpid()} " not in _where(r)


class _Registry:
    """One model ``m`` with version 1 (the registry client a :class:`ModelStore` asks)."""

    def get_model_version(self, name, version):
        return SimpleNamespace(version="1", run_id="r1")

    def get_model_version_by_alias(self, name, alias):
        return self.get_model_version(name, "1")


def _second_answer(fake: _Local, body: dict) -> tuple[str, list[int] | None]:
    """``(thread that computed the second forecast, the forecast workers' pids)`` (the first
    request loads the model, in the thread pool)."""
    store = ModelStore(client=_Registry(), loader=lambda uri: fake, default_model="m")
    app = create_app(ServiceSettings(alias_poll_seconds=0, preload_default=False), store=store)
    with TestClient(app) as c:
        assert c.post("/v1/forecast", json=body).status_code == 200
        r = c.post("/v1/forecast", json=body)
        assert r.status_code == 200, r.text
        assert f"pid {os.getpid()} " in _where(r)  # in the server
        pool = getattr(app.state, "forecast_pool", None)
        return _where(r).split(" thread ", 1)[1], None if pool is None else pool.processes()


def test_small_forecasts_stay_in_the_server_and_a_local_model_leaves_the_loop_sooner():
    """A request of a few hundred values runs on the event loop for a window model, in the
    thread pool for a local model (~110 µs a value: 2 x 9,000 values held the loop 0.6 s); no
    worker process starts for either."""
    body = _body(1, INLINE_MAX_COST // COST_PER_VALUE["local"] + 100)  # over a local model's inline cost
    window, window_workers = _second_answer(_Window(), body)
    local, local_workers = _second_answer(_Local(), body)
    assert not window.startswith("AnyIO worker thread"), window  # on the event loop
    assert local.startswith("AnyIO worker thread"), local
    assert window_workers == local_workers == []
