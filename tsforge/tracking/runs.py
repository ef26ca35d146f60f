"""One way to open, log into and close an MLflow run: :func:`tracked_run` and its :class:`TrackedRun` handle.

Why one helper: training, tuning, the recommender and the knowledge base each used to start
runs their own way, so a Ctrl-C or a ``kill`` left runs ``RUNNING`` forever in some places and
``FAILED`` in others. Here every run gets the same terminal status rule, an outcome tag and the
process that owned it (pid, host), so a stale ``RUNNING`` run can be told apart from a live one.

The handle logs through ``MlflowClient`` with its run id (never MLflow's "active run"), so
logging into a parent run while a nested child is active goes to the right place.

MLflow is imported lazily (inside functions): ``import tsforge`` must stay cheap, and code that
only *may* be tracked asks :func:`active_run_id` without importing MLflow at all.
"""

from __future__ import annotations

import math
import os
import signal
import socket
import sys
import tempfile
import threading
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from tsforge.errors import ConfigError

__all__ = [
    "OUTCOME_TAG",
    "PID_TAG",
    "HOST_TAG",
    "TrackedRun",
    "tracked_run",
    "attach_run",
    "active_run_id",
    "set_active_run_tag",
    "close_runs_above",
    "run_outcome",
]

OUTCOME_TAG = "tsforge.outcome"
PID_TAG = "tsforge.pid"
HOST_TAG = "tsforge.host"

#: Longest parameter value logged; longer ones are cut (MLflow rejects very long values, and a
#: 500-character prefix is enough to recognise a configuration in the UI).
MAX_PARAM_CHARS = 500

#: Exit codes a signal handler uses by convention (128 + signal number): the process was stopped
#: from outside (SIGTERM from a scheduler, SIGINT turned into ``SystemExit(130)`` by the CLI).
_KILLED_EXIT_CODES = frozenset({128 + signal.SIGTERM, 128 + signal.SIGINT})

_ALLOWED_KEY_CHARS = frozenset("_-. :/")


def _key(key: str) -> str:
    """A metric/param name MLflow accepts: other characters become ``_`` instead of failing the run."""
    return "".join(c if c.isalnum() or c in _ALLOWED_KEY_CHARS else "_" for c in str(key))


def _param_value(value: Any) -> str:
    return "None" if value is None else str(value)[:MAX_PARAM_CHARS]


def _finite(value: Any) -> float | None:
    if value is None:
        return None
    number = float(value)
    return number if math.isfinite(number) else None


class TrackedRun:
    """Logging into one run by id. Values are cleaned here once, so no caller repeats it."""

    def __init__(self, run_id: str, experiment_id: str | None = None, client: Any | None = None) -> None:
        import mlflow

        self.run_id = run_id
        self._client = client or mlflow.MlflowClient()
        self.experiment_id = experiment_id or self._client.get_run(run_id).info.experiment_id

    def __repr__(self) -> str:
        return f"TrackedRun(run_id={self.run_id!r}, experiment_id={self.experiment_id!r})"

    def log_params(self, params: Mapping[str, Any]) -> None:
        """Log parameters as strings (``None`` → ``"None"``, cut to 500 characters)."""
        from mlflow.entities import Param

        items = [Param(_key(k), _param_value(v)) for k, v in params.items()]
        if items:
            self._client.log_batch(self.run_id, params=items)

    def log_metrics(self, metrics: Mapping[str, Any], step: int | None = None) -> dict[str, float]:
        """Log the finite values (``None``, NaN and ±inf are dropped: MLflow charts cannot show them).

        Returns the metrics actually logged.
        """
        from mlflow.entities import Metric

        now = int(time.time() * 1000)
        logged = {_key(k): v for k, v in ((k, _finite(v)) for k, v in metrics.items()) if v is not None}
        items = [Metric(k, v, now, int(step or 0)) for k, v in logged.items()]
        if items:
            self._client.log_batch(self.run_id, metrics=items)
        return logged

    def set_tags(self, tags: Mapping[str, Any]) -> None:
        from mlflow.entities import RunTag

        items = [RunTag(str(k), str(v)) for k, v in tags.items()]
        if items:
            self._client.log_batch(self.run_id, tags=items)

    def log_dict(self, payload: Mapping[str, Any] | list[Any], name: str) -> None:
        """``payload`` as a JSON (or YAML, by ``name``'s suffix) artifact at ``name``."""
        self._client.log_dict(self.run_id, payload, name)

    def log_artifact(self, path: str | os.PathLike[str], artifact_path: str | None = None) -> None:
        self._client.log_artifact(self.run_id, str(path), artifact_path)

    def log_artifacts(self, folder: str | os.PathLike[str], artifact_path: str | None = None) -> None:
        """Every file under ``folder`` (keeping its layout) under ``artifact_path``."""
        self._client.log_artifacts(self.run_id, str(folder), artifact_path)

    def log_table(self, frame: Any, name: str) -> None:
        """A data frame as an artifact at ``name``: ``.json`` → MLflow's table format (shown in the
        UI's table view), ``.parquet`` → Parquet, anything else → CSV without the index."""
        if name.endswith(".json"):
            self._client.log_table(self.run_id, frame, name)
            return
        folder, _, filename = name.rpartition("/")
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / filename
            if filename.endswith(".parquet"):
                frame.to_parquet(path, index=False)
            else:
                frame.to_csv(path, index=False)
            self._client.log_artifact(self.run_id, str(path), folder or None)


def run_outcome(exc: BaseException | None) -> tuple[str, str]:
    """``(MLflow status, tsforge.outcome tag)`` for a run left by ``exc`` (``None``: normal exit).

    Stopped from outside (Ctrl-C, or ``SystemExit(143)``/``SystemExit(130)`` raised by a signal
    handler) → ``KILLED``/``killed``; ``SystemExit(0)`` → ``FINISHED``; anything else →
    ``FAILED``/``failed: <type>``.
    """
    if exc is None:
        return "FINISHED", "finished"
    if isinstance(exc, KeyboardInterrupt):
        return "KILLED", "killed"
    if isinstance(exc, SystemExit):
        if exc.code in _KILLED_EXIT_CODES:
            return "KILLED", "killed"
        if exc.code in (None, 0):
            return "FINISHED", "finished"
    return "FAILED", f"failed: {type(exc).__name__}"


def _raise_system_exit(signum: int, frame: Any) -> None:
    raise SystemExit(128 + signum)


@contextmanager
def _sigterm_as_exit() -> Iterator[None]:
    """Turn SIGTERM into ``SystemExit(143)`` while the run is open, so it is closed as ``KILLED``.

    Only when SIGTERM still has its default action (which would end the process without running
    any ``finally``) and only in the main thread (Python delivers signals there). A handler that
    someone else installed (a server, the CLI) is left alone.
    """
    if threading.current_thread() is not threading.main_thread() or signal.getsignal(signal.SIGTERM) not in (
        signal.SIG_DFL,
        None,
    ):
        yield
        return
    signal.signal(signal.SIGTERM, _raise_system_exit)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, signal.SIG_DFL)


def close_runs_above(run_id: str, status: str) -> None:
    """End every run started in this process after ``run_id`` and still active (a nested run
    interrupted half way) with ``status``; ``run_id`` itself stays open."""
    import mlflow

    while True:
        run = mlflow.active_run()
        if run is None or run.info.run_id == run_id:
            return
        mlflow.end_run(status=status)


def _process_tags() -> dict[str, str]:
    return {PID_TAG: str(os.getpid()), HOST_TAG: socket.gethostname()}


@contextmanager
def tracked_run(
    experiment: str | None = None,
    run_name: str | None = None,
    tags: Mapping[str, Any] | None = None,
    *,
    nested: bool = False,
    description: str | None = None,
    tracking_uri: str | None = None,
) -> Iterator[TrackedRun]:
    """Open an MLflow run, yield its :class:`TrackedRun`, close it with the right status.

    Args:
        experiment: experiment name for a top-level run (``None``: MLflow's current experiment).
        run_name, tags, description: as in MLflow (values of ``tags`` are stringified).
        nested: start under the active run, in *its* experiment (``experiment`` is then ignored:
            MLflow would otherwise use its process-wide "current" experiment, which need not be
            the parent's); without an active run this is a top-level run.
        tracking_uri: store to use (default: ``MLFLOW_TRACKING_URI`` or tsforge's default).

    On exit the run ends ``FINISHED``; ``KILLED`` on ``KeyboardInterrupt`` or a ``SystemExit``
    raised by a SIGTERM/SIGINT handler; ``FAILED`` on any other exception (re-raised). The tag
    ``tsforge.outcome`` says ``finished``/``killed``/``failed: <ExcType>``; runs nested under this
    one and still open are ended with the same status. ``tsforge.pid``/``tsforge.host`` name the
    owning process. SIGTERM is turned into ``SystemExit(143)`` while the run is open (when it has
    no handler yet), so ``kill`` marks the run ``KILLED`` instead of leaving it ``RUNNING``.
    """
    import mlflow

    from tsforge.tracking.store import configure_tracking, get_experiment_id

    configure_tracking(tracking_uri)
    parent = mlflow.active_run() if nested else None
    if parent is not None:
        exp_id: str | None = parent.info.experiment_id
    elif experiment is not None:
        exp_id = get_experiment_id(experiment)
    else:
        exp_id = None
    all_tags = {**_process_tags(), **{str(k): str(v) for k, v in (tags or {}).items()}}
    active = mlflow.start_run(
        experiment_id=exp_id,
        run_name=run_name,
        nested=parent is not None,
        tags=all_tags,
        description=description,
    )
    handle = TrackedRun(active.info.run_id, active.info.experiment_id)
    with _sigterm_as_exit():
        try:
            yield handle
        except BaseException as exc:
            _close(handle, *run_outcome(exc))
            raise
        _close(handle, *run_outcome(None))


def _close(handle: TrackedRun, status: str, outcome: str) -> None:
    """Tag and end the run (and any run left open above it); never masks the caller's exception."""
    import mlflow

    try:
        handle.set_tags({OUTCOME_TAG: outcome})
    except Exception:  # noqa: BLE001 - the status below matters more than the tag
        pass
    close_runs_above(handle.run_id, status)
    active = mlflow.active_run()
    if active is not None and active.info.run_id == handle.run_id:
        mlflow.end_run(status=status)
    else:  # ended (or never active) in this process: set the status directly
        handle._client.set_terminated(handle.run_id, status=status)


def attach_run(run_id: str | None = None) -> TrackedRun:
    """A handle on an existing run (default: the active run) to log more into it.

    Raises:
        ConfigError: no ``run_id`` and no active run.
    """
    if run_id is None:
        run_id = active_run_id()
        if run_id is None:
            raise ConfigError("no active MLflow run to log into; pass run_id", field="run_id")
    return TrackedRun(run_id)


def active_run_id() -> str | None:
    """The id of this process's active MLflow run, or ``None``.

    Does not import MLflow: if nothing imported it yet, no run can be active, and code that is
    only *possibly* tracked (the training layer) must not pay MLflow's import time to find out.
    """
    mlflow = sys.modules.get("mlflow")
    if mlflow is None:
        return None
    run = mlflow.active_run()
    return None if run is None else run.info.run_id


def set_active_run_tag(key: str, value: Any) -> None:
    """Tag the active run; a no-op when no run is active (untracked training)."""
    run_id = active_run_id()
    if run_id is None:
        return
    import mlflow

    mlflow.MlflowClient().set_tag(run_id, key, str(value))
