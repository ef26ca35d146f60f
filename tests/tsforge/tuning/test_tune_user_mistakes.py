"""What a user gets wrong when tuning: options refused before a study exists, interrupted trials
counted apart from failed ones, and the retrained best's scores in the data's units."""

from __future__ import annotations

import optuna
import pytest

from tsforge.cli import main
from tsforge.data.synthetic import synthetic_panel
from tsforge.errors import ConfigError, TsforgeError
from tsforge.tuning import study_summary, tune
from tsforge.tuning.study import INTERRUPTED_ATTR, resolve_storage


def _study_names(journal) -> list[str]:
    """The studies a journal holds (none when the journal was never written)."""
    if not journal.exists():
        return []
    return optuna.study.get_all_study_names(storage=resolve_storage(str(journal)))


@pytest.mark.parametrize(
    ("options", "field"),
    [
        ({"model_config": {"kernel_sise": 25}}, "kernel_sise"),  # a typo of kernel_size
        ({"model_config": {"kernel_size": "wide"}}, "kernel_size"),  # a value of the wrong type
        ({"train_config": {"lr": "fast"}}, "lr"),
        ({"input_len": 0}, "input_len"),
        ({"seed": -5}, "seed"),
        ({"sampler_seed": -1}, "sampler_seed"),
    ],
)
def test_an_impossible_option_is_refused_before_the_study_exists(options, field, data, store, tmp_path):
    """Each of these failed inside every trial (or, for a seed, ended in NumPy's traceback while
    the sampler was built), after the study had been created with it: the corrected command was
    then refused as "study ... was created with fixed_options=..." until another --study was given."""
    journal = tmp_path / "optuna.journal"
    kwargs = {"input_len": 24, "horizon": 8, "split": "7:1:2", **options}
    with pytest.raises(ConfigError) as err:
        tune(data, "dlinear", n_trials=2, storage=str(journal), study_name="typo", **kwargs)
    assert err.value.where.get("field") == field, str(err.value)
    assert "typo" not in _study_names(journal)


def test_a_panel_with_input_zero_is_refused_before_the_study_exists(store, tmp_path):
    panel = synthetic_panel(n_series=4, seed=3)
    journal = tmp_path / "optuna.journal"
    with pytest.raises(ConfigError, match="input_len must be at least 1"):
        tune(panel, "lightgbm", n_trials=1, horizon=6, input_len=0, storage=str(journal), study_name="zero")
    assert "zero" not in _study_names(journal)


def test_a_negative_seed_on_the_command_line_is_one_error_line(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(SystemExit) as exc:
        main(["tune", "--dataset", "synthetic", "--no-progress", "--seed", "-5"])
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert err.startswith("error: --seed must be between 0 and") and "Traceback" not in err


def test_an_interrupted_trial_is_counted_apart_from_failed_ones():
    """Optuna records a Ctrl-C'd trial as FAIL: the resumed study said "1 failed" of a trial that
    had not failed (and it does not count towards --trials either)."""
    study = optuna.create_study()
    for interrupted in (True, False):
        trial = study.ask()
        if interrupted:
            trial.set_user_attr(INTERRUPTED_ATTR, True)
        study.tell(trial, state=optuna.trial.TrialState.FAIL)
    study.tell(study.ask(), 0.5)
    counts = study_summary(study)
    assert (counts["total"], counts["complete"], counts["fail"], counts["interrupted"]) == (3, 1, 1, 1)


def test_the_summary_gives_the_retrained_best_in_the_data_units(tmp_path, monkeypatch, capsys):
    """Only normalised scores were printed for a window model (test MAE 0.111 for 0.83 in the
    file's units); ``tsforge train`` prints the original-unit MAE beside them."""
    import tsforge.tuning as tuning
    from tsforge.tuning.tune import TuneResult

    def tuned(*args, **kwargs):
        return TuneResult(
            study_name="s", storage="journal:///x", experiment="e", parent_run_id="r", n_trials_session=2,
            counts={"total": 3, "complete": 2, "pruned": 0, "fail": 0, "interrupted": 1}, best_value=0.0173,
            best_trial=0, best_params={"lr": 0.001}, best_config={"model": {}, "train": {"lr": 0.001}},
            wall_seconds=1.0, final_run_id="b",
            final_metrics={"val_mse": 0.0173, "test_mse": 0.0189, "test_mae": 0.111, "test_orig_mae": 0.827,
                           "test_orig_mse": 1.0506},
        )  # fmt: skip

    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(tuning, "tune", tuned)
    main(["tune", "--dataset", "synthetic", "--model", "dlinear", "--trials", "2", "--no-progress"])
    out = " ".join(capsys.readouterr().out.split())  # the console wraps long lines
    assert "in the data's units: test MAE 0.827, test MSE 1.0506" in out
    assert "0 failed, 1 interrupted" in out


def test_an_empty_study_name_is_refused_not_replaced_by_the_default(data, store, tmp_path):
    """``--study ''`` fell back to the default name and resumed that study (or was refused as
    created with other options) without a word about the empty name."""
    with pytest.raises(ConfigError, match="study_name must name the study"):
        tune(
            data,
            "dlinear",
            n_trials=1,
            input_len=24,
            horizon=8,
            storage=str(tmp_path / "j.journal"),
            study_name="",
        )


def test_an_eval_stride_on_a_panel_is_said_to_have_no_effect(store, tmp_path, caplog):
    def failing_trial(*args, **kwargs):
        raise ConfigError("not trained in this test", field="model")

    panel = synthetic_panel(n_series=4, seed=3)
    with caplog.at_level("WARNING", logger="tsforge.tuning.tune"):
        tune(panel, "lightgbm", n_trials=1, horizon=6, eval_stride=5, storage=str(tmp_path / "j.journal"),
             study_name="stride", experiment="exp-stride", train_fn=failing_trial, retrain=False)  # fmt: skip
    assert "--eval-stride 5 has no effect on a panel" in caplog.text


def test_training_options_lightgbm_ignores_are_named(tmp_path, monkeypatch, capsys):
    """``tsforge train --model lightgbm --epochs 3`` says the option is ignored; ``tune`` kept the
    same option in every trial without a word."""
    import tsforge.tuning as tuning

    def not_run(*args, **kwargs):
        raise ConfigError("stopped by the test", field="model")

    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(tuning, "tune", not_run)
    with pytest.raises(SystemExit):
        main(["tune", "--dataset", "synthetic", "--model", "lightgbm", "--epochs", "3", "--no-progress"])
    captured = capsys.readouterr()
    assert "ignored training options: --epochs" in " ".join((captured.out + captured.err).split())


def test_the_retraining_of_the_best_trial_is_announced(data, store, tune_small):
    """Once the trial bar was full nothing was shown while the best trial was retrained (with a
    panel's interval calibration, longer than a trial: 11 s after 4 s trials for LightGBM)."""
    seen: list[int] = []
    res = tune_small(data, store, "announce", n_trials=1, register=False, on_retrain=seen.append)
    assert seen == [res.best_trial] and res.final_run_id is not None


def test_the_command_says_it_retrains_the_best_trial(tmp_path, monkeypatch, capsys):
    import tsforge.tuning as tuning

    def announced(*args, on_retrain, **kwargs):
        on_retrain(3)
        raise ConfigError("stopped by the test", field="model")

    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(tuning, "tune", announced)
    with pytest.raises(SystemExit):
        main(["tune", "--dataset", "synthetic", "--model", "dlinear", "--trials", "2", "--no-progress"])
    assert "retraining the best trial #3 with its parameters and registering it" in capsys.readouterr().err


def test_a_fixed_option_is_not_searched_nor_reported_as_the_best_value(data, store, tune_small):
    """With ``-o kernel_size=49 --train-option lr=0.005`` every trial trained kernel 49 at lr
    0.005, while the study drew (and the best-trial table reported) other kernels and rates."""
    from .conftest import FAST

    res = tune_small(
        data, store, "pinned", n_trials=2, retrain=False,
        model_config={"kernel_size": 49}, train_config={**FAST, "lr": 0.005},
    )  # fmt: skip
    study = optuna.load_study(study_name="pinned", storage=resolve_storage(str(store / "optuna.journal")))
    assert all("kernel_size" not in t.params and "lr" not in t.params for t in study.trials)
    assert all({"batch_size", "weight_decay"} <= set(t.params) for t in study.trials)  # still searched
    assert res.best_config["model"]["kernel_size"] == 49 and res.best_config["train"]["lr"] == 0.005
    assert "kernel_size" not in res.best_params


def test_a_horizon_the_split_cannot_hold_is_refused_before_the_study_exists(data, store, tmp_path):
    """400 steps split 7:1:2 hold no 60-step validation window: every trial failed alike with
    "series too short", and the study kept the failed trials under its name."""
    journal = tmp_path / "optuna.journal"
    with pytest.raises(TsforgeError, match="series too short for horizon 60: the val split"):
        tune(data, "dlinear", n_trials=2, input_len=24, horizon=60, split="7:1:2", storage=str(journal),
             study_name="short", experiment="exp-short", train_fn=_never_called)  # fmt: skip
    assert "short" not in _study_names(journal)


def test_an_empty_experiment_name_is_refused_not_replaced_by_the_default(data, store, tmp_path):
    with pytest.raises(ConfigError, match="experiment must name"):
        tune(data, "dlinear", n_trials=1, input_len=24, horizon=8, storage=str(tmp_path / "j.journal"),
             study_name="exp", experiment="", train_fn=_never_called)  # fmt: skip


def _never_called(*args, **kwargs):
    raise AssertionError("no trial should start")
