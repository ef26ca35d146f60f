"""Real-world timestamps: local times across a summer-time change, a frequency the user set,
and gaps filled in a panel that mixes sampling rates."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from tsforge.data.history import histories_from_frame
from tsforge.data.load import load, load_panel
from tsforge.errors import DataValidationError, TsforgeWarning


def _local_hours(start: str, n: int = 72) -> list[str]:
    """Hourly Berlin wall-clock times written without their UTC offset (as many loggers do)."""
    zoned = pd.date_range(start, periods=n, freq="h", tz="Europe/Berlin")
    return list(zoned.tz_localize(None).strftime("%Y-%m-%d %H:%M:%S"))


def _long_csv(tmp_path, ds: list[str], name: str = "local.csv") -> str:
    path = tmp_path / name
    pd.DataFrame({"unique_id": "a", "ds": ds, "y": np.arange(len(ds), dtype=float)}).to_csv(path, index=False)
    return str(path)


def _wide_csv(tmp_path, ds: list[str]) -> str:
    path = tmp_path / "wide.csv"
    n = len(ds)
    pd.DataFrame({"date": ds, "a": np.arange(n, dtype=float), "b": np.ones(n)}).to_csv(path, index=False)
    return str(path)


@pytest.mark.parametrize(
    ("start", "what", "change"),
    [("2024-03-30", "irregular spacing", "skips an hour on 2024-03-31"),
     ("2024-10-26", "duplicate timestamp 2024-10-27 02:00:00", "repeats an hour on 2024-10-27")],
)  # fmt: skip
def test_a_local_clock_change_is_named_in_a_long_file(tmp_path, start, what, change):
    """It was "duplicate timestamp 2024-10-27 02:00:00" (or "01:00 → 03:00 is not one h step,
    set the frequency or fill gaps"), with no word of the clock change that made it."""
    path = _long_csv(tmp_path, _local_hours(start))
    with pytest.raises(DataValidationError) as err:
        load_panel(path)
    message = str(err.value)
    assert what in message
    assert f"summer-time clock change (local time {change})" in message
    assert "UTC offset" in message


@pytest.mark.parametrize(("start", "change"), [("2024-03-30", "skips"), ("2024-10-26", "repeats")])
def test_a_local_clock_change_is_named_in_a_wide_file(tmp_path, start, change):
    path = _wide_csv(tmp_path, _local_hours(start, 200))
    with pytest.raises(DataValidationError, match=f"summer-time clock change \\(local time {change}"):
        load(path)


def test_a_local_clock_change_is_named_in_a_forecast_history():
    ds = _local_hours("2024-10-26")
    history = pd.DataFrame({"unique_id": "a", "ds": ds, "y": np.arange(len(ds), dtype=float)})
    with pytest.raises(DataValidationError, match="repeats an hour on 2024-10-27"):
        histories_from_frame(history)


def test_the_same_times_with_their_offsets_read_as_a_regular_series(tmp_path):
    """The advice works: the offsets make the series regular, nothing is lost, and the note says
    the times are UTC now (a guard for the reading, new for the note)."""
    zoned = pd.date_range("2024-10-26", periods=72, freq="h", tz="Europe/Berlin")
    with pytest.warns(TsforgeWarning, match="read in UTC"):
        panel = load_panel(_long_csv(tmp_path, [t.isoformat() for t in zoned])).panel
    assert panel.freq == "h" and int(panel.lengths[0]) == 72


@pytest.mark.parametrize(
    "ds",
    [list(pd.date_range("2024-01-03 10:00", periods=30, freq="h").strftime("%Y-%m-%d %H:%M")),
     list(pd.date_range("2024-10-20", periods=30, freq="D").strftime("%Y-%m-%d"))],
)  # fmt: skip
def test_an_ordinary_duplicate_gets_no_clock_change_advice(tmp_path, ds):
    """Guard: a repeated weekday noon, or a repeated day on a Sunday in October, is a duplicate."""
    ds = ds[:10] + [ds[9]] + ds[10:]
    with pytest.raises(DataValidationError, match="duplicate timestamp") as err:
        load_panel(_long_csv(tmp_path, ds))
    assert "clock change" not in str(err.value)


def test_a_gap_with_the_frequency_set_is_not_told_to_set_the_frequency(tmp_path):
    """It said "set the frequency: freq= / --freq" to a user who had just set it."""
    days = pd.date_range("2020-01-01", periods=40, freq="D").delete([5, 17])
    path = _long_csv(tmp_path, list(days.strftime("%Y-%m-%d")))
    with pytest.raises(DataValidationError, match=r"is not one daily \(D\) step") as err:
        load_panel(path, freq="D")
    cli = err.value.for_cli()  # the command line's words name the flags, Python's the arguments
    assert "--freq" not in cli and "--fill-gaps" in cli, cli
    assert "freq=" not in str(err.value) and "fill_gaps=True" in str(err.value)
    with pytest.raises(DataValidationError, match="set the frequency"):
        load_panel(path)  # not set: still offered


def _mixed_rates(tmp_path, missing_days: tuple[int, ...] = ()) -> str:
    days = pd.date_range("2020-01-01", periods=60, freq="D").delete(list(missing_days))
    months = pd.date_range("2020-01-01", periods=24, freq="MS")
    frame = pd.DataFrame(
        {
            "unique_id": ["daily"] * len(days) + ["monthly"] * len(months),
            "ds": list(days) + list(months),
            "y": np.arange(len(days) + len(months), dtype=float),
        }
    )
    path = tmp_path / "mixed.csv"
    frame.to_csv(path, index=False)
    return str(path)


def test_filling_gaps_does_not_stretch_a_series_sampled_at_another_rate(tmp_path):
    """With fill_gaps the monthly series became a daily one of 701 values, 677 missing, and was
    trained and forecast as such; without it the same file is refused naming the series' rate."""
    path = _mixed_rates(tmp_path)
    with pytest.raises(
        DataValidationError, match=r"series 'monthly' is sampled monthly \(MS\) throughout"
    ) as err:
        load_panel(path, fill_gaps=True)
    assert err.value.where["series"] == "monthly"
    with pytest.raises(DataValidationError, match=r"sampled monthly \(MS\) throughout"):
        load_panel(path, fill_gaps=True, freq="D")


def test_filling_gaps_still_fills_the_missing_days_of_a_daily_panel(tmp_path):
    """Guard: real gaps are still filled (the daily series alone)."""
    frame = pd.read_csv(_mixed_rates(tmp_path, missing_days=(7, 30)))
    panel = load_panel(frame[frame.unique_id == "daily"], fill_gaps=True).panel
    assert panel.freq == "D" and int(panel.lengths[0]) == 60
    assert int(np.isnan(panel.series(0)).sum()) == 2


def test_sub_daily_times_with_an_offset_say_they_are_read_in_utc(tmp_path):
    """A file at +02:00 was forecast from 22:00 after its last observation at 23:00 (+02:00):
    every output is in UTC without an offset, and nothing said so."""
    hours = pd.date_range("2024-04-01", periods=48, freq="h")
    path = _long_csv(tmp_path, [f"{t:%Y-%m-%dT%H:%M:%S}+02:00" for t in hours])
    with pytest.warns(
        TsforgeWarning, match="read in UTC \\(2024-04-01T00:00:00\\+02:00 is 2024-03-31 22:00:00 UTC\\)"
    ):
        panel = load_panel(path).panel
    assert pd.Timestamp(panel.last_times()[0]) == hours[-1] - pd.Timedelta(hours=2)  # unchanged: UTC
    history = pd.read_csv(path)
    with pytest.warns(TsforgeWarning, match="dated in UTC"):
        histories_from_frame(history)  # what `tsforge forecast` reads


@pytest.mark.parametrize(
    "ds",
    [[f"{t:%Y-%m-%dT%H:%M:%S}Z" for t in pd.date_range("2024-04-01", periods=48, freq="h")],
     [t.isoformat() for t in pd.date_range("2024-03-20", periods=30, freq="D", tz="Europe/Berlin")]],
)  # fmt: skip
def test_no_utc_note_where_no_time_moved(tmp_path, ds):
    """Guard: UTC times (``Z``), and daily times read at their wall clock, are not moved."""
    with warnings.catch_warnings():
        warnings.simplefilter("error", TsforgeWarning)
        load_panel(_long_csv(tmp_path, ds))


def _months_csv(tmp_path, freq: str, name: str = "months.csv") -> str:
    return _long_csv(
        tmp_path, list(pd.date_range("2020-01-01", periods=30, freq=freq).strftime("%Y-%m-%d")), name
    )


def test_a_renamed_pandas_alias_is_read_under_its_current_name(tmp_path):
    """``--freq M`` (pandas' old name for month ends) printed pandas' FutureWarning with its
    source line at every date range, and the error named an ``M`` grid. (Month starts given
    ``M`` are read as month starts, with a note naming ``M`` as typed: test_period_end_aliases,
    test_freq_note_typed.)"""
    with warnings.catch_warnings(record=True) as record:
        warnings.simplefilter("always")
        warnings.simplefilter("error", FutureWarning)
        panel = load_panel(_months_csv(tmp_path, "ME"), freq="M").panel
        starts = load_panel(_months_csv(tmp_path, "MS", "starts.csv"), freq="M").panel
    assert panel.freq == "ME" and starts.freq == "MS"
    assert any("the month ends that freq='M' names" in str(w.message) for w in record)


def test_dates_off_the_given_grid_are_told_the_grid_they_lie_on(tmp_path):
    """It was "date 2020-01-01 of series 'a' is not on the ME grid" and no more. (Month ends
    given a quarterly frequency: month starts given ``ME`` are now read as month starts.)"""
    with pytest.raises(DataValidationError, match=r"its dates lie on the ME grid \(freq='ME' / --freq ME\)"):
        load_panel(_months_csv(tmp_path, "ME"), freq="QE")


def test_a_series_at_another_rate_than_the_given_one_is_told_its_own(tmp_path):
    """With --freq min on 15-minute data it said "the panel's longest series min": a rate no
    series has (the user gave it); now the given frequency and the series' own rate."""
    path = _long_csv(tmp_path, list(pd.date_range("2020-01-01", periods=30, freq="15min").astype(str)))
    with pytest.raises(DataValidationError) as err:
        load_panel(path, freq="min")
    message = str(err.value)
    assert "the frequency given" in message and "--freq 15min" in message
    assert "longest series" not in message


def test_month_starts_and_month_ends_in_one_panel_are_named(tmp_path):
    starts = pd.date_range("2020-01-01", periods=30, freq="MS")
    ends = pd.date_range("2020-01-31", periods=30, freq="ME")
    frame = pd.DataFrame({"unique_id": ["s"] * 30 + ["e"] * 30, "ds": list(starts) + list(ends), "y": 1.0})
    with pytest.raises(
        DataValidationError, match="its dates lie on the ME grid; one panel holds one calendar"
    ):
        load_panel(frame)


def test_pandas_periods_are_read_as_the_dates_they_start_at():
    """A period column or a PeriodIndex failed with polars' "cannot cast extension types to String"."""
    months = pd.period_range("2020-01", periods=30, freq="M")
    panel = load_panel(pd.DataFrame({"unique_id": "a", "ds": months, "y": np.arange(30.0)})).panel
    assert panel.freq == "MS" and pd.Timestamp(panel.last_times()[0]) == pd.Timestamp("2022-06-01")
    wide = load(pd.DataFrame({"a": np.arange(30.0), "b": 1.0}, index=months)).series
    assert pd.Timestamp(wide.timestamps[0]) == pd.Timestamp("2020-01-01") and wide.channel_ids == ("a", "b")


def _midnights_in_utc() -> list[str]:
    """Berlin midnights written as naive UTC times: 23:00 in winter, 22:00 from 2024-03-31."""
    local = pd.date_range("2024-03-01", periods=60, freq="D", tz="Europe/Berlin")
    return list(local.tz_convert("UTC").tz_localize(None).strftime("%Y-%m-%d %H:%M:%S"))


@pytest.mark.parametrize("options", [{}, {"fill_gaps": True}, {"freq": "D"}])
def test_local_midnights_written_in_utc_are_told_why_they_break(tmp_path, options):
    """It advised setting the frequency or filling gaps (or, with fill_gaps, "correct that
    time"), none of which helps a time of day that moves at the clock change."""
    with pytest.raises(
        DataValidationError, match="time of day moves by an hour here \\(23:00 → 22:00\\)"
    ) as err:
        load_panel(_long_csv(tmp_path, _midnights_in_utc()), **options)
    assert "--fill-gaps" not in str(err.value)


def test_local_midnights_written_in_utc_in_a_wide_file(tmp_path):
    with pytest.raises(DataValidationError, match="time of day moves by an hour here"):
        load(_wide_csv(tmp_path, _midnights_in_utc()))


def test_an_ordinary_missing_day_keeps_its_advice(tmp_path):
    """Guard: a missing day in March (a clock-change month) is a gap, not a clock change."""
    days = pd.date_range("2024-03-01", periods=60, freq="D").delete([29, 30])
    with pytest.raises(DataValidationError, match="set the frequency") as err:
        load_panel(_long_csv(tmp_path, list(days.strftime("%Y-%m-%d"))))
    assert "clock change" not in str(err.value)


def test_an_iso_week_is_read_as_its_monday(tmp_path):
    """It was "unparsable date '2020-W02'" with advice to rewrite every label; a week is dated by
    the day it starts, as quarters are."""
    weeks = [f"2020-W{w:02d}" for w in range(2, 40)]
    panel = load_panel(_long_csv(tmp_path, weeks)).panel
    assert panel.freq == "W-MON" and str(pd.Timestamp(panel.starts[0]).date()) == "2020-01-06"
