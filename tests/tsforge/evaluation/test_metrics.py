import numpy as np
import pytest

from tsforge.evaluation.metrics import MetricAccumulator, compute_metrics, mase_scale


def test_metrics_match_hand_computed_values():
    # one window, 2 steps, 1 channel: y = [2, 4], yhat = [1, 5]
    pred = np.array([[[1.0], [5.0]]])
    y = np.array([[[2.0], [4.0]]])
    m = compute_metrics(pred, y, np.ones_like(y, dtype=bool), insample_scale=np.array([2.0]))
    assert m["mae"] == pytest.approx(1.0)
    assert m["mse"] == pytest.approx(1.0)
    assert m["rmse"] == pytest.approx(1.0)
    assert m["mape"] == pytest.approx(100 * (1 / 2 + 1 / 4) / 2)  # in %, as panel scores
    assert m["smape"] == pytest.approx(100 * (2 * 1 / 3 + 2 * 1 / 9) / 2)
    assert m["wape"] == pytest.approx(2 / 6)
    assert m["mase"] == pytest.approx(1.0 / 2.0)


def test_masked_points_are_ignored():
    pred = np.array([[[1.0], [100.0]]])
    y = np.array([[[2.0], [4.0]]])
    mask = np.array([[[True], [False]]])
    m = compute_metrics(pred, y, mask)
    assert m["mae"] == pytest.approx(1.0)
    assert m["mse"] == pytest.approx(1.0)


def test_accumulator_equals_one_shot_and_gives_per_step():
    rng = np.random.default_rng(0)
    pred, y = rng.normal(size=(10, 4, 3)), rng.normal(size=(10, 4, 3))
    mask = rng.random((10, 4, 3)) > 0.2
    acc = MetricAccumulator(4, 3)
    for lo in range(0, 10, 3):
        acc.update(pred[lo : lo + 3], y[lo : lo + 3], mask[lo : lo + 3])
    one = compute_metrics(pred, y, mask)
    for k in ("mae", "mse", "rmse", "wape", "smape"):
        assert acc.result()[k] == pytest.approx(one[k])
    err2 = np.where(mask, (pred - y) ** 2, np.nan)
    np.testing.assert_allclose(acc.per_step()["mse"], np.nanmean(err2, axis=(0, 2)))


def test_mape_skips_zero_targets_and_mase_scale_is_seasonal_difference():
    m = compute_metrics(np.array([[[1.0], [1.0]]]), np.array([[[0.0], [2.0]]]))
    assert m["mape"] == pytest.approx(50.0)
    train = np.array([[0.0], [1.0], [0.0], [1.0], [0.0]])
    assert mase_scale(train, 1)[0] == pytest.approx(1.0)
    assert np.isnan(mase_scale(train, 2)[0])  # perfectly periodic: zero scale is reported as NaN


def test_mase_scale_of_a_channel_without_training_pairs_is_nan_and_silent():
    import warnings

    v = np.array([[1.0, np.nan], [2.0, np.nan], [4.0, 5.0]])
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # numpy's "Mean of empty slice" reached the user's terminal
        scale = mase_scale(v, 1)
    assert scale[0] == 1.5 and np.isnan(scale[1])


def test_mase_scale_is_relative_to_the_channels_size_not_an_absolute_epsilon():
    """Steps of 1e-9 are change (an absolute 1e-8 threshold called them flat: no MASE for a
    series in billionths); rounding around a level of 1e6 is not (a scale of 1e-7 there is)."""
    rng = np.random.default_rng(0)
    walk = np.cumsum(rng.normal(size=(50, 1)), axis=0) + 30.0
    scale, small = mase_scale(walk, 1)[0], mase_scale(walk * 1e-9, 1)[0]
    assert np.isfinite(small) and small == pytest.approx(scale * 1e-9, rel=1e-9)
    rounding = 1e6 + np.tile([0.0, 1e-7], 25)[:, None]
    assert np.isnan(mase_scale(rounding, 1)[0])
    m_units = compute_metrics(walk[:5, None] + 1.0, walk[:5, None], insample_scale=np.array([scale]))
    m_small = compute_metrics(
        (walk[:5, None] + 1.0) * 1e-9, walk[:5, None] * 1e-9, insample_scale=np.array([small])
    )
    assert m_small["mase"] == pytest.approx(m_units["mase"], rel=1e-9)


def _rain(n: int = 600) -> np.ndarray:
    """Two channels: a level near 500 and rain — zeros with a burst of 200–1,000 every tenth step."""
    rng = np.random.default_rng(1)
    rain = np.where(np.arange(n) % 10 == 0, rng.uniform(200, 1000, n), 0.0)
    return np.stack([500 + rng.normal(0, 5, n), rain], axis=1)


def test_mape_in_original_units_does_not_divide_by_the_round_trip_error_of_a_zero():
    """A zero read back from a standardised float32 window is ~1e-5, not 0 (the rain channel's
    mean is ~60): with the absolute 1e-8 those points got APEs of 1e7 and MAPE in original units
    was ~1e6; with the round trip's tolerance it equals MAPE on the exact targets."""
    from tsforge.evaluation.metrics import round_trip_tolerance

    v = _rain()
    mean, std = v.mean(0), v.std(0)
    y = v[100:].reshape(50, 10, 2)
    back = (((y - mean) / std).astype(np.float32).astype(np.float64) * std + mean).astype(np.float32)
    assert (np.abs(back[..., 1][y[..., 1] == 0]) > 1e-8).any()  # the round trip leaves zeros nonzero
    pred = np.full_like(y, 0.0) + np.array([500.0, 50.0])
    exact = compute_metrics(pred, y)
    tol = round_trip_tolerance(mean, std)
    got = MetricAccumulator(10, 2, zero_tolerance=tol).update(pred, back).result()
    assert got["mape"] == pytest.approx(exact["mape"], rel=1e-5)
    assert got["smape"] == pytest.approx(exact["smape"], rel=1e-5)
    assert compute_metrics(pred, back)["mape"] > 1e3 * exact["mape"]  # the old rule


def test_evaluate_scores_mape_in_original_units_without_the_round_trip_error():
    import pandas as pd

    from tsforge.data.frame import TimeSeriesData
    from tsforge.data.task import prepare_task
    from tsforge.evaluation import evaluate
    from tsforge.models import ModelContext, build_model

    v = _rain(960)
    ts = pd.date_range("2022-01-01", periods=v.shape[0], freq="h").values
    task = prepare_task(TimeSeriesData(v, ts, ["level", "rain"], "h", name="rain"), 48, 12)
    result = evaluate(build_model("naive", ModelContext.from_task(task)), task, "test")
    # naive repeats the last value: APE 1 (a burst after a zero), or |burst − burst'| / burst'
    assert 0 < result.original["mape"] < 500


def test_window_and_panel_scores_give_mape_and_smape_in_the_same_unit():
    """A window model's MAPE/sMAPE were fractions (0.028) while a panel model's are percentages
    (M4's convention, 2.8): the same forecast of the same series must score the same."""
    from tsforge.evaluation.panel_metrics import _per_series

    rng = np.random.default_rng(2)
    y = 50 + rng.normal(size=12)
    yhat = y + rng.normal(size=12)
    window = compute_metrics(yhat[None, :, None], y[None, :, None])
    ones = np.ones(1)
    panel = _per_series(y[None], yhat[None], ones, ones)
    assert window["smape"] == pytest.approx(panel["smape"][0])
    assert window["mape"] == pytest.approx(panel["mape"][0])
    assert 0.5 < window["smape"] < 10  # about 2 %, in %
