"""Global models on ragged panels: windows, padding masks, leakage, short series, learning."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
import torch

from tsforge.data.panel import Panel
from tsforge.errors import ConfigError
from tsforge.panels.global_models import PanelTask, _train_targets, default_input_len, fit_global
from tsforge.panels.windows import window_stats


def _panel(n: int = 60, seed: int = 0, lo: int = 10, hi: int = 90) -> Panel:
    rng = np.random.default_rng(seed)
    arrays = []
    for i in range(n):
        t = np.arange(rng.integers(lo, hi))
        arrays.append(50.0 * (1 + i % 5) + 5 * np.sin(2 * np.pi * t / 12 + i) + rng.standard_normal(t.size))
    return Panel.from_arrays(arrays, freq="MS", name="toy")


def test_train_windows_never_reach_the_validation_window():
    panel = _panel()
    task = PanelTask(panel, input_len=24, horizon=6)
    train = task.dataset("train")
    ends = train.target_start + task.horizon
    assert (ends <= panel.lengths[train.series] - task.horizon).all()
    assert (train.target_start >= 1).all()
    val = task.dataset("val")
    assert np.array_equal(val.target_start, panel.lengths[val.series] - 6)


def test_train_targets_are_thinned_evenly_and_keep_the_latest():
    series, starts = _train_targets(np.array([3, 20, 200]), 2, max_per_series=5, stride=1)
    assert np.bincount(series).tolist() == [1, 5, 5]
    assert starts[series == 0].tolist() == [1]
    assert starts[series == 2].max() == 198 and starts[series == 2].min() == 1
    assert len(set(starts[series == 1].tolist())) == 5


def test_short_series_are_left_padded_with_a_mask_and_padding_never_is_a_target():
    panel = Panel.from_arrays([np.arange(1.0, 8.0), np.arange(100.0, 160.0)], freq="MS")
    task = PanelTask(panel, input_len=24, horizon=3)
    fut = task.dataset("future")
    batch = fut.get_batch([0, 1])
    x, xm = batch["x"][0, :, 0].numpy(), batch["x_mask"][0, :, 0].numpy()
    assert xm.sum() == 7 and not xm[:17].any() and xm[17:].all()
    assert (x[:17] == x[17]).all()  # padding repeats the first observed value: a flat past
    # every training/validation target position lies inside its series
    for split in ("train", "val"):
        b = task.dataset(split).get_batch(np.arange(len(task.dataset(split))))
        assert b["y_mask"].all()


def test_window_statistics_come_from_inputs_only():
    panel = _panel(5)
    task = PanelTask(panel, input_len=12, horizon=6)
    val = task.dataset("val")
    before = val.arrays(np.arange(len(val)))
    spoiled = panel.values.copy()
    for i in range(len(panel)):  # change every validation target
        end = panel.indptr[i + 1]
        spoiled[end - 6 : end] += 1e6
    val.values = spoiled
    after = val.arrays(np.arange(len(val)))
    np.testing.assert_array_equal(before["loc"], after["loc"])
    np.testing.assert_array_equal(before["scale"], after["scale"])
    assert not np.allclose(before["y"], after["y"])


def test_window_stats_of_a_constant_window_scale_by_level():
    loc, scale = window_stats(np.array([[5.0, 5.0, np.nan]]), np.array([[True, True, False]]))
    assert loc[0] == 5.0 and scale[0] == 5.0
    loc, scale = window_stats(np.zeros((1, 4)), np.ones((1, 4), dtype=bool))
    assert loc[0] == 0.0 and scale[0] == 1.0  # all zeros: no level to scale by


@pytest.mark.parametrize("scaling", ["std", "diff"])
def test_window_stats_do_not_take_a_series_in_small_units_for_a_flat_one(scaling):
    """Flatness is relative to the window's level: values ~1e-6 that change by ~1e-7 are scaled
    by their spread, exactly as the same series in units a million times larger."""
    x = 1e-6 * np.array([[1.0, 1.3, 0.9, 1.2, 1.1, 0.8]])
    observed = np.ones_like(x, dtype=bool)
    loc, scale = window_stats(x, observed, scaling)
    big_loc, big_scale = window_stats(x * 1e6, observed, scaling)
    np.testing.assert_allclose([loc[0] * 1e6, scale[0] * 1e6], [big_loc[0], big_scale[0]], rtol=1e-9)


def test_a_global_model_forecasts_a_series_in_small_units_like_the_same_series_in_large_units():
    """A panel whose series are all in billionths gets the forecasts of the same panel in units,
    divided by a billion (instance normalisation makes the model scale-free)."""
    panel = _panel(30, lo=30, hi=50)
    small = replace(panel, values=panel.values * 1e-9)
    history, small_history = panel.head_cut(6), small.head_cut(6)
    fc = fit_global(history, "dlinear", 6, train_config={"max_epochs": 2}, seed=3)[0].forecast(history)
    fc_small = fit_global(small_history, "dlinear", 6, train_config={"max_epochs": 2}, seed=3)[0].forecast(
        small_history
    )
    np.testing.assert_allclose(fc_small["dlinear"].to_numpy() * 1e9, fc["dlinear"].to_numpy(), rtol=1e-3)


def test_default_input_len():
    assert default_input_len(18, 12) == 36
    assert default_input_len(6, 1) == 12
    assert default_input_len(48, 24) == 96


@pytest.mark.parametrize("model", ["dlinear", "lightgbm"])
def test_a_global_model_learns_a_seasonal_panel_and_forecasts_short_series(model):
    panel = _panel(80, lo=20, hi=80)
    history = panel.head_cut(6)
    fitted, report = fit_global(history, model, 6, train_config={"max_epochs": 15}, seed=1)
    fc = fitted.forecast(history)
    assert list(fc.columns) == ["unique_id", "ds", model] and len(fc) == 6 * len(panel)
    pred = fc[model].to_numpy().reshape(len(panel), 6)
    truth = panel.tail(6)
    naive = np.repeat(history.tail(1), 6, axis=1)
    assert np.mean(np.abs(pred - truth)) < 0.8 * np.mean(np.abs(naive - truth))
    # forecasts are dated right after each series' end
    first = fc.groupby("unique_id", sort=False)["ds"].first().to_numpy()
    np.testing.assert_array_equal(first, history.times_at(np.arange(len(panel)), history.lengths))


def test_a_series_shorter_than_the_input_is_forecast():
    panel = _panel(40, lo=30, hi=60)
    fitted, _ = fit_global(panel, "nlinear", 6, train_config={"max_epochs": 2})
    short = Panel.from_arrays([np.array([3.0, 4.0, 5.0])], freq="MS")
    fc = fitted.forecast(short, 4)
    assert len(fc) == 4 and np.isfinite(fc["nlinear"]).all()


def test_baselines_are_not_global_models():
    with pytest.raises(ConfigError, match="baseline"):
        fit_global(_panel(5), "naive", 6)


@pytest.mark.parametrize("model", ["lightgbm", "dlinear"])
def test_an_intermittent_panel_in_small_units_is_forecast_like_the_same_panel_in_units(model):
    """All-zero input windows (an intermittent series between demands, an obsolete part) take
    the scale of their series' earlier demand, not 1: with 1, the panel in millionths learnt
    another output after a zero stretch than the same panel in units (LightGBM off by 0.12–0.37
    of the level). The units differ by 2^-20 (about a millionth), a power of two, so the scaled
    windows are equal bit for bit and any difference is a unit assumption, not rounding."""
    rng = np.random.default_rng(5)
    arrays = []
    for i in range(40):
        y = rng.choice([0.0, 0.0, 0.0, 0.0, 3.0, 7.0], int(rng.integers(40, 60)))
        if i % 4 == 0:
            y[-14:] = 0.0  # no demand over the last input window and beyond
        arrays.append(y)
    panel = Panel.from_arrays(arrays, freq="MS", name="parts")
    c = 2.0**-20
    small = replace(panel, values=panel.values * c)
    config = {"max_epochs": 2} if model == "dlinear" else {}
    fc = fit_global(panel, model, 4, train_config=config, seed=3)[0].forecast(panel)[model].to_numpy()
    fc_small = fit_global(small, model, 4, train_config=config, seed=3)[0].forecast(small)[model].to_numpy()
    np.testing.assert_allclose(fc_small / c, fc, rtol=1e-6)


def test_an_all_zero_window_is_scaled_by_its_series_earlier_level_and_only_by_that():
    panel = Panel.from_arrays(
        [np.array([6.0, 0.0, 3.0, 0.0, 0.0, 0.0, 0.0, 5.0]), np.array([0.0, 0.0, 0.0, 0.0, 4.0, 1.0])],
        freq="MS",
    )
    windows = PanelTask(panel, input_len=3, horizon=1).dataset("train")
    a = windows.arrays(np.arange(len(windows)))
    rows = {
        (s, t): i
        for i, (s, t) in enumerate(zip(windows.series.tolist(), windows.target_start.tolist(), strict=True))
    }
    # target at 6: inputs 0, 0, 0 (positions 3–5); earlier values 6, 0, 3, 0, 0, 0 → mean |y| 1.5
    assert a["scale"][rows[0, 6]] == pytest.approx(1.5)
    # target at 5: inputs 3, 0, 0 vary: their own spread, not the earlier level
    assert a["scale"][rows[0, 5]] == pytest.approx(np.std([3.0, 0.0, 0.0]))
    # nothing but zeros before the target: the panel's unit, the median series mean |y|
    assert windows.panel_unit == pytest.approx(np.median([14 / 8, 5 / 6]))
    assert a["scale"][rows[1, 3]] == pytest.approx(windows.panel_unit) and a["y_mask"][rows[1, 3]].all()
    # a panel of zeros has no unit at all: scale 0 (the forecast is the level, 0), no target
    zeros = PanelTask(Panel.from_arrays([np.zeros(8)], freq="MS"), input_len=3, horizon=1).dataset("train")
    z = zeros.arrays(np.arange(len(zeros)))
    assert (z["scale"] == 0).all() and not z["y_mask"].any()
    batch = zeros.get_batch(np.arange(len(zeros)))
    assert torch.isfinite(batch["x"]).all() and torch.isfinite(batch["y"]).all()


def test_a_panel_without_a_window_of_zeros_never_builds_the_abs_terms():
    """The |y| terms and counts behind the zero-window unit are two arrays as long as the panel: a panel
    that never needs them (no window of zeros) must not hold them."""
    windows = PanelTask(_panel(5), input_len=12, horizon=6).dataset("train")
    windows.get_batch(np.arange(len(windows)))
    assert windows._abs_terms is None
    zeros = Panel.from_arrays([np.r_[np.zeros(20), np.arange(1.0, 21.0)]], freq="MS")
    with_zeros = PanelTask(zeros, input_len=6, horizon=2).dataset("train")
    with_zeros.get_batch(np.arange(len(with_zeros)))
    assert with_zeros._abs_terms is not None


def test_an_unknown_window_scaling_is_refused_by_name():
    """Any word but "diff" was read as "std": `scaling="Diff"` trained another model silently."""
    with pytest.raises(ConfigError, match=r"scaling must be one of \['std', 'diff'\], got 'Diff'"):
        fit_global(_panel(), "dlinear", 6, scaling="Diff")
