"""Edge cases found by auditing every registered model on windows of long multichannel data."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import statsforecast.models as sfm
import torch

from tsforge.errors import ConfigError
from tsforge.inference import Predictor
from tsforge.models import ModelContext, build_model
from tsforge.models.persistence import save_model
from tsforge.models.statistical import TSB_ALPHA_D, TSB_ALPHA_P
from tsforge.pipeline.multichannel import TrackingOptions, train


def _window(values: np.ndarray) -> dict[str, torch.Tensor]:
    """One window, one channel, as a batch: missing inputs carried forward with ``x_mask`` False
    (what the predictor and the window datasets hand a model)."""
    observed = np.isfinite(values)
    filled = values.copy()
    for t in range(1, filled.size):
        if not observed[t]:
            filled[t] = filled[t - 1]
    return {
        "x": torch.tensor(filled, dtype=torch.float32).view(1, -1, 1),
        "x_mask": torch.tensor(observed).view(1, -1, 1),
    }


@pytest.mark.parametrize("model", ["auto_ets", "mstl"])
def test_a_missing_input_does_not_shift_a_local_models_season(model: str):
    """A local model on a window used to fit only the observed values, closing every gap: one
    missing value moved every later value one phase back, so a seasonal model forecast the
    season one step late (error 6.3 on a sine of amplitude 5, against 0 without the gap)."""
    m, L, H = 24, 72, 12
    t = np.arange(L + H)
    y = 20.0 + 5.0 * np.sin(2 * np.pi * t / m)
    ctx = ModelContext(input_len=L, horizon=H, channel_ids=("x",), freq="h", season_length=m)
    forecaster = build_model(model, ctx)
    gappy = y[:L].copy()
    gappy[60] = np.nan
    clean = forecaster.predict(_window(y[:L].copy()))[0, :, 0].numpy()
    with_gap = forecaster.predict(_window(gappy))[0, :, 0].numpy()
    np.testing.assert_allclose(clean, y[L:], atol=1e-3)
    np.testing.assert_allclose(with_gap, y[L:], atol=0.05)


def test_leading_padding_of_a_window_is_not_fitted_as_data():
    """Positions before a series starts (``x_mask`` False at the start of the window) are not
    values: the fit starts at the first observed one."""
    L, H = 30, 3
    ctx = ModelContext(input_len=L, horizon=H, channel_ids=("x",), freq="D", season_length=1)
    forecaster = build_model("rw_drift", ctx)
    values = np.full(L, np.nan)
    values[20:] = np.arange(10.0)  # 0, 1, ..., 9: a drift of 1 per step
    out = forecaster.predict(_window(values))[0, :, 0].numpy()
    np.testing.assert_allclose(out, [10.0, 11.0, 12.0], atol=1e-6)


def test_patchtst_on_an_input_shorter_than_its_patch_says_how_to_fix_it():
    """On a panel the default input is two horizons (12 steps for yearly data at H 6), shorter
    than PatchTST's 16-step patch: the refusal named the problem but not the two ways out."""
    ctx = ModelContext(input_len=12, horizon=6, channel_ids=("y",), freq="YS", season_length=1)
    with pytest.raises(ConfigError) as err:
        build_model("patchtst", ctx)
    message = str(err.value)
    assert "patch_len 16" in message and "12 steps" in message
    assert "patch_len=12" in message  # a patch that fits
    assert "input_len=16" in message  # or an input that holds the patch


def _intermittent_wide(n: int = 400, seed: int = 5) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame({"date": pd.date_range("2021-01-01", periods=n, freq="D")})
    for c in ("a", "b"):
        frame[c] = np.where(rng.random(n) < 0.85, 0.0, rng.integers(1, 20, n)).astype(float)
    return frame


@pytest.mark.parametrize("model", ["croston", "tsb", "imapa"])
def test_intermittent_models_on_windows_forecast_the_series_in_its_own_units(model: str, tmp_path):
    """Croston, TSB and IMAPA read a zero as "no demand". On windows they were fitted on the
    standardised window, where a zero is −mean/std, so every period looked like a demand:
    Croston forecast 13.0 for a series whose Croston forecast is 2.0 (TSB 13.0 for 0.31)."""
    # typed per class: their common base (statsforecast's ``_TS``) declares no ``forecast``
    references: dict[str, sfm.CrostonClassic | sfm.TSB | sfm.IMAPA] = {
        "croston": sfm.CrostonClassic(),
        "tsb": sfm.TSB(alpha_d=TSB_ALPHA_D, alpha_p=TSB_ALPHA_P),
        "imapa": sfm.IMAPA(),
    }
    reference = references[model]
    wide = _intermittent_wide()
    L, H = 48, 6
    tracking = TrackingOptions(track=False, register=False, log_model=False, progress=False)
    out = train(wide, model, input_len=L, horizon=H, split="7:1:2", tracking=tracking)
    history = wide["a"].to_numpy()[-L:]
    request = pd.DataFrame({"unique_id": "a", "ds": wide["date"].to_numpy()[-L:], "y": history})
    expected = reference.forecast(y=history, h=H)["mean"]
    got = out.predictor.predict_frame(request, horizon=H)["y_hat"].to_numpy()
    np.testing.assert_allclose(got, expected, rtol=1e-4, atol=1e-6)
    # a saved model keeps the units it needs
    loaded = Predictor.from_dir(save_model(out.predictor.forecaster, out.predictor.scaler, tmp_path / "m"))
    np.testing.assert_array_equal(loaded.predict_frame(request, horizon=H)["y_hat"].to_numpy(), got)


def test_an_intermittent_model_refuses_a_series_it_cannot_read_in_its_own_units():
    """A series the model was not trained on is standardised by its own history, which the model
    does not see: a clear error instead of a forecast of the shifted series."""
    wide = _intermittent_wide()
    tracking = TrackingOptions(track=False, register=False, log_model=False, progress=False)
    out = train(wide, "croston", input_len=48, horizon=6, split="7:1:2", tracking=tracking)
    request = pd.DataFrame(
        {"unique_id": "new", "ds": wide["date"].to_numpy()[-48:], "y": wide["a"].to_numpy()[-48:]}
    )
    with pytest.raises(ConfigError, match="croston"):
        out.predictor.predict_frame(request, horizon=6)


def test_missing_values_at_the_end_of_a_window_are_forecast_not_invented():
    """A window whose last values are missing: the model fits up to its last observation and
    forecasts through the gap, so the window's future keeps its place in the season."""
    m, L, H = 24, 72, 12
    t = np.arange(L + H)
    y = 20.0 + 5.0 * np.sin(2 * np.pi * t / m)
    ctx = ModelContext(input_len=L, horizon=H, channel_ids=("x",), freq="h", season_length=m)
    forecaster = build_model("auto_ets", ctx)
    gappy = y[:L].copy()
    gappy[-3:] = np.nan
    out = forecaster.predict(_window(gappy))[0, :, 0].numpy()
    np.testing.assert_allclose(out, y[L:], atol=0.05)
