"""Workers that open one new RDB storage at the same instant all get it: the first open creates
Optuna's tables, and an open that collided with another process creating them tries again
(README's recipe of two ``tsforge tune --storage ...`` on an empty database lost one worker to
"duplicate key value ..." / "table studies already exists", blamed on ``--storage``)."""

from __future__ import annotations

import threading
from pathlib import Path

import optuna
import pytest
import sqlalchemy

from tsforge.errors import ConfigError
from tsforge.tuning import study as study_module
from tsforge.tuning.study import resolve_storage

#: openers per round and rounds: 4 threads on a new SQLite file collided in every one of 5
#: rounds before the retry (two would lose now and then)
OPENERS, ROUNDS = 4, 3


def open_at_once(url: str, openers: int = OPENERS) -> list[object]:
    """``resolve_storage(url)`` from ``openers`` threads released together (each its own engine);
    what each returned or raised."""
    barrier = threading.Barrier(openers)
    results: list[object] = [None] * openers

    def open_one(i: int) -> None:
        barrier.wait()
        try:
            results[i] = resolve_storage(url)
        except Exception as exc:  # noqa: BLE001 - the test reports it
            results[i] = exc

    threads = [threading.Thread(target=open_one, args=(i,)) for i in range(openers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    return results


@pytest.mark.parametrize("round_", range(ROUNDS))
def test_openers_of_a_new_sqlite_storage_at_once_all_get_it(tmp_path: Path, round_: int) -> None:
    url = f"sqlite:///{tmp_path}/study.db"
    results = open_at_once(url)
    errors = [r for r in results if isinstance(r, BaseException)]
    assert not errors, errors
    stores = [r for r in results if isinstance(r, optuna.storages.RDBStorage)]
    assert len(stores) == OPENERS
    # one schema that every opener shares: a study made through one is seen through another
    optuna.create_study(storage=stores[0], study_name="shared")
    assert [s.study_name for s in optuna.get_all_study_summaries(stores[-1])] == ["shared"]


def _failing_open(calls: list[str], error: Exception) -> type[optuna.storages.RDBStorage]:
    """An ``RDBStorage`` whose every open fails with ``error`` (each URL noted in ``calls``)."""

    class FailingStorage(optuna.storages.RDBStorage):
        def __init__(self, url: str, **_: object) -> None:
            calls.append(url)
            raise error

    return FailingStorage


def test_an_error_that_leaves_no_table_is_raised_at_once(tmp_path: Path, monkeypatch) -> None:
    """A real failure (here: an open that creates nothing) is not retried: one open, one line."""
    calls: list[str] = []
    error = sqlalchemy.exc.OperationalError("CREATE TABLE studies", {}, Exception("disk I/O error"))
    monkeypatch.setattr(optuna.storages, "RDBStorage", _failing_open(calls, error))
    with pytest.raises(ConfigError, match="cannot open storage .*: disk I/O error") as info:
        resolve_storage(f"sqlite:///{tmp_path}/empty.db")
    assert len(calls) == 1
    assert info.value.where["field"] == "storage"


def test_an_error_on_an_existing_schema_is_raised_after_the_tries(tmp_path: Path, monkeypatch) -> None:
    """Tables present but every open failing (not a race that the next try wins): the error is
    said after a bounded number of tries, not hidden and not retried for ever."""
    url = f"sqlite:///{tmp_path}/study.db"
    optuna.storages.RDBStorage(url)  # Optuna's tables exist
    calls: list[str] = []
    error = sqlalchemy.exc.OperationalError("SELECT", {}, Exception("attempt to write a readonly database"))
    monkeypatch.setattr(optuna.storages, "RDBStorage", _failing_open(calls, error))
    with pytest.raises(ConfigError, match="readonly database"):
        resolve_storage(url)
    assert len(calls) == study_module._SCHEMA_RACE_TRIES
