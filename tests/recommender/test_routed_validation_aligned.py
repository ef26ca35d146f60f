"""A routed ensemble weighs each member by its forecast of the validation steps of their own times.

Found while fixing ``evaluate``'s scores of histories that end in missing values: the routed
training forecast each member's validation window through ``predict_series`` of the history
before it, which cuts a history's trailing missing values off, so for a series with a gap just
before its validation window the forecast started that many steps early and was compared with
the validation window position by position (its prior, its validation scores); and each member
told the user to "leave the trailing nulls out" of values in the middle of the series.
"""

from __future__ import annotations

import warnings

import numpy as np

import recommender.routed_training as routed_training
from recommender.routed_training import train_routed
from tsforge.inference.predictor import TrimmedHistoryWarning
from tsforge.pipeline import TrackingOptions

_H = 6


def test_each_member_is_weighed_on_the_validation_steps_it_forecast(make_halves, halves_router, monkeypatch):
    frame = make_halves(12, seed=51).to_long()
    sid = frame["unique_id"].iloc[0]
    rows = np.flatnonzero(frame["unique_id"] == sid)
    before_val = rows[-2 * _H - 2 : -2 * _H]  # the two values that end the history before validation
    frame.loc[before_val, "y"] = np.nan
    weighed: dict[str, np.ndarray] = {}
    original = routed_training.served_validation_forecasts

    def capture(history, names, val_fc, h, **kwargs):
        weighed.update({k: np.array(v, copy=True) for k, v in val_fc.items()})
        return original(history, names, val_fc, h, **kwargs)

    monkeypatch.setattr(routed_training, "served_validation_forecasts", capture)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        train_routed(frame, _H, router=halves_router, tracking=TrackingOptions(track=False, progress=False))
    y = frame.loc[rows, "y"].to_numpy()
    train_end = y.size - 2 * _H  # the validation window's first step
    # seasonal naive (season 12, longer than the horizon): each validation step is the value a
    # season before its own time, all observed; started two steps early it was two months off
    expected = y[train_end - 12 : train_end - 12 + _H]
    np.testing.assert_allclose(weighed["seasonal_naive"][0], expected)
    trimmed = [str(w.message) for w in caught if issubclass(w.category, TrimmedHistoryWarning)]
    assert not trimmed, trimmed


def test_the_run_s_plot_draws_each_forecast_at_its_own_months(
    make_halves, halves_router, monkeypatch, tmp_path, tracking_uri
):
    import tsforge.tracking.plots as plots

    frame = make_halves(12, seed=51).to_long()
    sid = frame["unique_id"].iloc[0]  # the first series is one of those drawn
    rows = np.flatnonzero(frame["unique_id"] == sid)
    frame.loc[rows[-_H - 2 : -_H], "y"] = np.nan  # the two values that end the history before the test
    drawn: list[dict] = []
    original = plots.plot_series_forecasts

    def capture(items, *args, **kwargs):
        drawn.extend(items)
        return original(items, *args, **kwargs)

    monkeypatch.setattr(plots, "plot_series_forecasts", capture)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        out = train_routed(
            frame,
            _H,
            router=halves_router,
            tracking=TrackingOptions(progress=False, registered_name="gappy-r"),
        )
    item = next(i for i in drawn if i["id"].startswith(f"{sid} "))
    # its forecast starts after the last observed value, two months before the test window: the
    # months it reaches are drawn at their own dates, the last two (beyond its horizon) not at all
    history = frame.loc[rows[: -_H - 2], ["unique_id", "ds", "y"]]
    own = out.predictor.predict_frame(history)["y_hat"].to_numpy()
    np.testing.assert_allclose(item["forecast"][: _H - 2], own[2:])
    assert np.isnan(item["forecast"][_H - 2 :]).all(), item["forecast"]
    trimmed = [str(w.message) for w in caught if issubclass(w.category, TrimmedHistoryWarning)]
    assert not trimmed, trimmed
