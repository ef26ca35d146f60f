"""Where studies live and how they are created or resumed.

Default storage: **Optuna's journal file** ``optuna.journal`` *next to the MLflow tracking
store* (``mlruns/optuna.journal`` for the default ``sqlite:///mlruns/mlflow.db``; beside the
database wherever ``MLFLOW_TRACKING_URI`` points), never the working directory: a study's
trials and their MLflow runs must be found together, so ``--study NAME`` resumes the same study
from any directory. For a tracking *server* (``http://``, ``postgresql://``) the default is
``$TSFORGE_HOME/optuna.journal`` (``~/.tsforge/``); pass ``--storage`` to share across hosts.

Why a journal (``JournalStorage(JournalFileBackend(...))``) and not a SQLite file: the typical
way to use more than one core for tuning is to start a second ``tsforge tune`` with the same
``--study`` on the same machine. The journal backend is an append-only operation log guarded
by a file lock and is designed for exactly that (several processes, one host); several
processes writing one SQLite file also works, but every trial update takes SQLite's
database-wide write lock and busy workers then see ``database is locked`` retries. The journal
needs no server and no schema migrations.

For many machines pass any Optuna RDB URL with ``--storage`` (``postgresql://...``,
``mysql+pymysql://...``, or ``sqlite:///path.db``); a path ending in ``.journal``/``.log`` (or a
``journal:///path`` URL) selects a journal file elsewhere. File locks over NFS are not safe, so
use an RDB server across hosts.

Same study name = resume: :func:`open_study` always passes ``load_if_exists=True``. ``--trials``
is the study's **total**: a resumed study runs only the trials it still lacks
(:func:`finished_trials` counts complete, pruned and failed trials, not interrupted ones).
Workers sharing a study stop starting trials once it has the total, and those running finish, so N
workers can end up to N - 1 trials over it.

Several workers may open a new RDB storage at the same instant (README's recipe on an empty
database): the opens that collide while Optuna creates its tables are tried again (:func:`_rdb`).
"""

from __future__ import annotations

import logging
import os
import time
from pathlib import Path
from typing import Any

import optuna

from tsforge.errors import ConfigError
from tsforge.tracking.store import with_pg_driver

__all__ = [
    "DEFAULT_JOURNAL",
    "default_journal",
    "resolve_storage",
    "describe_storage",
    "make_pruner",
    "make_sampler",
    "open_study",
    "default_study_name",
    "finished_trials",
    "FINISHED_STATES",
    "INTERRUPTED_ATTR",
    "PRUNERS",
]

log = logging.getLogger(__name__)

#: The journal's file name; it lives beside the tracking store (:func:`default_journal`).
JOURNAL_NAME = "optuna.journal"
#: Default study store for tsforge's default tracking store ``sqlite:///mlruns/mlflow.db``.
DEFAULT_JOURNAL = Path("mlruns") / JOURNAL_NAME

_RDB_PREFIXES = ("sqlite:", "postgresql", "postgres:", "mysql", "oracle", "mssql")
_JOURNAL_SUFFIXES = (".journal", ".log", ".jsonl")

PRUNERS = ("median", "percentile", "hyperband", "none")


def _journal(path: Path) -> optuna.storages.BaseStorage:
    from optuna.storages.journal import JournalFileBackend, JournalStorage

    path.parent.mkdir(parents=True, exist_ok=True)
    return JournalStorage(JournalFileBackend(str(path)))


def default_journal(tracking_uri: str | None = None) -> Path:
    """Where the default journal lives: beside the tracking store (``MLFLOW_TRACKING_URI`` or
    tsforge's default), or ``$TSFORGE_HOME`` / ``~/.tsforge`` for a tracking server."""
    from tsforge.tracking.store import store_dir

    folder = store_dir(tracking_uri)
    if folder is None:
        home = os.environ.get("TSFORGE_HOME")
        folder = Path(home).expanduser() if home else Path.home() / ".tsforge"
    return folder / JOURNAL_NAME


def resolve_storage(storage: str | os.PathLike[str] | None = None) -> optuna.storages.BaseStorage:
    """Turn ``--storage`` into something ``optuna.create_study`` accepts.

    Args:
        storage: ``None`` → the default journal file beside the tracking store
            (:func:`default_journal`); a ``journal:///``
            URL or a path ending in ``.journal``/``.log``/``.jsonl`` → that journal file; an RDB URL
            (``sqlite:///``, ``postgresql://``, ``mysql://``, ...) → an ``RDBStorage`` (SQLite gets a
            30 s busy timeout so that concurrent writers wait instead of failing).

    Raises:
        ConfigError: anything else (the message lists the accepted forms).
    """
    if storage is None or str(storage).strip() == "":
        return _journal(default_journal())
    text = str(storage).strip()
    if text.startswith("journal://"):
        path = text[len("journal://") :]
        if not path:
            raise ConfigError(
                "journal storage URL needs a path, e.g. journal:///tmp/study.journal", field="storage"
            )
        return _journal(Path(path))
    if text.startswith(_RDB_PREFIXES):
        text = with_pg_driver(text)
        engine_kwargs: dict[str, Any] = {}
        if text.startswith("sqlite:///"):
            Path(text[len("sqlite:///") :]).parent.mkdir(parents=True, exist_ok=True)
            engine_kwargs = {"connect_args": {"timeout": 30}}
        return _rdb(text, engine_kwargs)
    if "://" not in text and text.endswith(_JOURNAL_SUFFIXES):
        return _journal(Path(text))
    raise ConfigError(
        f"unrecognised storage {text!r}: use an RDB URL (sqlite:///f.db, postgresql://...), "
        "a journal file path ending in .journal, or journal:///path",
        field="storage",
    )


#: Tries at opening an RDB storage whose tables other processes are creating at that moment.
_SCHEMA_RACE_TRIES = 10
#: Optuna's table that every RDB storage holds once any process has created the schema.
_OPTUNA_TABLE = "studies"


def _rdb(url: str, engine_kwargs: dict[str, Any]) -> optuna.storages.BaseStorage:
    """An ``RDBStorage`` for ``url``, or a one-line :class:`ConfigError` naming ``--storage``.

    Why a one-line error: ``RDBStorage`` connects (and creates its tables) at once, so a server
    that is down, a database that does not exist or a missing driver surfaced as a 150-line
    SQLAlchemy traceback with exit code 1 instead of an error about the option the user typed.
    The URL in the message goes through :func:`describe_storage`, so a password never reaches the
    terminal.

    Why the retries: Optuna creates its tables (and stamps their version) when a storage is first
    opened, each step a check-then-create. Two ``tsforge tune`` workers started together on an
    empty database (README's recipe) both found no table and both created them: one failed with
    PostgreSQL's ``duplicate key value violates unique constraint "pg_type_typname_nsp_index"``
    (SQLite: ``table studies already exists``; MySQL: ``Table 'studies' already exists``), blamed
    on ``--storage``. When an open fails and the database then holds Optuna's tables, another
    process made them meanwhile, so the open is tried again and now finds them (a few steps can
    collide, hence several tries). An error that leaves no table behind (server down, no such
    database, no right to create tables) is raised at once, as an error that persists on an
    existing schema is after the last try.
    """
    for attempt in range(1, _SCHEMA_RACE_TRIES + 1):
        try:
            return optuna.storages.RDBStorage(url, engine_kwargs=engine_kwargs)
        except ImportError as exc:
            raise ConfigError(
                f"cannot open storage {describe_storage(url)}: its database driver is not installed ({exc})",
                field="storage",
            ) from None
        except Exception as exc:  # noqa: BLE001 - SQLAlchemy's errors share no base tsforge imports
            if not _database_error(exc):
                raise
            if attempt < _SCHEMA_RACE_TRIES and _holds_optuna_tables(url, engine_kwargs):
                log.debug("%s: its tables were made meanwhile (%s); trying again", describe_storage(url), exc)
                # a database without DDL transactions (SQLite, MySQL) shows the other process's
                # tables one by one: give it the time of its next step
                time.sleep(0.05 * attempt)
                continue
            reason = str(getattr(exc, "orig", None) or exc).strip().splitlines()
            raise ConfigError(
                f"cannot open storage {describe_storage(url)}: {reason[0] if reason else type(exc).__name__}",
                field="storage",
            ) from None
    raise AssertionError("unreachable: the last try returns or raises")


def _database_error(exc: BaseException) -> bool:
    """Whether ``exc`` comes from the database layer (SQLAlchemy or a driver), not from tsforge."""
    return type(exc).__module__.split(".")[0] in ("sqlalchemy", "psycopg", "psycopg2", "sqlite3", "pymysql")


def _holds_optuna_tables(url: str, engine_kwargs: dict[str, Any]) -> bool:
    """Whether the database at ``url`` holds Optuna's tables now (``False`` if it cannot be read)."""
    import sqlalchemy

    try:
        engine = sqlalchemy.create_engine(url, **engine_kwargs)
    except Exception:  # noqa: BLE001 - the caller raises the open's own error
        return False
    try:
        return bool(sqlalchemy.inspect(engine).has_table(_OPTUNA_TABLE))
    except Exception:  # noqa: BLE001 - as above
        return False
    finally:
        engine.dispose()


def describe_storage(storage: optuna.storages.BaseStorage | str) -> str:
    """A short human-readable name of a storage (for logs and MLflow params); never a password."""
    if isinstance(storage, optuna.storages.RDBStorage):
        storage = str(storage.url)
    if isinstance(storage, str):
        from urllib.parse import urlsplit, urlunsplit

        parts = urlsplit(storage)
        if parts.password:
            netloc = parts.netloc.replace(f":{parts.password}@", ":***@")
            return urlunsplit(parts._replace(netloc=netloc))
        return storage
    backend = getattr(storage, "_backend", None)
    path = getattr(backend, "_file_path", None)
    if path is not None:
        return f"journal:///{os.fspath(path).lstrip('/')}" if os.path.isabs(path) else f"journal file {path}"
    return type(storage).__name__


def make_pruner(
    name: str = "median", *, n_startup_trials: int = 3, n_warmup_steps: int = 1
) -> optuna.pruners.BasePruner:
    """The pruner fed by per-epoch validation loss.

    ``median`` (default) stops a trial whose validation loss at an epoch is worse than the median
    of earlier trials at the same epoch, after ``n_startup_trials`` complete trials and
    ``n_warmup_steps`` epochs; it has no budget assumptions, which suits early-stopped training
    whose epoch count varies. ``hyperband`` suits long fixed budgets.
    """
    key = name.strip().lower()
    if key == "median":
        return optuna.pruners.MedianPruner(n_startup_trials=n_startup_trials, n_warmup_steps=n_warmup_steps)
    if key == "percentile":
        return optuna.pruners.PercentilePruner(
            25.0, n_startup_trials=n_startup_trials, n_warmup_steps=n_warmup_steps
        )
    if key == "hyperband":
        return optuna.pruners.HyperbandPruner()
    if key == "none":
        return optuna.pruners.NopPruner()
    raise ConfigError(f"unknown pruner {name!r}; choose one of {', '.join(PRUNERS)}", field="pruner")


def make_sampler(
    seed: int | None, n_existing: int = 0, *, n_startup_trials: int = 10
) -> optuna.samplers.BaseSampler:
    """TPE sampler (multivariate + constant liar are Optuna 5's defaults, good for parallel workers).

    The sampler seed is ``seed + n_existing`` so that a fresh single-process study is
    reproducible while a resumed study does not replay the random start-up points it already
    tried. Parallel workers should be given different ``seed`` values for the same reason.
    """
    sampler_seed = None if seed is None else int(seed) + int(n_existing)
    return optuna.samplers.TPESampler(seed=sampler_seed, n_startup_trials=n_startup_trials)


def default_study_name(model: str, dataset: str, horizon: int | None) -> str:
    """``<model>-<dataset>-h<H>``: rerunning the same command resumes the same study."""
    stem = Path(str(dataset)).name
    for suffix in (".gz", ".csv", ".parquet", ".pq"):
        stem = stem.removesuffix(suffix)
    return f"{model}-{stem}" + (f"-h{horizon}" if horizon else "")


def open_study(
    name: str,
    storage: str | os.PathLike[str] | optuna.storages.BaseStorage | None = None,
    *,
    seed: int | None = 2024,
    pruner: optuna.pruners.BasePruner | str = "median",
    n_startup_trials: int = 10,
    user_attrs: dict[str, Any] | None = None,
) -> optuna.Study:
    """Create the study ``name`` or load it if it exists (``load_if_exists=True`` = resume).

    Args:
        name: study name; the same name in the same storage continues the same search.
        storage: see :func:`resolve_storage` (or an Optuna storage object).
        seed: TPE seed (``None`` = random); see :func:`make_sampler`.
        pruner: a pruner or a name from :data:`PRUNERS`.
        n_startup_trials: random trials before TPE starts modelling.
        user_attrs: set on a *new* study only (e.g. the model and dataset it searches), and
            checked against an existing one so that a study is not resumed for another model.

    Raises:
        ConfigError: the existing study was created for different settings (``user_attrs``).
    """
    if not name or not name.strip():
        raise ConfigError("study name must not be empty", field="study")
    store = storage if isinstance(storage, optuna.storages.BaseStorage) else resolve_storage(storage)
    if isinstance(pruner, str):
        pruner = make_pruner(pruner)
    existing = _count_trials(store, name)
    study = optuna.create_study(
        storage=store,
        study_name=name,
        direction="minimize",
        sampler=make_sampler(seed, existing, n_startup_trials=n_startup_trials),
        pruner=pruner,
        load_if_exists=True,
    )
    attrs = dict(user_attrs or {})
    current = study.user_attrs
    for key, value in attrs.items():
        if key in current and current[key] != value:
            said = f"study {name!r} was created with {key}={current[key]!r}, not {value!r}; use another "
            raise ConfigError(
                said + "study name to search a different setting",
                cli_message=said + "--study name to search a different setting",
                field="study",
            )
        if key not in current:
            study.set_user_attr(key, value)
    if existing:
        log.info("resuming study %r with %d existing trials", name, existing)
    return study


#: Trial states that count towards a study's ``--trials`` total (an interrupted trial does not).
FINISHED_STATES = (
    optuna.trial.TrialState.COMPLETE,
    optuna.trial.TrialState.PRUNED,
    optuna.trial.TrialState.FAIL,
)
INTERRUPTED_ATTR = "interrupted"


def finished_trials(study: optuna.Study) -> int:
    """Trials that ran to an end: complete, pruned, or failed by an error. A trial stopped by
    Ctrl-C/SIGTERM (Optuna records it as FAIL, tagged ``interrupted``) does not count, so a
    resumed study runs it again."""
    return sum(
        1
        for t in study.get_trials(deepcopy=False, states=FINISHED_STATES)
        if not t.user_attrs.get(INTERRUPTED_ATTR)
    )


def _count_trials(storage: optuna.storages.BaseStorage, name: str) -> int:
    """Trials already in ``name`` (0 when the study does not exist yet)."""
    try:
        study_id = storage.get_study_id_from_name(name)
    except KeyError:
        return 0
    return len(storage.get_all_trials(study_id, deepcopy=False))
