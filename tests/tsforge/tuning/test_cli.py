"""``tsforge tune`` option errors and the progress callback (the full command runs in test_workers)."""

from __future__ import annotations

import io

import optuna
import pytest
from rich.console import Console
from rich.progress import Progress

from tsforge.cli import main
from tsforge.cli.tune import TrialProgress


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


def test_progress_shows_best_value_and_failures():
    out = io.StringIO()
    progress = Progress(console=Console(file=out, width=120, force_terminal=False))
    task_id = progress.add_task("starting", total=3)
    bar = TrialProgress(progress, task_id)
    values = iter([0.5, None, 0.25])

    def objective(trial):
        v = next(values)
        if v is None:
            trial.set_user_attr("error", "training diverged")
            raise ValueError("boom")
        return v

    study = optuna.create_study()
    with progress:
        study.optimize(objective, n_trials=3, callbacks=[bar], catch=(ValueError,))
    task = progress.tasks[0]
    assert task.completed == 3
    assert (
        "best 0.25 (#2)" in task.description
        and "2 complete" in task.description
        and "1 fail" in task.description
    )
    assert "trial 1 failed: training diverged" in out.getvalue()


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
