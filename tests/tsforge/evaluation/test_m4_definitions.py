"""Panel metrics against the M4 R reference (``Benchmarks and Evaluation.R``) on edge cases.

Each test pins one place where the vectorised code once disagreed with the published
definition; the expected values are computed by hand or by a plain loop that follows the R code.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from tsforge.data.panel import Panel
from tsforge.evaluation.intervals import cv_interval_scores
from tsforge.evaluation.panel_metrics import panel_scores, seasonality_test, summarise


def _r_seasonality_test(x: np.ndarray, m: int) -> bool:
    """M4's ``SeasonalityTest``: R ``acf`` keeps lags 1..⌊10·log10 n⌋, so r_m is NA (→ FALSE)
    when that is below m."""
    n = x.size
    if n < 3 * m:
        return False
    lag_max = min(math.floor(10 * math.log10(n)), n - 1)
    if lag_max < m:
        return False
    d = x - x.mean()
    r = np.array([(d[k:] * d[:-k]).sum() for k in range(1, m + 1)]) / (d * d).sum()
    limit = 1.645 * math.sqrt((1 + 2 * (r[: m - 1] ** 2).sum()) / n)
    return bool(abs(r[m - 1]) > limit)


def test_seasonality_test_follows_r_acf_lag_max() -> None:
    # hourly-like series, m = 24: strongly seasonal, but with n < 252 R's acf stops before lag 24
    m = 24
    rng = np.random.default_rng(0)
    series = [
        100 + 20 * np.sin(2 * np.pi * np.arange(n) / m) + rng.normal(0, 1, n)
        for n in (72, 120, 251, 252, 400)
    ]
    values = np.concatenate(series)
    indptr = np.concatenate([[0], np.cumsum([s.size for s in series])])
    got = seasonality_test(values, indptr, m)
    expected = np.array([_r_seasonality_test(s, m) for s in series])
    assert expected.tolist() == [False, False, False, True, True]
    assert got.tolist() == expected.tolist()


def test_missing_forecast_is_not_a_perfect_score() -> None:
    # a model that forecasts only the first of three observed steps must not score 0 on the series
    y = np.array([[5.0, 7.0, 9.0], [2.0, 3.0, 4.0]])
    pred = np.array([[5.0, np.nan, np.nan], [2.0, 2.0, 2.0]])
    train = [np.array([1.0, 2.0, 3.0, 4.0]), np.array([1.0, 3.0, 1.0, 3.0])]
    per = panel_scores(y, {"m": pred}, train, season_length=1, include_naive2=False)
    row = per.iloc[0]
    assert np.isnan(row["mase"]) and np.isnan(row["smape"]) and np.isnan(row["mape"])
    s = summarise(per)["m"]
    assert s["n_mase_excluded"] == 1
    # the second series alone: MAE (0 + 1 + 2) / 3 = 1, scale 2 → MASE 0.5
    assert s["mase"] == 0.5
    assert np.isclose(s["smape"], 200 / 3 * (0 + 1 / 5 + 2 / 6))


def test_missing_target_still_ignored() -> None:
    # a NaN *target* (ragged test window) is left out, whatever the forecast there
    y = np.array([[5.0, np.nan]])
    per = panel_scores(y, {"m": np.array([[4.0, np.nan]])}, [np.array([1.0, 2.0, 3.0])], season_length=1)
    assert per.iloc[0]["mase"] == 1.0


def _cv_frame(values: list[np.ndarray]) -> pd.DataFrame:
    rows = []
    for i, v in enumerate(values):
        for cut in (23, 26):
            for k in range(1, 4):
                y = float(v[cut + k])
                rows.append(
                    {"unique_id": f"s{i}", "ds": cut + k, "cutoff": cut, "y": y, "m": y + 1}
                    | {"m-lo-80": y - 1 + 0.5 * i * k, "m-hi-80": y + 1 - 3 * i}
                )
    return pd.DataFrame(rows)


def test_cv_interval_scores_do_not_depend_on_row_order() -> None:
    # cv_scores sorts the frame into (series, cutoff) cases; the interval scores must read the
    # same cases from a frame in any row order
    rng = np.random.default_rng(0)
    values = [rng.normal(10, 2, 30), rng.normal(100, 20, 30)]
    panel = Panel.from_arrays(values, ids=["s0", "s1"], season_length=1)
    frame = _cv_frame(values)
    ref = cv_interval_scores(frame, panel, ["m"], [80])
    shuffled = frame.sample(frac=1, random_state=3).reset_index(drop=True)
    got = cv_interval_scores(shuffled, panel, ["m"], [80])
    pd.testing.assert_frame_equal(got, ref)
