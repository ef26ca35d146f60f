"""What a tuning session leaves in MLflow: the store it talks to and the parent run's curves."""

from __future__ import annotations

import logging
from collections import Counter
from types import SimpleNamespace

import mlflow
import pytest

from tsforge.tuning import tune

TINY = dict(
    input_len=24, horizon=8, split="7:1:2", train_config={"max_epochs": 1, "patience": 10},
    n_startup_trials=2, retrain=False,
)  # fmt: skip


def _as_a_new_process() -> None:
    """Forget the tracking URI MLflow was given, as a fresh ``tsforge tune`` process starts."""
    # mlflow's annotation says ``str | Path``, but its body treats None as "unset" (what we need)
    mlflow.set_tracking_uri(None)  # type: ignore[arg-type]


@pytest.fixture
def no_tracking_uri(tmp_path, monkeypatch):
    """``MLFLOW_TRACKING_URI`` unset, working directory ``tmp_path``, MLflow unconfigured."""
    monkeypatch.delenv("MLFLOW_TRACKING_URI", raising=False)
    monkeypatch.chdir(tmp_path)
    _as_a_new_process()
    yield tmp_path
    _as_a_new_process()  # before monkeypatch restores the environment (it was set up first)


def test_without_a_tracking_uri_the_detached_check_uses_the_tsforge_store(data, no_tracking_uri, caplog):
    """The "study detached" check ran before MLflow was configured: ``MlflowClient()`` queried
    (and created) ``./mlflow.db`` in the working directory, so the warning never fired against the
    store the runs are in, ``mlruns/mlflow.db``."""
    cwd = no_tracking_uri
    study = dict(n_trials=1, study_name="lost", experiment="exp-lost", **TINY)
    tune(data, "dlinear", storage="a.journal", **study)
    _as_a_new_process()
    with caplog.at_level(logging.WARNING, logger="tsforge.tuning.tune"):
        tune(data, "dlinear", storage="b.journal", **study)  # another storage: a new study
    assert "study 'lost' has 1 trial run(s) in MLflow experiment 'exp-lost'" in caplog.text
    assert (cwd / "mlruns" / "mlflow.db").is_file()
    assert not (cwd / "mlflow.db").exists()


def test_best_value_curve_of_the_parent_run_never_steps_back(data, store, tune_small):
    """The summary re-logged ``best_value`` without a step: its history went (0, v), (1, v), (0, v)."""
    res = tune_small(data, store, "curve", n_trials=3, retrain=False)
    client = mlflow.MlflowClient()
    history = client.get_metric_history(res.parent_run_id, "best_value")
    last = max(m.step for m in history)
    assert last == 2
    per_step = Counter(m.step for m in history)
    assert all(per_step[s] == 1 for s in range(last))  # only the last step may be logged twice
    assert {m.value for m in history if m.step == last} == {res.best_value}
    parent = client.get_run(res.parent_run_id).data
    assert parent.metrics["best_value"] == res.best_value
    # ... and the run says in one line what it searched and found (it had no description)
    note = parent.tags["mlflow.note.content"]
    assert note.startswith("Tuning dlinear on ") and "horizon 8, 3 trials (study curve)" in note
    assert f"best val_mse {res.best_value:.4g} at trial {res.best_trial}" in note


class _Scores:
    """``pipeline.train`` stand-in whose trials score the given values, in order."""

    def __init__(self, values: list[float]) -> None:
        self.values = list(values)

    def __call__(self, data, **kwargs):
        return SimpleNamespace(run_id=None, metrics={"val_mse": self.values.pop(0)})


def test_the_parent_run_shows_the_best_value_not_the_last_trials(data, store, tune_small):
    """The parent run's ``trial_value`` was each trial's value, so the runs table and the run's
    metrics showed the last trial's (0.5) beside the study's best (0.3)."""
    res = tune_small(data, store, "parent-values", n_trials=2, retrain=False, train_fn=_Scores([0.3, 0.5]))
    metrics = mlflow.MlflowClient().get_run(res.parent_run_id).data.metrics
    assert {k: v for k, v in metrics.items() if k.endswith("value")} == {"best_value": 0.3}
    assert metrics["best_trial"] == 0
