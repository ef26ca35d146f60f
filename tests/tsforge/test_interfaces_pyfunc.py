"""The registered MLflow pyfunc answers and refuses as the Python API does, for the same model and history.

Found by comparing the four doors (CLI, Python API, pyfunc, REST) on one registered model: the
pyfunc took ``horizon=0`` as "the trained horizon" where every other door refuses it, and the
input schema MLflow inferred from the example refused histories the other doors forecast (no
``ds`` column, an integer step index as ``ds``, integer ids, integer values).
"""

from __future__ import annotations

import mlflow
import numpy as np
import pandas as pd
import pytest

from tests.conftest import monthly_frame
from tsforge.errors import ConfigError
from tsforge.pipeline import train_panel


@pytest.fixture(scope="module")
def registered(tmp_path_factory):
    """A seasonal-naive panel model registered in a fresh store, its predictor and its pyfunc.

    One for the module: the tests only predict with both (predicting changes neither), and
    training, registering and loading the model again for each of them cost seconds a test.
    """
    from tsforge.tracking import configure_tracking

    root = tmp_path_factory.mktemp("pyfunc_store")
    uri = f"sqlite:///{root}/mlruns/mlflow.db"
    with pytest.MonkeyPatch.context() as mp:  # what the ``tracking_uri`` fixture does for one test
        mp.setenv("MLFLOW_TRACKING_URI", uri)
        mp.chdir(root)
        configure_tracking(uri)
        out = train_panel(monthly_frame(n=3, length=40), "seasonal_naive", horizon=6)
        pyfunc = mlflow.pyfunc.load_model(f"models:/{out.registered_name}@champion")
        while mlflow.active_run() is not None:
            mlflow.end_run()
    return out.predictor, pyfunc


@pytest.mark.parametrize("horizon", [0, -1, 7])
def test_pyfunc_refuses_the_horizons_predict_frame_refuses(registered, horizon):
    predictor, pyfunc = registered
    history = monthly_frame(n=2, length=30)
    with pytest.raises(ConfigError) as api_error:
        predictor.predict_frame(history, horizon)
    with pytest.raises(ConfigError) as pyfunc_error:
        pyfunc.predict(history, params={"horizon": horizon})
    assert str(pyfunc_error.value) == str(api_error.value)
    assert f"horizon {horizon} is outside 1..6" in str(pyfunc_error.value)


def _without_ds(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.drop(columns=["ds"])


def _integer_steps(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.assign(ds=frame.groupby("unique_id").cumcount().astype("int64"))


def _integer_values(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.assign(y=(frame["y"] * 10).round().astype("int64"))


def _integer_ids(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.assign(unique_id=frame["unique_id"].str[1:].astype("int64"))


@pytest.mark.parametrize("reshape", [_without_ds, _integer_steps, _integer_values, _integer_ids])
def test_pyfunc_forecasts_the_histories_predict_frame_forecasts(registered, reshape):
    predictor, pyfunc = registered
    history = reshape(monthly_frame(n=2, length=30))
    expected = predictor.predict_frame(history, 4)
    got = pyfunc.predict(history, params={"horizon": 4})
    if expected["ds"].isna().all():  # the pyfunc drops an all-null ds (MLflow's answer has none)
        expected = expected.drop(columns=["ds"])
    assert list(got.columns) == list(expected.columns)
    assert got["unique_id"].astype(str).tolist() == expected["unique_id"].astype(str).tolist()
    np.testing.assert_allclose(got["y_hat"].to_numpy(float), expected["y_hat"].to_numpy(float))
    if "ds" in expected:
        assert got["ds"].astype(str).tolist() == expected["ds"].astype(str).tolist()
