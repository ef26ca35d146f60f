"""Half-year labels of statistics offices (``2010H1``, ``2010-H1``, ``H1 2010``, ``2010 H2``;
Eurostat's ``2010-S1``) are read as the days their halves start, on a six-month step (``6MS``).

Why: they were "unparsable date" in a long file and a "non-numeric" series in a wide one, and
dates six months apart were named ``2QS-OCT`` by pandas, which every rule keyed on the name took
for quarters: a season of four steps (two years) instead of two.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import polars as pl
import pytest

from tests.conftest import long_label_csv, wide_label_csv
from tsforge.cli.app import main
from tsforge.data.frequency import infer_freq, nominal_step_days, season_length, steps_per_day
from tsforge.data.load import load, load_panel
from tsforge.data.period_labels import period_label_starts
from tsforge.errors import DataValidationError

HALVES = [(2010 + i // 2, i % 2 + 1) for i in range(12)]
DATES = pd.date_range("2010-01-01", periods=12, freq="6MS")

#: form → its labels for HALVES
FORMS = {
    "2010H1": [f"{y}H{h}" for y, h in HALVES],
    "2010-H1": [f"{y}-H{h}" for y, h in HALVES],
    "H1 2010": [f"H{h} {y}" for y, h in HALVES],
    "2010 H2": [f"{y} H{h}" for y, h in HALVES],
    "2010-S1": [f"{y}-S{h}" for y, h in HALVES],
    "1H2010": [f"{h}H{y}" for y, h in HALVES],
    "h1-2010": [f"h{h}-{y}" for y, h in HALVES],
}


@pytest.mark.parametrize("form", list(FORMS))
def test_a_long_file_of_half_years_is_read_as_their_starts_six_months_apart(tmp_path, form):
    panel = load_panel(long_label_csv(tmp_path / "long.csv", FORMS[form])).panel
    assert list(panel.timestamps(0)) == list(DATES.to_numpy())
    assert panel.freq == "6MS"
    assert panel.season_length == 2


@pytest.mark.parametrize("form", ["2010H1", "H1 2010"])
def test_a_wide_file_finds_its_half_year_column_by_its_values(tmp_path, form):
    """The column is named ``half``, no time column's name: its labels tell it."""
    series = load(wide_label_csv(tmp_path / "wide.csv", FORMS[form], time_col="half")).series
    assert series.channel_ids == ("a", "b")
    assert list(series.timestamps) == list(DATES.to_numpy())
    assert series.freq == "6MS"


def test_a_third_half_is_named_by_its_row(tmp_path):
    labels = list(FORMS["2010H1"])
    labels[5] = "2012H3"
    with pytest.raises(
        DataValidationError, match=r"unparsable date '2012H3' in time column 'ds' on line 7 of long.csv"
    ) as info:
        load_panel(long_label_csv(tmp_path / "long.csv", labels))
    assert info.value.where["row"] == 5


def test_a_half_year_among_quarters_is_named_by_its_row(tmp_path):
    """The first row decides the form: a quarter later in a half-yearly column is an error, not a
    quarter's start slipped into a six-month series."""
    labels = list(FORMS["2010 H2"])
    labels[3] = "2011 Q2"
    with pytest.raises(DataValidationError, match=r"unparsable date '2011 Q2' .* on line 5 of long.csv"):
        load_panel(long_label_csv(tmp_path / "long.csv", labels))


def test_a_code_without_a_separator_is_not_read_as_a_half_year():
    """``H12010`` reads as well as a part code as H1 2010: only a separated ``H1 2010`` is a label."""
    assert period_label_starts(pl.Series(["H12010", "H22010", "H12011"]), column="code") is None
    read = period_label_starts(pl.Series(["H1 2010", "H2 2010"]), column="ds")
    assert read is not None and read.starts.to_list() == [
        pd.Timestamp("2010-01-01"),
        pd.Timestamp("2010-07-01"),
    ]


@pytest.mark.parametrize(
    ("dates", "freq"),
    [
        (pd.date_range("2010-01-01", periods=8, freq="6MS"), "6MS"),  # pandas: 2QS-OCT
        (pd.date_range("2010-04-01", periods=8, freq="6MS"), "6MS"),
        (pd.date_range("2010-06-30", periods=8, freq="6ME"), "6ME"),  # pandas: 2QE-DEC
        (pd.date_range("2010-01-01", periods=8, freq="6MS").delete(3), "6MS"),  # a gap: was 181D
    ],
)
def test_six_monthly_dates_are_named_in_months(dates, freq):
    assert infer_freq(dates.to_numpy()) == freq


@pytest.mark.parametrize("freq", ["6MS", "6ME", "2QS-OCT"])
def test_a_half_year_step_has_two_steps_a_season_and_half_a_years_length(freq):
    assert season_length(freq) == 2
    assert nominal_step_days(freq) == pytest.approx(182.5, abs=0.2)
    assert steps_per_day(freq) == pytest.approx(1 / 182.5, rel=2e-3)


def test_a_gap_in_half_years_is_named_by_the_six_month_step(tmp_path):
    labels = [lab for lab in FORMS["2010H1"] if lab != "2012H2"]
    with pytest.raises(
        DataValidationError, match=r"2012-01-01 → 2013-01-01 is not one half-yearly \(6MS\) step"
    ):
        load_panel(long_label_csv(tmp_path / "long.csv", labels))
    filled = load_panel(long_label_csv(tmp_path / "long.csv", labels), fill_gaps=True).panel
    assert list(filled.timestamps(0)) == list(DATES.to_numpy())


def test_cv_and_train_run_on_a_half_yearly_file(tmp_path, monkeypatch):
    monkeypatch.setenv("TSFORGE_CACHE_DIR", str(tmp_path / "cache"))
    rng = np.random.default_rng(0)
    n = 16
    labels = [f"{2010 + i // 2}-H{i % 2 + 1}" for i in range(n)]
    frame = pd.DataFrame(
        {
            "unique_id": ["a"] * n + ["b"] * n,
            "ds": labels * 2,
            "y": 10 + 3 * (np.arange(2 * n) % 2) + rng.normal(0, 0.1, 2 * n),
        }
    )
    path = tmp_path / "halves.csv"
    frame.to_csv(path, index=False)
    out = tmp_path / "cv.csv"
    args = ["-m", "seasonal_naive", "-H", "2", "--no-track"]
    main(["cv", str(path), *args, "--n-windows", "2", "-o", str(out)])
    written = pd.read_csv(out, dtype={"ds": str, "cutoff": str})  # written as the file writes its halves
    last = written[written["cutoff"] == "2016-H2"]
    assert sorted(set(last["ds"])) == ["2017-H1", "2017-H2"]
    # a season of two halves: the same half a year before (2016), not two years before (2015)
    y = dict(zip(zip(frame["unique_id"], frame["ds"], strict=True), frame["y"], strict=True))
    year_before = [
        y[(sid, ds.replace("2017", "2016"))] for sid, ds in zip(last["unique_id"], last["ds"], strict=True)
    ]
    assert np.allclose(last["seasonal_naive"], year_before)
    main(["train", str(path), *args])
