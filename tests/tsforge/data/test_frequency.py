"""One answer to "how long is a step": fixed steps for forecasts, steps per day for the recommender."""

from __future__ import annotations

import math

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
    ],
)
def test_check_sampling_refuses_another_rate_only(model_freq, data_freq, ok):
    from tsforge.data.frequency import check_sampling
    from tsforge.errors import DataValidationError

    ts = pd.date_range("2020-01-01", periods=60, freq=data_freq).values
    if ok:
        check_sampling(ts, model_freq, sid="a", model="m", field="f")
    else:
        with pytest.raises(DataValidationError, match=f"sampled {data_freq}.*forecasts {model_freq}"):
            check_sampling(ts, model_freq, sid="a", model="m", field="f")
