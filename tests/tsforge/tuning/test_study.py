"""Study storage, create-or-resume and pruner selection (no MLflow, no training)."""

from __future__ import annotations

import optuna
import pytest
from optuna.storages import JournalStorage, RDBStorage

from tsforge.errors import ConfigError
from tsforge.tuning.study import (
    DEFAULT_JOURNAL,
    default_journal,
    default_study_name,
    describe_storage,
    make_pruner,
    open_study,
    resolve_storage,
)


def test_default_storage_is_a_journal_file_under_mlruns(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("MLFLOW_TRACKING_URI", raising=False)  # tsforge's default store: mlruns/
    store = resolve_storage(None)
    assert isinstance(store, JournalStorage)
    study = open_study("s", store)
    study.optimize(lambda t: t.suggest_float("x", 0, 1), n_trials=1)
    assert (tmp_path / DEFAULT_JOURNAL).is_file()
    assert DEFAULT_JOURNAL.parts[0] == "mlruns"


def test_storage_forms(tmp_path):
    assert isinstance(resolve_storage(tmp_path / "a" / "s.journal"), JournalStorage)
    assert isinstance(resolve_storage(f"journal://{tmp_path}/b.journal"), JournalStorage)
    rdb = resolve_storage(f"sqlite:///{tmp_path}/sub/optuna.db")
    assert isinstance(rdb, RDBStorage)
    assert "optuna.db" in describe_storage(rdb)
    with pytest.raises(ConfigError, match="unrecognised storage"):
        resolve_storage("ftp://host/x")
    with pytest.raises(ConfigError, match="storage"):
        resolve_storage("journal://")


def test_describe_storage_hides_passwords():
    assert (
        describe_storage("postgresql://user:secret@db:5432/optuna") == "postgresql://user:***@db:5432/optuna"
    )


@pytest.mark.parametrize("kind", ["journal", "sqlite"])
def test_same_name_resumes_and_adds_trials(tmp_path, kind):
    url = str(tmp_path / "s.journal") if kind == "journal" else f"sqlite:///{tmp_path}/s.db"
    first = open_study("resume-me", url, seed=1)
    first.optimize(lambda t: (t.suggest_float("x", -1, 1)) ** 2, n_trials=3)
    second = open_study("resume-me", url, seed=1)
    assert len(second.trials) == 3
    second.optimize(lambda t: (t.suggest_float("x", -1, 1)) ** 2, n_trials=2)
    numbers = [t.number for t in open_study("resume-me", url).trials]
    assert numbers == [0, 1, 2, 3, 4]
    # The resumed sampler is reseeded (seed + existing trials): no replay of the first draws.
    xs = [t.params["x"] for t in open_study("resume-me", url).trials]
    assert len(set(xs)) == 5


def test_fresh_study_with_equal_seed_is_reproducible(tmp_path):
    def draws(name):
        s = open_study(name, tmp_path / "r.journal", seed=7)
        s.optimize(lambda t: t.suggest_float("x", 0, 1), n_trials=4)
        return [t.params["x"] for t in s.trials]

    assert draws("a") == draws("b")


def test_resuming_for_another_setting_is_refused(tmp_path):
    url = tmp_path / "s.journal"
    open_study("s", url, user_attrs={"model": "dlinear", "horizon": 12})
    open_study("s", url, user_attrs={"model": "dlinear", "horizon": 12})  # same setting: fine
    with pytest.raises(ConfigError, match="horizon=12"):
        open_study("s", url, user_attrs={"model": "dlinear", "horizon": 24})
    with pytest.raises(ConfigError, match="empty"):
        open_study(" ", url)


def test_pruners():
    assert isinstance(make_pruner("median"), optuna.pruners.MedianPruner)
    assert isinstance(make_pruner("none"), optuna.pruners.NopPruner)
    assert isinstance(make_pruner("Hyperband"), optuna.pruners.HyperbandPruner)
    with pytest.raises(ConfigError, match="unknown pruner"):
        make_pruner("asha")


def test_default_study_name():
    assert default_study_name("dlinear", "etth1", 96) == "dlinear-etth1-h96"
    assert default_study_name("nlinear", "/data/my.csv.gz", 12) == "nlinear-my-h12"


def test_default_journal_lives_beside_the_tracking_store_not_the_working_directory(tmp_path, monkeypatch):
    store_dir = tmp_path / "store"
    monkeypatch.setenv("MLFLOW_TRACKING_URI", f"sqlite:///{store_dir}/mlflow.db")
    for cwd in ("a", "b"):
        (tmp_path / cwd).mkdir()
        monkeypatch.chdir(tmp_path / cwd)
        assert default_journal() == store_dir / "optuna.journal"
        study = open_study("same", resolve_storage(None))
        study.optimize(lambda t: t.suggest_float("x", 0, 1), n_trials=1)
    assert len(open_study("same", store_dir / "optuna.journal").trials) == 2
    assert not (tmp_path / "a" / "mlruns").exists() and not (tmp_path / "b" / "mlruns").exists()
    monkeypatch.setenv("MLFLOW_TRACKING_URI", "http://127.0.0.1:5000")
    monkeypatch.setenv("TSFORGE_HOME", str(tmp_path / "home"))
    assert default_journal() == tmp_path / "home" / "optuna.journal"
