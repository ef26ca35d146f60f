"""Panel: ragged CSR layout, round trips from long frames and .tsf text, validation errors."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import polars as pl
import pytest

from tsforge.data.panel import Panel
from tsforge.data.ragged import fill_missing_ragged
from tsforge.data.tsf import monash_freq, parse_tsf
from tsforge.errors import DataValidationError, UnknownSeasonWarning

TSF = """# a tiny Monash file
@relation tiny
@attribute series_name string
@attribute start_timestamp date
@frequency monthly
@horizon 2
@missing true
@equallength false
@data
A:2020-01-01 00-00-00:1,2,3,4,5
B:2021-06-01 00-00-00:10,?,30
"""

TSF_NO_DATES = """@relation cif_like
@attribute series_name string
@attribute horizon numeric
@frequency monthly
@missing false
@equallength false
@data
T1:12:1,2,3,4
T2:6:5,6,7
"""


def _ragged_long() -> pd.DataFrame:
    a = pd.DataFrame(
        {"unique_id": "a", "ds": pd.date_range("2020-01-01", periods=5, freq="MS"), "y": np.arange(5.0)}
    )
    b = pd.DataFrame(
        {"unique_id": "b", "ds": pd.date_range("2021-03-01", periods=3, freq="MS"), "y": [7.0, 8, 9]}
    )
    return pd.concat([a, b], ignore_index=True)


def test_from_long_keeps_each_series_dates_and_round_trips():
    df = _ragged_long()
    panel = Panel.from_long(df.sample(frac=1.0, random_state=3), name="toy")
    assert panel.freq == "MS" and panel.season_length == 12
    got = panel.select(["a", "b"])
    assert list(got.lengths) == [5, 3]
    assert got.timestamps(1)[0] == np.datetime64("2021-03-01")
    assert got.timestamps(0)[-1] == np.datetime64("2020-05-01")
    back = got.to_long()
    pd.testing.assert_frame_equal(back, df, check_dtype=False)
    # memory scales with observed values: 8 values, not 2 series x union of 8+ dates
    assert got.values.size == 8


def test_from_long_polars_and_integer_time():
    df = pl.DataFrame({"id": [1, 1, 1, 2, 2], "t": [10, 11, 12, 0, 1], "v": [1.0, 2, 3, 4, 5]})
    # no calendar: the user is told that the season length is 1 and how to give a frequency
    with pytest.warns(UnknownSeasonWarning, match='season length is 1.*freq="MS"'):
        panel = Panel.from_long(df, id_col="id", time_col="t", target_col="v")
    assert not panel.is_datetime and panel.freq is None and panel.season_length == 1
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        monthly = Panel.from_long(df, id_col="id", time_col="t", target_col="v", freq="MS")
    assert monthly.season_length == 12
    assert list(panel.starts) == [10, 0]
    assert list(panel.last_times()) == [12, 1]


def test_integer_time_counting_in_fives_keeps_its_units_and_its_gaps_are_filled(tmp_path):
    """Integer time that advances by 5 (years 1980, 1985, …) was refused ("renumber: ds / 5");
    it is a grid of step 5: every time, cutoff and forecast step stays in the file's units, a
    missing step is a gap like any other (--fill-gaps), and the step survives the panel store."""
    from tsforge.data.panel_store import read_panel, write_panel

    with pytest.warns(UnknownSeasonWarning):
        fives = Panel.from_long(
            pd.DataFrame(
                {
                    "unique_id": ["a"] * 8 + ["b"] * 3,
                    "ds": np.r_[5 * np.arange(1, 9), 7, 12, 17],
                    "y": np.arange(11.0),
                }
            )  # fmt: skip
        )
    assert fives.int_step == 5 and list(fives.last_times()) == [40, 17]
    assert list(fives.times_at(np.array([0, 1]), np.array([8, 3]))) == [45, 22]  # the next step
    assert list(fives.steps_at(np.array([0, 1]), np.array([45, 22]))) == [8, 3]
    pd.testing.assert_series_equal(fives.to_long()["ds"], pd.Series(np.r_[5 * np.arange(1, 9), 7, 12, 17]),
                                   check_names=False, check_dtype=False)  # fmt: skip
    write_panel(fives, tmp_path / "p.parquet")
    assert read_panel(tmp_path / "p.parquet").int_step == 5
    holey = pd.DataFrame({"unique_id": "a", "ds": [1980, 1985, 1995, 2000], "y": np.arange(4.0)})
    with pytest.raises(DataValidationError, match="fill_gaps=True") as exc:
        Panel.from_long(holey)
    assert "1985 → 1995" in exc.value.message and "--fill-gaps" in exc.value.for_cli()
    with pytest.warns(UnknownSeasonWarning):
        filled = Panel.from_long(holey, fill_gaps=True)
    assert filled.int_step == 5 and filled.lengths.tolist() == [5] and np.isnan(filled.series(0)[2])


def test_integer_time_spacing_errors_say_what_to_do():
    """Integer time advances by one constant step: a missing step needs --fill-gaps (which
    then works); steps with no common size above one are refused, naming the row."""
    mixed = pd.DataFrame({"unique_id": "a", "ds": [1, 3, 4, 6], "y": np.arange(4.0)})
    with pytest.raises(DataValidationError, match="one constant step"):
        Panel.from_long(mixed)
    gap = pd.DataFrame({"unique_id": "a", "ds": [1, 2, 3, 5, 6], "y": np.arange(5.0)})
    with pytest.raises(DataValidationError, match="fill_gaps=True") as exc:
        Panel.from_long(gap)
    assert exc.value.where["row"] == 3 and "3 → 5" in exc.value.message
    assert "--fill-gaps" in exc.value.for_cli()
    with pytest.warns(UnknownSeasonWarning):
        filled = Panel.from_long(gap, fill_gaps=True)
    assert filled.lengths.tolist() == [6] and np.isnan(filled.series(0)[3])


def test_from_long_reads_yyyymmdd_integers_as_dates_like_the_forecast_parser():
    """``20200131, 20200201`` are consecutive days, not a gap of 70 integer steps (the panel
    reader refused such a file while ``tsforge forecast`` read the same column as dates)."""
    days = pd.date_range("2020-01-25", periods=14, freq="D")
    df = pd.DataFrame({"unique_id": "a", "ds": days.strftime("%Y%m%d").astype(int), "y": np.arange(14.0)})
    panel = Panel.from_long(df)
    assert panel.is_datetime and panel.freq == "D"
    np.testing.assert_array_equal(panel.timestamps(0), days.to_numpy())


def test_from_tsf_text_ragged_with_missing_and_header_horizon():
    panel = Panel.from_tsf(parse_tsf(TSF))
    assert list(panel.ids) == ["A", "B"]
    assert panel.freq == "MS" and panel.horizon == 2
    assert list(panel.lengths) == [5, 3]
    assert list(panel.timestamps(1)) == list(pd.date_range("2021-06-01", periods=3, freq="MS").to_numpy())
    assert np.isnan(panel.series(1)[1])
    long = panel.to_long()
    again = Panel.from_long(long)
    np.testing.assert_array_equal(again.values, panel.values)
    np.testing.assert_array_equal(again.starts, panel.starts)


def test_from_tsf_without_dates_is_integer_time_with_per_series_horizon():
    panel = Panel.from_tsf(parse_tsf(TSF_NO_DATES))
    assert not panel.is_datetime
    assert panel.season_length == 12  # from the header, even without dates
    assert list(panel.horizons) == [12, 6]
    assert list(panel.timestamps(1)) == [0, 1, 2]


def test_monash_frequency_names():
    assert [
        monash_freq(f) for f in ("yearly", "quarterly", "weekly", "hourly", "half_hourly", "10_minutes")
    ] == [
        "YS",
        "QS",
        "W",
        "h",
        "30min",
        "10min",
    ]


@pytest.mark.parametrize(
    ("mutate", "series", "column", "row", "words"),
    [
        (lambda d: d.drop(index=[6, 7]), "b", "unique_id", 5, "fewer than 2 values"),
        (
            lambda d: d.assign(y=d.y.astype(object).where(d.index != 6, "12 units")),
            "b",
            "y",
            6,
            "non-numeric",
        ),
        (lambda d: pd.concat([d, d.iloc[[2]]], ignore_index=True), "a", "ds", 8, "duplicate timestamp"),
        (lambda d: d.drop(index=[2]), "a", "ds", 2, "irregular spacing"),
    ],
)
def test_validation_errors_name_series_column_and_row(mutate, series, column, row, words):
    with pytest.raises(DataValidationError) as err:
        Panel.from_long(mutate(_ragged_long()))
    assert words in str(err.value)
    assert repr(series) in str(err.value)
    assert err.value.where["series"] == series
    assert err.value.where["column"] == column
    assert err.value.where["row"] == row


def test_fill_gaps_inserts_missing_values():
    panel = Panel.from_long(_ragged_long().drop(index=[2]), fill_gaps=True)
    np.testing.assert_array_equal(panel.series(0), [0.0, 1.0, np.nan, 3.0, 4.0])


def test_head_cut_tail_take_and_chunks():
    panel = Panel.from_arrays(
        [np.arange(5.0), np.arange(10.0, 13.0), np.arange(20.0, 24.0)], ids=["x", "y", "z"]
    )
    cut = panel.head_cut(2)
    assert list(cut.lengths) == [3, 1, 2]
    np.testing.assert_array_equal(cut.series(2), [20.0, 21.0])
    np.testing.assert_array_equal(panel.tail(2), [[3, 4], [11, 12], [22, 23]])
    assert np.isnan(panel.tail(4)[1, 0])
    assert list(panel.select(["z", "x"]).ids) == ["z", "x"]
    chunks = panel.chunks(2)
    assert sum(len(c) for c in chunks) == 3
    np.testing.assert_array_equal(np.concatenate([c.values for c in chunks]), panel.values)
    with pytest.raises(DataValidationError, match="'y'"):
        panel.head_cut(3)


def test_fill_missing_interpolates_inside_and_holds_ends_per_series():
    values = np.array([np.nan, 1.0, np.nan, 3.0, np.nan, 10.0, np.nan, np.nan, 13.0])
    indptr = np.array([0, 5, 9])
    out = fill_missing_ragged(values, indptr)
    np.testing.assert_allclose(out, [1, 1, 2, 3, 3, 10, 11, 12, 13])


def test_long_multichannel_tsf_reads_use_the_same_frequency_names():
    """The multichannel reader had its own table without ``n_hours`` names: a ``2_hours`` file
    got no timestamps; both readers now share :func:`monash_freq`."""
    from tsforge.data.layouts import from_tsf

    text = TSF.replace("@frequency monthly", "@frequency 2_hours")
    data = from_tsf(parse_tsf(text), name="two_hourly")
    assert data.freq == "2h"
    assert (np.diff(data.timestamps) == np.timedelta64(2, "h")).all()
    unknown = from_tsf(parse_tsf(TSF.replace("@frequency monthly", "@frequency fortnightly")), name="x")
    assert unknown.timestamps is None  # a name pandas cannot map: no timestamps, as before


def _dated_panel_without_freq() -> Panel:
    starts = np.array(["2020-01-01", "2020-03-01"], dtype="datetime64[ns]")
    return Panel.from_arrays([np.arange(5.0), np.arange(4.0)], ids=["a", "b"], starts=starts)


def test_a_dated_panel_without_frequency_refuses_to_count_steps_as_it_refuses_to_place_times():
    panel = _dated_panel_without_freq()
    assert panel.is_datetime and panel.freq is None
    with pytest.raises(DataValidationError, match="needs a frequency"):
        panel.times_at(np.array([0]), np.array([2]))
    # it answered 2 (pandas' default daily grid), a number of steps of no frequency at all
    with pytest.raises(DataValidationError, match="needs a frequency"):
        panel.steps_at(np.array([0]), np.array(["2020-01-03"], dtype="datetime64[ns]"))


def test_steps_at_inverts_times_at_on_a_calendar_panel():  # guard: the frequency path is unchanged
    starts = np.array(["2020-01-01", "2020-03-01"], dtype="datetime64[ns]")
    panel = Panel.from_arrays([np.arange(5.0), np.arange(4.0)], ids=["a", "b"], starts=starts, freq="MS")
    series, step = np.array([0, 1, 1]), np.array([0, 2, 7])
    assert panel.steps_at(series, panel.times_at(series, step)).tolist() == step.tolist()
