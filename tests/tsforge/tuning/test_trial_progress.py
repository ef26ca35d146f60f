"""Progress inside a trial: ``tsforge tune`` shows each trial's training as ``tsforge train`` shows
it (per-epoch lines), on stderr beside the trial bar; ``--no-progress`` and library callers (tests
among them) get none. Before, a trial of many minutes showed nothing until it ended."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from tsforge.cli import main


class _Recorder:
    def __init__(self) -> None:
        self.progress: list[bool] = []

    def __call__(self, data, **kwargs):
        self.progress.append(kwargs["progress"])
        return SimpleNamespace(run_id=None, metrics={"val_mse": 0.5})


@pytest.mark.parametrize("progress", [True, False])
def test_tune_passes_its_progress_to_every_trial_and_the_retrained_best(data, store, tune_small, progress):
    trials = _Recorder()
    tune_small(data, store, f"progress-{progress}", n_trials=2, progress=progress, train_fn=trials)
    assert trials.progress == [progress] * 3  # two trials, then the best retrained


def test_library_callers_see_no_trial_progress_unless_they_ask(data, store, tune_small):
    trials = _Recorder()
    tune_small(data, store, "progress-default", n_trials=1, retrain=False, train_fn=trials)
    assert trials.progress == [False]


@pytest.mark.parametrize(("flag", "shown"), [([], True), (["--no-progress"], False)])
def test_the_command_shows_each_epoch_of_a_trial_on_stderr(flag, shown, capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("MLFLOW_TRACKING_URI", f"sqlite:///{tmp_path}/store/mlflow.db")
    main(
        ["tune", "synthetic", "--input", "24", "--horizon", "8", "--trials", "1", "--epochs", "1",
         "--no-retrain", "--study", "epochs", "--experiment", "epochs", *flag]
    )  # fmt: skip
    out, err = capsys.readouterr()
    assert "epoch 1:" not in out  # stdout holds the study's summary only
    assert ("epoch 1: train" in err) is shown
    assert "Best trial #0" in out


def test_each_epoch_line_of_the_command_names_its_trial(capsys, tmp_path, monkeypatch):
    """The epoch lines of every trial read ``epoch 1: train …``: in a log of twenty trials none
    said which trial it belonged to. They now carry the number the trial bar, a failed trial's
    line and the trial's MLflow run name give it."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("MLFLOW_TRACKING_URI", f"sqlite:///{tmp_path}/store/mlflow.db")
    main(
        ["tune", "synthetic", "--input", "24", "--horizon", "8", "--trials", "2", "--epochs", "1",
         "--no-retrain", "--study", "named", "--experiment", "named"]
    )  # fmt: skip
    err = capsys.readouterr().err
    epoch_lines = [line.strip() for line in err.splitlines() if "epoch 1: train" in line]
    assert [line.split(" · ")[0] for line in epoch_lines] == ["trial #0", "trial #1"], epoch_lines


def test_a_panel_trial_and_the_retrained_best_name_their_epoch_lines(store, capsys):
    """On a panel the trials train through ``train_panel``; the retrained best says it is one."""
    from tsforge.data.synthetic import synthetic_panel
    from tsforge.tuning import tune

    panel = synthetic_panel(n_series=4, min_length=40, max_length=50, seed=3)
    res = tune(
        panel, "dlinear", n_trials=1, horizon=6, train_config={"max_epochs": 1}, study_name="panel-named",
        storage=str(store / "panel-named.journal"), experiment="panel-named", progress=True, register=False,
    )  # fmt: skip
    out = capsys.readouterr().out
    assert "trial #0 · epoch 1: train" in out
    assert f"trial #{res.best_trial} retrained · epoch 1: train" in out
