"""``train_panel`` puts in its run's description the series a local model's fallback forecast in
the test window, as ``tsforge train`` says them on the terminal.

Found by a reviewer of the MLflow store: the note "… series were too short for seasonal_naive …
and were forecast by its fallback" was printed and the run, read later, had no word of it.
"""

from __future__ import annotations

import mlflow
import numpy as np
import pandas as pd

from tsforge.data.panel import Panel
from tsforge.pipeline import TrackingOptions, train_panel


def _panel() -> Panel:
    frames = []
    for sid, n in {"a": 60, "b": 60, "short": 14}.items():  # short: 8 values before its test window
        ds = pd.date_range(end="2023-12-01", periods=n, freq="MS")
        frames.append(pd.DataFrame({"unique_id": sid, "ds": ds, "y": 50 + np.sin(np.arange(n))}))
    return Panel.from_long(pd.concat(frames), freq="MS", name="fallpanel")


def test_the_runs_description_names_the_series_a_fallback_forecast(tracking_uri):
    out = train_panel(
        _panel(),
        "seasonal_naive",  # season 12 (monthly): 8 values are too short for it
        horizon=6,
        intervals=False,
        tracking=TrackingOptions(register=False, log_model=False, progress=False),
    )
    text = mlflow.get_run(out.run_id).data.tags["mlflow.note.content"]
    said = (
        "1 of 3 series was too short for seasonal_naive (or it failed on it) and was forecast by its fallback"
    )
    assert f"In the test window, {said}" in " ".join(text.split()), text
    assert ": short." in text, text


def test_the_runs_description_says_when_its_validation_fit_is_simpler(tracking_uri):
    """AutoETS on 20 monthly series of 48 values: on some, its fit on the 24 values before the
    validation window chooses no season where the final fit chooses one (the terminal's
    SimplerValidationFitWarning, ``tests/tsforge/panels/test_kept_forms.py``); the run says so."""
    import warnings

    from tests.conftest import seasonal_monthly_panel
    from tsforge.errors import SimplerValidationFitWarning

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        out = train_panel(
            seasonal_monthly_panel([48] * 20, seed=5),
            "auto_ets",
            horizon=12,
            tracking=TrackingOptions(register=False, log_model=False, progress=False),
        )
    (said,) = [str(w.message) for w in caught if issubclass(w.category, SimplerValidationFitWarning)]
    n = said.split("on ", 1)[1].split(" of 20 series")[0]  # the terminal's count
    text = mlflow.get_run(out.run_id).data.tags["mlflow.note.content"]
    assert (
        f"On {n} of 20 series auto_ets's fit before the validation window chose no seasonal form" in text
    ), text
