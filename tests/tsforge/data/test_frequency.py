"""One answer to "how long is a step": fixed steps for forecasts, steps per day for the recommender."""

from __future__ import annotations

import math
import re

import numpy as np
import pandas as pd
import pytest

from tsforge.data.frequency import fixed_step, infer_freq, steps_per_day


@pytest.mark.parametrize(
    ("freq", "step"),
    [("h", "1h"), ("15min", "15min"), ("10min", "10min"), ("D", "1D"), ("30s", "30s"), ("2h", "2h")],
)
def test_fixed_step_of_fixed_frequencies(freq, step):
    assert fixed_step(freq) == np.timedelta64(pd.Timedelta(step).value, "ns")


@pytest.mark.parametrize("freq", ["MS", "ME", "QS", "YS", "W-SAT", "B", "nonsense", "", None])
def test_no_fixed_step_for_calendar_offsets_or_unknown(freq):
    assert fixed_step(freq) is None


# Values the recommender's knowledge base was built with (moved from recommender.ranker).
@pytest.mark.parametrize(
    ("freq", "expected"),
    [
        ("h", 24.0),
        ("15min", 96.0),
        ("10min", 144.0),
        ("D", 1.0),
        ("MS", 1 / 30.4),
        ("M", 1 / 30.4),
        ("QS", 1 / 91.3),
        ("YS", 1 / 365.25),
        ("W-SAT", math.nan),
        ("B", math.nan),
        ("xyz", math.nan),
        (None, math.nan),
    ],
)
def test_steps_per_day(freq, expected):
    got = steps_per_day(freq)
    assert (math.isnan(got) and math.isnan(expected)) or got == pytest.approx(expected)


@pytest.mark.parametrize(
    ("start", "freq"),
    [
        ("2015-01-01", "MS"),
        ("2015-01-31", "ME"),
        ("2015-01-01", "QS-JAN"),
        ("2015-02-01", "QS-FEB"),
        ("2015-03-31", "QE-DEC"),
        ("2015-02-28", "QE-NOV"),
        ("2000-01-01", "YS-JAN"),
        ("2000-07-01", "YS-JUL"),
        ("2000-12-31", "YE-DEC"),
        ("2000-06-30", "YE-JUN"),
        ("2020-01-06", "W-MON"),
        ("2020-01-01", "D"),
        ("2020-01-01", "h"),
    ],
)
def test_a_calendar_frequency_is_named_despite_a_gap(start, freq):
    """pandas cannot name a series with a gap; the modal step must still be the calendar step
    (a month is not "31D": that made regular 30-day steps look like the gap)."""
    full = pd.date_range(start, periods=30, freq=freq)
    gapped = full.delete([5, 6])
    assert pd.infer_freq(gapped) is None
    got = infer_freq(gapped.values)
    assert pd.date_range(gapped[0], periods=len(full), freq=got).equals(full), got


def test_an_unknown_frequency_is_refused_by_name(tmp_path):
    from tsforge.data.load import load_panel
    from tsforge.errors import ConfigError

    path = tmp_path / "p.csv"
    pd.DataFrame(
        {"unique_id": "a", "ds": pd.date_range("2020-01-01", periods=5, freq="D"), "y": range(5)}
    ).to_csv(path, index=False)
    with pytest.raises(ConfigError, match="unknown frequency 'XYZ'") as exc:
        load_panel(str(path), freq="XYZ")
    assert exc.value.where == {"field": "freq"}
    assert load_panel(str(path), freq="D").panel.freq == "D"


@pytest.mark.parametrize(
    ("model_freq", "data_freq", "ok"),
    [
        ("h", "h", True),
        ("W-SUN", "W-MON", True),  # another anchor, the same rate
        ("MS", "ME", True),  # 28–31-day months either way
        ("B", "B", True),  # one day apart, three over weekends: the median step is a day
        ("QS", "QE", True),
        ("h", "D", False),
        ("h", "30min", False),
        ("W-SUN", "D", False),
        ("MS", "W-SUN", False),
        # offsets whose names start like another rate's: custom business months are months,
        # the n-th weekday of the month is monthly, business hours are hours
        ("CBMS", "CBMS", True),
        ("WOM-1MON", "WOM-1MON", True),
        ("BH", "BH", True),
        ("CBMS", "B", False),
        ("WOM-1MON", "W-MON", False),
    ],
)
def test_check_sampling_refuses_another_rate_only(model_freq, data_freq, ok):
    from tsforge.data.frequency import check_sampling
    from tsforge.errors import DataValidationError

    ts = pd.date_range("2020-01-01", periods=60, freq=data_freq).values
    if ok:
        check_sampling(ts, model_freq, sid="a", model="m", field="f")
    else:
        # each rate in words, with its alias: "sampled daily (D) ..., forecasts hourly (h) series"
        both = rf"sampled [^(]*\({re.escape(data_freq)}\).*forecasts [^(]*\({re.escape(model_freq)}\)"
        with pytest.raises(DataValidationError, match=both):
            check_sampling(ts, model_freq, sid="a", model="m", field="f")


@pytest.mark.parametrize("freq", ["SMS", "SME"])
def test_semi_monthly_dates_are_named_and_loaded(tmp_path, freq):
    """Dates on the 1st and 15th (or the 15th and the month's end) are one semi-month step each:
    they were named "14D" / "15D" and the file was refused as irregular at every other date."""
    from tsforge.data.frequency import season_length
    from tsforge.data.load import load_panel

    full = pd.date_range("2018-01-01", periods=40, freq=freq)
    assert infer_freq(full.values) == freq
    assert infer_freq(full.delete([7, 8]).values) == freq  # named despite a gap, like months
    assert season_length(freq) == 24
    assert steps_per_day(freq) == pytest.approx(1 / 15.2)
    path = tmp_path / "semi.csv"
    pd.DataFrame({"unique_id": "a", "ds": full, "y": np.arange(40.0)}).to_csv(path, index=False)
    panel = load_panel(str(path)).panel
    assert panel.freq == freq


def test_one_day_of_the_month_is_not_semi_monthly():
    """Monthly data on the 15th only, or the 1st and 16th, are not a semi-month grid."""
    from tsforge.data.frequency import modal_step_alias

    fifteenths = pd.date_range("2018-01-15", periods=6, freq="MS") + pd.Timedelta(days=14)
    assert infer_freq(fifteenths.values) != "SMS"
    first_16th = pd.DatetimeIndex(["2018-01-01", "2018-01-16", "2018-02-01", "2018-02-16", "2018-03-01"])
    assert modal_step_alias(15 * 86_400 * 10**9, first_16th.asi8) == "15D"
