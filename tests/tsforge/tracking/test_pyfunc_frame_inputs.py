"""The MLflow pyfunc takes a new station's coordinates in the history frame, and reads each
series' ``ds`` in its own format.

Found: (1) a model with a coordinate embedding refused a station it was not trained on with "give
its coordinates to forecast a new station", and the pyfunc had no way to give them (MLflow also
dropped columns its signature did not declare); (2) a long frame whose series wrote ``ds`` two
ways (``2015Q1`` for one, ``2015-01-01`` for another) was refused, though each series alone is
forecast.
"""

from __future__ import annotations

import mlflow
import numpy as np
import pandas as pd
import pytest
import torch

from tsforge.errors import DataValidationError


@pytest.fixture
def stpe(tracking_uri):
    """``(data, predictor, pyfunc)`` of a registered STPE-MLP (one epoch: only the reading of
    coordinates is judged here, not the forecast's quality)."""
    from tsforge.data.synthetic import synthetic_stations
    from tsforge.pipeline import train

    torch.set_num_threads(1)
    data = synthetic_stations(n_channels=3, n_steps=400, freq="h", seed=5)
    out = train(
        data,
        "stpe_mlp",
        input_len=24,
        horizon=6,
        train_config={"max_epochs": 1},
        progress=False,
        registered_name="stpe-frame",
        experiment="stpe-frame",
        eval_stride=24,
    )
    return data, out.predictor, mlflow.pyfunc.load_model(out.model_uri)


def _station(data, sid: str, **coords) -> pd.DataFrame:
    frame = pd.DataFrame({"unique_id": sid, "ds": data.timestamps[-24:], "y": data.values[-24:, 0]})
    return frame.assign(**coords)


def test_a_new_station_is_forecast_from_its_coordinate_columns(stpe):
    data, predictor, pyfunc = stpe
    lat, lon = (float(v) for v in data.coords[1][:2])
    history = _station(data, "new", lat=lat, lon=lon)
    if data.coords.shape[1] == 3:
        history = history.assign(alt=float(data.coords[1][2]))
    got = pyfunc.predict(history, params={"horizon": 6})
    table = history.groupby("unique_id", as_index=False).first()[["unique_id", *history.columns[3:]]]
    want = predictor.predict_frame(history[["unique_id", "ds", "y"]], 6, coords=table)
    np.testing.assert_allclose(got["y_hat"].to_numpy(), want["y_hat"].to_numpy(), rtol=1e-5, atol=1e-6)


def test_a_new_station_without_coordinates_is_told_the_columns(stpe):
    data, _, pyfunc = stpe
    with pytest.raises(DataValidationError, match="unknown series id 'new'.*columns lat, lon"):
        pyfunc.predict(_station(data, "new"), params={"horizon": 6})


def test_a_station_with_two_sets_of_coordinates_is_refused_naming_the_row(stpe):
    data, _, pyfunc = stpe
    history = _station(data, "new", lat=45.0, lon=7.0)
    history.loc[5, "lat"] = 46.0
    with pytest.raises(DataValidationError, match="two sets of coordinates") as err:
        pyfunc.predict(history, params={"horizon": 6})
    assert err.value.where["row"] == 5 and err.value.where["column"] == "lat"


@pytest.fixture
def quarterly(tracking_uri):
    """The pyfunc of a registered seasonal-naive panel model of quarterly series."""
    from tsforge.pipeline import train_panel

    ds = pd.date_range("2010-01-01", periods=24, freq="QS")
    y = 10 + np.sin(np.arange(24) * np.pi / 2)
    train = pd.concat([pd.DataFrame({"unique_id": s, "ds": ds, "y": y + i}) for i, s in enumerate("ab")])
    out = train_panel(train, "seasonal_naive", horizon=2)
    return mlflow.pyfunc.load_model(f"models:/{out.registered_name}@champion")


def _labels(sid: str) -> pd.DataFrame:
    q = pd.period_range("2015Q1", periods=12, freq="Q")
    return pd.DataFrame({"unique_id": sid, "ds": [f"{p.year}Q{p.quarter}" for p in q], "y": np.arange(12.0)})


def _dates(sid: str) -> pd.DataFrame:
    q = pd.period_range("2015Q1", periods=12, freq="Q")
    return pd.DataFrame(
        {"unique_id": sid, "ds": [str(p.start_time.date()) for p in q], "y": np.arange(12.0) + 1}
    )


def test_series_written_two_ways_are_each_read_their_own_way(quarterly):
    alone = pd.concat([quarterly.predict(_labels("a")), quarterly.predict(_dates("b"))], ignore_index=True)
    got = quarterly.predict(pd.concat([_labels("a"), _dates("b")], ignore_index=True))
    pd.testing.assert_frame_equal(got.reset_index(drop=True), alone)


def test_a_series_written_two_ways_is_refused_naming_it_and_its_row(quarterly):
    mixed = _labels("a")
    mixed.loc[4, "ds"] = "2016-01-01"
    with pytest.raises(DataValidationError, match="series 'a'.*more than one way") as err:
        quarterly.predict(pd.concat([_dates("b"), mixed], ignore_index=True))
    assert err.value.where["row"] == 16 and err.value.where["series"] == "a"
