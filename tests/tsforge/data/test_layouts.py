"""Layouts: long/wide CSV and Parquet round trips, pandas and polars frames, coordinates."""

from __future__ import annotations

import numpy as np
import pandas as pd
import polars as pl
import pytest

from tsforge.data import TimeSeriesData, load_data
from tsforge.data.coordinates import read_coordinates
from tsforge.data.layouts import from_long, from_wide
from tsforge.data.tables import read_table
from tsforge.errors import DataValidationError


def _series(n_steps: int = 48, n_channels: int = 3, seed: int = 0) -> tuple[pd.DatetimeIndex, np.ndarray]:
    rng = np.random.default_rng(seed)
    ts = pd.date_range("2021-03-01", periods=n_steps, freq="h")
    return ts, rng.normal(size=(n_steps, n_channels)).astype(np.float32)


def _long_frame(ts: pd.DatetimeIndex, values: np.ndarray, ids: list[str]) -> pl.DataFrame:
    return pl.DataFrame(
        {
            "unique_id": np.repeat(ids, len(ts)),
            "ds": np.tile(ts.to_numpy(), len(ids)),
            "y": values.T.reshape(-1).astype(np.float64),
        }
    )


def _wide_frame(ts: pd.DatetimeIndex, values: np.ndarray, ids: list[str]) -> pl.DataFrame:
    return pl.DataFrame(
        {"date": ts.to_numpy(), **{c: values[:, j].astype(np.float64) for j, c in enumerate(ids)}}
    )


def _assert_same(data: TimeSeriesData, ts: pd.DatetimeIndex, values: np.ndarray, ids: list[str]) -> None:
    assert data.channel_ids == tuple(ids)
    np.testing.assert_array_equal(data.timestamps, ts.to_numpy().astype("datetime64[ns]"))
    np.testing.assert_allclose(data.values, values, rtol=0, atol=1e-6)
    assert data.freq == "h"


@pytest.mark.parametrize("suffix", [".csv", ".csv.gz", ".parquet"])
@pytest.mark.parametrize(
    ("layout", "ids", "name"),
    [
        ("long", ["north", "south", "east"], None),  # a Path, named after the file
        ("wide", ["HUFL", "OT", "x 1"], "mine"),  # a str path, named by the caller
    ],
)
def test_file_round_trip(tmp_path, suffix, layout, ids, name):
    ts, values = _series()
    frame = (_long_frame if layout == "long" else _wide_frame)(ts, values, ids)
    path = tmp_path / f"{layout}{suffix}"
    if suffix == ".parquet":
        frame.write_parquet(path)
    elif suffix == ".csv.gz":
        import gzip

        path.write_bytes(gzip.compress(frame.write_csv().encode()))
    else:
        frame.write_csv(path)
    data = load_data(path) if name is None else load_data(str(path), name=name)
    _assert_same(data, ts, values, ids)
    assert data.name == (name or layout)


@pytest.mark.parametrize("engine", ["pandas", "polars"])
def test_frames_long_and_wide(engine):
    ts, values = _series(n_steps=30, n_channels=2)
    ids = ["a", "b"]
    long, wide = _long_frame(ts, values, ids), _wide_frame(ts, values, ids)
    if engine == "pandas":
        long, wide = long.to_pandas(), wide.to_pandas()
    _assert_same(load_data(long), ts, values, ids)
    _assert_same(load_data(wide), ts, values, ids)


def test_pandas_datetime_index_is_the_time_axis():
    ts, values = _series(n_steps=20, n_channels=2)
    frame = pd.DataFrame(values, index=ts, columns=["a", "b"])
    _assert_same(load_data(frame), ts, values, ["a", "b"])


def test_long_with_different_spans_is_nan_padded():
    ts = pd.date_range("2022-01-01", periods=10, freq="D")
    frame = pl.DataFrame(
        {"unique_id": ["a"] * 10 + ["b"] * 6, "ds": list(ts) + list(ts[4:]), "y": np.arange(16, dtype=float)}
    )
    data = from_long(frame)
    assert data.values.shape == (10, 2)
    assert np.isnan(data.values[:4, 1]).all()
    np.testing.assert_array_equal(data.values[4:, 1], np.arange(10, 16))
    assert data.freq == "D"


def test_long_missing_pair_inside_the_span_becomes_nan():
    ts = pd.date_range("2022-01-01", periods=8, freq="h")
    frame = pl.DataFrame(
        {
            "unique_id": ["a"] * 8 + ["b"] * 7,
            "ds": list(ts) + list(ts[:3]) + list(ts[4:]),
            "y": np.arange(15, dtype=float),
        }
    )
    data = from_long(frame)
    assert data.values.shape == (8, 2)
    assert np.isnan(data.values[3, 1]) and not data.mask[3, 1]
    assert data.mask.sum() == 15


def test_long_rows_in_any_order():
    ts, values = _series(n_steps=12, n_channels=2)
    frame = _long_frame(ts, values, ["a", "b"]).sample(fraction=1.0, shuffle=True, seed=3)
    data = load_data(frame)
    order = np.argsort(np.asarray(data.channel_ids))
    np.testing.assert_allclose(data.values[:, order], values, atol=1e-6)


def test_wide_unsorted_rows_are_sorted_by_time():
    ts, values = _series(n_steps=10, n_channels=1)
    frame = _wide_frame(ts, values, ["v"])[::-1]
    _assert_same(load_data(frame), ts, values, ["v"])


def test_custom_column_names_and_explicit_layout():
    ts, values = _series(n_steps=10, n_channels=2)
    frame = _long_frame(ts, values, ["a", "b"]).rename({"unique_id": "station", "ds": "when", "y": "pm10"})
    data = load_data(frame, layout="long", id_col="station", time_col="when", target_col="pm10")
    _assert_same(data, ts, values, ["a", "b"])


def test_wide_without_time_column_has_no_timestamps():
    values = np.arange(12, dtype=float).reshape(6, 2)
    data = load_data(pl.DataFrame({"a": values[:, 0], "b": values[:, 1]}))
    assert data.timestamps is None and data.freq is None
    np.testing.assert_array_equal(data.values, values)


def test_wide_string_dates_in_unusual_format_and_yyyymmdd_integers():
    frame = pl.DataFrame({"date": ["1990/1/1 0:00", "1990/1/2 0:00", "1990/1/3 0:00"], "x": [1.0, 2.0, 3.0]})
    data = load_data(frame)
    assert data.freq == "D" and str(data.timestamps[2])[:10] == "1990-01-03"
    ints = pl.DataFrame({"DATE": [20000130, 20000131, 20000201], "x": [1.0, 2.0, 3.0]})
    data = load_data(ints)
    assert data.freq == "D" and str(data.timestamps[2])[:10] == "2000-02-01"


def test_integer_ds_is_an_ordering_index():
    frame = pl.DataFrame({"unique_id": ["a"] * 4, "ds": [3, 1, 2, 4], "y": [30.0, 10.0, 20.0, 40.0]})
    data = load_data(frame)
    assert data.timestamps is None
    np.testing.assert_array_equal(data.values[:, 0], [10, 20, 30, 40])


def test_missing_tokens_become_nan():
    csv = "date,x,y\n2021-01-01,1.5,NA\n2021-01-02,,2\n2021-01-03,nan,3\n"
    data = load_data(pl.read_csv(csv.encode(), infer_schema=False))
    assert np.isnan(data.values[1:, 0]).all() and np.isnan(data.values[0, 1])
    assert data.values[0, 0] == 1.5


def test_fill_gaps_inserts_nan_rows():
    ts = pd.date_range("2021-01-01", periods=12, freq="h").delete([3, 7, 8])
    frame = pl.DataFrame({"ds": ts.to_numpy(), "v": np.arange(9.0)})
    data = load_data(frame, fill_gaps=True)
    assert data.n_steps == 12 and data.freq == "h"
    assert np.isnan(data.values[[3, 7, 8], 0]).all()
    assert data.mask.sum() == 9


def test_coordinates_aligned_to_channels(tmp_path):
    coords_path = tmp_path / "stations.csv"
    pl.DataFrame({"unique_id": ["b", "a", "zz"], "lat": [50.0, 40.0, 0.0], "lon": [5.0, 4.0, 0.0]}).write_csv(
        coords_path
    )
    ts, values = _series(n_steps=10, n_channels=2)
    data = load_data(_long_frame(ts, values, ["a", "b"]), coords=coords_path)
    np.testing.assert_array_equal(data.coords, [[40.0, 4.0], [50.0, 5.0]])
    arr = read_coordinates(coords_path, channel_ids=["zz", "a"])
    np.testing.assert_array_equal(arr, [[0.0, 0.0], [40.0, 4.0]])
    data = load_data(
        _long_frame(ts, values, ["a", "b"]), coords={"a": (1.0, 2.0, 300.0), "b": (3.0, 4.0, 5.0)}
    )
    assert data.coords.shape == (2, 3)


def test_coordinates_errors_name_the_station(tmp_path):
    frame = pl.DataFrame({"unique_id": ["a", "b"], "lat": [40.0, 123.0], "lon": [4.0, 5.0]})
    with pytest.raises(DataValidationError, match=r"latitude 123.0 of station 'b' at row 1"):
        read_coordinates(frame)
    good = frame.with_columns(pl.Series("lat", [40.0, 41.0]))
    with pytest.raises(DataValidationError, match=r"no coordinates for channel\(s\) \['c'\]"):
        read_coordinates(good, channel_ids=["a", "c"])


def test_array_and_timeseriesdata_sources():
    arr = np.arange(20, dtype=np.float32).reshape(10, 2)
    data = load_data(arr)
    np.testing.assert_array_equal(data.values, arr)
    assert load_data(data) is data


def test_read_table_rejects_unknown_suffix(tmp_path):
    p = tmp_path / "data.xlsx"
    p.write_text("x")
    with pytest.raises(
        DataValidationError, match=r"unsupported file type '.xlsx'.*save the sheet as CSV"
    ) as exc:
        read_table(p)
    assert "data.xlsx" in str(exc.value)


def test_bad_value_beyond_inference_window_is_located(tmp_path):
    n = 12_000
    ts = pd.date_range("2020-01-01", periods=n, freq="min")
    vals = [f"{i}.5" for i in range(n)]
    vals[11_500] = "oops"
    lines = ["ds,v"] + [f"{t},{v}" for t, v in zip(ts.strftime("%Y-%m-%d %H:%M:%S"), vals, strict=True)]
    path = tmp_path / "late_bad.csv"
    path.write_text("\n".join(lines) + "\n")
    with pytest.raises(
        DataValidationError, match=r"non-numeric value 'oops' in column 'v' on line 11502 of late_bad.csv"
    ) as exc:
        load_data(path)
    assert "late_bad.csv" in str(exc.value)


def test_from_wide_value_cols_subset():
    ts, values = _series(n_steps=10, n_channels=3)
    frame = _wide_frame(ts, values, ["a", "b", "c"]).with_columns(pl.lit("note").alias("comment"))
    data = from_wide(frame, value_cols=["c", "a"])
    assert data.channel_ids == ("c", "a")
    np.testing.assert_allclose(data.values, values[:, [2, 0]], atol=1e-6)


def test_a_series_column_without_a_header_name_is_refused_by_position(tmp_path):
    """A trailing comma on the header line made a series called '' in every forecast."""
    from tsforge.data.load import load, load_panel
    from tsforge.errors import DataValidationError

    path = tmp_path / "unnamed.csv"
    path.write_text("date,a,\n" + "".join(f"2020-01-{d:02d},{d},{d + 1}\n" for d in range(1, 9)))
    for loader in (load, load_panel):
        with pytest.raises(DataValidationError, match="column 3 has no name in the header"):
            loader(str(path))
