"""``tsforge tune`` option errors and the progress callback (the full command runs in test_workers)."""

from __future__ import annotations

import optuna
import pytest

from tsforge.cli import main
from tsforge.cli.tune import TrialProgress
from tsforge.progress import CallbackBar


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--model", "naive"], "no search space"),
        (["--trials", "0"], "trials must be at least 1"),
        (["--storage", "ftp://host/study"], "unrecognised storage"),
        (["--pruner", "asha"], "unknown pruner"),
        (["--model", "no_such_model"], "unknown model"),
        (["--model", "lightgbm", "--selective"], "changes the loss of the neural training loop"),
    ],
)
def test_bad_options_exit_2_with_a_message(args, message, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(SystemExit) as exc:
        main(["tune", "--dataset", "synthetic", "--no-progress", *args])
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert err.startswith("error:") and message in err


def _study_with_a_failure(bar):
    values = iter([0.5, None, 0.25])

    def objective(trial):
        v = next(values)
        if v is None:
            trial.set_user_attr("error", "training diverged")
            raise ValueError("boom")
        return v

    study = optuna.create_study()
    study.optimize(objective, n_trials=3, callbacks=[bar], catch=(ValueError,))


def test_progress_shows_best_value_and_failures(capsys):
    bar = CallbackBar("tune", unit="trial")
    bar.open("tune", total=3)
    _study_with_a_failure(TrialProgress(bar))
    assert bar.total == 3 and bar._bar.n == 3
    description = bar._bar.desc
    bar.close()
    assert "best 0.25 (#2)" in description and "2 complete" in description and "1 fail" in description
    assert "trial 1 failed: training diverged" in capsys.readouterr().err


def test_the_trial_bar_prints_in_a_log(capsys, monkeypatch):
    """In a log (stderr no terminal) the rich bar drew nothing until the study ended, minutes
    later; the tqdm bar prints its state there at most every LOG_INTERVAL seconds (0 here)."""
    import tsforge.progress

    monkeypatch.setattr(tsforge.progress, "LOG_INTERVAL", 0.0)
    bar = CallbackBar("tune", unit="trial")
    bar.open("tune", total=3)
    _study_with_a_failure(TrialProgress(bar))
    err = capsys.readouterr().err  # the bar is still open: what a log holds mid-study
    bar.close()
    assert "1/3" in err and "2/3" in err and "best 0.5 (#0)" in err


def test_a_study_whose_every_trial_failed_exits_1(tmp_path, monkeypatch, capsys):
    """ "No trial completed" is a failure for a script or CI (nothing was tuned or registered),
    not the exit status 0 it used to be."""
    import tsforge.tuning as tuning
    from tsforge.tuning.tune import TuneResult

    def all_failed(*args, **kwargs):
        return TuneResult(
            study_name="s", storage="journal:///x", experiment="e", parent_run_id="r", n_trials_session=2,
            counts={"total": 2, "complete": 0, "pruned": 0, "fail": 2}, best_value=None, best_trial=None,
            best_params={}, best_config=None, wall_seconds=0.1,
        )  # fmt: skip

    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(tuning, "tune", all_failed)
    with pytest.raises(SystemExit) as exc:
        main(["tune", "--dataset", "synthetic", "--model", "dlinear", "--trials", "2", "--no-progress"])
    assert exc.value.code == 1
    assert "no trial completed" in capsys.readouterr().err
