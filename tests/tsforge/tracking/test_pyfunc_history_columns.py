"""What the MLflow pyfunc takes: a long ``unique_id, ds, y`` history; anything else is refused in
one line naming the missing columns, and bad cells as ``predict_frame`` refuses them.

Found: a history with other column names (``store, day, units``) or in the wide layout was refused
by MLflow's schema check, "Failed to enforce schema of data '<the whole frame>' ... Model is
missing inputs ['unique_id', 'y']", before tsforge saw it; a float ``y`` with one text cell
raised pyarrow's ``ArrowInvalid``; naive and tz-aware timestamps in ``ds`` were read silently.
"""

from __future__ import annotations

import mlflow
import numpy as np
import pandas as pd
import pytest

from tsforge.errors import DataValidationError


@pytest.fixture
def served(tracking_uri):
    """``(history, predictor, pyfunc)`` of a registered naive panel model of monthly series."""
    from tsforge.pipeline import TrackingOptions, train_panel

    ds = pd.date_range("2010-01-01", periods=24, freq="MS")
    history = pd.DataFrame(
        {"unique_id": ["a"] * 24 + ["b"] * 24, "ds": list(ds) * 2, "y": np.arange(48.0) % 5 + 1}
    )
    out = train_panel(
        history, "naive", horizon=3, tracking=TrackingOptions(registered_name="cols-naive", progress=False)
    )
    return history, out.predictor, mlflow.pyfunc.load_model(f"models:/{out.registered_name}@champion")


def _refusal(pyfunc, frame: pd.DataFrame) -> DataValidationError:
    with pytest.raises(DataValidationError) as err:
        pyfunc.predict(frame, params={"horizon": 3})
    return err.value


def test_a_long_history_is_forecast_as_predict_frame_forecasts_it(served):
    history, predictor, pyfunc = served
    got = pyfunc.predict(history, params={"horizon": 3})
    want = predictor.predict_frame(history, 3)
    np.testing.assert_allclose(got["y_hat"].to_numpy(), want["y_hat"].to_numpy())


def test_other_column_names_are_refused_in_one_line_naming_the_missing_ones(served):
    history, _, pyfunc = served
    err = _refusal(pyfunc, history.rename(columns={"unique_id": "store", "ds": "day", "y": "units"}))
    assert "missing: 'unique_id', 'y'" in err.message and "predict_frame(id_col=" in err.message
    assert "\n" not in err.message


def test_a_wide_history_is_refused_naming_the_missing_columns(served):
    history, _, pyfunc = served
    wide = history.pivot(index="ds", columns="unique_id", values="y").reset_index()
    err = _refusal(pyfunc, wide)
    assert "missing: 'unique_id', 'y'" in err.message and "wide history" in err.message


def test_a_missing_target_alone_is_named(served):
    history, _, pyfunc = served
    err = _refusal(pyfunc, history.rename(columns={"y": "units"}))
    assert "missing: 'y'" in err.message and err.where["column"] == "y"


def test_a_text_cell_among_numbers_is_refused_naming_its_row(served):
    history, _, pyfunc = served
    bad = history.assign(y=history.y.astype(object))
    bad.loc[30, "y"] = "abc"
    err = _refusal(pyfunc, bad)
    assert "non-numeric value 'abc'" in err.message and err.where["row"] == 30 and err.where["column"] == "y"


def test_naive_and_aware_timestamps_are_refused_as_written_two_ways(served):
    history, _, pyfunc = served
    mixed = history.assign(ds=history.ds.astype(object))
    mixed.loc[28, "ds"] = pd.Timestamp("2010-05-01", tz="Etc/GMT-2")
    err = _refusal(pyfunc, mixed)
    assert "more than one way" in err.message and err.where["row"] == 28 and err.where["series"] == "b"
