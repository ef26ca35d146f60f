"""task_interval_metrics keeps per-window results only, not every window's input history: the
scaled-CRPS baseline is built batch by batch, and the metrics equal those of the histories path.

Why: on a 300-channel file the kept histories (500 windows × 300 channels × 336 steps, float64)
made interval scoring the peak of a whole training run."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pytest

import tsforge.evaluation.intervals as intervals
import tsforge.panels.calibrate as calibrate
from tsforge.data.frame import TimeSeriesData
from tsforge.data.task import prepare_task
from tsforge.models import ModelContext, build_model


def _task_and_model():
    rng = np.random.default_rng(5)
    t = np.arange(600)
    values = (np.sin(2 * np.pi * t / 24)[:, None] * [1.0, 3.0, 5.0] + rng.normal(0, 1, (600, 3))).astype(
        np.float32
    )
    values[rng.random(values.shape) < 0.05] = np.nan
    ts = pd.date_range("2021-01-01", periods=600, freq="h").values
    task = prepare_task(TimeSeriesData(values, ts, ["a", "b", "c"], "h"), 48, 12)
    return task, build_model("naive", ModelContext.from_task(task), {})


def test_interval_scores_keep_no_histories_and_match_the_histories_path(monkeypatch: pytest.MonkeyPatch):
    task, model = _task_and_model()
    calibration = calibrate.calibrate_task(model, task, batch_size=16)
    calls: dict[str, Any] = {}
    histories: list[Any] = []
    real_score, real_naive = intervals.score_quantile_forecast, intervals.seasonal_naive_forecast

    def score_spy(*args, **kwargs):
        calls.update(args=args, kwargs=kwargs)
        return real_score(*args, **kwargs)

    def naive_spy(hist, m, h):
        histories.extend(hist)
        return real_naive(hist, m, h)

    monkeypatch.setattr(intervals, "score_quantile_forecast", score_spy)
    monkeypatch.setattr(intervals, "seasonal_naive_forecast", naive_spy)
    got = calibrate.task_interval_metrics(calibration, model, task, batch_size=16)
    kwargs = calls["kwargs"]
    assert kwargs.get("histories") is None  # the histories were not kept to the end
    y, values, probs, levels, scale = calls["args"]
    assert kwargs["baseline"].shape == y.shape
    monkeypatch.setattr(intervals, "seasonal_naive_forecast", real_naive)
    by_hist = real_score(
        y, values, probs, levels, scale, season_length=model.context.season_length, histories=histories
    )
    assert len(histories) == y.shape[0] and got == by_hist


def test_observed_windows_are_nan_where_unobserved():
    """Guard: the in-place NaN of the float64 copy is the masked copy it replaced."""
    task, _ = _task_and_model()
    batch = task.dataset("test").get_batch(np.arange(8))
    for key in ("x", "y"):
        want = np.where(batch[f"{key}_mask"].numpy(), batch[key].double().numpy(), np.nan)
        np.testing.assert_array_equal(calibrate._observed(batch[key], batch[f"{key}_mask"]), want)
        assert not np.isnan(batch[key].numpy()).any()  # the batch itself is left untouched


def _calibrate_and_score(task, model) -> tuple[dict[str, float], np.ndarray]:
    calibration = calibrate.calibrate_task(model, task, batch_size=16)
    point, history = np.zeros((3, 12)), [np.arange(48.0)] * 3
    probs = np.array([0.05, 0.1, 0.5, 0.9, 0.95])
    quantiles = calibration.quantiles(point, history, ["a", "b", "c"], probs)
    return calibrate.task_interval_metrics(calibration, model, task, batch_size=16), quantiles


def test_windows_are_turned_into_rows_a_bounded_piece_at_a_time(monkeypatch: pytest.MonkeyPatch):
    """A predicted batch is handed on in pieces of at most ROWS_PER_PIECE (window, channel) rows,
    with the numbers of the whole batch at once."""
    task, model = _task_and_model()
    monkeypatch.setattr(calibrate, "ROWS_PER_PIECE", 10**9)  # one piece per batch
    whole_metrics, whole_q = _calibrate_and_score(task, model)
    monkeypatch.setattr(calibrate, "ROWS_PER_PIECE", 6)  # 2 windows of 3 channels
    seen: list[int] = []
    real = calibrate._observed

    def spy(values, mask):
        seen.append(int(values.shape[0]) * int(values.shape[2]))
        return real(values, mask)

    monkeypatch.setattr(calibrate, "_observed", spy)
    metrics, q = _calibrate_and_score(task, model)
    assert seen and max(seen) <= 6
    assert metrics == whole_metrics
    np.testing.assert_array_equal(q, whole_q)


def test_rows_are_the_concatenation_of_their_pieces():
    pieces = [np.arange(12.0).reshape(4, 3), np.full((2, 3), -1.0), np.ones((0, 3))]
    rows = calibrate._Rows(6)
    for piece in pieces:
        rows.add(piece)
    np.testing.assert_array_equal(rows.result(), np.concatenate(pieces))
    short = calibrate._Rows(7)
    short.add(pieces[0])
    with pytest.raises(ValueError, match="4 rows were added where 7 were expected"):
        short.result()
