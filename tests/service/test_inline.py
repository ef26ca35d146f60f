"""Short forecasts run on the event loop (no thread-pool hop, no GIL convoy: issue #18, finding 8);
large requests and first loads run in the thread pool."""

from __future__ import annotations

import threading
from types import SimpleNamespace

import numpy as np
from fastapi.testclient import TestClient
from mlflow.exceptions import MlflowException
from mlflow.protos.databricks_pb2 import RESOURCE_DOES_NOT_EXIST

from service.inline import INLINE_MAX_VALUES
from service.main import create_app
from service.model_store import ModelStore
from service.settings import ServiceSettings
from tsforge.inference import SeriesForecast


class _Client:
    """One model ``m`` with version 1 behind ``@champion``."""

    def get_model_version(self, name, version):
        if name != "m" or str(version) != "1":
            raise MlflowException("missing", error_code=RESOURCE_DOES_NOT_EXIST)
        return SimpleNamespace(version="1", run_id="r1")

    def get_model_version_by_alias(self, name, alias):
        return self.get_model_version(name, "1")


class _Recorder:
    """Forecasts ``last value``; records the thread each call ran in."""

    input_len, max_horizon = 2, 3

    def __init__(self) -> None:
        self.threads: list[str] = []

    def predict_series(self, series, horizon=None):
        self.threads.append(threading.current_thread().name)
        return [SeriesForecast(s.id, np.full(horizon, s.values[-1])) for s in series]


def test_loaded_model_and_small_request_run_on_the_loop_else_in_the_pool():
    predictor = _Recorder()
    store = ModelStore(client=_Client(), loader=lambda uri: predictor, default_model="m")
    assert store.peek("m") is None  # not resolved yet: no registry call from peek
    app = create_app(ServiceSettings(alias_poll_seconds=0, preload_default=False), store=store)
    with TestClient(app) as c:
        body = {"series": [{"id": "a", "values": [1.0, 2.0, 3.0]}], "horizon": 2}
        assert c.post("/v1/forecast", json=body).status_code == 200  # first use: resolve + load
        assert store.peek("m") is not None and store.peek("m/1") is not None
        assert c.post("/v1/forecast", json=body).status_code == 200  # loaded: inline
        big = {"series": [{"id": "b", "values": [1.0] * (INLINE_MAX_VALUES + 1)}], "horizon": 2}
        assert c.post("/v1/forecast", json=big).status_code == 200  # large: pool
        rows = {"inputs": {"unique_id": ["a", "a", "a"], "y": [1, 2, 3]}, "params": {"horizon": 1}}
        assert c.post("/invocations", json=rows).status_code == 200  # loaded and small: inline
    pool, loop, pool_again, loop_again = predictor.threads
    assert pool != loop and pool_again != loop and loop_again == loop
    assert store.peek("nope@x") is None and store.peek("bad name!") is None
