"""A nonzero constant input window is forecast at its constant by every global panel model.

Why: such a window is scaled by its level, so its normalised input is all zeros and a global
model's forecast of it was whatever the network learnt for an all-zero input, times the level: a
series constant at 50 was forecast at 53–65 by DLinear (a user walk, 12 monthly series). The
rule lives where forecasts are brought back to units (``PanelWindows.batch_with_units``), so
served forecasts, refits (calibration, cross-validation) and native quantiles all get it, while
varying and all-zero windows are forecast as before.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from tsforge.data.history import SeriesInput
from tsforge.data.panel import Panel
from tsforge.panels.global_models import RefitGlobalModel, fit_global
from tsforge.panels.predictor import PanelPredictor

LEVEL = 50.0
#: tiny training budgets: the rule does not depend on what was learnt
CONFIGS = {
    "dlinear": ({}, {"max_epochs": 1}),
    "lightgbm": ({"n_estimators": 10}, {}),
}


def _panel(constant: float = LEVEL, n: int = 12, length: int = 60) -> Panel:
    """``n`` rising seasonal series of different levels, the fifth (``s04``) ``constant``
    throughout. Why rising: on a panel without a trend, LightGBM learnt 0 for an all-zero input
    (the constant series' own windows), which hid the rule; with one it forecast 50 at 84.7."""
    rng = np.random.default_rng(0)
    t = np.arange(length)
    arrays = [
        20.0 * (1 + i) + 0.5 * t + 5 * np.sin(2 * np.pi * t / 12 + i) + rng.standard_normal(length)
        for i in range(n)
    ]
    arrays[4] = np.full(length, constant)
    return Panel.from_arrays(arrays, ids=[f"s{i:02d}" for i in range(n)], freq="MS", name="walk")


def _fit(panel: Panel, model: str, **extra: object):
    model_config, train_config = CONFIGS[model]
    return fit_global(
        panel, model, 6, model_config={**model_config, **extra}, train_config=train_config, seed=1
    )[0]


@pytest.mark.parametrize("model", sorted(CONFIGS))
@pytest.mark.parametrize("constant", [LEVEL, 0.1, -3.0])
def test_a_constant_series_is_forecast_at_its_constant(model, constant):
    panel = _panel(constant)
    fitted = _fit(panel, model)
    pred = fitted.predict_next(panel)
    assert (pred[4] == constant).all(), pred[4]  # exactly: its last value, not a mean of floats


def test_a_refit_forecasts_a_constant_series_at_its_constant():
    """The path of conformal calibration and cross-validation (a model refit per window)."""
    panel = _panel()
    model_config, train_config = CONFIGS["dlinear"]
    pred = RefitGlobalModel("dlinear", model_config=model_config, train_config=train_config).forecast(
        panel, 6
    )
    assert (pred[4] == LEVEL).all(), pred[4]


def test_native_quantiles_of_a_constant_series_are_its_constant():
    panel = _panel()
    fitted = _fit(panel, "lightgbm", quantiles=(0.1, 0.5, 0.9))
    predictor = PanelPredictor("lightgbm", 6, freq="MS", season_length=12, global_model=fitted)
    series = [SeriesInput(str(sid), panel.series(i)) for i, sid in enumerate(panel.ids)]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        out = predictor.predict_series(series, level=[80])
    assert (out[4].values == LEVEL).all()
    assert (out[4].bounds["lo-80"] == LEVEL).all() and (out[4].bounds["hi-80"] == LEVEL).all()
    assert (out[0].bounds["hi-80"] > out[0].bounds["lo-80"]).any()  # a varying series keeps a band


def test_a_varying_series_is_forecast_as_the_network_says():
    """Guard: the rule holds only constant windows; every other window is ``pred · spread + mean``
    of its own inputs, as before."""
    panel = _panel()
    fitted = _fit(panel, "dlinear")
    windows = fitted.future_windows(panel)
    rows = np.array([0, 1, 2, 3, 5, 6])
    a = windows.arrays(rows)
    raw = fitted.forecaster.predict(windows.get_batch(rows))[:, :, 0].double().numpy()
    expected = raw * a["scale"][:, None] + a["loc"][:, None]
    np.testing.assert_allclose(fitted.predict_next(panel)[rows], expected, rtol=1e-12)


def test_which_windows_count_as_constant():
    from tsforge.panels.windows import constant_windows

    x = np.array(
        [
            [50.0, 50.0, 50.0, 50.0],  # constant
            [0.0, 0.0, 0.0, 0.0],  # all zeros: its own unit (intermittent demand), not held
            [np.nan, np.nan, 7.0, 7.0],  # a short constant series, padded
            [1e-6, 1.1e-6, 0.9e-6, 1e-6],  # millionths that vary: a varying series
            [5.0, np.nan, 7.0, np.nan],  # values that differ, no two adjacent
            [np.nan, np.nan, np.nan, np.nan],  # nothing observed
            [-2.0, -2.0, -2.0, -2.0],  # a negative constant
            [np.nan, np.nan, np.nan, 4.0],  # one value: a start, not a constant (learnt as such)
        ]
    )
    held = constant_windows(x, np.isfinite(x))
    assert held.tolist() == [True, False, True, False, False, False, True, False]


def test_an_all_zero_window_keeps_its_unit():
    """Guard: a series of zeros after demand is forecast from its earlier level, not held at 0."""
    rng = np.random.default_rng(5)
    arrays = [rng.choice([0.0, 0.0, 3.0, 7.0], 50) for _ in range(20)]
    arrays[0][-12:] = 0.0
    panel = Panel.from_arrays(arrays, freq="MS", name="parts")
    fitted = _fit(panel, "lightgbm")
    windows = fitted.future_windows(panel)
    _, _, scale, _ = windows.batch_with_units(np.array([0]))
    assert scale[0] > 0


def _predictor_notes(panel: Panel, fitted) -> list[str]:
    predictor = PanelPredictor("dlinear", 6, freq="MS", season_length=12, global_model=fitted)
    series = [SeriesInput(str(sid), panel.series(i)) for i, sid in enumerate(panel.ids)]
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        predictor.predict_series(series)
    return [" ".join(str(w.message).split()) for w in caught]


def test_the_forecast_says_which_series_it_held_at_their_constant():
    panel = _panel()
    fitted = _fit(panel, "dlinear")
    notes = [n for n in _predictor_notes(panel, fitted) if "constant value" in n]
    assert notes == [
        f"the input window of 1 of 12 series (its last {fitted.input_len} values) is one constant "
        "value: s04; dlinear forecasts it at that value (a window without change gives the model "
        "nothing to scale)"
    ]
    varying = Panel.from_arrays(
        [panel.series(i) for i in range(12) if i != 4], ids=[i for i in panel.ids if i != "s04"], freq="MS"
    )
    assert not [n for n in _predictor_notes(varying, fitted) if "constant value" in n]


def test_the_note_names_a_few_and_counts_the_rest():
    from tsforge.panels.predictor import constant_input_words

    panel = _panel()
    fitted = _fit(panel, "dlinear")
    flat = Panel.from_arrays([np.full(30, 1.0 + i) for i in range(8)], freq="MS")
    _, held = fitted.predict_next_held(flat)
    assert held.all()
    note = constant_input_words(flat, held, fitted.input_len, ["dlinear"])
    assert "the input windows of 8 of 8 series (their last" in note
    assert ": 0, 1, 2, 3, 4 and 3 more; dlinear forecasts them at that value" in note


def test_the_zero_width_note_of_a_held_series_names_the_held_window():
    """A held series' native band has no width; the note's cause was "fits this history without
    error (e.g. a flat series)" even where the series had swung for years before a flat input
    window (review, s71): it names the held window as a cause now."""
    panel = _panel()
    fitted = _fit(panel, "lightgbm", quantiles=(0.1, 0.5, 0.9))
    predictor = PanelPredictor("lightgbm", 6, freq="MS", season_length=12, global_model=fitted)
    series = [SeriesInput(str(sid), panel.series(i)) for i, sid in enumerate(panel.ids)]
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        predictor.predict_series(series, level=[80])
    notes = [str(w.message) for w in caught if "zero width" in str(w.message)]
    assert len(notes) == 1 and "'s04'" in notes[0], notes
    assert "holds an input window of one constant value" in notes[0], notes[0]
