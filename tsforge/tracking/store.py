"""Where runs go: the tracking URI and one experiment per dataset.

Default store: ``sqlite:///mlruns/mlflow.db`` with artifacts under ``mlruns/artifacts/`` (next
to the database), unless ``MLFLOW_TRACKING_URI`` is set. SQLite (not the ``./mlruns`` file
store, which MLflow ≥ 3.13 refuses by default) also gives us the model registry.

Why one ``artifacts/`` folder beside the database (not one folder per experiment name): with
the store in the working directory (``sqlite:///mlflow.db``) an experiment called ``etth1``
used to create ``./etth1/`` there, a folder carrying a dataset's name. Everything a store
writes now lives under the database's folder in ``artifacts/`` (one sub-folder per experiment
inside it) and, for tuning, ``optuna.journal`` (:func:`store_dir`).
"""

from __future__ import annotations

import json
import os
import re
import threading
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

__all__ = [
    "DEFAULT_TRACKING_URI",
    "ARTIFACTS_DIR",
    "configure_tracking",
    "get_experiment_id",
    "artifact_root",
    "store_dir",
    "tracking_uri",
    "runs_view",
    "VIEW_KEY",
]

#: The one folder (beside the SQLite database) that holds every experiment's artifacts.
ARTIFACTS_DIR = "artifacts"

DEFAULT_TRACKING_URI = "sqlite:///mlruns/mlflow.db"


def _sqlite_path(uri: str) -> Path | None:
    if not uri.startswith("sqlite:///"):
        return None
    return Path(uri[len("sqlite:///") :])


def store_dir(uri: str | None = None) -> Path | None:
    """The local folder a tracking store lives in: the SQLite database's folder, or a file
    store's root; ``None`` for a server (``http://``, ``postgresql://``, ...)."""
    uri = tracking_uri(uri)
    db = _sqlite_path(uri)
    if db is not None:
        return db.parent.resolve()
    parsed = urlparse(uri)
    if parsed.scheme in ("", "file"):
        return Path(parsed.path or uri).resolve()
    return None


def artifact_root(uri: str) -> str | None:
    """Artifact folder of a local store: ``<database folder>/artifacts`` for SQLite, the root of a
    file store; ``None`` for a server (it has its own artifact location)."""
    folder = store_dir(uri)
    if folder is None:
        return None
    return (folder / ARTIFACTS_DIR).as_uri() if _sqlite_path(uri) is not None else folder.as_uri()


def tracking_uri(uri: str | None = None) -> str:
    """The store in use: ``uri``, else ``MLFLOW_TRACKING_URI``, else the default SQLite store
    (``mlruns/mlflow.db`` under the working directory, as an absolute path).

    Why absolute: MLflow keeps one store per URI *string* for the life of the process, so the
    relative default, used again after a change of working directory (a notebook's ``os.chdir``,
    one test after another), wrote its runs into the first directory's database while their
    artifacts went under the new one's ``mlruns/``.
    """
    chosen = uri or os.environ.get("MLFLOW_TRACKING_URI")
    if not chosen:
        chosen = f"sqlite:///{(Path.cwd() / DEFAULT_TRACKING_URI.removeprefix('sqlite:///')).as_posix()}"
    return with_pg_driver(chosen)


def with_pg_driver(url: str) -> str:
    """``postgresql://`` / ``postgres://`` → ``postgresql+psycopg://``.

    Why: SQLAlchemy reads a bare ``postgresql://`` as "use psycopg2", which tsforge does not
    install; its PostgreSQL driver is psycopg 3 (``psycopg[binary]``). An explicit driver
    (``postgresql+psycopg2://...``) is left alone.
    """
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def configure_tracking(uri: str | None = None) -> str:
    """Point MLflow at ``uri`` (or ``MLFLOW_TRACKING_URI``, or the default SQLite store)."""
    import mlflow

    uri = tracking_uri(uri)
    db = _sqlite_path(uri)
    if db is not None:
        db.parent.mkdir(parents=True, exist_ok=True)
        _create_sqlite_store(uri, db)
    mlflow.set_tracking_uri(uri)
    mlflow.set_registry_uri(uri)
    return uri


_created: set[Path] = set()
_created_lock = threading.Lock()


def _create_sqlite_store(uri: str, db: Path) -> None:
    """Create (or migrate) a SQLite store's tables while holding a lock on its folder, once per
    process and database.

    Why: MLflow creates a new SQLite store's tables in whichever process touches it first, with
    no lock. Two ``tsforge train`` runs started together on a new store both ran the migrations,
    and one died with a traceback (``duplicate column name: step``, or alembic's "expected to
    match one row"). Under the folder lock only the first process migrates; the others find the
    tables there. Where ``fcntl`` is missing (Windows) MLflow's own creation is left as it was.
    """
    key = db.resolve()
    with _created_lock:
        if key in _created:
            return
        try:
            import fcntl
        except ImportError:
            _created.add(key)
            return
        import mlflow

        folder = os.open(db.parent, os.O_RDONLY)
        try:
            fcntl.flock(folder, fcntl.LOCK_EX)
            client = mlflow.MlflowClient(tracking_uri=uri, registry_uri=uri)
            client.search_experiments(max_results=1)  # builds the tracking tables if missing
            client.search_registered_models(max_results=1)  # and the registry's
        finally:
            os.close(folder)  # closing the descriptor releases the lock
        _created.add(key)


def _safe(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "-", name).strip("-") or "default"


_NOTE = "mlflow.note.content"  # where the MLflow UI keeps an experiment's description
# The MLflow 3 UI opens an experiment in its GenAI (traces) view unless told it holds model
# training runs; tsforge experiments open on the runs table.
_KIND_TAG, _KIND = "mlflow.experimentKind", "custom_model_development"


#: Name of the runs-table view tsforge saves on its experiments (``?viewStateShareKey=tsforge``).
VIEW_KEY = "tsforge"
_VIEW_TAG = f"mlflow.sharedViewState.{VIEW_KEY}"


def runs_view(metrics: Sequence[str], params: Sequence[str] = ()) -> str:
    """A saved runs-table view (MLflow's shared-view JSON): the dataset and model columns, the
    headline ``metrics`` and key ``params`` as columns, sorted by the first metric, best first.

    Why: MLflow's runs table shows no metric column until someone picks them; a reviewer opening
    the experiment's link (in its description) sees the scores side by side at once.
    """

    def col(kind: str, key: str) -> str:
        return f"{kind}.`{key}`"

    columns = [col("attributes", k) for k in ("Dataset", "Models", "Source")]
    columns += [col("metrics", m) for m in metrics] + [col("params", p) for p in params]
    state: dict[str, Any] = {"selectedColumns": columns}
    if metrics:
        state.update(orderByKey=col("metrics", metrics[0]), orderByAsc=True)
    return json.dumps(state)


def _set_tag_once(client: Any, experiment_id: str, key: str, value: str) -> None:
    """Set an experiment tag that another process may be setting at the same instant.

    Why: worker processes sharing a tracking server (``tsforge tune`` workers on one study)
    open the same experiment together; both see a tag missing and both insert it, and a SQL
    backend refuses the second insert (unique key). Losing that race is fine when the tag
    now exists; any other failure is raised.
    """
    try:
        client.set_experiment_tag(experiment_id, key, value)
    except Exception:
        if key not in (client.get_experiment(experiment_id).tags or {}):
            raise


def get_experiment_id(
    name: str,
    *,
    description: str | None = None,
    tags: Mapping[str, Any] | None = None,
    view_metrics: Sequence[str] = (),
    view_params: Sequence[str] = (),
) -> str:
    """The experiment called ``name`` (created with artifacts under the store's ``artifacts/``).

    ``description`` and ``tags`` are what the MLflow UI shows above the experiment's runs; they
    are set when the experiment has no description yet (a description someone edited in the
    UI is kept), tags only where the experiment lacks them. With ``view_metrics`` the experiment
    also gets a saved runs-table view of those scores (:func:`runs_view`), linked from its
    description.
    """
    import mlflow

    client = mlflow.MlflowClient()
    exp = client.get_experiment_by_name(name)
    if exp is None:
        root = artifact_root(mlflow.get_tracking_uri())
        location = f"{root}/{_safe(name)}" if root else None
        try:
            exp_id = client.create_experiment(name, artifact_location=location)
        except Exception:  # created concurrently by another process
            exp = client.get_experiment_by_name(name)
            if exp is None:
                raise
            exp_id = exp.experiment_id
        exp = client.get_experiment(exp_id)
    existing = dict(exp.tags or {})
    wanted: dict[str, str] = {_KIND_TAG: _KIND}
    if view_metrics:
        wanted[_VIEW_TAG] = runs_view(view_metrics, view_params)
    if description and not existing.get(_NOTE):
        if view_metrics:
            description += (
                f"\n\n[Runs table with the headline scores]"
                f"(#/experiments/{exp.experiment_id}/runs?viewStateShareKey={VIEW_KEY})"
            )
        wanted[_NOTE] = description
    wanted.update({str(k): str(v) for k, v in (tags or {}).items() if str(k) not in wanted})
    for key, value in wanted.items():
        if key not in existing or (key == _NOTE and not existing.get(_NOTE)):
            _set_tag_once(client, exp.experiment_id, key, value)
    return exp.experiment_id
