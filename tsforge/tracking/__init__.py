"""MLflow tracking: the only package that imports mlflow (always lazily, inside functions).

Everything else (training, tuning, the recommender, the service) hands plain data (dicts,
frames, paths) to these functions:

* :func:`tracked_run` — open a run, log into it through a :class:`TrackedRun`, close it with the
  right status (:mod:`~tsforge.tracking.runs`); :func:`attach_run`, :func:`active_run_id`,
  :func:`set_active_run_tag` for code that may run inside someone else's run.
* :func:`resolve_version` — the one rule that turns ``name`` / ``name@alias`` / ``name/version``
  into a registry version (:mod:`~tsforge.tracking.references`, :mod:`~tsforge.tracking.registry`).
* :func:`promote_if_better` — ``@champion`` moves only to a version that serves what the champion
  serves and beats it on the same validation (:mod:`~tsforge.tracking.contract`).
* :func:`sweep_stale_runs` — runs left ``RUNNING`` by dead processes on this host → ``FAILED``.
* :mod:`~tsforge.tracking.studies` — tuning's parent/trial run bookkeeping.
"""

from tsforge.tracking.references import ModelRef, ResolvedModel, parse_model_ref
from tsforge.tracking.registry import (
    CHAMPION,
    Promotion,
    load_predictor,
    promote_champion,
    promote_if_better,
    register_model_version,
    resolve_model_uri,
    resolve_version,
)
from tsforge.tracking.runs import (
    TrackedRun,
    active_run_id,
    attach_run,
    set_active_run_tag,
    sweep_stale_runs,
    tracked_run,
)
from tsforge.tracking.store import DEFAULT_TRACKING_URI, configure_tracking, get_experiment_id

__all__ = [
    "CHAMPION",
    "DEFAULT_TRACKING_URI",
    "ModelRef",
    "ResolvedModel",
    "TrackedRun",
    "active_run_id",
    "attach_run",
    "configure_tracking",
    "get_experiment_id",
    "load_predictor",
    "parse_model_ref",
    "promote_champion",
    "promote_if_better",
    "Promotion",
    "sweep_stale_runs",
    "register_model_version",
    "resolve_model_uri",
    "resolve_version",
    "set_active_run_tag",
    "tracked_run",
    "MlflowCallback",
    "log_predictor_model",
    "log_folder_model",
]


def __getattr__(name: str):
    # Lazy: importing mlflow.pyfunc is slow; only pay for it when logging models.
    if name == "MlflowCallback":
        from tsforge.tracking.callback import MlflowCallback

        return MlflowCallback
    if name == "log_predictor_model":
        from tsforge.tracking.pyfunc import log_predictor_model

        return log_predictor_model
    if name == "log_folder_model":
        from tsforge.tracking.folder_model import log_folder_model

        return log_folder_model
    raise AttributeError(name)
