"""MLflow bookkeeping of a tuning study: tags, marking trial runs, finding a study's runs.

Layout in MLflow: one *parent* run per ``tsforge tune`` process (opened with
:func:`tsforge.tracking.runs.tracked_run`, tagged with the study name), one nested *child* run
per trial (tags ``tsforge.study``, ``tsforge.trial``, ``tsforge.trial_state``), and a child run
``best`` that retrains the best parameters and is registered. Several workers on one study each
have their own parent run; every trial of the study is found by its ``tsforge.study`` tag
(:func:`study_runs`).

Why here and not in ``tsforge.tuning``: tracking is the one package that talks to MLflow, so
tuning's study logic stays testable without a tracking server.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from tsforge.tracking.runs import close_runs_above
from tsforge.tracking.store import configure_tracking

__all__ = [
    "STUDY_TAG",
    "TRIAL_TAG",
    "STATE_TAG",
    "ROLE_TAG",
    "close_children",
    "mark_run",
    "find_trial_run",
    "study_runs",
]

STUDY_TAG = "tsforge.study"
TRIAL_TAG = "tsforge.trial"
STATE_TAG = "tsforge.trial_state"
ROLE_TAG = "tsforge.role"


def close_children(parent_run_id: str, status: str) -> None:
    """End any run still active above the parent (a trial interrupted half way) with ``status``."""
    close_runs_above(parent_run_id, status)


def mark_run(run_id: str, *, status: str | None = None, tags: Mapping[str, Any] | None = None) -> None:
    """Overwrite a run's terminal ``status`` (``KILLED`` for pruned trials, ``FAILED``, ...) and/or
    set ``tags``: a trial's outcome is only known after its run has ended."""
    import mlflow

    client = mlflow.MlflowClient()
    if status is not None:
        client.set_terminated(run_id, status=status)
    for k, v in (tags or {}).items():
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


def study_runs(
    experiment: str, study_name: str, *, trials_only: bool = True, tracking_uri: str | None = None
) -> list[Any]:
    """All MLflow runs of ``study_name`` in ``experiment`` (trial runs only by default).

    Searches tsforge's store (``tracking_uri``, else as :func:`~tsforge.tracking.configure_tracking`),
    not MLflow's bare default: ``tune`` asks before any run is open, and an unconfigured
    ``MlflowClient()`` would query (and create) ``./mlflow.db`` in the working directory.
    """
    import mlflow

    uri = configure_tracking(tracking_uri)
    client = mlflow.MlflowClient(tracking_uri=uri, registry_uri=uri)
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
