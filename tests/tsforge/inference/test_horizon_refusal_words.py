"""A horizon longer than the model was trained for is refused with why and how to get it.

Found by a README walk: ``forecast --model my-auto_ets --horizon 24`` of a model trained with
``-H 12`` said only "horizon 24 is outside 1..12, the horizon this model was trained for".
"""

from __future__ import annotations

import pytest

from tests.conftest import monthly_frame
from tsforge.errors import ConfigError
from tsforge.pipeline import TrackingOptions, train_panel


@pytest.fixture(scope="module")
def calibrated():
    return train_panel(
        monthly_frame(n=3, length=40), "seasonal_naive", horizon=6, tracking=TrackingOptions(track=False)
    ).predictor


def test_a_longer_horizon_says_why_and_how(calibrated):
    with pytest.raises(ConfigError) as err:
        calibrated.predict_frame(monthly_frame(n=2, length=30), 12)
    said = str(err.value)
    assert "horizon 12 is outside 1..6" in said, said
    assert "its intervals are calibrated for steps 1..6" in said, said
    assert "train it again with horizon 12 (tsforge train … -H 12)" in said, said
    assert err.value.where["field"] == "horizon"


def test_without_intervals_it_names_what_it_was_trained_for():
    plain = train_panel(
        monthly_frame(n=3, length=40),
        "seasonal_naive",
        horizon=6,
        intervals=False,
        tracking=TrackingOptions(track=False),
    ).predictor
    with pytest.raises(ConfigError) as err:
        plain.predict_frame(monthly_frame(n=2, length=30), 9)
    said = str(err.value)
    assert "it was trained and scored for steps 1..6 only" in said and "-H 9" in said, said


def test_a_horizon_below_one_is_refused_without_retraining_advice(calibrated):
    with pytest.raises(ConfigError) as err:
        calibrated.predict_frame(monthly_frame(n=2, length=30), 0)
    assert str(err.value).startswith("horizon 0 is outside 1..6"), str(err.value)
    assert "train it again" not in str(err.value)


def test_a_routed_ensemble_is_told_to_train_again_with_recommend():
    """``tsforge train`` has no routed model: the ensemble's refusal names ``recommend``, at every
    door (the predictor's own check and the service's read ``retrain_words``)."""
    from recommender.routed import RoutedPredictor
    from tsforge.inference.predictor import FramePredictor, horizon_refusal

    said = str(horizon_refusal(24, 12, calibrated=True, retrain=RoutedPredictor.retrain_words))
    assert "(tsforge recommend … --per-series --train --horizon 24)" in said and "tsforge train" not in said
    assert FramePredictor.retrain_words.format(h=9) == "tsforge train … -H 9"
