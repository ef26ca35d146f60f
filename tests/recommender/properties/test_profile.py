"""profile(): windowing, missing values, summary, errors and MLflow logging."""

import numpy as np
import pandas as pd
import pytest

from recommender.properties.profile import log_profile_to_mlflow, profile
from tsforge.data.frame import TimeSeriesData
from tsforge.errors import ConfigError, DataValidationError


def _data(n=500, seed=0):
    rng = np.random.default_rng(seed)
    t = np.arange(n)
    values = np.stack(
        [np.sin(2 * np.pi * t / 24) + 0.1 * rng.standard_normal(n), rng.standard_normal(n)], axis=1
    )
    ts = pd.date_range("2024-01-01", periods=n, freq="h").to_numpy()
    return TimeSeriesData(values, ts, ("a", "b"), freq="h", name="toy")


def test_rows_per_channel_and_window_with_buckets():
    res = profile(_data(), window=336, stride=48)
    starts = list(range(0, 500 - 336 + 1, 48))
    assert len(res.table) == 2 * len(starts)
    assert res.table["window_start"].tolist() == starts * 2
    assert (res.table.loc[res.table.channel == "a", "season_count"] == 1).all()
    assert "start_time" in res.table and "season_strength_bucket" in res.table
    shares = res.summary["buckets"]["stationarity"]
    assert sum(shares.values()) == pytest.approx(1.0)
    assert res.summary["n_windows"] == len(res.table)
    assert "hurst_mean" in res.features()


def test_plain_window_array_and_missing_values():
    w = np.random.default_rng(0).standard_normal((3, 336))
    w[1, 10:20] = np.nan  # 3 % missing -> interpolated
    w[2, :100] = np.nan  # 30 % missing -> dropped
    res = profile(w)
    assert len(res.table) == 2 and res.summary["n_windows_dropped_missing"] == 1


def test_two_processes_give_the_same_table():
    w = np.random.default_rng(1).standard_normal((6, 336))
    a = profile(w, n_jobs=1, chunk_size=2).table
    b = profile(w, n_jobs=2, chunk_size=2).table
    pd.testing.assert_frame_equal(a, b)


def test_errors_name_the_problem():
    with pytest.raises(DataValidationError, match="fewer than the profile window"):
        profile(_data(100))
    with pytest.raises(ConfigError, match="method"):
        profile(np.zeros((1, 336)) + np.arange(336), method="magic")


def test_log_profile_to_mlflow(tmp_path):
    import mlflow

    mlflow.set_tracking_uri(f"sqlite:///{tmp_path / 'mlflow.db'}")
    res = profile(np.random.default_rng(2).standard_normal((2, 336)))
    with mlflow.start_run(
        experiment_id=mlflow.create_experiment("p", artifact_location=str(tmp_path / "art"))
    ) as run:
        log_profile_to_mlflow(res)
    got = mlflow.get_run(run.info.run_id)
    assert got.data.params["profile.window"] == "336"
    # The profile is a table and a picture, not ~70 metrics that would bury the run's charts.
    assert not any(k.startswith("profile.") for k in got.data.metrics)
    names = [a.path for a in mlflow.MlflowClient().list_artifacts(run.info.run_id, "profile")]
    assert {"profile/profile_windows.csv", "profile/profile.png", "profile/properties.json"} <= set(names)
    table = mlflow.MlflowClient().load_table(
        run.info.experiment_id, "profile/properties.json", run_ids=[run.info.run_id]
    )
    row = table.set_index("property").loc["hurst"]
    assert row["mean"] == pytest.approx(res.summary["properties"]["hurst"]["mean"])
    with pytest.raises(ConfigError):
        log_profile_to_mlflow(res)  # no active run


def test_a_zero_stride_is_refused_and_none_keeps_the_default():
    """``stride or default`` made 0 the default stride while a negative one was refused."""
    for bad in (0, -1):
        with pytest.raises(ConfigError, match="stride must be >= 1"):
            profile(_data(), window=96, stride=bad)
    res = profile(_data(), window=96)
    assert res.summary["stride"] == 96 // 14 and res.table["window_start"].tolist()[:2] == [0, 6]


def test_short_windows_have_no_hurst_where_asked_and_keep_the_lineage_zero_by_default():
    """``mask_short_hurst`` (the CLI's profile): windows under 100 values get NaN Hurst and no
    memorability bucket, as profile_panel; the default keeps the 0 the recommender's knowledge
    base (96-step windows) was built with."""
    masked = profile(_data(), window=96, stride=48, mask_short_hurst=True)
    assert masked.table["hurst"].isna().all() and masked.table["memorability_bucket"].isna().all()
    assert masked.summary["n_windows_without_hurst"] == len(masked.table)
    assert np.isnan(masked.summary["properties"]["hurst"]["mean"])
    plain = profile(_data(), window=96, stride=48)
    assert (plain.table["hurst"] == 0).all() and "n_windows_without_hurst" not in plain.summary
    long = profile(_data(), window=100, stride=48, mask_short_hurst=True)
    assert long.summary["n_windows_without_hurst"] == 0 and long.table["hurst"].notna().all()
