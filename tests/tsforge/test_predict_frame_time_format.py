"""``predict_frame(time_format=)``: the Python API reads a history's text dates by a given format,
as ``tsforge forecast --time-format`` does, and so does the MLflow pyfunc (``params``).

The history is the one a format is for: twelve days of January written day first
(``01/01/2017`` … ``12/01/2017``), whose days never pass 12, so without a format they read
month first — the first of twelve months — and nothing but parsing the column beforehand
could say otherwise.
"""

from __future__ import annotations

import warnings

import mlflow
import numpy as np
import pandas as pd
import polars as pl
import pytest

from tsforge.data.history import with_parsed_times
from tsforge.data.validation import AmbiguousDatesWarning
from tsforge.errors import ConfigError, DataValidationError
from tsforge.pipeline import TrackingOptions, train_panel

DAYS = pd.date_range("2017-01-01", periods=12, freq="D")  # every day ≤ 12
AFTER = list(pd.to_datetime(["2017-01-13", "2017-01-14"]))


def _history(dates: pd.DatetimeIndex, fmt: str, time_col: str = "ds") -> pd.DataFrame:
    """Two series ``a``, ``b`` over ``dates``, written as text by ``fmt`` (as read from a CSV)."""
    rng = np.random.default_rng(0)
    return pd.concat(
        [
            pd.DataFrame(
                {"unique_id": sid, time_col: dates.strftime(fmt), "y": 100 + rng.normal(0, 5, len(dates))}
            )
            for sid in ("a", "b")
        ],
        ignore_index=True,
    )


@pytest.fixture(scope="module")
def daily():
    """A naive panel model of daily series, trained on real dates."""
    train = _history(pd.date_range("2016-10-01", periods=60, freq="D"), "%Y-%m-%d")
    train["ds"] = pd.to_datetime(train["ds"])
    options = TrackingOptions(track=False, progress=False)
    return train_panel(train, "naive", horizon=3, tracking=options).predictor


def test_a_day_first_history_is_forecast_after_its_last_day(daily):
    """The reader's note says "pass time_format='%d/%m/%Y'"; predict_frame now takes it."""
    history = _history(DAYS, "%d/%m/%Y")
    with pytest.warns(AmbiguousDatesWarning, match="pass time_format='%d/%m/%Y'"):
        with pytest.raises(
            DataValidationError, match=r"sampled monthly \(MS\)"
        ):  # twelve months, read month first
            daily.predict_frame(history, 2)
    with warnings.catch_warnings():
        warnings.simplefilter("error", AmbiguousDatesWarning)  # the format leaves nothing to guess
        got = daily.predict_frame(history, 2, time_format="%d/%m/%Y")
    assert got["unique_id"].tolist() == ["a", "a", "b", "b"]
    assert list(got["ds"].unique()) == AFTER


def test_the_format_reads_the_column_the_cli_reads_with_it(daily, tmp_path):
    """One path: the frame ``tsforge forecast --time-format`` parses first
    (:func:`with_parsed_times`) is forecast as the frame parsed by ``predict_frame`` itself,
    for a named time column and a polars frame alike."""
    history = _history(DAYS, "%d/%m/%Y", time_col="day")
    parsed = with_parsed_times(history, time_col="day", time_format="%d/%m/%Y")
    expected = daily.predict_frame(parsed, 2, time_col="day")
    got = daily.predict_frame(pl.from_pandas(history), 2, time_col="day", time_format="%d/%m/%Y")
    pd.testing.assert_frame_equal(got, expected)
    assert list(got["day"].unique()) == AFTER


def test_a_row_the_format_does_not_read_is_named_by_column_and_row(daily):
    history = _history(DAYS, "%d/%m/%Y")
    history.loc[15, "ds"] = "2017-01-04"  # series b's fourth row, another format
    with pytest.raises(DataValidationError) as err:
        daily.predict_frame(history, 2, time_format="%d/%m/%Y", file="history.csv")
    assert err.value.where == {"file": "history.csv", "column": "ds", "row": 15}
    assert "unparsable date '2017-01-04' in time column 'ds' at row 15" in str(err.value)


def test_a_history_without_the_time_column_says_to_name_it(daily):
    history = _history(DAYS, "%d/%m/%Y", time_col="day")
    with pytest.raises(DataValidationError) as err:
        daily.predict_frame(history, 2, time_format="%d/%m/%Y")
    assert "time_format='%d/%m/%Y' was given, but the history has no time column 'ds'" in str(err.value)
    assert "name it with time_col" in str(err.value)


@pytest.mark.parametrize(
    ("fmt", "said"),
    [
        (20170101, "time_format must be a strftime format (text such as '%d/%m/%Y'), got int 20170101"),
        ("dd/mm/yyyy", "time_format='dd/mm/yyyy' names no date part"),
    ],
)
def test_a_format_that_is_no_strftime_format_is_refused_as_the_format(daily, fmt, said):
    """Not "unparsable date '01/01/2017' at row 0", which blamed the history for the format."""
    with pytest.raises(ConfigError) as err:
        daily.predict_frame(_history(DAYS, "%d/%m/%Y"), 2, time_format=fmt)
    assert said in str(err.value)
    assert err.value.where == {"field": "time_format"}


@pytest.fixture
def pyfunc(tracking_uri):
    """The pyfunc of a registered naive model of daily series."""
    train = _history(pd.date_range("2016-10-01", periods=60, freq="D"), "%Y-%m-%d")
    train["ds"] = pd.to_datetime(train["ds"])
    out = train_panel(train, "naive", horizon=3, tracking=TrackingOptions(progress=False))
    return mlflow.pyfunc.load_model(f"models:/{out.registered_name}@champion")


def test_the_pyfunc_takes_the_format_as_a_param(pyfunc):
    got = pyfunc.predict(_history(DAYS, "%d/%m/%Y"), params={"horizon": 2, "time_format": "%d/%m/%Y"})
    assert list(pd.to_datetime(got["ds"]).unique()) == AFTER
    # MLflow checks a declared param's type before the model sees it, naming the param
    with pytest.raises(mlflow.exceptions.MlflowException, match="validate type and shape for 'time_format'"):
        pyfunc.predict(_history(DAYS, "%d/%m/%Y"), params={"horizon": 2, "time_format": 5})
    with pytest.raises(DataValidationError, match="at row 15"):
        bad = _history(DAYS, "%d/%m/%Y")
        bad.loc[15, "ds"] = "2017-01-04"
        pyfunc.predict(bad, params={"horizon": 2, "time_format": "%d/%m/%Y"})


@pytest.mark.parametrize("fmt", [20170101, "dd/mm/yyyy"])
def test_the_parser_the_cli_shares_blames_the_format_not_the_rows(fmt):
    """:func:`with_parsed_times` (``tsforge forecast --time-format`` and ``predict_frame``) said
    "unparsable date '01/01/2017' ... at row 0" for a format that can read no date at all."""
    with pytest.raises(ConfigError, match="time_format") as err:
        with_parsed_times(_history(DAYS, "%d/%m/%Y"), time_format=fmt)
    assert "unparsable" not in str(err.value)
