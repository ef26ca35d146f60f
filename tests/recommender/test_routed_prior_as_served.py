"""The routed ensemble's validation prior and its calibration see the members as they are served.

Why: on a short seasonal panel (20 monthly series of 48 values, horizon 12) AutoETS refitted
on the 24 values before the validation window chooses no season, while the served AutoETS,
fitted on 36, is seasonal. Scored by that plain refit, the prior weighed AutoETS low although
it is the best member on the test window, and the bands, calibrated on a forecast routed with
other weights than the served ones, lay off the served forecast.
"""

from __future__ import annotations

import warnings

import tsforge.panels.calibrate as calibrate_mod
from recommender.routed_training import train_routed
from tests.conftest import seasonal_monthly_panel
from tsforge.pipeline import TrackingOptions

H = 12


def test_the_prior_weighs_the_served_auto_ets(monkeypatch):
    def refuse(*args, **kwargs):  # the members' forms are read off their served fits, not refitted
        raise AssertionError("a seasonal form was fitted a second time")

    monkeypatch.setattr(calibrate_mod, "selected_forms", refuse)
    panel = seasonal_monthly_panel([48] * 20, seed=5)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        out = train_routed(
            panel,
            H,
            members=["naive", "seasonal_naive", "auto_ets"],
            tracking=TrackingOptions(track=False, progress=False),
        )
    weights = out.recommendation.weights.mean()
    members = {c: out.metrics[f"candidate_{c}_test_mase"] for c in ("naive", "seasonal_naive", "auto_ets")}
    assert min(members, key=members.get) == "auto_ets"  # the served AutoETS is the best member
    assert weights.idxmax() == "auto_ets"
    # the ensemble forecasts close to its best member, and its 80 % band covers as calibrated
    assert out.metrics["test_mase"] < 1.2 * members["auto_ets"]
    assert out.metrics["test_coverage_80"] > 0.7
