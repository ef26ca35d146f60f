"""``predict_frame``'s output frame is built column by column at once; it must be the frame the
per-series construction (one DataFrame per series, concatenated) gave, to the dtype."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from tests.conftest import monthly_frame
from tsforge.data.history import histories_from_frame
from tsforge.inference import continued_steps
from tsforge.inference.intervals import SeriesForecast
from tsforge.pipeline import TrackingOptions, train_panel


def _per_series_reference(forecasts, integer_steps, id_col, time_col) -> pd.DataFrame:
    """The frame as ``predict_frame`` built it before (one DataFrame per series + concat)."""
    frames = []
    for f in forecasts:
        n = len(f.values)
        if f.timestamps is not None:
            ds = f.timestamps
        elif f.id in integer_steps:
            ds = integer_steps[f.id]
        else:
            ds = pd.Series([pd.NaT] * n)
        frames.append(
            pd.DataFrame(
                {
                    id_col: f.id,
                    time_col: ds,
                    "step": np.arange(1, n + 1),
                    "y_hat": f.values,
                    **{f"y_hat-{k}": v for k, v in f.bounds.items()},
                }
            )
        )
    return pd.concat(frames, ignore_index=True)


@pytest.fixture(scope="module")
def naive():
    """A panel model with conformal intervals (bounds on request)."""
    out = train_panel(
        monthly_frame(4, 48), "naive", horizon=3, tracking=TrackingOptions(track=False, progress=False)
    )
    return out.predictor


def _history(kind: str, ids=("s1", "s10", "s2", "7")) -> pd.DataFrame:
    n = 40
    frame = pd.DataFrame(
        {
            "sid": np.repeat(list(ids), n),
            "y": 10 + np.sin(np.arange(n * len(ids))) + np.repeat(np.arange(len(ids)), n),
        }
    )
    if kind == "dates":
        frame["when"] = np.tile(pd.date_range("2001-01-01", periods=n, freq="MS"), len(ids))
    elif kind == "dates-tz":
        frame["when"] = np.tile(
            pd.date_range("2001-01-01", periods=n, freq="MS", tz="Europe/Paris"), len(ids)
        )
        frame["when"] = pd.to_datetime(frame["when"], utc=True).dt.tz_convert("Europe/Paris")
    elif kind == "integers":
        frame["when"] = np.concatenate([start + 3 * np.arange(n) for start in range(len(ids))])
    return frame.sample(frac=1.0, random_state=1)  # row order must not matter


@pytest.mark.parametrize("kind", ["dates", "dates-tz", "integers", "none"])
@pytest.mark.parametrize(
    "bounds", [{}, {"level": [80, 95]}, {"quantiles": [0.1, 0.9]}, {"level": [50], "quantiles": [0.25]}]
)
def test_predict_frame_equals_the_per_series_frame(naive, kind, bounds):
    """Guard (passes before and after the change): same columns, order, dtypes, index, values."""
    history = _history(kind)
    cols = {"id_col": "sid", "time_col": "when", "target_col": "y"}
    got = naive.predict_frame(history, 3, **cols, **bounds)
    inputs = histories_from_frame(history, "sid", "when", "y")
    forecasts = naive.predict_series(inputs, 3, **bounds)
    want = _per_series_reference(forecasts, continued_steps(inputs, forecasts), "sid", "when")
    pd.testing.assert_frame_equal(got, want, check_exact=True)
    assert list(got.columns[:4]) == ["sid", "when", "step", "y_hat"]


def _forecast(sid, values, timestamps=None, bounds=None) -> SeriesForecast:
    return SeriesForecast(sid, np.asarray(values), timestamps, bounds or {})


def _dates(start: str, h: int, unit: str = "ns") -> np.ndarray:
    return pd.date_range(start, periods=h, freq="D").values.astype(f"datetime64[{unit}]")


CASES = {
    "dated": ([_forecast("a", [1.0, 2.0], _dates("2020-01-01", 2)), _forecast("b", [3.0, 4.0], _dates("2021-01-01", 2))], {}),
    "dated-seconds": ([_forecast("a", [1.0], _dates("2020-01-01", 1, "s")), _forecast("b", [3.0], _dates("2021-01-01", 1, "s"))], {}),
    "dated-mixed-units": ([_forecast("a", [1.0], _dates("2020-01-01", 1, "s")), _forecast("b", [3.0], _dates("2021-01-01", 1))], {}),
    "undated": ([_forecast("a", [1.0, 2.0, 3.0]), _forecast("b", [3.0])], {}),
    "integer-steps": ([_forecast("a", [1.0, 2.0]), _forecast("b", [3.0, 4.0])], {"a": np.array([5, 6]), "b": np.array([10, 12])}),
    "some-integer-some-undated": ([_forecast("a", [1.0, 2.0]), _forecast("b", [3.0, 4.0])], {"a": np.array([5, 6])}),
    "some-dated-some-undated": ([_forecast("a", [1.0], _dates("2020-01-01", 1)), _forecast("b", [3.0])], {}),
    "float32-and-float64": ([_forecast("a", np.array([1.5], dtype=np.float32)), _forecast("b", [3.0])], {}),
    "float32": ([_forecast("a", np.array([1.5], dtype=np.float32)), _forecast("b", np.array([3.0], dtype=np.float32))], {}),
    "bounds": ([_forecast("a", [1.0, 2.0], None, {"lo-80": np.array([0.0, 1.0]), "hi-80": np.array([2.0, 3.0])}), _forecast("b", [3.0], None, {"lo-80": np.array([2.0]), "hi-80": np.array([4.0])})], {}),
    "bounds-differ": ([_forecast("a", [1.0], None, {"lo-80": np.array([0.0])}), _forecast("b", [3.0], None, {"q-0.1": np.array([2.0])})], {}),
    "bounds-reordered": ([_forecast("a", [1.0], None, {"lo-80": np.array([0.0]), "hi-80": np.array([2.0])}), _forecast("b", [3.0], None, {"hi-80": np.array([4.0]), "lo-80": np.array([2.0])})], {}),
    "one-series": ([_forecast("only", [1.0, 2.0, 3.0], _dates("2020-01-01", 3))], {}),
    "non-text-id": ([_forecast(7, [1.0]), _forecast(8, [2.0])], {}),
}  # fmt: skip


@pytest.mark.parametrize("case", list(CASES))
@pytest.mark.parametrize(
    "names",
    [("unique_id", "ds"), ("store", "step"), ("store", "y_hat"), ("step", "ds"), ("y_hat", "ds"), ("k", "k")],
)
def test_forecast_frame_equals_the_per_series_frame_in_every_case(case, names):
    """Column-at-once where the columns agree, per series where a concat's rules decide
    (mixed dtypes, bounds that differ, colliding column names): the same frame either way."""
    from tsforge.inference.predictor import forecast_frame

    forecasts, steps = CASES[case]
    id_col, time_col = names
    want = _per_series_reference(forecasts, steps, id_col, time_col)
    got = forecast_frame(forecasts, steps, id_col=id_col, time_col=time_col)
    pd.testing.assert_frame_equal(got, want, check_exact=True)


def test_predict_frame_builds_no_frame_per_series(naive, monkeypatch):
    """The cost this replaced: one DataFrame per series (30 s of a 20,000-series forecast).
    Counted, not timed: fewer DataFrames than series are built however many series there are."""
    history = _history("dates", ids=tuple(f"s{i}" for i in range(60)))
    built = []
    original = pd.DataFrame.__init__

    def counting(self, *args, **kwargs):
        built.append(1)
        original(self, *args, **kwargs)

    monkeypatch.setattr(pd.DataFrame, "__init__", counting)
    out = naive.predict_frame(history, 3, id_col="sid", time_col="when", target_col="y", level=[80])
    assert out["sid"].nunique() == 60
    assert len(built) < 60, f"{len(built)} DataFrames for 60 series"
