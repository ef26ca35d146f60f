"""The tracking store: driver naming for PostgreSQL URIs and experiment tags that several
processes set at once."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from tsforge.tracking import store


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("postgresql://u@127.0.0.1/db", "postgresql+psycopg://u@127.0.0.1/db"),
        ("postgres://u@127.0.0.1/db", "postgresql+psycopg://u@127.0.0.1/db"),
        ("postgresql+psycopg2://u@h/db", "postgresql+psycopg2://u@h/db"),
        ("http://127.0.0.1:5000", "http://127.0.0.1:5000"),
    ],
)
def test_tracking_uri_names_the_installed_postgres_driver(given, expected, monkeypatch):
    monkeypatch.setenv("MLFLOW_TRACKING_URI", given)
    assert store.tracking_uri() == expected
    assert store.tracking_uri(given) == expected


class _RacingClient:
    """A client whose tag insert fails as a SQL backend does when another process won the race."""

    def __init__(self, other_process_sets_it: bool) -> None:
        self.tags: dict[str, str] = {}
        self.other = other_process_sets_it

    def set_experiment_tag(self, experiment_id, key, value):
        if self.other:
            self.tags[key] = "set by the other process"
        raise RuntimeError("duplicate key value violates unique constraint")

    def get_experiment(self, experiment_id):
        return SimpleNamespace(tags=self.tags)


def test_losing_the_tag_race_to_another_process_is_not_an_error():
    client = _RacingClient(other_process_sets_it=True)
    store._set_tag_once(client, "1", "mlflow.experimentKind", "custom_model_development")
    assert client.tags == {"mlflow.experimentKind": "set by the other process"}


def test_a_tag_failure_nobody_recovered_from_is_raised():
    with pytest.raises(RuntimeError, match="duplicate key"):
        store._set_tag_once(_RacingClient(other_process_sets_it=False), "1", "k", "v")


def test_the_default_store_follows_the_working_directory(tmp_path, monkeypatch):
    """MLflow keeps one store per URI string for the life of a process: the relative default used
    again from a second working directory wrote its runs into the first one's database, while
    tsforge put their artifacts under the second (a tuning test failed on CI when another test
    had used the default store before it in the same worker)."""
    import sqlite3
    from contextlib import closing

    from tsforge.tracking.runs import tracked_run

    for name in ("first", "second"):
        folder = tmp_path / name
        folder.mkdir()
        monkeypatch.chdir(folder)
        # a fresh default each time (MLflow exports the URI it is given to the environment)
        monkeypatch.delenv("MLFLOW_TRACKING_URI", raising=False)
        with tracked_run(experiment=f"exp-{name}", run_name=name):
            pass
        db = folder / "mlruns" / "mlflow.db"
        with closing(sqlite3.connect(db)) as con:
            names = {row[0] for row in con.execute("select name from experiments")}
        assert f"exp-{name}" in names, (name, names)
