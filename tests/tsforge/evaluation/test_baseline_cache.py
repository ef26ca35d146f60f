"""A tuning study trains its model many times on the same windows, reading the data again for
each trial: the baseline the skill is read against is scored once per data and windows, not
once per trial (it cost 0.4 s a trial on ETTh1 and 4.2 s on Weather)."""

from __future__ import annotations

import importlib

import pytest

from tests.conftest import make_series
from tsforge.data.task import prepare_task
from tsforge.evaluation.baseline import skill_scores, task_baseline

# the module, not the function ``tsforge.evaluation`` re-exports under the same name
evaluate_module = importlib.import_module("tsforge.evaluation.evaluate")


@pytest.fixture
def evaluations(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The splits ``evaluate`` scored, in order (it is called through its module)."""
    calls: list[str] = []
    real = evaluate_module.evaluate

    def counting(forecaster, task, split="test", **kwargs):
        calls.append(split)
        return real(forecaster, task, split, **kwargs)

    monkeypatch.setattr(evaluate_module, "evaluate", counting)
    return calls


def _task(seed: int = 0, input_len: int = 48, horizon: int = 12):
    # a fresh TimeSeriesData and task each time, as a tuning trial reads the data again
    return prepare_task(make_series(n_steps=600, n_channels=2, seed=seed), input_len, horizon)


def test_the_same_data_and_windows_score_the_baseline_once(evaluations):
    first = skill_scores(_task(seed=11), {"val": 0.5, "test": 0.5})
    again = skill_scores(_task(seed=11), {"val": 0.4, "test": 0.6})
    assert evaluations == ["val", "test"]  # the second task, equal in content, scored nothing
    assert again["val_baseline_mse"] == first["val_baseline_mse"]
    assert again["val_skill"] == pytest.approx(1 - 0.4 / first["val_baseline_mse"])
    assert again["test_skill"] == pytest.approx(1 - 0.6 / first["test_baseline_mse"])


def test_other_data_windows_or_strides_are_scored_again(evaluations):
    base = skill_scores(_task(seed=12), {"test": 0.5})
    other_data = skill_scores(_task(seed=13), {"test": 0.5})
    skill_scores(_task(seed=12, horizon=24), {"test": 0.5})
    skill_scores(_task(seed=12), {"test": 0.5}, stride=4)
    assert evaluations == ["test"] * 4
    assert other_data["test_baseline_mse"] != base["test_baseline_mse"]


def test_a_remembered_score_is_the_baseline_scored_directly(evaluations):
    task = _task(seed=14)
    skill_scores(task, {"test": 0.5})
    remembered = skill_scores(_task(seed=14), {"test": 0.5})["test_baseline_mse"]
    _, forecaster = task_baseline(task)
    direct = evaluate_module.evaluate(forecaster, task, "test").normalized["mse"]
    assert remembered == pytest.approx(direct, rel=1e-12)
