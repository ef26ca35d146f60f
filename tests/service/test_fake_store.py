"""The app's structure without MLflow: a fake store swapped in through ``dependency_overrides``."""

from __future__ import annotations

import numpy as np

from tests.service.conftest import OnePredictorStore, serving
from tsforge.inference import SeriesForecast


class EchoPredictor:
    """Forecasts ``last value + step``: easy to check, and records its batch sizes."""

    input_len, max_horizon = 3, 5

    def __init__(self) -> None:
        self.batches: list[int] = []

    def predict_series(self, series, horizon=None):
        self.batches.append(len(series))
        return [SeriesForecast(s.id, s.values[-1] + np.arange(1, horizon + 1, dtype=float)) for s in series]


def _fake_store() -> OnePredictorStore:
    return OnePredictorStore(EchoPredictor(), "fake", version="7")


def test_dependency_override_drives_every_series_in_one_batch():
    store = _fake_store()
    with serving(store) as c:
        body = {
            "series": [{"id": "a", "values": [1, 2, 3]}, {"id": "b", "values": [5, None, 9]}],
            "horizon": 2,
        }
        r = c.post("/v1/forecast", json=body)
        assert r.status_code == 200, r.text
        assert r.json() == {
            "model": {"name": "fake", "version": "7", "alias": None, "run_id": "r"},
            "horizon": 2,
            "forecasts": [
                {"id": "a", "values": [4.0, 5.0], "timestamps": None},
                {"id": "b", "values": [10.0, 11.0], "timestamps": None},
            ],
        }
        assert store.predictor.batches == [2]
        r = c.post(
            "/invocations",
            json={"inputs": {"unique_id": ["a", "a", "a"], "y": [1, 2, 3]}, "params": {"horizon": 1}},
        )
        assert r.json() == {"predictions": [{"unique_id": "a", "step": 1, "y_hat": 4.0}]}
        assert c.get("/readyz").json()["loaded"] == ["fake/7"]


class CalendarPredictor(EchoPredictor):
    """An echo that, like a calendar model, says when series come without dates."""

    def input_note(self, series):
        undated = sum(s.timestamps is None for s in series)
        return f"{undated} of {len(series)} series came without dates" if undated else None


def test_an_input_note_of_the_model_reaches_both_protocols_responses():
    """A calendar model forecast undated series without its calendar, and the response said
    nothing (notes carried interval shortfalls only)."""
    store = _fake_store()
    store.predictor = CalendarPredictor()
    with serving(store) as c:
        body = {"series": [{"id": "a", "values": [1, 2, 3]}], "horizon": 2}
        assert c.post("/v1/forecast", json=body).json()["notes"] == ["1 of 1 series came without dates"]
        dated = {
            **body,
            "series": [{**body["series"][0], "timestamps": ["2024-01-01", "2024-01-02", "2024-01-03"]}],
        }
        assert "notes" not in c.post("/v1/forecast", json=dated).json()
        r = c.post(
            "/invocations",
            json={"inputs": {"unique_id": ["a"] * 3, "y": [1, 2, 3]}, "params": {"horizon": 1}},
        )
        assert r.json()["notes"] == ["1 of 1 series came without dates"]
