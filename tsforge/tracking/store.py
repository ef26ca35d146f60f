"""Where runs go: the tracking URI and one experiment per dataset.

Default store: ``sqlite:///mlruns/mlflow.db`` with artifacts under ``mlruns/`` (next to the
database), unless ``MLFLOW_TRACKING_URI`` is set. SQLite (not the ``./mlruns`` file store,
which MLflow ≥ 3.13 refuses by default) also gives us the model registry.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from urllib.parse import urlparse

__all__ = ["DEFAULT_TRACKING_URI", "configure_tracking", "get_experiment_id", "artifact_root"]

DEFAULT_TRACKING_URI = "sqlite:///mlruns/mlflow.db"


def _sqlite_path(uri: str) -> Path | None:
    if not uri.startswith("sqlite:///"):
        return None
    return Path(uri[len("sqlite:///") :])


def artifact_root(uri: str) -> str | None:
    """Artifact folder for a SQLite store: the database's folder (``mlruns/``)."""
    db = _sqlite_path(uri)
    if db is None:
        parsed = urlparse(uri)
        if parsed.scheme in ("", "file"):
            return Path(parsed.path or uri).resolve().as_uri()
        return None
    return db.parent.resolve().as_uri()


def configure_tracking(uri: str | None = None) -> str:
    """Point MLflow at ``uri`` (or ``MLFLOW_TRACKING_URI``, or the default SQLite store)."""
    import mlflow

    uri = uri or os.environ.get("MLFLOW_TRACKING_URI") or DEFAULT_TRACKING_URI
    db = _sqlite_path(uri)
    if db is not None:
        db.parent.mkdir(parents=True, exist_ok=True)
    mlflow.set_tracking_uri(uri)
    mlflow.set_registry_uri(uri)
    return uri


def _safe(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "-", name).strip("-") or "default"


def get_experiment_id(name: str) -> str:
    """The experiment called ``name`` (created with artifacts under the store's folder)."""
    import mlflow

    client = mlflow.MlflowClient()
    exp = client.get_experiment_by_name(name)
    if exp is not None:
        return exp.experiment_id
    root = artifact_root(mlflow.get_tracking_uri())
    location = f"{root}/{_safe(name)}" if root else None
    try:
        return client.create_experiment(name, artifact_location=location)
    except Exception:  # created concurrently by another process
        exp = client.get_experiment_by_name(name)
        if exp is None:
            raise
        return exp.experiment_id
