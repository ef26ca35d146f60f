"""``--freq M`` (or ``Q``, ``Y``, ``A``) on dates at period starts reads them as monthly (quarterly,
yearly) on their own grid, with one note; ``MS`` on month-end dates the same way round.

Why: ``M`` is what most people type for "monthly", but pandas reads it as month *ends*; a file
dated 2020-01-01, 2020-02-01, … given ``--freq M`` was refused as off the monthly (ME) grid.
The dates are kept as written (forecasts are dated like them), which the note says.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from tests.conftest import run_cli
from tsforge.data.load import load, load_panel
from tsforge.errors import DataValidationError


def _long(tmp_path, freq: str, periods: int = 30) -> str:
    """A long file of two series dated on the ``freq`` grid from January 2000."""
    dates = pd.date_range("2000-01-01", periods=periods, freq=freq).strftime("%Y-%m-%d")
    frame = pd.DataFrame(
        {
            "unique_id": np.repeat(["a", "b"], periods),
            "ds": np.tile(dates, 2),
            "y": np.arange(2 * periods, dtype=float) % 7 + 1.0,
        }
    )
    path = tmp_path / f"data_{freq}.csv"
    frame.to_csv(path, index=False)
    return str(path)


def _notes(record) -> list[warnings.WarningMessage]:
    return [w for w in record if w.category.__name__ == "PeriodLabelsWarning"]


@pytest.mark.parametrize(
    ("written", "given", "read_as", "ends"),
    [
        ("MS", "M", "MS", "month starts"),
        ("MS", "ME", "MS", "month starts"),
        ("QS", "Q", "QS-JAN", "quarter starts"),
        ("YS", "Y", "YS-JAN", "year starts"),
        ("YS", "A", "YS-JAN", "year starts"),
        ("ME", "MS", "ME", "month ends"),
        ("QE", "QS", "QE-DEC", "quarter ends"),
    ],
)
def test_the_other_end_of_the_period_is_read_on_its_own_grid(tmp_path, written, given, read_as, ends):
    path = _long(tmp_path, written)
    with warnings.catch_warnings(record=True) as record:
        warnings.simplefilter("always")
        panel = load_panel(path, freq=given).panel
    assert panel.freq == read_as
    first = pd.Timestamp(np.asarray(panel.starts)[0])
    assert first == pd.date_range("2000-01-01", periods=1, freq=written)[0]  # as written
    (note,) = _notes(record)
    assert f"its dates are {ends}" in str(note) and f"freq={read_as!r}" in str(note)


@pytest.mark.parametrize(("written", "given"), [("MS", "MS"), ("ME", "M"), ("QS", "QS"), ("YS", "YS")])
def test_an_alias_that_fits_the_dates_gets_no_note(tmp_path, written, given):
    path = _long(tmp_path, written)
    with warnings.catch_warnings(record=True) as record:
        warnings.simplefilter("always")
        load_panel(path, freq=given)
    assert _notes(record) == []


def test_another_period_is_still_refused(tmp_path):
    """Monthly dates are not quarterly at either end: the rule pairs the ends of one period only."""
    path = _long(tmp_path, "MS")
    with pytest.raises(DataValidationError, match="quarterly"):
        load_panel(path, freq="Q")


def test_a_wide_file_read_as_multichannel_data_keeps_its_dates(tmp_path):
    dates = pd.date_range("2000-01-01", periods=40, freq="MS")
    path = tmp_path / "wide.csv"
    pd.DataFrame({"date": dates.strftime("%Y-%m-%d"), "a": np.arange(40.0), "b": 1.0}).to_csv(
        path, index=False
    )
    with warnings.catch_warnings(record=True) as record:
        warnings.simplefilter("always")
        data = load(str(path), freq="M").series
    assert data.freq == "MS"
    assert data.timestamps is not None and (pd.DatetimeIndex(data.timestamps) == dates).all()
    assert len(_notes(record)) == 1


def test_the_cli_trains_with_freq_m_and_says_so_once(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("TSFORGE_CACHE_DIR", str(tmp_path / "cache"))
    path = _long(tmp_path, "MS", periods=36)
    code, out, err = run_cli(
        capsys, "train", path, "--model", "naive", "-H", "6", "--no-track", "--freq", "M"
    )
    assert code == 0, out + err
    said = " ".join(err.split())
    # named as typed (tests/tsforge/data/test_freq_note_typed.py), not as pandas renames it (ME)
    assert said.count("its dates are month starts, not the month ends that --freq M names") == 1, err
    assert "--freq MS says so without this note" in said


@pytest.mark.parametrize(
    ("start", "freq", "given"), [("2010-02-01", "QS-FEB", "Q"), ("2010-04-01", "YS-APR", "Y")]
)
def test_a_fiscal_anchor_off_the_twin_grid_is_refused_without_the_note(start, freq, given):
    """Quarter starts in February are not on the QS-JAN grid that ``Q``'s other end names (nor
    April year starts on YS-JAN): the frequency given stands, for the spacing check to refuse
    naming the dates' own grid as before, and no note says they were read."""
    from pandas.tseries.frequencies import to_offset

    from tsforge.data.calendar_grid import PeriodLabelsWarning, read_period_labels

    times = pd.date_range(start, periods=6, freq=freq).values.astype("datetime64[ns]").view(np.int64)
    named = to_offset(given).freqstr
    with warnings.catch_warnings(record=True) as log:
        warnings.simplefilter("always")
        assert read_period_labels(times, named, "f.csv") == named
    assert not [w for w in log if issubclass(w.category, PeriodLabelsWarning)]
