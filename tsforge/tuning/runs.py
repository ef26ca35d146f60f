"""MLflow bookkeeping of a tuning session: the parent run, child-run statuses, lookups.

All of tuning's direct ``mlflow`` calls live here (the trials themselves are logged by
``tsforge.pipeline.train`` through ``tsforge.tracking``), so the study logic stays testable
without a tracking server.

Layout in MLflow: one *parent* run per ``tsforge tune`` process (tagged with the study name),
one nested *child* run per trial (tags ``tsforge.study``, ``tsforge.trial``,
``tsforge.trial_state``), and a child run ``best`` that retrains the best parameters and is
registered. Several workers on one study each have their own parent run; every trial of the
study is found by its ``tsforge.study`` tag (:func:`study_runs`).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from pathlib import Path
from typing import Any

__all__ = [
    "STUDY_TAG",
    "TRIAL_TAG",
    "STATE_TAG",
    "start_parent_run",
    "end_parent_run",
    "close_children",
    "set_run_status",
    "set_run_tags",
    "find_trial_run",
    "study_runs",
    "log_parent_params",
    "log_parent_metrics",
    "log_parent_artifacts",
    "log_parent_dict",
]

log = logging.getLogger(__name__)

STUDY_TAG = "tsforge.study"
TRIAL_TAG = "tsforge.trial"
STATE_TAG = "tsforge.trial_state"
ROLE_TAG = "tsforge.role"


def start_parent_run(experiment: str, run_name: str, tags: dict[str, str]) -> str:
    """Configure tracking, select ``experiment`` (nested runs inherit it) and start the parent run."""
    import mlflow

    from tsforge.tracking.store import configure_tracking, get_experiment_id

    configure_tracking()
    exp_id = get_experiment_id(experiment)
    # Nested runs started without an experiment id use the *current* experiment, not the
    # parent's: select it so every trial lands next to its parent.
    mlflow.set_experiment(experiment_id=exp_id)
    run = mlflow.start_run(experiment_id=exp_id, run_name=run_name, tags={ROLE_TAG: "tuning", **tags})
    return run.info.run_id


def close_children(parent_run_id: str, status: str) -> None:
    """End any run still active above the parent (a trial interrupted half way) with ``status``."""
    import mlflow

    while True:
        run = mlflow.active_run()
        if run is None or run.info.run_id == parent_run_id:
            return
        mlflow.end_run(status=status)


def end_parent_run(parent_run_id: str, status: str = "FINISHED") -> None:
    """End the parent run (and anything left open above it) with ``status``."""
    import mlflow

    close_children(parent_run_id, status)
    run = mlflow.active_run()
    if run is not None and run.info.run_id == parent_run_id:
        mlflow.end_run(status=status)
    else:  # not active in this process any more: set the status directly
        set_run_status(parent_run_id, status)


def set_run_status(run_id: str, status: str) -> None:
    """Overwrite a run's terminal status (``KILLED`` for pruned trials, ``FAILED``, ...)."""
    import mlflow

    mlflow.MlflowClient().set_terminated(run_id, status=status)


def set_run_tags(run_id: str, tags: dict[str, Any]) -> None:
    import mlflow

    client = mlflow.MlflowClient()
    for k, v in tags.items():
        client.set_tag(run_id, k, str(v))


def find_trial_run(parent_run_id: str, trial_number: int) -> str | None:
    """The child run of ``parent_run_id`` that belongs to trial ``trial_number`` (``None`` if not started)."""
    import mlflow

    client = mlflow.MlflowClient()
    parent = client.get_run(parent_run_id)
    runs = client.search_runs(
        [parent.info.experiment_id],
        filter_string=f"tags.mlflow.parentRunId = '{parent_run_id}' and tags.`{TRIAL_TAG}` = '{trial_number}'",
        max_results=5,
    )
    return runs[0].info.run_id if runs else None


def study_runs(experiment: str, study_name: str, *, trials_only: bool = True) -> list[Any]:
    """All MLflow runs of ``study_name`` in ``experiment`` (trial runs only by default)."""
    import mlflow

    client = mlflow.MlflowClient()
    exp = client.get_experiment_by_name(experiment)
    if exp is None:
        return []
    flt = f"tags.`{STUDY_TAG}` = '{study_name}'"
    if trials_only:
        flt += f" and tags.`{ROLE_TAG}` = 'trial'"
    out: list[Any] = []
    token = None
    while True:
        page = client.search_runs([exp.experiment_id], filter_string=flt, max_results=1000, page_token=token)
        out.extend(page)
        token = page.token
        if not token:
            return out


def log_parent_params(params: dict[str, Any]) -> None:
    import mlflow

    mlflow.log_params({k: (str(v)[:500] if v is not None else "None") for k, v in params.items()})


def log_parent_metrics(metrics: dict[str, float], step: int | None = None) -> None:
    import math

    import mlflow

    finite = {k: float(v) for k, v in metrics.items() if v is not None and math.isfinite(float(v))}
    if finite:
        mlflow.log_metrics(finite, step=step)


def log_parent_artifacts(paths: Iterable[Path], artifact_path: str = "tuning") -> None:
    import mlflow

    for p in paths:
        mlflow.log_artifact(str(p), artifact_path)


def log_parent_dict(payload: dict[str, Any], name: str) -> None:
    import mlflow

    mlflow.log_dict(payload, name)
