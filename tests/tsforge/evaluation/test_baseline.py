"""Every training is read against a naive baseline: its skill is logged, printed, and a model
with none is said out loud (a learning rate that blew the weights up trained, scored and
registered as champion without a word before)."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pandas as pd
import pytest
import torch

from tests.conftest import make_series, run_cli
from tsforge.errors import NoSkillWarning
from tsforge.evaluation.baseline import Baseline, baseline_for, compared, skill_score
from tsforge.evaluation.panel_metrics import paired_mase
from tsforge.models.base import ModelContext
from tsforge.pipeline.multichannel import TrackingOptions, train
from tsforge.pipeline.panel import train_panel

torch.set_num_threads(1)

UNTRACKED = TrackingOptions(track=False, progress=False)


def _context(input_len: int, season: int) -> ModelContext:
    return ModelContext(input_len=input_len, horizon=12, channel_ids=("a",), freq="h", season_length=season)


@pytest.mark.parametrize(
    ("input_len", "season", "expected"),
    [
        (48, 24, Baseline("seasonal_naive", 24)),
        (24, 24, Baseline("seasonal_naive", 24)),  # a whole season in the window is enough
        (12, 24, Baseline("naive", 1)),  # seasonal naive would repeat a 12-step "season"
        (96, 1, Baseline("naive", 1)),  # no season: naive
    ],
)
def test_the_baseline_is_seasonal_naive_only_when_the_window_holds_a_season(input_len, season, expected):
    assert baseline_for(_context(input_len, season)) == expected


def test_the_baseline_is_labelled_as_a_sentence_names_it():
    assert Baseline("seasonal_naive", 24).label == "seasonal naive (24 steps)"
    assert Baseline("naive", 1).label == "naive"


def test_the_built_baseline_repeats_the_last_season_of_the_window():
    context = _context(48, 24)
    forecaster = Baseline("seasonal_naive", 24).forecaster(context)
    x = torch.arange(48, dtype=torch.float32).reshape(1, 48, 1)
    pred = forecaster.predict({"x": x, "x_mask": torch.ones_like(x)})
    assert pred[0, :, 0].tolist() == list(range(24, 36))  # the last season's first 12 steps


def test_skill_score_is_one_minus_the_ratio_and_undefined_without_a_baseline_error():
    assert skill_score(0.25, 1.0) == pytest.approx(0.75)
    assert skill_score(2.0, 1.0) == pytest.approx(-1.0)
    assert math.isnan(skill_score(0.5, 0.0))  # flat windows: the baseline makes no error
    assert math.isnan(skill_score(0.5, math.nan))
    assert skill_score(math.inf, 1.0) == -math.inf


def test_a_skill_is_said_in_words_a_user_reads():
    assert compared(0.352) == "35.2% lower"
    assert compared(-0.081) == "8.1% higher"
    assert compared(1.0 - 4.14) == "4.1 times higher"
    assert compared(1.0 - 65270.4) == "65,270 times higher"
    assert compared(-math.inf) == "infinitely higher"


def _train(model: str, **options):
    return train(
        make_series(n_steps=600, n_channels=2), model, input_len=48, horizon=12, split="7:1:2",
        tracking=UNTRACKED, **options,
    )  # fmt: skip


def test_a_training_logs_the_baselines_mse_on_the_same_windows_and_its_skill_over_it():
    model = _train("naive")
    baseline = _train("seasonal_naive")
    assert model.params["baseline"] == "seasonal naive (24 steps)"
    for split in ("val", "test"):
        assert model.metrics[f"{split}_baseline_mse"] == pytest.approx(baseline.metrics[f"{split}_mse"])
        expected = 1.0 - model.metrics[f"{split}_mse"] / baseline.metrics[f"{split}_mse"]
        assert model.metrics[f"{split}_skill"] == pytest.approx(expected)
    assert model.metrics["test_skill"] < 0  # naive loses to seasonal naive on a daily sine
    assert baseline.metrics["test_skill"] == pytest.approx(0.0)


def test_a_model_that_learnt_the_season_has_skill_and_no_warning():
    with warnings.catch_warnings():
        warnings.simplefilter("error", NoSkillWarning)
        out = _train("dlinear", train_config={"max_epochs": 3})
    assert out.metrics["val_skill"] > 0 and out.metrics["test_skill"] > 0


def test_a_diverged_model_is_said_to_lose_to_the_baseline_with_its_numbers():
    with pytest.warns(NoSkillWarning) as caught:
        out = _train("dlinear", train_config={"max_epochs": 1, "lr": 10.0})
    assert out.metrics["val_skill"] < 0
    message = str(caught[0].message)
    assert message.startswith(
        "dlinear does not beat seasonal naive (24 steps) on the validation windows: MSE "
    )
    assert f"vs {out.metrics['val_baseline_mse']:.4g}" in message and "lower learning rate (--lr)" in message


def test_a_baseline_trained_as_the_model_is_not_warned_about():
    with warnings.catch_warnings():
        warnings.simplefilter("error", NoSkillWarning)
        out = _train("naive")  # it loses to seasonal naive, and is a baseline itself
    assert out.metrics["val_skill"] < 0


def test_tuning_trials_do_not_warn_one_by_one():
    with warnings.catch_warnings():
        warnings.simplefilter("error", NoSkillWarning)
        out = train(
            make_series(n_steps=600, n_channels=2), "dlinear", input_len=48, horizon=12, split="7:1:2",
            tracking=TrackingOptions(track=False, progress=False, log_model=False),
            train_config={"max_epochs": 1, "lr": 10.0},
        )  # fmt: skip
    assert out.metrics["val_skill"] < 0  # measured all the same


def test_the_cli_prints_the_skill_and_warns_without_it(capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    series = make_series(n_steps=600, n_channels=2)
    frame = pd.DataFrame(series.values, columns=list(series.channel_ids))
    frame.insert(0, "date", pd.DatetimeIndex(series.timestamps).strftime("%Y-%m-%d %H:%M:%S"))
    frame.to_csv(tmp_path / "toy.csv", index=False)
    args = "train toy.csv --model dlinear --input 48 --horizon 12 --split 7:1:2 --no-track".split()
    code, out, err = run_cli(capsys, *args, "--epochs", "1", "--lr", "10")
    assert code == 0, err
    flat_out, flat_err = " ".join(out.split()), " ".join(err.split())
    assert "Against seasonal naive (24 steps): test MSE" in flat_out and "times higher" in flat_out
    assert "note: dlinear does not beat seasonal naive (24 steps) on the validation windows" in flat_err
    code, out, err = run_cli(capsys, *args, "--epochs", "3")
    assert code == 0, err
    assert "lower (" in " ".join(out.split()) and "does not beat" not in err


def test_a_tracked_training_records_the_skill_and_the_baseline(tracking_uri):
    import mlflow

    out = train(
        make_series(n_steps=600, n_channels=2), "dlinear", input_len=48, horizon=12, split="7:1:2",
        train_config={"max_epochs": 1}, progress=False, registered_name="toy-skill",
    )  # fmt: skip
    run = mlflow.get_run(out.run_id)
    assert run.data.params["baseline"] == "seasonal naive (24 steps)"
    assert run.data.metrics["val_skill"] == pytest.approx(out.metrics["val_skill"])
    assert run.data.metrics["test_skill"] == pytest.approx(out.metrics["test_skill"])
    version = mlflow.MlflowClient().get_model_version("toy-skill", out.version)
    assert version.tags["tsforge.score.test_skill"] == f"{out.metrics['test_skill']:.4g}"
    table = mlflow.MlflowClient().load_table(
        run.info.experiment_id, artifact_file="metrics/scores.json", run_ids=[out.run_id]
    )
    scale = dict(zip(table["key"], table["scale"], strict=True))
    assert scale["test_skill"] == "1 − error ÷ the baseline's" and scale["test_baseline_mse"] == "normalised"


def _trend_panel() -> pd.DataFrame:
    """Twelve monthly series on straight lines with a little noise: naive lags the trend by a
    step per month ahead, Croston's level lags it further, a random walk with drift follows it."""
    rng = np.random.default_rng(0)
    rows = []
    for i in range(12):
        t = np.arange(48)
        y = 50 + (1 + 0.2 * i) * t + rng.normal(0, 0.5, t.size)
        ds = pd.date_range("2000-01-01", periods=t.size, freq="MS")
        rows.append(pd.DataFrame({"unique_id": f"s{i}", "ds": ds, "y": y}))
    return pd.concat(rows, ignore_index=True)


def test_a_panel_model_that_loses_to_naive2_is_said_to_with_its_mase():
    with pytest.warns(NoSkillWarning) as caught:
        out = train_panel(_trend_panel(), "croston", horizon=6, tracking=UNTRACKED, intervals=False)
    skill, naive2 = out.metrics["val_skill"], out.metrics["val_naive2_mase"]
    assert skill < 0 and skill == pytest.approx(1 - out.metrics["val_mase"] / naive2)
    assert out.params["baseline"].startswith("Naive2 (M4's benchmark")
    message = str(caught[0].message)
    assert message.startswith("croston does not beat Naive2 (M4's benchmark")
    assert f"MASE {out.metrics['val_mase']:.4g} vs {naive2:.4g} over the same series" in message
    assert "tsforge recommend" in message


def test_a_panel_model_that_beats_naive2_has_skill_and_no_warning():
    with warnings.catch_warnings():
        warnings.simplefilter("error", NoSkillWarning)
        out = train_panel(_trend_panel(), "rw_drift", horizon=6, tracking=UNTRACKED, intervals=False)
    assert out.metrics["val_skill"] > 0 and out.metrics["test_skill"] > 0
    assert out.metrics["test_skill"] == pytest.approx(
        1 - out.metrics["test_mase"] / out.metrics["test_naive2_mase"]
    )


def test_the_panel_skill_pairs_the_series_where_both_mases_are_defined():
    per_series = pd.DataFrame(
        {"mase": [1.0, 2.0, np.nan, 4.0], "mase_naive2": [2.0, 2.0, 5.0, np.nan]}
    )  # the third has no forecast, the fourth no Naive2: both left out of both means
    assert paired_mase(per_series) == (1.5, 2.0)
    assert all(math.isnan(v) for v in paired_mase(per_series.iloc[2:]))


def test_ranking_panel_candidates_keeps_their_no_skill_notes_quiet():
    from recommender.panel import recommend_panel
    from tsforge.data.load import load_panel

    panel = load_panel(_trend_panel()).panel
    with warnings.catch_warnings():
        warnings.simplefilter("error", NoSkillWarning)  # croston loses to Naive2 on this panel
        rec = recommend_panel(panel, horizon=6, candidates=["croston", "rw_drift"])
    assert rec.ranking[0]["model"] == "rw_drift"


def test_the_panel_cli_prints_the_skill_over_naive2(capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    _trend_panel().to_csv(tmp_path / "trend.csv", index=False)
    code, out, err = run_cli(
        capsys, "train", "trend.csv", "--model", "rw_drift", "--horizon", "6", "--no-track"
    )
    assert code == 0, err
    flat = " ".join(out.split())
    assert "Against Naive2 (M4's benchmark: naive on the seasonally adjusted series): test MASE" in flat
    assert "% lower (" in flat and "validation" in flat


def test_evaluating_a_registered_model_reports_the_skill_its_training_logged(capsys, tracking_uri, tmp_path):
    import json

    series = make_series(n_steps=600, n_channels=2)
    frame = pd.DataFrame(series.values, columns=list(series.channel_ids))
    frame.insert(0, "date", pd.DatetimeIndex(series.timestamps).strftime("%Y-%m-%d %H:%M:%S"))
    frame.to_csv(tmp_path / "toy.csv", index=False)
    out = train(
        str(tmp_path / "toy.csv"), "dlinear", input_len=48, horizon=12, split="7:1:2",
        train_config={"max_epochs": 2}, progress=False, registered_name="toy-eval",
    )  # fmt: skip
    code, printed, err = run_cli(
        capsys, "evaluate", "--model", "toy-eval", str(tmp_path / "toy.csv"), "--json"
    )
    assert code == 0, err
    scores = json.loads(printed)
    assert scores["test_baseline_mse"] == pytest.approx(out.metrics["test_baseline_mse"])
    assert scores["test_skill"] == pytest.approx(out.metrics["test_skill"], rel=1e-5)


def test_evaluating_a_panel_model_reports_its_skill_over_naive2_as_training_did():
    from tsforge.pipeline.panel import evaluate_panel_model

    frame = _trend_panel()
    out = train_panel(frame, "rw_drift", horizon=6, tracking=UNTRACKED, intervals=False)
    scores, _ = evaluate_panel_model(out.predictor, frame)
    assert scores["test_naive2_mase"] == pytest.approx(out.metrics["test_naive2_mase"])
    assert scores["test_skill"] == pytest.approx(out.metrics["test_skill"])


def _dotted_line(fig, label: str):
    lines = [line for ax in fig.axes for line in ax.get_lines() if line.get_label() == label]
    assert lines and all(line.get_linestyle() == ":" for line in lines)
    return lines


def test_the_forecast_plot_draws_the_baseline_it_had_to_beat(saved_figures, tracking_uri):
    out = train(
        make_series(n_steps=600, n_channels=2), "dlinear", input_len=48, horizon=12, split="7:1:2",
        train_config={"max_epochs": 1}, progress=False,
    )  # fmt: skip
    (fig,) = [f for f in saved_figures if "test windows" in f.get_suptitle()]
    assert fig.get_suptitle().endswith(
        f"; test MSE {compared(out.metrics['test_skill'])} than seasonal naive (24 steps)"
    )
    lines = _dotted_line(fig, "seasonal naive (24 steps)")
    # the first panel is test window 0 of the first channel: its last season, repeated
    task = out.task
    window = task.dataset("test").get_batch(torch.as_tensor([0]))
    last_season = task.scaler.inverse(window["x"].numpy())[0, -24:-12, 0]
    np.testing.assert_allclose(lines[0].get_ydata(), last_season, rtol=1e-5)


def test_a_panel_forecast_plot_draws_naive2(saved_figures, tracking_uri):
    from tsforge.evaluation.panel_metrics import naive2_forecast

    frame = _trend_panel()
    train_panel(frame, "rw_drift", horizon=6, tracking=TrackingOptions(progress=False), intervals=False)
    (fig,) = [f for f in saved_figures if "test window of a few series" in f.get_suptitle()]
    lines = _dotted_line(fig, "Naive2")
    first = frame[frame["unique_id"] == "s0"]["y"].to_numpy()[:-6]  # its history before the test window
    expected = naive2_forecast(first, np.array([0, first.size]), 12, 6)[0]
    np.testing.assert_allclose(lines[0].get_ydata(), expected)


def test_tuning_says_the_retrained_bests_skill(capsys, tracking_uri):
    code, out, err = run_cli(
        capsys, "tune", "synthetic", "--input", "24", "--horizon", "8", "--trials", "1", "--epochs", "1",
        "--no-progress", "--study", "skill",
    )  # fmt: skip
    assert code == 0, err
    assert "Against seasonal naive (24 steps): test MSE" in " ".join(out.split())
