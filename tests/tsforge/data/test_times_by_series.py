""":func:`parse_times_by_series`: a long frame's time column read one series at a time."""

from __future__ import annotations

import numpy as np
import pandas as pd
import polars as pl
import pytest

from tsforge.data.timeaxis import parse_time_column, parse_times_by_series
from tsforge.errors import DataValidationError


def _whole(values: list[str]) -> DataValidationError:
    """The refusal of the column read as one (what a caller holds before reading by series)."""
    with pytest.raises(DataValidationError) as err:
        parse_time_column(pl.Series("ds", values), column="ds", file=None)
    return err.value


def test_each_series_is_read_in_its_own_format():
    values = ["2015Q1", "2015Q2", "2015-01-01", "2015-04-01"]
    ids = np.array(["a", "a", "b", "b"])
    got = parse_times_by_series(pl.Series("ds", values), ids, column="ds", file=None, whole=_whole(values))
    want = np.array(["2015-01-01", "2015-04-01"] * 2, dtype="datetime64[ns]")
    np.testing.assert_array_equal(got, want)


def test_a_series_mixing_formats_is_named_with_its_row_in_the_frame():
    values = ["2015-01-01", "2015-04-01", "2015Q1", "2015-04-01", "2015Q3"]
    ids = np.array(["b", "b", "a", "a", "a"])
    with pytest.raises(DataValidationError, match="series 'a'.*more than one way") as err:
        parse_times_by_series(pl.Series("ds", values), ids, column="ds", file=None, whole=_whole(values))
    assert err.value.where["row"] == 3 and err.value.where["series"] == "a"
    assert "'2015Q1' at row 2" in err.value.message


def test_a_series_whose_own_dates_read_either_way_keeps_the_column_refusal():
    """``01/02/2017, 01/03/2017`` read month first or day first alike once the other series'
    dates no longer pin the order: the whole column's refusal stands."""
    values = ["2017-01-01", "2017-02-01", "2017-03-01", "01/02/2017", "01/03/2017", "01/04/2017"]
    ids = np.array(["a", "a", "a", "b", "b", "b"])
    whole = _whole(values)
    with pytest.raises(DataValidationError) as err:
        parse_times_by_series(pl.Series("ds", values), ids, column="ds", file=None, whole=whole)
    assert err.value is whole


def test_the_history_reader_reads_each_series_in_its_own_format(tmp_path):
    """Every door (``predict_frame``, ``tsforge forecast``, the pyfunc) reads a history through
    :func:`histories_from_frame`: a frame and a file whose series write their months two ways are
    read as each series alone is, and a file's refusal of a series mixing ways names its line."""
    from tsforge.data.history import histories_from_frame

    frame = pl.DataFrame(
        {
            "unique_id": ["a"] * 3 + ["b"] * 3,
            "ds": ["2015Q1", "2015Q2", "2015Q3", "2015-01-01", "2015-04-01", "2015-07-01"],
            "y": [1.0, 2.0, 3.0, 4.0, 5.0, 6.0],
        }
    )
    series = {s.id: s for s in histories_from_frame(frame)}
    want = np.array(["2015-01-01", "2015-04-01", "2015-07-01"], dtype="datetime64[ns]")
    for sid in ("a", "b"):
        np.testing.assert_array_equal(np.asarray(series[sid].timestamps, dtype="datetime64[ns]"), want)

    path = tmp_path / "history.csv"
    frame.with_columns(
        pl.Series("ds", ["2015Q1", "2015Q2", "2015Q3", "2015-01-01", "2015Q2", "2015-07-01"])
    ).write_csv(path)
    with pytest.raises(DataValidationError, match="series 'b'.*more than one way") as err:
        histories_from_frame(pl.read_csv(path), file=str(path))
    assert err.value.where["series"] == "b" and "line" in err.value.message


def _monthly(start: str, n: int, fmt: str) -> list[str]:
    return [d.strftime(fmt) for d in pd.date_range(start, periods=n, freq="MS")]


def _count_frame_reads(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The sizes of the readings of more than one time (a lone time is the "reads alone" probe)."""
    import tsforge.data.timeaxis as timeaxis

    sizes: list[int] = []
    real = timeaxis.parse_time_column

    def counted(series: pl.Series, **kwargs: object):
        if series.len() > 1:
            sizes.append(series.len())
        return real(series, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(timeaxis, "parse_time_column", counted)
    return sizes


def test_a_bad_time_is_refused_reading_its_series_first(monkeypatch):
    """The whole column stumbles on the bad row: that row's series is read first and refused, not
    after every series before it (2,000 series took 1.65 s where the column's refusal took 0.18)."""
    n = 12
    values = [v for _ in range(30) for v in _monthly("2015-01-01", n, "%Y-%m-%d")]
    values[-3] = "2015-13-01"
    ids = np.repeat([f"s{i:02d}" for i in range(30)], n)
    whole = _whole(values)
    sizes = _count_frame_reads(monkeypatch)
    with pytest.raises(DataValidationError, match="'2015-13-01'") as err:
        parse_times_by_series(pl.Series("ds", values), ids, column="ds", file=None, whole=whole)
    assert err.value.where["series"] == "s29" and err.value.where["row"] == len(values) - 3
    assert sizes == [n]  # the refused series alone


def test_series_written_alike_are_read_in_one_call_each_way(monkeypatch):
    """Half the series write ``2015/01/01``, half ``2015-01-01``: read as two groups (and the series
    of the row the column stumbled on), each series' times as it reads alone."""
    n = 6
    ways = ["%Y/%m/%d", "%Y-%m-%d"] * 10
    values = [v for k, fmt in enumerate(ways) for v in _monthly(f"{2001 + k}-01-01", n, fmt)]
    ids = np.repeat([f"s{i:02d}" for i in range(len(ways))], n)
    whole = _whole(values)
    sizes = _count_frame_reads(monkeypatch)
    got = parse_times_by_series(pl.Series("ds", values), ids, column="ds", file=None, whole=whole)
    assert len(sizes) <= 3 and sum(sizes) == len(values), sizes
    monkeypatch.undo()
    for k in range(len(ways)):
        alone, _ = parse_time_column(pl.Series("ds", values[k * n : (k + 1) * n]), column="ds", file=None)
        np.testing.assert_array_equal(got[k * n : (k + 1) * n], alone)


@pytest.mark.parametrize(
    "ways",
    [
        ["2015/02/01", "01 Feb 2015", "2015-01-01", "2015-W05", "01 Mar 2016"],
        ["2015Q1", "2015-01-01", "2016Q3", "2015M01", "2015-01-01 00:00", "2016-02-01"],
    ],
)
def test_series_read_together_read_as_each_reads_alone(ways):
    """However the series are grouped, each series' times are those it has read alone."""
    forms = {
        "2015/02/01": ["2015/02/01", "2015/03/01", "2015/04/01"],
        "01 Feb 2015": ["01 Feb 2015", "01 Mar 2015", "01 Apr 2015"],
        "01 Mar 2016": ["01 Mar 2016", "01 Apr 2016", "01 May 2016"],
        "2015-W05": ["2015-W05", "2015-W06", "2015-W07"],
        "2015-01-01": ["2015-01-01", "2015-02-01", "2015-03-01"],
        "2015Q1": ["2015Q1", "2015Q2", "2015Q3"],
        "2016Q3": ["2016Q3", "2016Q4", "2017Q1"],
        "2015M01": ["2015M01", "2015M02", "2015M03"],
        "2015-01-01 00:00": ["2015-01-01 00:00", "2015-01-01 01:00", "2015-01-01 02:00"],
        "2016-02-01": ["2016-02-01", "2016-03-01", "2016-04-01"],
    }
    order = ways * 3  # each way several times, interleaved
    values = [v for w in order for v in forms[w]]
    ids = np.repeat([f"s{i}" for i in range(len(order))], 3)
    got = parse_times_by_series(pl.Series("ds", values), ids, column="ds", file=None, whole=_whole(values))
    for k, w in enumerate(order):
        alone, _ = parse_time_column(pl.Series("ds", forms[w]), column="ds", file=None)
        np.testing.assert_array_equal(got[3 * k : 3 * k + 3], alone)


def test_a_series_whose_order_another_would_pin_keeps_the_column_refusal():
    """``02/01/2017 … 13/01/2017`` reads day first (the 13th is no month), and read together with
    it ``01/02/2017, 01/03/2017, 01/04/2017`` would too; alone that series reads either way, so
    the whole column's refusal stands, as when every series was read alone."""
    values = (
        ["2017/01/01", "2017/02/01", "2017/03/01"]
        + ["2017-01-01", "2017-02-01", "2017-03-01"]
        + [f"{d:02d}/01/2017" for d in range(2, 14)]
        + ["01/02/2017", "01/03/2017", "01/04/2017"]
    )
    ids = np.array(["a"] * 3 + ["b"] * 3 + ["c"] * 12 + ["d"] * 3)
    whole = _whole(values)
    with pytest.raises(DataValidationError) as err:
        parse_times_by_series(pl.Series("ds", values), ids, column="ds", file=None, whole=whole)
    assert err.value is whole


def test_a_refusal_names_the_frame_row_not_one_its_own_row_begins():
    """A series' own refusal says ``at row 1``; the frame's row replaces that, not the ``row 1`` a
    time written ``at row 12`` begins with."""
    values = [f"2015-{m:02d}-01" for m in range(1, 12)] + ["2015Q1", "at row 12", "2015Q3"]
    ids = np.array(["b"] * 11 + ["a"] * 3)
    with pytest.raises(DataValidationError) as err:
        parse_times_by_series(pl.Series("ds", values), ids, column="ds", file=None, whole=_whole(values))
    assert err.value.where["row"] == 12 and err.value.where["series"] == "a"
    assert "'at row 12'" in err.value.message and "for series 'a' at row 12" in err.value.message, (
        err.value.message
    )


def test_series_with_utc_offsets_are_read_as_each_reads_alone():
    """Whether times with offsets are read wall-clock or in UTC is decided by all the times read
    (one time alone is read in UTC): two series of one time each read so, and not as a pair at
    one time of day would be (wall-clock)."""
    values = ["2015/01/01", "2015/02/01", "2015-01-01", "2015-02-01"]
    values += ["2015-03-01T00:00:00+05:00", "2015-03-02T00:00:00+05:00"]
    ids = np.array(["c", "c", "d", "d", "a", "b"])
    with pytest.warns(UserWarning, match="read in UTC"):
        got = parse_times_by_series(
            pl.Series("ds", values), ids, column="ds", file=None, whole=_whole(values)
        )
    for k in (4, 5):
        with pytest.warns(UserWarning, match="read in UTC"):
            alone, _ = parse_time_column(pl.Series("ds", values[k : k + 1]), column="ds", file=None)
        np.testing.assert_array_equal(got[k : k + 1], alone)
