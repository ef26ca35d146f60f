"""Registering a model prints no MLflow hint on integer columns, and its signature still types
the forecast's columns.

Why: ``infer_signature`` on the forecast example (its integer ``step`` column) printed "Hint:
Inferred schema contains integer column(s) ... missing values ... will cause a schema
enforcement error" on every ``train(...)`` / ``train_panel(...)``, telling Python users that
missing values are refused, which the pyfunc's history schema no longer does.
"""

from __future__ import annotations

import warnings

import mlflow
import numpy as np
import pandas as pd

from tsforge.pipeline import TrackingOptions, train_panel


def _panel() -> pd.DataFrame:
    rng = np.random.default_rng(0)
    ds = pd.date_range("2022-01-03", periods=40, freq="D")
    frames = [
        pd.DataFrame({"unique_id": f"s{i}", "ds": ds, "y": 20 + rng.normal(0, 2, ds.size).round()})
        for i in range(4)
    ]
    return pd.concat(frames, ignore_index=True)


def test_registering_prints_no_integer_schema_hint_and_types_the_outputs(tracking_uri: str) -> None:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        out = train_panel(
            _panel(),
            "naive",
            horizon=3,
            intervals=False,
            tracking=TrackingOptions(registered_name="hint-naive", progress=False),
        )
    hints = [str(w.message) for w in caught if "Inferred schema contains integer" in str(w.message)]
    assert hints == []
    info = mlflow.models.get_model_info(f"runs:/{out.run_id}/model")
    outputs = {c["name"]: c["type"] for c in info.signature.outputs.to_dict()}
    assert outputs["step"] == "long" and outputs["y_hat"] == "double" and outputs["ds"] == "datetime"
    assert outputs["unique_id"] == "string"
    served = mlflow.pyfunc.load_model(f"runs:/{out.run_id}/model").predict(
        _panel().groupby("unique_id").tail(10), params={"horizon": 2}
    )
    assert len(served) == 8 and served["y_hat"].notna().all()
