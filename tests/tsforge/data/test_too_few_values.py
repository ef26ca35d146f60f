"""A long table's series with fewer than two observed values: refused with a kind and the way
round, or left out with one note when the caller asks (``load_panel(drop_too_few=True)``,
``drop_too_few`` for a forecast's history).

Found by a README walk: a file of 20 series plus a new product ``ONE`` with its first sale was
refused as a whole by every command, even ``train --drop-short``.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from tests.conftest import monthly_frame
from tsforge.errors import DataValidationError, ShortSeriesWarning


def _with_rows(frame: pd.DataFrame, rows: pd.DataFrame, at: int) -> pd.DataFrame:
    """``frame`` with ``rows`` inserted before its data row ``at``."""
    return pd.concat([frame.iloc[:at], rows, frame.iloc[at:]], ignore_index=True)


def _one_row(sid: str = "ONE", ds: str = "2002-01-01", y: float = 5.0) -> pd.DataFrame:
    return pd.DataFrame({"unique_id": [sid], "ds": [pd.Timestamp(ds)], "y": [y]})


def _load(data, **kwargs):
    """The panel and the :class:`ShortSeriesWarning` notes loading ``data`` gave."""
    from tsforge.data.load import load_panel

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        panel = load_panel(data, **kwargs).panel
    return panel, [str(w.message) for w in caught if issubclass(w.category, ShortSeriesWarning)]


def test_the_refusal_has_its_kind_and_names_the_way_round(tmp_path):
    from tsforge.data.load import load_panel
    from tsforge.data.panel_checks import TOO_FEW_VALUES

    path = tmp_path / "one.csv"
    _with_rows(monthly_frame(3, 24), _one_row(), at=30).to_csv(path, index=False)
    with pytest.raises(DataValidationError) as exc:
        load_panel(str(path))
    assert exc.value.kind == TOO_FEW_VALUES
    said = str(exc.value)
    assert "first 'ONE'" in said and "on line 32 of" in said, said
    assert "leave it out with drop_too_few=True, or remove its rows" in said, said
    assert exc.value.for_cli().rsplit(" (", 1)[0].endswith(": remove its rows"), exc.value.for_cli()


def test_a_series_observed_once_among_empty_rows_has_the_kind_too():
    from tsforge.data.load import load_panel
    from tsforge.data.panel_checks import TOO_FEW_VALUES

    frame = monthly_frame(2, 12)
    once = pd.DataFrame(
        {
            "unique_id": "once",
            "ds": pd.date_range("2000-01-01", periods=4, freq="MS"),
            "y": [np.nan, 3.0, np.nan, np.nan],
        }
    )
    with pytest.raises(DataValidationError, match="one observed value") as exc:
        load_panel(pd.concat([frame, once], ignore_index=True))
    assert exc.value.kind == TOO_FEW_VALUES


def test_drop_too_few_leaves_out_the_one_row_series_with_one_note(tmp_path):
    frame = monthly_frame(3, 24)
    path = tmp_path / "one.csv"
    _with_rows(frame, _one_row(), at=30).to_csv(path, index=False)
    panel, notes = _load(str(path), drop_too_few=True)
    assert list(panel.ids) == ["s0", "s1", "s2"]
    assert notes == [
        f"{path}: left out 1 series of 4 that has fewer than two observed values (nothing to forecast "
        "from): 'ONE'"
    ]
    plain = tmp_path / "plain.csv"
    frame.to_csv(plain, index=False)
    expected, _ = _load(str(plain))
    np.testing.assert_array_equal(panel.values, expected.values)
    np.testing.assert_array_equal(panel.indptr, expected.indptr)
    np.testing.assert_array_equal(panel.starts, expected.starts)


def test_series_observed_once_or_never_are_left_out_together_in_one_note():
    frame = monthly_frame(2, 12)
    ds = pd.date_range("2000-01-01", periods=4, freq="MS")
    once = pd.DataFrame({"unique_id": "once", "ds": ds, "y": [np.nan, 3.0, np.nan, np.nan]})
    never = pd.DataFrame({"unique_id": "never", "ds": ds, "y": np.nan})
    panel, notes = _load(pd.concat([frame, once, _one_row(), never], ignore_index=True), drop_too_few=True)
    assert list(panel.ids) == ["s0", "s1"]
    assert len(notes) == 1, notes
    assert "left out 3 series of 5 that have fewer than two observed values" in notes[0], notes
    assert all(f"'{sid}'" in notes[0] for sid in ("once", "ONE", "never")), notes


def test_a_lone_row_off_the_calendar_is_left_out_not_refused():
    """Left out before the calendar checks: its one date cannot refuse the file either."""
    frame = _with_rows(monthly_frame(2, 24), _one_row(ds="2002-01-15"), at=5)
    panel, notes = _load(frame, drop_too_few=True)
    assert list(panel.ids) == ["s0", "s1"] and panel.freq == "MS"
    assert len(notes) == 1 and "'ONE'" in notes[0], notes


def test_with_filled_gaps_the_other_series_keep_their_gaps():
    frame = monthly_frame(2, 24).drop(index=[5, 6])  # s0 lacks two months
    panel, notes = _load(pd.concat([frame, _one_row()], ignore_index=True), drop_too_few=True, fill_gaps=True)
    assert list(panel.ids) == ["s0", "s1"]
    assert list(panel.lengths) == [24, 24]
    assert np.isnan(panel.series(0)[5:7]).all() and not np.isnan(panel.series(1)).any()
    assert len(notes) == 1


def test_an_error_in_a_later_series_names_its_own_line(tmp_path):
    """The rows of a left-out series are gone before the values are read: a bad value after them
    is still named by its line in the file."""
    from tsforge.data.load import load_panel

    frame = _with_rows(monthly_frame(3, 12), _one_row(), at=3).astype({"y": object})
    frame.loc[20, "y"] = "abc"  # data row 20: line 22
    path = tmp_path / "bad.csv"
    frame.to_csv(path, index=False)
    assert path.read_text().splitlines()[21].endswith(",abc")
    with pytest.raises(DataValidationError) as exc:
        load_panel(str(path), drop_too_few=True)
    assert exc.value.where.get("line") == 22, exc.value


def test_a_table_of_single_rows_only_is_refused_still():
    from tsforge.data.load import load_panel
    from tsforge.data.panel_checks import TOO_FEW_VALUES

    frame = pd.concat([_one_row("a"), _one_row("b")], ignore_index=True)
    with pytest.raises(DataValidationError, match="2 series have fewer than 2 values") as exc:
        load_panel(frame, drop_too_few=True)
    assert exc.value.kind == TOO_FEW_VALUES
    # leaving them out would leave nothing: no way round is advised (it advised drop_too_few=True)
    assert str(exc.value.message).endswith(
        "; no series has two observed values, so leaving out those with fewer would leave none"
    ), exc.value


def test_a_forecast_history_leaves_them_out_only_when_asked():
    from tsforge.data.history import histories_from_frame

    frame = pd.concat([monthly_frame(2, 12), _one_row()], ignore_index=True)
    assert [s.id for s in histories_from_frame(frame)] == ["s0", "s1", "ONE"]
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        kept = histories_from_frame(frame, file="h.csv", drop_too_few=True)
    assert [s.id for s in kept] == ["s0", "s1"]
    said = [str(w.message) for w in caught if issubclass(w.category, ShortSeriesWarning)]
    assert said == [
        "h.csv: left out 1 series of 3 that has fewer than two observed values (nothing to forecast from): 'ONE'"
    ]
    assert [s.id for s in histories_from_frame(frame)] == ["s0", "s1", "ONE"]  # only when asked


def _wide_with_one_value() -> pd.DataFrame:
    ds = pd.date_range("2000-01-01", periods=12, freq="MS")
    return pd.DataFrame(
        {"ds": ds, "a": np.arange(12.0), "b": np.arange(12.0) + 1, "new": [np.nan] * 11 + [4.0]}
    )


def test_a_wide_column_with_one_value_is_refused_with_the_kind():
    from tsforge.data.load import load_panel
    from tsforge.data.panel_checks import TOO_FEW_VALUES

    with pytest.raises(DataValidationError, match="first 'new'") as exc:
        load_panel(_wide_with_one_value())
    assert exc.value.kind == TOO_FEW_VALUES


def test_wide_columns_with_one_value_are_left_out_when_asked():
    frame = _wide_with_one_value().assign(once=[2.0] + [np.nan] * 11)
    panel, notes = _load(frame, drop_too_few=True)
    assert list(panel.ids) == ["a", "b"]
    assert len(notes) == 1 and "left out 2 series of 4 that have fewer than two" in notes[0], notes
    assert "'new', 'once'" in notes[0], notes


#: the refusal's words when leaving the short series out would leave none
_NONE_LEFT = "; no series has two observed values, so leaving out those with fewer would leave none"


def test_a_forecast_history_observed_once_at_most_advises_no_way_round():
    """Series 'a' observed once, 'b' never: removing the rows of the short ones leaves nothing,
    so the refusal says why instead of advising it (it said "remove its rows")."""
    from tsforge.data.history import histories_from_frame
    from tsforge.data.panel_checks import TOO_FEW_VALUES

    frame = pd.DataFrame(
        {
            "unique_id": ["a", "a", "b", "b"],
            "ds": pd.to_datetime(["2000-01-01", "2000-02-01"] * 2),
            "y": [1.0, np.nan, np.nan, np.nan],
        }
    )
    with pytest.raises(DataValidationError, match="series 'b' has no observed value") as exc:
        histories_from_frame(frame)
    assert exc.value.kind == TOO_FEW_VALUES
    assert str(exc.value.message).endswith(_NONE_LEFT), exc.value
    assert "remove" not in str(exc.value.message), exc.value


def test_a_forecast_history_with_one_full_series_keeps_the_way_round():
    from tsforge.data.history import histories_from_frame

    frame = pd.DataFrame(
        {
            "unique_id": ["a", "a", "b", "b"],
            "ds": pd.to_datetime(["2000-01-01", "2000-02-01"] * 2),
            "y": [1.0, 2.0, np.nan, np.nan],
        }
    )
    with pytest.raises(DataValidationError, match="remove its rows") as exc:
        histories_from_frame(frame)
    assert _NONE_LEFT not in str(exc.value.message), exc.value


def _channels(**columns: list[float]):
    """A ``TimeSeriesData`` of monthly channels, one per keyword."""
    from tsforge.data.frame import TimeSeriesData

    values = np.column_stack(list(columns.values()))
    times = pd.date_range("2000-01-01", periods=len(values), freq="MS").values
    return TimeSeriesData(values=values, timestamps=times, channel_ids=tuple(columns), freq="MS", name="m")


def test_channels_observed_once_at_most_advise_no_way_round():
    """Channel 'once' observed once, 'never' never (:func:`to_panel`): leaving them out leaves
    nothing, so drop_too_few=True is not advised (it was)."""
    from tsforge.data.panel_checks import TOO_FEW_VALUES
    from tsforge.data.panel_sources import to_panel

    data = _channels(once=[1.0, np.nan, np.nan], never=[np.nan] * 3)
    with pytest.raises(DataValidationError, match="first 'never'") as exc:
        to_panel(data)
    assert exc.value.kind == TOO_FEW_VALUES
    assert str(exc.value.message).endswith(_NONE_LEFT), exc.value
    assert "drop_too_few" not in str(exc.value.message), exc.value


def test_channels_beside_a_full_one_keep_the_way_round():
    from tsforge.data.panel_sources import to_panel

    data = _channels(full=[1.0, 2.0, 3.0], never=[np.nan] * 3)
    with pytest.raises(DataValidationError, match="drop_too_few=True") as exc:
        to_panel(data)
    assert _NONE_LEFT not in str(exc.value.message), exc.value
