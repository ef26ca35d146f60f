"""``tsforge forecast`` with a trained seasonal model says the fallback note in forecast words.

Found by a first-user walkthrough: forecasting with a registered seasonal-naive model printed
"... a shorter season fits more series: --option season_length=N", an option ``forecast`` does
not take (the season is the trained model's), and named none of the series that fell back.
Needs ``tsforge/panels/predictor.py`` to pass ``stage="forecast"`` to ``warn_fallbacks``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from tests.conftest import run_cli
from tsforge.panels.predictor import PanelPredictor


def test_forecast_names_the_short_series_and_gives_forecast_advice(tmp_path, capsys):
    frames = []
    for sid, n in (("long", 30), ("short1", 5), ("short2", 7)):
        ds = pd.date_range(end="2023-12-01", periods=n, freq="MS")
        frames.append(pd.DataFrame({"unique_id": sid, "ds": ds, "y": 10 + np.sin(np.arange(n))}))
    history = tmp_path / "history.csv"
    pd.concat(frames).to_csv(history, index=False)
    bundle = PanelPredictor("seasonal_naive", 3, freq="MS", season_length=12).save(tmp_path / "snaive")
    code, out, err = run_cli(capsys, "forecast", str(history), "--model", str(bundle))
    assert code == 0, out + err
    said = " ".join(err.split())
    assert "2 of 3 series were too short for seasonal_naive" in said, said
    assert "(naive, or simpler): short1, short2;" in said, said
    assert "the model was trained at season 12, where seasonal_naive needs at least 12 values" in said, said
    assert "a shorter season fits more series" not in said, said
