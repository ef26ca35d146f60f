"""``load_panel``: catalogue panels with their documented shapes, ragged long files, trimmed wide
files and series, and errors that name the file, column, row and series."""

from __future__ import annotations

import numpy as np
import pandas as pd
import polars as pl
import pytest

from tsforge.data import LoadedPanel, Panel, TimeSeriesData, load, load_panel, to_panel
from tsforge.data.catalog import get_entry
from tsforge.data.panel_sources import naming_file
from tsforge.errors import (
    ConfigError,
    DataValidationError,
    RegularisedTimesWarning,
    UnknownSeasonWarning,
    UnusedColumnsWarning,
)

# name -> (n_series, (min, median, max) length, freq, horizon), as in the data folder's README §6
PANELS = {
    "m1_yearly": (181, (15, 21, 58), "YS", 6),
    "m1_quarterly": (203, (18, 48, 114), "QS", 8),
    "m1_monthly": (617, (48, 84, 150), "MS", 18),
    "cif_2016": (72, (28, 120, 120), "MS", 12),
    "hospital": (767, (84, 84, 84), "MS", 12),
    "car_parts": (2674, (51, 51, 51), "MS", 12),
    "nn5_daily": (111, (791, 791, 791), "D", 56),
    "nn5_weekly": (111, (113, 113, 113), "W-MON", 8),
    "fred_md": (107, (728, 728, 728), "MS", 12),
    "covid_deaths": (266, (212, 212, 212), "D", 30),
    "vehicle_trips": (329, (70, 122, 243), "D", 30),
    "m4_hourly_panel": (414, (748, 1008, 1008), "h", 48),
}


def _available(name: str):
    """The entry, or a clean skip when its file is not on this machine."""
    entry = get_entry(name)
    if not entry.available:
        pytest.skip(f"{name}: {entry.reason}")
    return entry


@pytest.fixture
def cache(monkeypatch, tmp_path):
    monkeypatch.setenv("TSFORGE_CACHE_DIR", str(tmp_path / "cache"))
    return tmp_path / "cache"


# --------------------------------------------------------------------------------------------
# Catalogue panels
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", list(PANELS))
def test_catalogue_panel_has_documented_shape(name, cache):
    _available(name)
    n, (lo, med, hi), freq, h = PANELS[name]
    loaded = load_panel(name)
    assert isinstance(loaded, LoadedPanel) and loaded.entry.name == name
    panel, entry = loaded.panel, loaded.entry
    assert isinstance(panel, Panel)
    assert (
        len(panel),
        int(panel.lengths.min()),
        int(np.median(panel.lengths)),
        int(panel.lengths.max()),
    ) == (
        n,
        lo,
        med,
        hi,
    )
    assert (entry.kind, entry.split, entry.horizon, entry.freq) == ("panel", "holdout", h, freq)
    assert (entry.n_series, entry.lengths) == (n, (lo, med, hi))
    assert panel.freq == freq and panel.season_length == entry.season_length and panel.name == name
    assert panel.lengths.min() > h  # every series keeps history before its test window
    # the second load reads the Parquet cache and gives the same panel
    again = load_panel(name).panel
    assert len(list(cache.glob(f"{name}-*.parquet"))) == 1
    np.testing.assert_array_equal(again.values, panel.values)
    np.testing.assert_array_equal(again.indptr, panel.indptr)
    assert list(again.ids) == list(panel.ids)


def test_cif_2016_has_per_series_horizons_and_integer_time(cache):
    _available("cif_2016")
    panel = load_panel("cif_2016").panel
    assert panel.starts is None and not panel.is_datetime
    assert sorted(np.unique(panel.horizons, return_counts=True)[1].tolist()) == [15, 57]
    assert set(panel.horizons.tolist()) == {6, 12}
    assert get_entry("cif_2016").horizon == 12 == panel.horizons.max()


def test_ragged_panels_keep_their_own_starts(cache):
    _available("vehicle_trips")
    panel = load_panel("vehicle_trips").panel
    starts = pd.DatetimeIndex(panel.starts)
    assert starts.min() == pd.Timestamp("2015-01-01") and starts.max() == pd.Timestamp("2015-06-01")
    assert set(panel.attrs) == {"base_number", "base_name", "type"}


def test_missing_values_stay_inside_series(cache):
    _available("nn5_daily")
    panel = load_panel("nn5_daily").panel
    assert int(np.isnan(panel.values).sum()) == 1677


def test_load_refuses_a_panel_entry_and_names_load_panel():
    with pytest.raises(ConfigError, match=r"is a panel .*load_panel\('m1_yearly'\)"):
        load("m1_yearly")


def test_multichannel_entry_is_converted_with_its_entry(cache):
    loaded = load_panel("synthetic", n_channels=3, n_steps=120, seed=2)
    assert loaded.entry.kind == "multichannel" and len(loaded.panel) == 3
    assert loaded.panel.freq == "h" and loaded.panel.lengths.tolist() == [120, 120, 120]
    _available("m4_hourly")
    m4 = load_panel("m4_hourly").panel  # end-aligned matrix: the NaN padding is trimmed again
    assert set(m4.lengths.tolist()) == {748, 1008}


# --------------------------------------------------------------------------------------------
# Files and frames
# --------------------------------------------------------------------------------------------


def _ragged_long() -> pd.DataFrame:
    a = pd.DataFrame({"unique_id": "a", "ds": pd.date_range("2020-01-01", periods=5, freq="D"), "y": 1.0})
    b = pd.DataFrame({"unique_id": "b", "ds": pd.date_range("2020-03-10", periods=3, freq="D"), "y": 2.0})
    frame = pd.concat([a, b], ignore_index=True)
    frame["y"] = frame["y"] + np.arange(len(frame))
    return frame


def test_ragged_long_csv_round_trips_with_own_dates(tmp_path):
    frame = _ragged_long()
    path = tmp_path / "shop.csv"
    frame.to_csv(path, index=False)
    loaded = load_panel(path)
    panel = loaded.panel
    assert loaded.entry is None and panel.name == "shop" and panel.freq == "D"
    assert panel.lengths.tolist() == [5, 3]
    back = panel.to_long()
    pd.testing.assert_frame_equal(back, frame, check_dtype=False)


def test_long_parquet_with_other_column_names_and_shuffled_rows(tmp_path):
    frame = _ragged_long().rename(columns={"unique_id": "store", "ds": "day", "y": "sales"})
    path = tmp_path / "sales.parquet"
    frame.sample(frac=1.0, random_state=0).to_parquet(path, index=False)
    panel = load_panel(path, id_col="store", time_col="day", target_col="sales").panel
    assert sorted(panel.ids.tolist()) == ["a", "b"]
    b = panel.select(["b"])
    assert pd.Timestamp(b.starts[0]) == pd.Timestamp("2020-03-10")
    np.testing.assert_array_equal(b.series(0), frame.loc[frame.store == "b", "sales"].to_numpy())


def test_frames_pandas_and_polars_long_and_wide():
    frame = _ragged_long()
    for source in (frame, pl.from_pandas(frame)):
        panel = load_panel(source).panel
        assert panel.lengths.tolist() == [5, 3] and panel.name == "panel"
    wide = pd.DataFrame({"date": pd.date_range("2021-01-01", periods=4, freq="MS"), "x": [1.0, 2, 3, 4]})
    assert load_panel(wide, name="w").panel.freq == "MS"


def test_wide_csv_leading_missing_values_start_later(tmp_path):
    wide = pd.DataFrame(
        {
            "date": pd.date_range("2021-01-01", periods=6, freq="MS"),
            "early": [1.0, 2, 3, 4, 5, 6],
            "late": [np.nan, np.nan, 1.0, np.nan, 3.0, np.nan],  # interior gap kept, tail trimmed
        }
    )
    path = tmp_path / "wide.csv"
    wide.to_csv(path, index=False)
    panel = load_panel(path).panel
    assert panel.ids.tolist() == ["early", "late"] and panel.freq == "MS"
    late = panel.select(["late"])
    assert pd.Timestamp(late.starts[0]) == pd.Timestamp("2021-03-01")
    np.testing.assert_array_equal(late.series(0), [1.0, np.nan, 3.0])
    assert panel.values.dtype == np.float64


def _gappy_wide() -> pd.DataFrame:
    """Three monthly series on one axis: one starts late, one stops early (missing rows after its
    last observation, as a melt of a wide table or placeholder future rows leave), one has an
    interior gap that must stay."""
    return pd.DataFrame(
        {
            "ds": pd.date_range("2021-01-01", periods=7, freq="MS"),
            "late": [np.nan, np.nan, 1.0, 2, 3, 4, 5],
            "stops": [1.0, 2, 3, 4, np.nan, np.nan, np.nan],
            "gap": [1.0, 2, np.nan, 4, 5, 6, 7],
        }
    )


def test_a_long_file_trims_missing_rows_at_the_ends_and_gives_the_wide_files_panel(tmp_path):
    wide = _gappy_wide()
    long = wide.melt(id_vars="ds", var_name="unique_id", value_name="y")[["unique_id", "ds", "y"]]
    wide.to_csv(tmp_path / "wide.csv", index=False)
    long.to_csv(tmp_path / "long.csv", index=False)
    from_long = load_panel(tmp_path / "long.csv").panel
    from_wide = load_panel(tmp_path / "wide.csv").panel
    for panel in (from_long, from_wide):
        assert panel.ids.tolist() == ["late", "stops", "gap"] and panel.freq == "MS"
        assert [str(pd.Timestamp(t).date()) for t in panel.starts] == [
            "2021-03-01",
            "2021-01-01",
            "2021-01-01",
        ]
        np.testing.assert_array_equal(panel.series(0), [1.0, 2, 3, 4, 5])
        np.testing.assert_array_equal(panel.series(1), [1.0, 2, 3, 4])
        np.testing.assert_array_equal(panel.series(2), [1.0, 2, np.nan, 4, 5, 6, 7])  # interior gap kept
    np.testing.assert_array_equal(from_long.indptr, from_wide.indptr)
    # the holdout scores the last observed values of the series that stopped early
    from tsforge.panels.protocol import holdout_split

    np.testing.assert_array_equal(holdout_split(from_long, 1).test[:, 0], [5.0, 4.0, 7.0])


def test_trim_missing_moves_calendar_and_integer_starts_and_keeps_observed_panels():
    monthly = Panel.from_arrays(
        [np.array([np.nan, 1.0, 2.0, np.nan]), np.array([3.0, 4.0])],
        ids=["a", "b"],
        starts=np.array(["2020-11-01", "2021-01-01"], dtype="datetime64[ns]"),
        freq="MS",
    )
    trimmed = monthly.trim_missing()
    assert [str(pd.Timestamp(t).date()) for t in trimmed.starts] == ["2020-12-01", "2021-01-01"]
    np.testing.assert_array_equal(trimmed.values, [1.0, 2.0, 3.0, 4.0])
    years = Panel.from_arrays(
        [np.array([np.nan, np.nan, 7.0, 8.0])], ids=["y"], starts=np.array([1980]), int_step=5
    )
    assert years.trim_missing().starts.tolist() == [1990]
    observed = Panel.from_arrays([np.array([1.0, np.nan, 2.0])], ids=["o"], starts=np.array([0]))
    assert observed.trim_missing() is observed  # nothing at the ends: the same object, no copy


def test_long_series_observed_once_or_never_are_named(tmp_path):
    wide = _gappy_wide()
    wide["once"] = [np.nan, np.nan, np.nan, 9.0, np.nan, np.nan, np.nan]
    long = wide.melt(id_vars="ds", var_name="unique_id", value_name="y")
    with pytest.raises(DataValidationError, match=r"1 series has one observed value .*first 'once'") as exc:
        load_panel(long)
    assert exc.value.where["series"] == "once"
    wide["once"] = np.nan
    long = wide.melt(id_vars="ds", var_name="unique_id", value_name="y")
    with pytest.raises(
        DataValidationError,
        match=r"1 series has no observed value \(every value missing\), first 'once': leave it out",
    ):
        load_panel(long)


_DEAD_TSF = (
    "@relation dead\n@attribute series_name string\n@attribute start_timestamp date\n"
    "@frequency monthly\n@horizon 2\n@missing true\n@equallength false\n@data\n"
    "A:2000-01-01 00-00-00:1,2,3,4,?\n"  # a missing value at the end stays: the official test window
    "DEAD:2000-01-01 00-00-00:?,?,?\n"
    "ONE:2000-03-01 00-00-00:7\n"
    "B:2001-06-01 00-00-00:5,6,7\n"
)


def test_a_tsf_collection_leaves_out_series_with_nothing_to_forecast_and_says_so(tmp_path):
    from tsforge.errors import UnobservedSeriesWarning

    path = tmp_path / "dead.tsf"
    path.write_text(_DEAD_TSF)
    with pytest.warns(UnobservedSeriesWarning, match=r"left out 2 of 4 series of .*\('DEAD', 'ONE'\)"):
        panel = load_panel(path).panel
    assert panel.ids.tolist() == ["A", "B"]
    np.testing.assert_array_equal(panel.series(0), [1.0, 2, 3, 4, np.nan])
    assert "left out 2 of 4 series" in panel.meta["left_out_series"]
    path.write_text(
        _DEAD_TSF.replace("A:2000-01-01 00-00-00:1,2,3,4,?\n", "").replace(
            "B:2001-06-01 00-00-00:5,6,7\n", ""
        )
    )
    with pytest.raises(DataValidationError, match="no series of .* has two values with an observed one"):
        load_panel(path)


def test_a_cached_catalogue_collection_repeats_what_its_parse_changed(monkeypatch, tmp_path):
    """The warning comes from the parse; the Parquet copy read afterwards must say it again."""
    import gzip

    from tsforge.data.catalog import load_panel_dataset
    from tsforge.errors import SnappedStartWarning, UnobservedSeriesWarning

    data = tmp_path / "data"
    data.mkdir()
    month_end = _DEAD_TSF.replace("B:2001-06-01", "B:2001-06-30")  # B also starts inside its month
    (data / "cif_2016_dataset.tsf.gz").write_bytes(gzip.compress(month_end.encode()))
    monkeypatch.setenv("TSFORGE_DATA_DIR", str(data))
    monkeypatch.setenv("TSFORGE_CACHE_DIR", str(tmp_path / "cache"))
    for _ in range(2):  # parse, then the cached copy
        with pytest.warns(UnobservedSeriesWarning, match="left out 2 of 4 series"):
            with pytest.warns(SnappedStartWarning, match="1 of 2 series .* start inside their month"):
                panel = load_panel_dataset("cif_2016")
        assert panel.ids.tolist() == ["A", "B"]
        assert str(pd.Timestamp(panel.starts[1]).date()) == "2001-06-01"
    assert list((tmp_path / "cache").rglob("*.parquet"))


def _tsf(freq: str, starts: list[str]) -> str:
    rows = "".join(f"T{i}:{s}:{','.join(str(v) for v in range(1, 13))}\n" for i, s in enumerate(starts))
    return (
        "@relation dates\n@attribute series_name string\n@attribute start_timestamp date\n"
        f"@frequency {freq}\n@horizon 2\n@missing false\n@equallength false\n@data\n{rows}"
    )


@pytest.mark.parametrize(
    ("freq", "starts", "expected", "word"),
    [
        # month ends (a common export), and M4's 12:00 time of day mixed with midnight
        ("monthly", ["1994-07-31 00-00-00", "1996-01-31 00-00-00"], ["1994-07-01", "1996-01-01"], "month"),
        ("monthly", ["1994-07-01 12-00-00", "1996-01-01 00-00-00"], ["1994-07-01", "1996-01-01"], "month"),
        (
            "quarterly",
            ["1994-09-30 00-00-00", "1996-01-01 00-00-00"],
            ["1994-07-01", "1996-01-01"],
            "quarter",
        ),
        ("yearly", ["1975-06-30 00-00-00", "1980-12-31 00-00-00"], ["1975-01-01", "1980-01-01"], "year"),
    ],
)
def test_a_tsf_collection_off_the_calendar_grid_starts_each_series_at_its_period(
    tmp_path, freq, starts, expected, word
):
    from tsforge.errors import SnappedStartWarning

    path = tmp_path / "dates.tsf"
    path.write_text(_tsf(freq, starts))
    with pytest.warns(SnappedStartWarning, match=rf"series of .* start inside their {word} .*first 'T0'"):
        panel = load_panel(path).panel
    assert [str(pd.Timestamp(t)) for t in panel.starts] == [f"{d} 00:00:00" for d in expected]
    assert word in panel.meta["snapped_starts"]
    np.testing.assert_array_equal(panel.series(1), np.arange(1.0, 13.0))  # values untouched


def test_a_tsf_collection_on_one_grid_keeps_its_starts(tmp_path, recwarn):
    """Every series at M4's 12:00 is one grid: nothing moves, nothing is said."""
    from tsforge.errors import SnappedStartWarning

    path = tmp_path / "noon.tsf"
    path.write_text(_tsf("monthly", ["1994-07-01 12-00-00", "1996-01-01 12-00-00"]))
    panel = load_panel(path).panel
    assert [str(pd.Timestamp(t)) for t in panel.starts] == ["1994-07-01 12:00:00", "1996-01-01 12:00:00"]
    assert not [w for w in recwarn if issubclass(w.category, SnappedStartWarning)]
    assert "snapped_starts" not in panel.meta


def test_tsf_file_and_panel_pass_through(tmp_path):
    text = (
        "@relation tiny\n@attribute series_name string\n@attribute start_timestamp date\n"
        "@frequency monthly\n@horizon 2\n@missing false\n@equallength false\n@data\n"
        "A:2000-01-01 00-00-00:1,2,3,4\nB:2001-06-01 00-00-00:5,6,7\n"
    )
    path = tmp_path / "tiny.tsf"
    path.write_text(text)
    panel = load_panel(path).panel
    assert panel.name == "tiny" and panel.horizon == 2 and panel.lengths.tolist() == [4, 3]
    assert pd.Timestamp(panel.starts[1]) == pd.Timestamp("2001-06-01")
    assert load_panel(panel).panel is panel
    with pytest.raises(ConfigError, match="load_panel"):
        load(panel)  # a ragged panel never becomes a dense matrix behind the caller's back


def test_time_series_data_channels_become_trimmed_series():
    ts = pd.date_range("2022-01-01", periods=5, freq="h").to_numpy()
    values = np.array([[1, np.nan], [2, np.nan], [3, 7], [4, 8], [np.nan, 9]], dtype=np.float32)
    data = TimeSeriesData(values=values, timestamps=ts, channel_ids=("p", "q"), freq="h", name="two")
    panel = to_panel(data)
    assert panel.name == "two" and panel.freq == "h" and panel.season_length == 24
    assert panel.lengths.tolist() == [4, 3]
    assert panel.starts.tolist() == [
        ts[0].astype("datetime64[ns]").item(),
        ts[2].astype("datetime64[ns]").item(),
    ]
    np.testing.assert_array_equal(panel.series(1), [7, 8, 9])
    assert load_panel(data).panel.lengths.tolist() == [4, 3]
    no_time = TimeSeriesData(values=values, timestamps=None, channel_ids=("p", "q"))
    with pytest.warns(UnknownSeasonWarning, match="data has no dates"):
        assert to_panel(no_time).starts.tolist() == [0, 2]


def test_irregular_series_cannot_become_a_panel():
    ts = pd.to_datetime(["2022-01-01 00:00", "2022-01-01 01:00", "2022-01-01 01:00", "2022-01-01 02:00"])
    data = TimeSeriesData(values=np.ones((4, 1)), timestamps=ts.to_numpy(), channel_ids=("a",), freq="h")
    with pytest.raises(DataValidationError, match="not regular") as exc:
        to_panel(data)
    assert exc.value.where["row"] == 2


def test_regularising_drops_exact_duplicate_rows_and_fills_gaps_and_says_so():
    """What ``load_panel`` does for catalogue data kept as its file has it (``weather``)."""
    ts = pd.to_datetime(["2022-01-01 00:00", "2022-01-01 01:00", "2022-01-01 01:00", "2022-01-01 04:00"])
    values = np.array([[1.0, 10.0], [2.0, 20.0], [2.0, 20.0], [5.0, np.nan]])
    data = TimeSeriesData(values=values, timestamps=ts.to_numpy(), channel_ids=("a", "b"), freq="h")
    with pytest.warns(RegularisedTimesWarning, match=r"1 duplicated row dropped .*2 missing steps in 1 gap"):
        panel = to_panel(data, regularise=True)
    np.testing.assert_array_equal(panel.series(0), [1.0, 2.0, np.nan, np.nan, 5.0])
    np.testing.assert_array_equal(panel.series(1), [10.0, 20.0])  # trailing NaN trimmed as ever
    assert panel.starts[0] == np.datetime64("2022-01-01T00:00")


def test_regularising_refuses_a_repeated_time_with_other_values():
    ts = pd.to_datetime(["2022-01-01 00:00", "2022-01-01 01:00", "2022-01-01 01:00"])
    data = TimeSeriesData(
        values=np.array([[1.0], [2.0], [3.0]]), timestamps=ts.to_numpy(), channel_ids=("a",), freq="h"
    )
    with pytest.raises(DataValidationError, match="not regular"):
        to_panel(data, regularise=True)


def test_the_weather_catalogue_entry_reads_as_a_panel(cache):
    _available("weather")
    with pytest.warns(RegularisedTimesWarning, match="weather: .*1 duplicated row dropped"):
        panel = load_panel("weather").panel
    assert len(panel) == 21 and set(panel.lengths.tolist()) == {52704} and panel.freq == "10min"


# --------------------------------------------------------------------------------------------
# Errors
# --------------------------------------------------------------------------------------------


def _write(tmp_path, frame: pd.DataFrame, name: str = "bad.csv"):
    path = tmp_path / name
    frame.to_csv(path, index=False)
    return path


def test_series_with_one_value_is_named_with_its_row(tmp_path):
    extra = pd.DataFrame({"unique_id": ["c"], "ds": [pd.Timestamp("2020-05-01")], "y": [1.0]})
    path = _write(tmp_path, pd.concat([_ragged_long(), extra], ignore_index=True))
    with pytest.raises(
        DataValidationError,
        match=r"fewer than 2 values \(a series needs two to be forecast or scored\), first 'c'",
    ) as exc:
        load_panel(path)
    assert exc.value.where == {"file": str(path), "column": "unique_id", "row": 8, "line": 10, "series": "c"}


def test_non_numeric_value_is_named(tmp_path):
    frame = _ragged_long().astype({"y": object})
    frame.loc[6, "y"] = "n/a?"
    path = _write(tmp_path, frame)
    with pytest.raises(DataValidationError, match="non-numeric value 'n/a\\?' in series 'b'") as exc:
        load_panel(path)
    assert (exc.value.where["file"], exc.value.where["column"], exc.value.where["row"]) == (str(path), "y", 6)
    assert exc.value.where["series"] == "b"


def test_duplicate_date_inside_one_series_is_named(tmp_path):
    frame = _ragged_long()
    frame.loc[2, "ds"] = frame.loc[1, "ds"]
    path = _write(tmp_path, frame)
    with pytest.raises(DataValidationError, match="duplicate timestamp 2020-01-02 in series 'a'") as exc:
        load_panel(path)
    assert (exc.value.where["row"], exc.value.where["series"], exc.value.where["column"]) == (2, "a", "ds")
    assert exc.value.where["file"] == str(path)


def test_wide_errors_name_column_and_row(tmp_path):
    wide = pd.DataFrame({"date": pd.date_range("2021-01-01", periods=3, freq="D"), "x": ["1", "2", "zz"]})
    path = _write(tmp_path, wide, "wide.csv")
    with pytest.raises(DataValidationError, match="non-numeric value 'zz'") as exc:
        load_panel(path)
    assert (exc.value.where["column"], exc.value.where["row"]) == ("x", 2)
    lonely = pd.DataFrame(
        {"date": pd.date_range("2021-01-01", periods=3, freq="D"), "x": [np.nan, 1.0, np.nan]}
    )
    path = _write(tmp_path, lonely, "lonely.csv")
    with pytest.raises(DataValidationError, match=r"1 series has fewer than 2 values .*, first 'x'") as exc:
        load_panel(path)
    assert exc.value.where["file"] == str(path) and exc.value.where["series"] == "x"


def test_options_that_do_not_apply_are_refused():
    with pytest.raises(ConfigError, match=r"\['time_col'\] do not apply to catalogue dataset"):
        load_panel("m1_yearly", time_col="ds")
    with pytest.raises(ConfigError, match=r"\['use_cache'\] do not apply to a frame"):
        load_panel(_ragged_long(), use_cache=False)
    with pytest.raises(ConfigError, match="does not take option"):
        load_panel("m1_yearly", n_channels=3)


def test_parquet_string_ids_are_read_as_codes_and_give_the_same_panel_as_csv(tmp_path):
    """A panel Parquet file's id column is read as categorical codes (memory: it repeats each id
    once per value); the panel is the same as from the CSV of the same rows."""
    from tsforge.data.tables import read_table

    rng = np.random.default_rng(3)
    lengths = [5, 9, 7]
    frame = pd.DataFrame(
        {
            "unique_id": np.repeat(["b-2", "a-1", "c-3"], lengths),
            "ds": np.concatenate([pd.date_range("2021-01-01", periods=k, freq="D") for k in lengths]),
            "y": rng.normal(size=sum(lengths)),
        }
    )
    frame.to_parquet(tmp_path / "p.parquet", index=False)
    frame.to_csv(tmp_path / "p.csv", index=False)
    assert read_table(tmp_path / "p.parquet", categorical=("unique_id",))["unique_id"].dtype == pl.Categorical
    assert read_table(tmp_path / "p.parquet")["unique_id"].dtype == pl.String
    a, b = load_panel(tmp_path / "p.parquet").panel, load_panel(tmp_path / "p.csv").panel
    assert list(a.ids) == list(b.ids) == ["b-2", "a-1", "c-3"]
    np.testing.assert_array_equal(a.values, b.values)
    np.testing.assert_array_equal(a.indptr, b.indptr)


def test_columns_a_long_file_has_besides_id_time_and_target_are_named_as_unused(tmp_path):
    """A ``price`` column next to ``y`` looks like a covariate; the user is told it is not read."""
    import warnings

    frame = pd.DataFrame(
        {
            "unique_id": np.repeat(["a", "b"], 6),
            "ds": np.tile(pd.date_range("2020-01-01", periods=6, freq="MS"), 2),
            "y": np.arange(12.0),
            "price": 1.0,
        }
    )
    path = tmp_path / "sales.csv"
    frame.to_csv(path, index=False)
    with pytest.warns(UnusedColumnsWarning, match=r"sales.csv: column\(s\) 'price' not used.*'y'"):
        assert len(load_panel(str(path)).panel) == 2
    frame.drop(columns="price").to_csv(path, index=False)
    with warnings.catch_warnings():
        warnings.simplefilter("error", UnusedColumnsWarning)  # the three columns alone: no note
        load_panel(str(path))


def test_naming_file_keeps_the_command_line_wording_of_the_error():
    with pytest.raises(DataValidationError) as info, naming_file("sales.csv"):
        raise DataValidationError(
            "column 'stor' not found (pass id_col='store')",
            cli_message="column 'stor' not found (pass --id-col store)",
            column="stor",
        )
    assert info.value.where == {"file": "sales.csv", "column": "stor"}
    assert (
        info.value.for_cli()
        == "column 'stor' not found (pass --id-col store) (file='sales.csv')"  # the column is said
    )
