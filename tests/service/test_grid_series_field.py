"""A series off the calendar grid of the panel it is forecast in: the library's error names the
series (``series=<id>``) and the panel's field that is off (``starts``), not ``freq``; the
service points at the series' timestamps from that, without reading the message."""

from __future__ import annotations

import numpy as np
import pytest

from tests.service.conftest import LONG, OnePredictorStore, serving
from tsforge.data.panel import Panel
from tsforge.errors import DataValidationError
from tsforge.panels.predictor import PanelPredictor


def test_the_panel_error_names_the_series_and_its_start():
    starts = np.array(["2020-01-01", "2020-01-31"], dtype="datetime64[ns]")  # a month end
    panel = Panel.from_arrays([np.arange(5.0), np.arange(5.0)], ids=["a", "b"], starts=starts, freq="MS")
    with pytest.raises(DataValidationError) as caught:
        panel.times_at(np.array([0]), np.array([1]))
    assert caught.value.where == {"field": "starts", "series": "b"}, caught.value.where
    assert "not on the monthly (MS) grid" in caught.value.message


def test_the_service_still_names_the_series_timestamps_and_says_what_to_do():
    """Guard (passes before and after): the service now reads the series from the error's
    ``series`` instead of the message's first words; its answer is unchanged."""
    import pandas as pd

    months = [str(d.date()) for d in pd.date_range("2019-01-01", periods=len(LONG), freq="MS")]
    ends = [str((pd.Timestamp(d) + pd.offsets.MonthEnd(0)).date()) for d in months]
    predictor = PanelPredictor("seasonal_naive", 3, freq="MS", season_length=12, interval_method="native")
    with serving(OnePredictorStore(predictor, "snaive")) as client:
        both = [
            {"id": "a", "values": LONG, "timestamps": months},
            {"id": "b", "values": LONG, "timestamps": ends},
        ]
        r = client.post("/v1/forecast", json={"series": both})
    assert r.status_code == 422, r.text
    body = r.json()
    assert body["field"] == "series[1].timestamps" and "separate request" in body["message"], body
