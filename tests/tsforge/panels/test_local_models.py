"""Local statistical models over a panel: exact cases, fallbacks, missing values, parallelism."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from tsforge.data.panel import Panel
from tsforge.errors import ModelNotFoundError
from tsforge.panels.local import LOCAL_MODELS, forecast_chunk, forecast_local


def _monthly(arrays: list[np.ndarray], ids: list[str] | None = None) -> Panel:
    starts = np.full(len(arrays), np.datetime64("2020-01-01", "ns"))
    return Panel.from_arrays(arrays, ids=ids, starts=starts, freq="MS")


def test_table_lists_every_model_with_a_factory():
    for name in (
        "naive",
        "seasonal_naive",
        "rw_drift",
        "auto_ets",
        "auto_theta",
        "auto_arima",
        "auto_ces",
        "mstl",
    ):
        assert LOCAL_MODELS[name].supports_level
    for name in ("croston", "imapa", "tsb"):
        assert not LOCAL_MODELS[name].supports_level
    assert type(LOCAL_MODELS["seasonal_naive"].factory(12)).__name__ == "SeasonalNaive"
    assert LOCAL_MODELS["seasonal_naive"].factory(12).season_length == 12


def test_seasonal_naive_is_exact_on_a_periodic_series_and_dates_continue():
    season = np.array([5.0, 1, 4, 2, 8, 3, 7, 6, 9, 0, 2, 4])
    panel = _monthly([np.tile(season, 3)], ids=["s"])
    fc = forecast_chunk(panel, ["seasonal_naive"], h=15)
    np.testing.assert_array_equal(fc["seasonal_naive"], np.tile(season, 2)[:15])
    assert fc["ds"].iloc[0] == pd.Timestamp("2023-01-01")
    assert fc["ds"].iloc[-1] == pd.Timestamp("2024-03-01")


def test_season_length_given_to_statsforecast_is_the_panels():
    weekly = Panel.from_arrays(
        [np.arange(120.0) % 52], starts=np.array(["2020-01-06"], "datetime64[ns]"), freq="W-MON"
    )
    assert weekly.season_length == 52
    fc = forecast_chunk(weekly, ["seasonal_naive"], h=3)
    np.testing.assert_array_equal(fc["seasonal_naive"], [16.0, 17.0, 18.0])  # 120 % 52 = 16


def test_auto_ets_forecasts_a_season_longer_than_ets_holds_from_two_seasons_on():
    """Weekly data with a yearly cycle (m = 52 > 24): statsforecast's ETS alone would drop the
    season, so auto_ets deseasonalises with STL first; with under two seasons of history it is
    non-seasonal ETS (counted as a fallback); seasons ETS holds are left to AutoETS itself."""
    from statsforecast.models import AutoETS

    from tsforge.models.statistical import ETS_MAX_SEASON

    rng = np.random.default_rng(3)
    t = np.arange(3 * 52)
    cycle = 20.0 * np.sin(2 * np.pi * t / 52)
    y = 200.0 + cycle + rng.normal(0.0, 1.0, t.size)
    h = 8

    def weekly(v: np.ndarray) -> Panel:
        return Panel.from_arrays([v], starts=np.array(["2015-01-04"], "datetime64[ns]"), freq="W-SUN")

    long = forecast_chunk(weekly(y[:-h]), ["auto_ets"], h=h)
    truth = 200.0 + cycle[-h:]
    assert np.abs(long["auto_ets"].to_numpy() - truth).mean() < 3.0  # the yearly cycle is tracked
    assert long.attrs["fallbacks"] == {"auto_ets": 0}

    short = forecast_chunk(weekly(y[: 2 * 52 - 1]), ["auto_ets"], h=h)
    assert short.attrs["fallbacks"] == {"auto_ets": 1}
    without_season = AutoETS(season_length=52).forecast(y=y[: 2 * 52 - 1], h=h)["mean"]
    np.testing.assert_allclose(short["auto_ets"].to_numpy(), without_season)

    assert ETS_MAX_SEASON == 24
    assert type(LOCAL_MODELS["auto_ets"].factory(24)).__name__ == "AutoETS"
    assert type(LOCAL_MODELS["auto_ets"].factory(52)).__name__ == "MSTL"


def test_croston_classic_by_hand():
    y = np.array([0.0, 0, 3, 0, 2, 0, 0, 0, 1, 0])
    # classic Croston: SES (alpha 0.1, statsforecast's constant, initialised at the first value)
    # on demand sizes z = 3, 2, 1 and on inter-demand intervals p = 3, 2, 4; forecast z / p
    alpha = 0.1
    z = 3.0
    for v in (2.0, 1.0):
        z = alpha * v + (1 - alpha) * z
    p = 3.0
    for v in (2.0, 4.0):
        p = alpha * v + (1 - alpha) * p
    fc = forecast_chunk(_monthly([y]), ["croston"], h=4)
    np.testing.assert_allclose(fc["croston"], np.full(4, z / p), rtol=1e-12)
    assert z / p == pytest.approx(2.71 / 3.01)


def test_series_shorter_than_the_season_falls_back_to_naive():
    panel = _monthly([np.array([3.0, 5.0, 4.0, 6.0]), np.tile(np.arange(12.0), 2)], ids=["short", "long"])
    fc = forecast_chunk(panel, ["seasonal_naive", "mstl"], h=3)
    short = fc[fc.unique_id == "short"]
    np.testing.assert_array_equal(short["seasonal_naive"], [6.0, 6.0, 6.0])
    assert np.isfinite(short["mstl"]).all()
    np.testing.assert_array_equal(fc.loc[fc.unique_id == "long", "seasonal_naive"], [0.0, 1.0, 2.0])
    assert fc.attrs["fallbacks"]["seasonal_naive"] == 1
    assert fc.attrs["fallbacks"]["mstl"] == 1  # mstl needs two full seasons (24 values)


def test_constant_zero_two_value_and_missing_series_all_get_finite_forecasts():
    arrays = [
        np.full(30, 7.0),
        np.zeros(30),
        np.array([1.0, 2.0]),
        np.array([1.0, np.nan, 3.0, np.nan, 5.0, 6.0]),
    ]
    fc = forecast_chunk(
        _monthly(arrays), ["naive", "rw_drift", "auto_ets", "auto_theta", "croston", "tsb"], h=2
    )
    assert np.isfinite(fc.iloc[:, 2:].to_numpy()).all()
    np.testing.assert_allclose(fc.loc[fc.unique_id == 0, "auto_ets"], 7.0)
    np.testing.assert_allclose(fc.loc[fc.unique_id == 1, "croston"], 0.0)
    # the NaN at position 3 is interpolated (4.0), not forecast as NaN
    np.testing.assert_allclose(fc.loc[fc.unique_id == 3, "naive"], 6.0)


def test_levels_give_interval_columns_nan_for_models_without_intervals():
    fc = forecast_chunk(_monthly([np.arange(1.0, 25.0)]), ["naive", "croston"], h=2, level=[80])
    assert {"naive-lo-80", "naive-hi-80", "croston-lo-80", "croston-hi-80"} <= set(fc.columns)
    assert (fc["naive-lo-80"] < fc["naive"]).all() and (fc["naive"] < fc["naive-hi-80"]).all()
    assert fc["croston-lo-80"].isna().all()


def test_unknown_model_is_named():
    with pytest.raises(ModelNotFoundError, match="'arima_typo'"):
        forecast_chunk(_monthly([np.arange(5.0)]), ["arima_typo"], h=1)


def test_forecast_local_two_processes_equals_one():
    rng = np.random.default_rng(0)
    arrays = [rng.gamma(2.0, 5.0, size=int(n)) for n in rng.integers(5, 60, size=40)]
    arrays[3][:] = 0.0
    arrays[7][[1, 4]] = np.nan
    panel = _monthly(arrays)
    models = ["naive", "seasonal_naive", "rw_drift", "croston", "imapa", "tsb"]
    one = forecast_local(panel, models, h=4, n_jobs=1, progress=False)
    two = forecast_local(panel, models, h=4, n_jobs=2, progress=False)
    pd.testing.assert_frame_equal(one, two)
    assert list(pd.unique(one["unique_id"])) == list(panel.ids)
    assert one.attrs["fallbacks"] == two.attrs["fallbacks"]


def test_model_selecting_models_fit_a_long_series_on_its_recent_values_only():
    """AutoTheta took 11 s per fit on a 7,305-value daily series, refitted per calibration
    window (7.5 minutes to train one series): ETS/Theta/ARIMA/CES/MSTL now fit the last 1,000
    values (ten of the longest cycles where that is more: hourly 1,680), so a long series is
    forecast exactly as its recent part is; the simple models still read the whole history."""
    from tsforge.models.statistical import recent_history

    assert recent_history(12) == 1000 and recent_history(24) == 1680 and recent_history(52) == 1000
    rng = np.random.default_rng(0)
    y = 100 + np.cumsum(rng.normal(size=3000)) + 5 * np.sin(np.arange(3000) * 2 * np.pi / 12)

    def monthly(v: np.ndarray) -> Panel:  # 3,000 months from 2020 would leave pandas' date range
        return Panel.from_arrays([v], starts=np.array(["1780-01-01"], "datetime64[ns]"), freq="MS")

    whole = forecast_chunk(monthly(y), ["auto_theta", "auto_ets", "rw_drift"], h=6)
    recent = forecast_chunk(monthly(y[-1000:]), ["auto_theta", "auto_ets", "rw_drift"], h=6)
    for name in ("auto_theta", "auto_ets"):
        np.testing.assert_allclose(whole[name], recent[name])
    assert not np.allclose(whole["rw_drift"], recent["rw_drift"])  # drift is read off all 3,000
    assert len(LOCAL_MODELS["mstl"].history(np.zeros(5000), 24)) == 1680
    assert len(LOCAL_MODELS["auto_arima"].history(np.zeros(500), 12)) == 500


def test_user_options_set_a_local_model_s_history_cap_and_season_for_it_and_its_fallbacks():
    """``--option max_history=0`` fits the whole history, ``max_history=N`` the last N values,
    ``season_length`` replaces the data's season (a seasonal-naive fallback repeats that season)."""
    from tsforge.models.statistical import LocalOptions, local_options

    rng = np.random.default_rng(1)
    y = 100 + np.cumsum(rng.normal(size=1500)) + 5 * np.sin(np.arange(1500) * 2 * np.pi / 12)
    panel = Panel.from_arrays([y], starts=np.array(["1800-01-01"], "datetime64[ns]"), freq="MS")
    short = Panel.from_arrays([y[-1000:]], starts=np.array(["1800-01-01"], "datetime64[ns]"), freq="MS")
    default = forecast_chunk(panel, ["auto_theta"], h=6)["auto_theta"].to_numpy()
    whole = forecast_chunk(panel, ["auto_theta"], h=6, options={"auto_theta": LocalOptions(max_history=0)})
    np.testing.assert_allclose(default, forecast_chunk(short, ["auto_theta"], h=6)["auto_theta"])
    assert not np.allclose(whole["auto_theta"], default)  # the 500 older values now count
    cap = LocalOptions(max_history=300)
    np.testing.assert_allclose(
        forecast_chunk(panel, ["auto_theta"], h=6, options={"auto_theta": cap})["auto_theta"],
        forecast_chunk(
            Panel.from_arrays([y[-300:]], starts=np.array(["1800-01-01"], "datetime64[ns]"), freq="MS"),
            ["auto_theta"],
            h=6,
        )["auto_theta"],
    )
    # a season of 4 on a 6-value series: seasonal naive repeats the last 4 values, not 12 (too few)
    season = {"seasonal_naive": local_options("seasonal_naive", {"season_length": 4})}
    tiny = _monthly([np.arange(1.0, 7.0)])
    out = forecast_chunk(tiny, ["seasonal_naive"], h=4, options=season)
    np.testing.assert_array_equal(out["seasonal_naive"], [3.0, 4.0, 5.0, 6.0])
    assert out.attrs["fallbacks"] == {"seasonal_naive": 0}
    assert forecast_chunk(tiny, ["seasonal_naive"], h=4).attrs["fallbacks"] == {"seasonal_naive": 1}


@pytest.mark.parametrize(
    ("config", "match"),
    [
        (
            {"season": 4},
            r"unknown option\(s\) \['season'\] for model 'auto_ets'; valid options: \['max_history', 'season_length'\]",
        ),
        ({"max_history": -1}, r"'max_history' of model 'auto_ets' must be 0 \(the whole history\)"),
        ({"season_length": 0}, r"'season_length' of model 'auto_ets' must be at least 1"),
        ({"season_length": "x"}, r"'season_length' of model 'auto_ets' must be int"),
    ],
)
def test_bad_local_model_options_are_refused_by_name(config, match):
    from tsforge.errors import ConfigError
    from tsforge.models.statistical import local_options

    with pytest.raises(ConfigError, match=match):
        local_options("auto_ets", config)
