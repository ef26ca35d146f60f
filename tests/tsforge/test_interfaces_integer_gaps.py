"""A history on an integer step index that skips steps is forecast as a dated one that skips
steps is: each skipped step a missing value, with a note naming the series, behind every door
(they all go through ``predict_series``); one mostly of skipped steps is refused.

Found by auditing the REST service: steps ``0..29, 35..64`` were forecast as if step 35 followed
step 29, without a word, while skipped *dates* became missing values with a note; and epoch
milliseconds of month starts (pandas' ``to_json()`` default for dates) were forecast as the next
months but labelled one and two *days* later, the gcd of their steps.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from tests.conftest import run_cli
from tsforge.errors import DataValidationError, RegularisedTimesWarning
from tsforge.inference import SeriesInput
from tsforge.panels.predictor import PanelPredictor

NOTE = r"1 of 1 series skips steps of their integer step index, read as missing values .*'s0' \(5\)"


def _seasonal(freq: str | None = None) -> PanelPredictor:
    """Seasonal naive: its forecast is the value a season back, so a shifted history shows."""
    return PanelPredictor("seasonal_naive", 3, freq=freq, season_length=12)


def _naive(freq: str | None = None) -> PanelPredictor:
    return PanelPredictor("naive", 3, freq=freq, season_length=1)


def _values(n: int = 65) -> np.ndarray:
    return 10 + np.arange(n, dtype=float)


@pytest.mark.parametrize("freq", [None, "MS"])
def test_skipped_integer_steps_are_missing_values_with_a_note(freq):
    """Steps 55..59 missing: the forecast is the one of the history with them sent as NaN."""
    y, keep = _values(), np.r_[0:55, 60:65]
    predictor = _seasonal(freq)
    with pytest.warns(RegularisedTimesWarning, match=NOTE):
        (gappy,) = predictor.predict_series([SeriesInput("s0", y[keep], steps=keep)], 3)
    told = y.copy()
    told[55:60] = np.nan
    with warnings.catch_warnings():
        warnings.simplefilter("error", RegularisedTimesWarning)  # a complete step index: no note
        (whole,) = predictor.predict_series([SeriesInput("s0", told, steps=np.arange(65))], 3)
    np.testing.assert_allclose(gappy.values, whole.values)
    np.testing.assert_allclose(gappy.values, y[53:56])  # a season back from steps 65..67


def test_the_frame_continues_the_series_own_step():
    """Years 1980, 1985, … without 1995: one step of 5 missing, forecast for 2025 and 2030."""
    years = np.delete(np.arange(1980, 2025, 5), 3)
    frame = pd.DataFrame({"unique_id": "y", "ds": years, "y": np.arange(years.size, dtype=float)})
    with pytest.warns(RegularisedTimesWarning, match=r"'y' \(1\)"):
        out = _naive().predict_frame(frame, 2)
    assert out["ds"].tolist() == [2025, 2030]


def test_epoch_milliseconds_of_months_are_refused_naming_the_column():
    """Their gcd step is a day, so the history is mostly skipped steps: refused, as a dated one
    would be, saying to send dates as dates (they were labelled a day apart before)."""
    months = pd.date_range("2020-01-01", periods=36, freq="MS")
    ms = (months.asi8 // 10**6).astype(np.int64)
    frame = pd.DataFrame({"unique_id": "e", "ds": ms, "y": np.arange(36.0)})
    with pytest.raises(DataValidationError, match=r"series 'e' skips 1030 steps .*ISO-8601") as exc:
        _naive("MS").predict_frame(frame, 2, file="history.csv")
    assert exc.value.where["column"] == "ds" and exc.value.where["series"] == "e"
    with pytest.raises(DataValidationError, match="step 86400000") as exc:
        _naive().predict_series([SeriesInput("e", np.arange(36.0), steps=ms)], 2)
    assert exc.value.where["field"] == "series[0].timestamps"


def test_integer_steps_out_of_order_are_refused():
    steps = np.r_[0:5, 6, 5, 7:12]
    with pytest.raises(DataValidationError, match=r"integer steps must increase, 5 follows 6"):
        _naive().predict_series([SeriesInput("s", np.arange(12.0), steps=steps)], 2)


def test_the_cli_forecast_notes_the_skipped_steps_and_continues_the_index(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("TSFORGE_CACHE_DIR", str(tmp_path / "cache"))
    y, keep = _values(), np.r_[0:55, 60:65]
    history, out = tmp_path / "history.csv", tmp_path / "fc.csv"
    pd.DataFrame({"unique_id": "s0", "ds": keep, "y": y[keep]}).to_csv(history, index=False)
    model = str(_seasonal("MS").save(tmp_path / "seasonal"))
    code, stdout, err = run_cli(capsys, "forecast", str(history), "--model", model, "-o", str(out))
    assert code == 0, stdout + err
    assert "1 of 1 series skips steps of their integer step index" in err and "'s0' (5)" in err, err
    written = pd.read_csv(out)
    assert written["ds"].tolist() == [65, 66, 67]
    np.testing.assert_allclose(written["y_hat"], y[53:56])
