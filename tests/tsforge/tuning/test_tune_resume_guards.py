"""What a resumed study must keep, what a session reports, and what it must not register twice.

* the training seed, the scored-window stride and ``--drop-short`` change what a trial's value
  means, so a resume with other values is refused (like other fixed options);
* ``n_trials_session`` counts the trials *this* process ran, not those another worker added;
* a resume that runs trials but finds nothing better does not register the same model again;
* ``--timeout``, ``--startup-trials`` and ``--eval-stride`` that cannot work are one-line errors.
"""

from __future__ import annotations

import importlib
from types import SimpleNamespace

import optuna
import pytest

from tsforge.cli import main
from tsforge.errors import ConfigError
from tsforge.tuning import open_study


def test_resuming_with_another_training_seed_is_refused(data, store, tune_small):
    tune_small(data, store, "seeded", n_trials=1, seed=1, retrain=False)
    with pytest.raises(ConfigError, match="study 'seeded' was created with seed=1, not 2") as info:
        tune_small(data, store, "seeded", n_trials=2, seed=2, retrain=False)
    assert info.value.where["field"] == "study"
    assert len(open_study("seeded", store / "optuna.journal").trials) == 1  # nothing ran


def test_resuming_with_another_eval_stride_is_refused(data, store, tune_small):
    tune_small(data, store, "strided", n_trials=1, eval_stride=1, retrain=False)
    with pytest.raises(ConfigError, match="created with eval_stride=1, not 4"):
        tune_small(data, store, "strided", n_trials=2, eval_stride=4, retrain=False)


class _FakeTrain:
    """``pipeline.train`` stand-in: trial 0 scores best, later trials worse; the retrained best is
    "registered" as a new version each time it is called with ``register=True``."""

    def __init__(self, on_trial=None) -> None:
        self.registered = 0
        self.on_trial = on_trial

    def __call__(self, data, **kwargs):
        tags = kwargs.get("tags") or {}
        if tags.get("tsforge.role") == "best":
            if kwargs.get("register"):
                self.registered += 1
            return SimpleNamespace(run_id=None, metrics={"val_mse": 0.1}, version=self.registered or None)
        trial = int(tags["tsforge.trial"])
        if self.on_trial is not None:
            self.on_trial(trial)
        return SimpleNamespace(run_id=None, metrics={"val_mse": 0.1 if trial == 0 else 0.5 + trial})


def test_a_resume_that_finds_nothing_better_registers_no_new_version(data, store, tune_small, monkeypatch):
    fake = _FakeTrain()
    # the fake registers nothing in MLflow: the registry holds what it says it registered
    tune_module = importlib.import_module("tsforge.tuning.tune")  # the package exports the function
    monkeypatch.setattr(
        tune_module, "has_version", lambda name, version: 1 <= int(version) <= fake.registered
    )
    first = tune_small(data, store, "noregdup", n_trials=1, train_fn=fake, registered_name="noregdup-m")
    assert first.version == "1" and fake.registered == 1
    again = tune_small(data, store, "noregdup", n_trials=3, train_fn=fake, registered_name="noregdup-m")
    assert again.n_trials_session == 2 and again.best_trial == 0
    assert fake.registered == 1  # the same best trial: no second, identical version
    assert again.version is None and again.already_registered == "noregdup-m version 1"
    # another registered name still gets its own version of the best
    tune_small(data, store, "noregdup", n_trials=3, train_fn=fake, registered_name="noregdup-other")
    assert fake.registered == 2


def test_the_session_count_leaves_out_trials_of_other_workers(data, store, tune_small):
    journal = store / "optuna.journal"

    def other_worker_adds_a_trial(trial: int) -> None:
        if trial == 0:  # while this session runs trial 0, another worker finishes one
            other = open_study("shared-count", journal)
            other.add_trial(
                optuna.trial.create_trial(
                    params={"lr": 1e-3},
                    distributions={"lr": optuna.distributions.FloatDistribution(1e-5, 1e-1, log=True)},
                    value=9.0,
                )
            )

    res = tune_small(
        data, store, "shared-count", n_trials=3, train_fn=_FakeTrain(other_worker_adds_a_trial), retrain=False
    )
    assert res.counts["total"] == 3
    assert res.n_trials_session == 2  # trials 0 and 2 ran here; trial 1 came from the other worker


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--timeout", "0"], "--timeout must be a positive number of seconds"),
        (["--timeout", "-5"], "--timeout must be a positive number of seconds"),
        (["--startup-trials", "-1"], "--startup-trials must be 0 or more"),
        (["--eval-stride", "0"], "--eval-stride must be at least 1"),
        (
            ["--register-as", "m", "--no-retrain"],
            "--register-as names the retrained best model, which --no-retrain",
        ),
        (["--register-as", "m", "--no-register"], "which --no-register skips"),
    ],
)
def test_impossible_session_options_exit_2_before_anything_opens(
    args, message, tmp_path, monkeypatch, capsys
):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("MLFLOW_TRACKING_URI", f"sqlite:///{tmp_path}/mlflow.db")
    with pytest.raises(SystemExit) as exc:
        main(["tune", "--dataset", "synthetic", "--no-progress", *args])
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert err.startswith("error:") and message in err and len(err.strip().splitlines()) == 1
    assert not (tmp_path / "optuna.journal").exists() and not (tmp_path / "mlflow.db").exists()


def test_the_parent_run_records_every_session_option_a_rerun_needs(data, store, tune_small):
    import mlflow

    res = tune_small(data, store, "params", n_trials=1, eval_stride=2, retrain=False, train_fn=_FakeTrain())
    params = mlflow.MlflowClient().get_run(res.parent_run_id).data.params
    assert params["n_startup_trials"] == "2" and params["eval_stride"] == "2"
    assert params["drop_short"] == "False" and params["seed"] == "2024"
