"""Calibration cases whose refit saw less than one season, of a series whose history sees one,
are left out of the conformal scores (:func:`tsforge.panels.calibrate.short_refit_cases`), except
the longest of them where the others alone resolve no 95 % interval.

Why: such a refit cannot see the season at all, so it forecasts a seasonal series as if it had
none and its errors are the season the served model forecasts; on 20 short monthly series they
made AutoETS's 80 / 95 % bands cover 97.5 / 100 % of the test window.
"""

from __future__ import annotations

import numpy as np

from tests.conftest import seasonal_monthly_panel
from tsforge.panels.calibrate import (
    MIN_RESOLVED,
    calibrate_panel,
    calibration_cv,
    case_scores,
    cv_cases,
    short_refit_cases,
)
from tsforge.panels.conformal import ConformalCalibration
from tsforge.panels.cv import cross_validation


def test_a_case_is_short_only_where_its_series_sees_a_season_and_it_does_not():
    cut = np.array([5, 11, 12, 30, 5, 8])
    lengths = np.array([40, 40, 40, 40, 11, 11])
    np.testing.assert_array_equal(
        short_refit_cases(cut, lengths, 12), [True, True, False, False, False, False]
    )
    # non-seasonal data: no season to miss
    assert not short_refit_cases(cut, lengths, 1).any()


def _scores(n_series: int, length: int, h: int, windows: int) -> tuple[np.ndarray, np.ndarray]:
    panel = seasonal_monthly_panel([length] * n_series, seed=5)
    frame = cross_validation(panel, ["seasonal_naive"], h, n_windows=windows, progress=False)
    scores, _, _ = case_scores(frame, panel, "seasonal_naive", h)
    _, cut = cv_cases(frame, panel, h)
    return scores, cut


def test_short_refits_score_nothing_where_the_longer_cases_resolve_a_95_interval():
    # 30 series of 56 values, 4 windows of 12: cases of 44, 32, 20 and 8 values
    scores, cut = _scores(30, 56, 12, 4)
    assert int((cut >= 12).sum()) >= MIN_RESOLVED
    assert np.isnan(scores[cut < 12]).all()
    assert np.isfinite(scores[cut >= 12]).all()


def test_the_longest_short_refits_stay_where_the_others_are_too_few():
    # 8 series of 26 values, 6 windows of 4: 24 cases of 22, 18 or 14 values, then 10, 6 and 2;
    # 15 more are needed, so the 10- and 6-value cases (all of them: no series preferred) stay
    scores, cut = _scores(8, 26, 4, 6)
    assert int((cut >= 12).sum()) == 24
    assert np.isfinite(scores[cut >= 6]).all()
    assert np.isnan(scores[cut == 2]).all()


def test_a_panel_shorter_than_a_season_keeps_every_case():
    """Its served fits see no season either: their refits are no less seasonal."""
    scores, cut = _scores(12, 11, 2, 3)
    assert np.isfinite(scores[cut >= 2]).all()


def test_auto_ets_bands_on_a_short_seasonal_panel_no_longer_carry_the_missed_season():
    """20 monthly series of 40–80 values with a season: AutoETS's 80 % band, calibrated as
    ``tsforge train`` calibrates it, is well under the one every case's errors made."""
    rng = np.random.default_rng(3)
    panel = seasonal_monthly_panel([int(n) for n in rng.integers(40, 80, 20)], seed=3)
    h = 12
    frame = calibration_cv(panel, ["auto_ets"], h, 5)
    cal = calibrate_panel(panel, "auto_ets", h, 5, frame=frame)["auto_ets"]
    scores, scale, sid = case_scores(frame, panel, "auto_ets", h)
    _, cut = cv_cases(frame, panel, h)
    y = frame["y"].to_numpy().reshape(-1, h)
    every = (y - frame["auto_ets"].to_numpy().reshape(-1, h)) / scale[:, None]
    every[cut < 2] = np.nan
    assert np.isnan(scores).sum() > np.isnan(every).sum()  # cases were left out
    with_every = ConformalCalibration.from_scores(
        every,
        panel.ids[sid],
        season_length=12,
        scale_window=cal.scale_window,
        weight_series_equally=True,
        zero_scale=cal.zero_scale,
        flat_ratio=cal.flat_ratio,
    )
    histories = [panel.series(i) for i in range(len(panel))]
    point = np.full((len(panel), h), 100.0)
    probs = np.array([0.1, 0.9])
    width = np.diff(cal.quantiles(point, histories, panel.ids, probs), axis=-1).mean()
    width_every = np.diff(with_every.quantiles(point, histories, panel.ids, probs), axis=-1).mean()
    assert width < 0.75 * width_every, (width, width_every)
