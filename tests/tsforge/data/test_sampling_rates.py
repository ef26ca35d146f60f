"""Sampling rates in users' files that pandas does not name: business days with a holiday,
and what filling gaps may do with a time off the grid."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from tsforge.data.load import load, load_panel
from tsforge.errors import DataValidationError


def _business_days_with_a_holiday(path) -> None:
    ds = pd.bdate_range("2020-01-01", periods=60).delete(10)  # Wednesday 2020-01-15 closed
    pd.DataFrame({"unique_id": "a", "ds": ds, "y": np.arange(59.0)}).to_csv(path, index=False)


@pytest.mark.parametrize("loader", [load_panel, load])
def test_a_holiday_is_the_gap_in_business_day_data(tmp_path, loader):
    """With one holiday missing the step was taken as one calendar day: the error blamed the
    first weekend (Friday → Monday), not the holiday."""
    path = tmp_path / "bdays.csv"
    _business_days_with_a_holiday(path)
    with pytest.raises(DataValidationError) as err:
        loader(str(path))
    assert "2020-01-14 → 2020-01-16" in str(err.value)
    assert "B" in str(err.value) and err.value.where["row"] == 10


@pytest.mark.parametrize("loader", [load_panel, load])
def test_filling_business_day_gaps_inserts_the_holiday_not_the_weekends(tmp_path, loader):
    """``--fill-gaps`` turned the series into calendar days with every weekend missing (25 NaN
    in 84 rows): a silent change of the sampling rate. Only the holiday is inserted now."""
    path = tmp_path / "bdays.csv"
    _business_days_with_a_holiday(path)
    got = loader(str(path), fill_gaps=True)
    data = got.panel if loader is load_panel else got.series
    assert data.freq == "B"
    assert data.values.size == 60 and int(np.isnan(data.values).sum()) == 1


def test_a_time_off_the_grid_with_fill_gaps_is_not_told_to_fill_gaps(tmp_path):
    """The panel reader answered ``fill_gaps=True`` with "insert the missing steps: fill_gaps=True"."""
    ds = pd.date_range("2020-01-01", periods=40, freq="15min").tolist()
    ds[20] += pd.Timedelta(minutes=7)
    path = tmp_path / "odd.csv"
    pd.DataFrame({"unique_id": "a", "ds": ds, "y": np.arange(40.0)}).to_csv(path, index=False)
    with pytest.raises(DataValidationError) as err:
        load_panel(str(path), fill_gaps=True)
    assert "fill_gaps=True" not in str(err.value) and "off the grid of steps of 15 minutes (15min)" in str(
        err.value
    )
    assert err.value.where["row"] == 20


@pytest.mark.parametrize("loader", [load_panel, load])
def test_monthly_dates_on_the_15th_are_refused_with_the_reason(tmp_path, loader):
    """Monthly data dated on the 15th were refused as "not one 31D step" with advice to fill
    gaps or set a frequency — neither helps; the error now says what the grid of months is."""
    ds = pd.date_range("2020-01-01", periods=30, freq="MS") + pd.Timedelta(days=14)
    path = tmp_path / "mid_month.csv"
    pd.DataFrame({"unique_id": "a", "ds": ds, "y": np.arange(30.0)}).to_csv(path, index=False)
    with pytest.raises(DataValidationError, match="fall on day 15 of their months") as err:
        loader(str(path))
    assert "fill_gaps=True" not in str(err.value)


def test_a_missing_month_in_month_start_data_gets_the_usual_gap_advice(tmp_path):
    ds = pd.date_range("2020-01-01", periods=30, freq="MS").delete([5, 6])
    path = tmp_path / "gap.csv"
    pd.DataFrame({"unique_id": "a", "ds": ds, "y": np.arange(28.0)}).to_csv(path, index=False)
    with pytest.raises(DataValidationError, match="fill_gaps=True") as err:
        load_panel(str(path))
    assert "fall on day" not in str(err.value)


def test_a_series_at_another_rate_than_the_panel_is_named_with_both_rates(tmp_path):
    """A daily series in a monthly file was refused for "irregular spacing … not one MS step",
    with advice (set the frequency, fill gaps) that cannot help a series regular at its own rate."""
    monthly = pd.DataFrame(
        {"unique_id": "m", "ds": pd.date_range("2020-01-01", periods=36, freq="MS"), "y": np.arange(36.0)}
    )
    daily = pd.DataFrame(
        {"unique_id": "d", "ds": pd.date_range("2020-01-01", periods=20, freq="D"), "y": np.arange(20.0)}
    )
    path = tmp_path / "mixed.csv"
    pd.concat([monthly, daily]).to_csv(path, index=False)
    with pytest.raises(
        DataValidationError,
        match=r"sampled daily \(D\) throughout, the panel's longest series monthly \(MS\)",
    ) as err:
        load_panel(str(path))
    assert err.value.where["series"] == "d" and "fill" not in str(err.value)
