"""Catalogue: documented shapes of every dataset whose files exist, availability, cache, errors,
and the panel entries (their shapes are checked through ``load_panel`` in test_load_panel.py)."""

from __future__ import annotations

import os
import shutil

import numpy as np
import pytest

from tsforge.data import Panel, list_datasets, load_data
from tsforge.data.catalog import _parse_entry, data_dir, get_entry, load_dataset, load_panel_dataset
from tsforge.data.catalog_cache import read_series, write_series
from tsforge.data.frame import TimeSeriesData
from tsforge.data.panel_store import read_panel, write_panel
from tsforge.errors import ConfigError, DatasetNotAvailableError

DATA_DIR = data_dir()
needs_data = pytest.mark.skipif(
    DATA_DIR is None,
    reason="shared dataset folder not found (set TSFORGE_DATA_DIR or place files in ../shared/datasets)",
)

# name -> (steps, channels, freq)
SHAPES = {
    "etth1": (17420, 7, "h"),
    "ettm1": (69680, 7, "15min"),
    "weather": (52696, 21, "10min"),
    "exchange_rate": (7588, 8, "D"),
    "illness": (966, 7, "W-TUE"),
    "weather_stations": (3654, 18, "D"),
    "pm10_germany": (4383, 70, "D"),
    "m4_hourly": (1008, 414, "h"),
}


@needs_data
@pytest.mark.parametrize("name", list(SHAPES))
def test_real_dataset_shape(name):
    steps, channels, freq = SHAPES[name]
    data = load_dataset(name)
    assert data.values.shape == (steps, channels)
    assert data.values.dtype == np.float32
    assert data.freq == freq
    assert data.timestamps is not None and data.timestamps.shape == (steps,)
    assert data.name == name
    entry = get_entry(name)
    assert (entry.n_steps, entry.n_channels, entry.freq) == (steps, channels, freq)


@needs_data
def test_ett_values_and_columns():
    data = load_dataset("etth1")
    assert data.channel_ids == ("HUFL", "HULL", "MUFL", "MULL", "LUFL", "LULL", "OT")
    assert str(data.timestamps[0]) == "2016-07-01T00:00:00.000000000"
    assert abs(float(data.values[0, 6]) - 30.531) < 1e-3
    assert data.missing_share == 0.0


@needs_data
def test_weather_rows_kept_as_in_file():
    data = load_dataset("weather")
    ts = data.timestamps
    dup = np.flatnonzero(ts[1:] == ts[:-1])
    assert len(dup) == 1 and str(ts[dup[0]])[:16] == "2020-05-12T06:00"
    steps = np.diff(ts).astype("timedelta64[m]").astype(int)
    assert sorted(set(steps.tolist())) == [0, 10, 100]
    assert data.channel_ids[-1] == "OT" and data.channel_ids[0] == "p (mbar)"


@needs_data
def test_weather_stations_have_coordinates_joined_by_prefix():
    data = load_dataset("weather_stations")
    assert data.coords.shape == (18, 2)
    idx = data.channel_ids.index("BASEL")
    np.testing.assert_allclose(data.coords[idx], [47.53333, 7.58333])
    idx = data.channel_ids.index("OSLO")
    assert 59 < data.coords[idx, 0] < 61  # Oslo is far north of Basel
    # channel = mean temperature in deg C: plausible European range
    assert -30 < np.nanmin(data.values) and np.nanmax(data.values) < 40


@needs_data
def test_pm10_missing_share_and_coordinates():
    data = load_dataset("pm10_germany")
    assert 0.50 < data.missing_share < 0.52
    assert data.coords.shape == (70, 2)
    lat, lon = data.coords[:, 0], data.coords[:, 1]
    assert (47 < lat).all() and (lat < 56).all() and (5 < lon).all() and (lon < 16).all()
    assert data.channel_ids[0] == "DESH001"
    np.testing.assert_allclose(data.coords[0], [53.670571, 9.585911])


@needs_data
def test_m4_hourly_is_end_aligned():
    data = load_dataset("m4_hourly")
    lengths = data.mask.sum(axis=0)
    assert set(np.unique(lengths).tolist()) == {748, 1008}
    assert data.mask[-48:].all()  # every series has the official 48-step test horizon at the end
    short = np.flatnonzero(lengths == 748)[0]
    assert not data.mask[: 1008 - 748, short].any() and data.mask[1008 - 748 :, short].all()
    assert data.channel_ids[:2] == ("T1", "T2")


def test_embedded_datasets_need_no_files(monkeypatch, tmp_path):
    monkeypatch.setenv("TSFORGE_DATA_DIR", str(tmp_path / "nowhere"))
    syn = load_dataset("synthetic")
    assert syn.values.shape == (2000, 8) and syn.coords.shape == (8, 2)
    small = load_dataset("synthetic", n_channels=3, n_steps=100, seed=5)
    assert small.values.shape == (100, 3)
    co2 = load_dataset("co2")
    assert co2.values.shape == (2284, 1) and co2.freq == "W-SAT"
    assert int((~co2.mask).sum()) == 59


def test_list_datasets_reports_availability(monkeypatch, tmp_path):
    names = [e.name for e in list_datasets()]
    assert set(SHAPES) | {"synthetic", "co2"} <= set(names)
    monkeypatch.setenv("TSFORGE_DATA_DIR", str(tmp_path))
    by_name = {e.name: e for e in list_datasets()}
    assert by_name["synthetic"].available and by_name["co2"].available
    assert not by_name["etth1"].available
    assert by_name["etth1"].reason == f"file ETTh1.csv.gz not found in {tmp_path}"


def test_missing_file_error_says_which_file_and_where(monkeypatch, tmp_path):
    monkeypatch.setenv("TSFORGE_DATA_DIR", str(tmp_path))
    with pytest.raises(DatasetNotAvailableError) as exc:
        load_dataset("ettm1")
    assert "ETTm1.csv.gz" in str(exc.value) and str(tmp_path) in str(exc.value)


def test_unknown_name_lists_known_names():
    with pytest.raises(DatasetNotAvailableError) as exc:
        load_dataset("wether")
    msg = str(exc.value)
    assert "unknown dataset 'wether'" in msg and "etth1" in msg and "Did you mean 'weather'" in msg


def test_unknown_override_is_a_config_error():
    with pytest.raises(ConfigError, match=r"does not take option\(s\) \['n_chanels'\]"):
        load_dataset("synthetic", n_chanels=3)


def test_defaults_for_the_training_pipeline():
    e = get_entry("ETTh1")  # case-insensitive
    assert (e.split, e.input_len, e.horizons, e.freq) == ("ett", 336, (96, 192, 336, 720), "h")
    assert get_entry("illness").horizons == (24, 36, 48, 60) and get_entry("illness").input_len == 36
    assert get_entry("exchange_rate").input_len == 96
    assert (get_entry("m4_hourly").input_len, get_entry("m4_hourly").horizons) == (168, (48,))
    assert get_entry("weather_stations").horizons == (30,)


@needs_data
def test_cache_round_trip_and_invalidation(monkeypatch, tmp_path):
    data_copy = tmp_path / "data"
    data_copy.mkdir()
    shutil.copy(DATA_DIR / "national_illness.csv.gz", data_copy / "national_illness.csv.gz")
    cache = tmp_path / "cache"
    monkeypatch.setenv("TSFORGE_DATA_DIR", str(data_copy))
    monkeypatch.setenv("TSFORGE_CACHE_DIR", str(cache))
    first = load_dataset("illness")
    files = list(cache.glob("illness-*.parquet"))
    assert len(files) == 1
    second = load_dataset("illness")
    np.testing.assert_array_equal(first.values, second.values)
    np.testing.assert_array_equal(first.timestamps, second.timestamps)
    assert (second.channel_ids, second.freq, second.name) == (first.channel_ids, first.freq, first.name)
    # touching the source changes the key: a new cache file replaces the stale one
    st = os.stat(data_copy / "national_illness.csv.gz")
    os.utime(data_copy / "national_illness.csv.gz", ns=(st.st_atime_ns, st.st_mtime_ns + 10**9))
    load_dataset("illness")
    new_files = list(cache.glob("illness-*.parquet"))
    assert len(new_files) == 1 and new_files != files


@needs_data
def test_cache_keeps_coordinates(monkeypatch, tmp_path):
    monkeypatch.setenv("TSFORGE_CACHE_DIR", str(tmp_path))
    first = load_dataset("weather_stations")
    second = load_dataset("weather_stations")
    assert list(tmp_path.glob("weather_stations-*.parquet"))
    np.testing.assert_array_equal(first.coords, second.coords)


@needs_data
def test_cache_write_failure_does_not_break_loading(monkeypatch, tmp_path, caplog):
    blocker = tmp_path / "not_a_dir"
    blocker.write_text("x")
    monkeypatch.setenv("TSFORGE_CACHE_DIR", str(blocker / "cache"))
    with caplog.at_level("WARNING", logger="tsforge.data.catalog"):
        data = load_dataset("illness")
    assert data.values.shape == (966, 7)
    assert "could not write dataset cache" in caplog.text


@needs_data
def test_corrupt_cache_file_is_ignored(monkeypatch, tmp_path):
    monkeypatch.setenv("TSFORGE_CACHE_DIR", str(tmp_path))
    load_dataset("illness")
    (cached,) = tmp_path.glob("illness-*.parquet")
    cached.write_bytes(b"not parquet")
    assert load_dataset("illness").values.shape == (966, 7)


@needs_data
def test_load_data_accepts_a_catalogue_name_and_channel_subset():
    data = load_data("illness")
    assert data.n_channels == 7
    sub = load_dataset("illness", channels=["OT", "ILITOTAL"])
    assert sub.channel_ids == ("OT", "ILITOTAL")
    np.testing.assert_array_equal(sub.values[:, 0], data.values[:, data.channel_ids.index("OT")])


# --------------------------------------------------------------------------------------------
# Panel entries (kind = "panel"): catalogue fields, refusal by load_dataset, Parquet cache
# --------------------------------------------------------------------------------------------

PANEL_NAMES = [
    "m1_yearly",
    "m1_quarterly",
    "m1_monthly",
    "cif_2016",
    "hospital",
    "car_parts",
    "nn5_daily",
    "nn5_weekly",
    "fred_md",
    "covid_deaths",
    "vehicle_trips",
    "m4_hourly_panel",
    "electricity_weekly",
]


def test_panel_entries_carry_the_holdout_protocol():
    by_name = {e.name: e for e in list_datasets()}
    for name in PANEL_NAMES:
        e = by_name[name]
        assert (e.kind, e.split, e.input_len, e.loader) == ("panel", "holdout", None, "tsf_panel"), name
        assert len(e.horizons) == 1 and e.n_series and e.lengths[0] <= e.lengths[1] <= e.lengths[2], name
        assert e.n_steps is None and e.n_channels is None and e.description and e.files, name
    assert [get_entry(n).season_length for n in ("m1_yearly", "m1_quarterly", "hospital", "nn5_weekly")] == [
        1,
        4,
        12,
        52,
    ]
    assert (get_entry("nn5_daily").season_length, get_entry("m4_hourly_panel").season_length) == (7, 24)
    # m4_hourly stays multichannel: it is a recommender knowledge-base group
    assert get_entry("m4_hourly").kind == "multichannel" and not get_entry("m4_hourly").is_panel
    assert get_entry("cif_2016").as_dict()["lengths"] == [28, 120, 120]


def test_load_dataset_refuses_a_panel_and_vice_versa():
    with pytest.raises(ConfigError, match=r"'hospital' is a panel \(767 series.*load_panel\('hospital'\)"):
        load_dataset("hospital")
    with pytest.raises(ConfigError, match=r"'synthetic' is a multichannel dataset.*converts it"):
        load_panel_dataset("synthetic")


def test_entry_kind_is_validated():
    spec = {"loader": "tsf_panel", "horizons": [6], "kind": "ragged"}
    with pytest.raises(ConfigError, match="has kind 'ragged'"):
        _parse_entry("x", spec, "catalog.toml")
    with pytest.raises(ConfigError, match="unknown panel loader 'csv_wide'"):
        _parse_entry("x", {**spec, "kind": "panel", "loader": "csv_wide"}, "catalog.toml")
    with pytest.raises(ConfigError, match="lacks field 'input_len'"):
        _parse_entry("x", {**spec, "kind": "multichannel", "loader": "csv_wide"}, "catalog.toml")


@needs_data
def test_panel_cache_round_trip_and_invalidation(monkeypatch, tmp_path):
    data_copy = tmp_path / "data"
    data_copy.mkdir()
    source = data_copy / "m1_yearly_dataset.tsf.gz"
    shutil.copy(DATA_DIR / "m1_yearly_dataset.tsf.gz", source)
    cache = tmp_path / "cache"
    monkeypatch.setenv("TSFORGE_DATA_DIR", str(data_copy))
    monkeypatch.setenv("TSFORGE_CACHE_DIR", str(cache))
    first = load_panel_dataset("m1_yearly")
    (cached,) = cache.glob("m1_yearly-*.parquet")
    second = load_panel_dataset("m1_yearly")
    np.testing.assert_array_equal(first.values, second.values)
    np.testing.assert_array_equal(first.starts, second.starts)
    assert (second.freq, second.name, second.meta, list(second.ids)) == (
        first.freq,
        first.name,
        first.meta,
        list(first.ids),
    )
    st = os.stat(source)
    os.utime(source, ns=(st.st_atime_ns, st.st_mtime_ns + 10**9))
    load_panel_dataset("m1_yearly")
    (new,) = cache.glob("m1_yearly-*.parquet")
    assert new != cached
    new.write_bytes(b"not parquet")  # a corrupt cache is ignored, the source parsed again
    assert len(load_panel_dataset("m1_yearly")) == 181
    assert len(load_panel_dataset("m1_yearly", use_cache=False)) == 181


def test_panel_store_round_trips_every_field(tmp_path):
    panel = Panel(
        ids=np.array([10, 20, 30]),
        indptr=np.array([0, 2, 5, 9]),
        values=np.array([1, np.nan, 3, 4, 5, 6, 7, 8, 9], dtype=np.float32),
        starts=np.array([0, 5, -2]),
        freq="MS",
        season_length=12,
        name="tiny",
        attrs={"horizon": np.array([1, 2, 3]), "kind": np.array(["a", None, "c"], dtype=object)},
        meta={"horizon": "3"},
    )
    write_panel(panel, tmp_path / "p.parquet")
    back = read_panel(tmp_path / "p.parquet")
    for f in ("ids", "indptr", "values", "starts"):
        a, b = getattr(panel, f), getattr(back, f)
        assert a.dtype == b.dtype, f
        np.testing.assert_array_equal(a, b)
    assert (back.freq, back.season_length, back.name, back.meta) == ("MS", 12, "tiny", {"horizon": "3"})
    assert back.attrs["horizon"].dtype == np.int64 and back.attrs["kind"].tolist() == ["a", None, "c"]
    assert back.values.flags.writeable


def test_a_cached_dataset_without_channels_reads_back(tmp_path):
    stamps = np.arange("2020-01-01", "2020-01-04", dtype="datetime64[D]").astype("datetime64[ns]")
    data = TimeSeriesData(values=np.empty((3, 0)), timestamps=stamps, channel_ids=(), freq="D", name="none")
    write_series(data, tmp_path / "c.parquet")
    back = read_series(tmp_path / "c.parquet")
    assert back.values.shape == (3, 0)
    assert back.timestamps is not None and back.timestamps.tolist() == stamps.tolist()
