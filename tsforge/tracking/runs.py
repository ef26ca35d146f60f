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

import logging
import math
import os
import signal
import socket
import sys
import tempfile
import threading
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from tsforge.errors import ConfigError

__all__ = [
    "OUTCOME_TAG",
    "PID_TAG",
    "HOST_TAG",
    "PROCESS_START_TAG",
    "TrackedRun",
    "tracked_run",
    "attach_run",
    "active_run_id",
    "set_active_run_tag",
    "close_runs_above",
    "run_outcome",
    "interruption",
    "sweep_stale_runs",
]

OUTCOME_TAG = "tsforge.outcome"
PID_TAG = "tsforge.pid"
HOST_TAG = "tsforge.host"
#: Start time of the owning process (clock ticks since boot, Linux): tells a live owner from a
#: new process that happens to reuse its pid.
PROCESS_START_TAG = "tsforge.process_start"

#: Longest parameter value logged; longer ones are cut (MLflow rejects very long values, and a
#: 500-character prefix is enough to recognise a configuration in the UI).
MAX_PARAM_CHARS = 500

#: Exit codes a signal handler uses by convention (128 + signal number): the process was stopped
#: from outside (SIGTERM from a scheduler, SIGINT turned into ``SystemExit(130)`` by the CLI).
_KILLED_EXIT_CODES = frozenset({128 + signal.SIGTERM, 128 + signal.SIGINT})

_ALLOWED_KEY_CHARS = frozenset("_-. :/")

#: The tag MLflow keeps a run's description in (``start_run(description=...)`` writes it too).
_DESCRIPTION_TAG = "mlflow.note.content"

log = logging.getLogger(__name__)


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

    def set_description(self, text: str) -> None:
        """Replace the run's description (the note the MLflow UI shows at the top of its page).

        Why after the start: some of what a reviewer must read with the scores (an interval
        level the calibration could not resolve) is known only once the model is scored.
        """
        self.set_tags({_DESCRIPTION_TAG: text})

    def log_dict(self, payload: Mapping[str, Any] | list[Any], name: str) -> None:
        """``payload`` as a JSON (or YAML, by ``name``'s suffix) artifact at ``name``."""
        # MLflow's hint says dict; it writes any JSON/YAML value, and explanations are lists
        self._client.log_dict(self.run_id, payload, name)  # type: ignore[arg-type]

    def log_artifact(self, path: str | os.PathLike[str], artifact_path: str | None = None) -> None:
        self._client.log_artifact(self.run_id, str(path), artifact_path)

    def log_artifacts(self, folder: str | os.PathLike[str], artifact_path: str | None = None) -> None:
        """Every file under ``folder`` (keeping its layout) under ``artifact_path``."""
        self._client.log_artifacts(self.run_id, str(folder), artifact_path)

    def log_dataset(
        self,
        frame: Any | None,
        *,
        name: str,
        source: str,
        digest: str | None = None,
        context: str = "training",
        max_cells: int = 5_000_000,
    ) -> None:
        """Record the data a run used as an MLflow dataset input (the runs table's Dataset column).

        ``frame`` is the pandas frame actually used; MLflow keeps its schema, size and digest,
        not the data. Without a frame, or when it has more than ``max_cells`` values (hashing
        and profiling it would cost seconds), only the name, source and ``digest`` are logged.
        """
        import warnings

        from mlflow.data.dataset_source_registry import resolve_dataset_source
        from mlflow.data.meta_dataset import MetaDataset
        from mlflow.data.pandas_dataset import from_pandas
        from mlflow.entities import DatasetInput, InputTag

        with warnings.catch_warnings():  # MLflow warns that it guessed the kind of source
            warnings.simplefilter("ignore")
            if frame is not None and frame.size <= max_cells:
                ds: Any = from_pandas(frame, source=source, name=name, digest=digest)
            else:
                # MLflow annotates Dataset.profile as abstract; MetaDataset is concrete at runtime
                ds = MetaDataset(resolve_dataset_source(source), name=name, digest=digest)  # type: ignore[abstract]
        entity = DatasetInput(ds._to_mlflow_entity(), tags=[InputTag("mlflow.data.context", context)])
        for attempt in range(_DATASET_INSERT_TRIES):
            try:
                self._client.log_inputs(self.run_id, datasets=[entity])
                return
            except Exception as exc:
                # Two processes logging the same dataset into one experiment (tuning workers)
                # both see it missing and both insert it; the loser's transaction is rolled
                # back whole, and on a second try it finds the row and links to it.
                if attempt + 1 == _DATASET_INSERT_TRIES or not _lost_an_insert_race(exc):
                    raise
                time.sleep(0.05 * (attempt + 1))

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


_DATASET_INSERT_TRIES = 3
_DUPLICATE_MARKERS = ("UNIQUE constraint failed", "duplicate key value", "IntegrityError")


def _lost_an_insert_race(exc: BaseException) -> bool:
    """Whether ``exc`` (or what it wraps) is the database refusing a row another writer just
    inserted: SQLite's and PostgreSQL's wording, or SQLAlchemy's ``IntegrityError`` by name."""
    seen: BaseException | None = exc
    for _ in range(8):  # a chain is a few links deep; never follow a cycle forever
        if seen is None:
            break
        text = f"{type(seen).__name__}: {seen}"
        if any(marker in text for marker in _DUPLICATE_MARKERS):
            return True
        seen = seen.__cause__ or seen.__context__
    return False


def run_outcome(exc: BaseException | None) -> tuple[str, str]:
    """``(MLflow status, tsforge.outcome tag)`` for a run left by ``exc`` (``None``: normal exit).

    Stopped from outside (Ctrl-C, or ``SystemExit(143)``/``SystemExit(130)`` raised by a signal
    handler, or an error a library raised while one went through it: :func:`interruption`) →
    ``KILLED``/``killed``; ``SystemExit(0)`` → ``FINISHED``; anything else →
    ``FAILED``/``failed: <type>: <message>`` (the message cut to 500 characters: a failed tuning
    trial's tag said only ``failed: ConfigError``, and the reason was nowhere in the run).
    """
    if exc is None:
        return "FINISHED", "finished"
    if interruption(exc) is not None:  # also an error a library raised while being interrupted
        return "KILLED", "killed"
    if isinstance(exc, SystemExit):
        if exc.code in _KILLED_EXIT_CODES:
            return "KILLED", "killed"
        if exc.code in (None, 0):
            return "FINISHED", "finished"
    message = " ".join(str(exc).split())
    return "FAILED", f"failed: {type(exc).__name__}" + (f": {message[:500]}" if message else "")


def interruption(exc: BaseException | None) -> KeyboardInterrupt | SystemExit | None:
    """The Ctrl-C (``KeyboardInterrupt``) or signal exit (``SystemExit(130/143)``) behind ``exc``,
    or ``None`` when it was not caused by one.

    Why: an interrupt that lands in a library's ``finally`` block can come out as a different
    error (Optuna's trial loop raises ``UnboundLocalError`` when Ctrl-C hits its journal write);
    the original interrupt is then only in the exception's context chain. Whoever decides "was
    this run stopped by the user?" must look there, or a Ctrl-C is reported as a crash.
    """
    seen: BaseException | None = exc
    for _ in range(16):  # a chain is a few links deep; never follow a cycle forever
        if seen is None:
            return None
        if isinstance(seen, KeyboardInterrupt):
            return seen
        if isinstance(seen, SystemExit) and seen.code in _KILLED_EXIT_CODES:
            return seen
        seen = seen.__cause__ or seen.__context__
    return None


def _raise_system_exit(signum: int, frame: Any) -> None:
    raise SystemExit(128 + signum)


def _default_sigterm_in_child() -> None:
    """In a process forked while a run was open (a ``--n-jobs`` worker): SIGTERM kills again.

    Why: the worker inherited :func:`_raise_system_exit`, which only runs when the worker next
    executes Python code, so a worker busy in a statsforecast/numba fit ignored the
    ``terminate()`` its pool sends on Ctrl-C or ``kill``; the parent then waited for the chunk
    to finish (minutes) and, killed meanwhile, left the workers running as orphans. The worker
    owns no run: closing the parent's run is the parent's job.
    """
    if signal.getsignal(signal.SIGTERM) is _raise_system_exit:
        try:
            signal.signal(signal.SIGTERM, signal.SIG_DFL)
        except ValueError:  # forked from a thread other than the main one: cannot be changed
            pass


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_default_sigterm_in_child)


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


def _process_start(pid: int) -> str | None:
    """The process's start time in clock ticks since boot (``/proc/<pid>/stat`` field 22), or
    ``None`` where ``/proc`` is not available (then a reused pid counts as alive)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    # The command name (field 2) is in parentheses and may hold spaces: split after it.
    fields = stat[stat.rfind(")") + 2 :].split()
    return fields[19] if len(fields) > 19 else None


def _process_tags() -> dict[str, str]:
    tags = {PID_TAG: str(os.getpid()), HOST_TAG: socket.gethostname()}
    start = _process_start(os.getpid())
    if start is not None:
        tags[PROCESS_START_TAG] = start
    return tags


def _alive(pid: int, start: str | None) -> bool:
    """Whether the process that opened a run still exists on this host."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # exists, owned by someone else
        pass
    if start:
        now = _process_start(pid)
        if now is not None and now != start:
            return False  # the pid was reused by a newer process
    return True


_swept: set[str] = set()
_swept_lock = threading.Lock()


def sweep_stale_runs(client: Any | None = None, *, host: str | None = None) -> list[str]:
    """Mark ``FAILED`` every run still ``RUNNING`` whose owning process on this host is gone.

    Why: ``SIGKILL``, a crash or a power cut end a process without running any ``finally``, so
    its run stays ``RUNNING`` forever and looks live in the UI. Runs record their pid, host and
    process start time (:func:`tracked_run`), so the next tracked run on the same host can tell a
    dead owner from a live one. Runs of other hosts are never touched (their pids mean nothing
    here); runs without a pid tag (not opened by ``tracked_run``) neither.

    Returns:
        The ids of the runs marked ``FAILED``.
    """
    import mlflow
    from mlflow.entities import ViewType

    client = client or mlflow.MlflowClient()
    host = host or socket.gethostname()
    experiments: list[str] = []
    token = None
    while True:
        page = client.search_experiments(view_type=ViewType.ACTIVE_ONLY, max_results=1000, page_token=token)
        experiments.extend(e.experiment_id for e in page)
        token = page.token
        if not token:
            break
    swept: list[str] = []
    flt = f"attributes.status = 'RUNNING' and tags.`{HOST_TAG}` = '{host}'"
    for i in range(0, len(experiments), 100):  # the SQL store caps experiment ids per query
        token = None
        while True:
            page = client.search_runs(experiments[i : i + 100], flt, max_results=1000, page_token=token)
            for run in page:
                tags = run.data.tags
                try:
                    pid = int(tags.get(PID_TAG, ""))
                except ValueError:
                    continue
                if _alive(pid, tags.get(PROCESS_START_TAG)):
                    continue
                client.set_tag(
                    run.info.run_id,
                    OUTCOME_TAG,
                    f"failed: process {pid} on {host} ended without closing the run",
                )
                client.set_terminated(run.info.run_id, status="FAILED")
                swept.append(run.info.run_id)
            token = page.token
            if not token:
                break
    return swept


def _provenance() -> dict[str, str]:
    """The code version and command tags (:mod:`~tsforge.tracking.provenance`); none when they
    cannot be read, since a missing tag must never stop a training."""
    from tsforge.tracking.provenance import provenance_tags

    try:
        return provenance_tags()
    except Exception as exc:  # noqa: BLE001 - housekeeping must never stop a training
        log.warning("could not read the code version or command for the run's tags: %s", exc)
        return {}


def _sweep_once(uri: str) -> None:
    """:func:`sweep_stale_runs` once per process and store, at the first run a process opens."""
    with _swept_lock:
        if uri in _swept:
            return
        _swept.add(uri)
    try:
        stale = sweep_stale_runs()
    except Exception as exc:  # noqa: BLE001 - housekeeping must never stop a training
        log.warning("could not check for runs left RUNNING by dead processes: %s", exc)
        return
    if stale:
        log.warning("marked %d run(s) FAILED: their process ended without closing them", len(stale))


@contextmanager
def tracked_run(
    experiment: str | None = None,
    run_name: str | None = None,
    tags: Mapping[str, Any] | None = None,
    *,
    nested: bool = False,
    description: str | None = None,
    tracking_uri: str | None = None,
    experiment_description: str | None = None,
    experiment_tags: Mapping[str, Any] | None = None,
    experiment_view: Sequence[str] = (),
    experiment_view_params: Sequence[str] = (),
) -> Iterator[TrackedRun]:
    """Open an MLflow run, yield its :class:`TrackedRun`, close it with the right status.

    Args:
        experiment: experiment name for a top-level run (``None``: MLflow's current experiment).
        run_name, tags, description: as in MLflow (values of ``tags`` are stringified).
        nested: start under the active run, in *its* experiment (``experiment`` is then ignored:
            MLflow would otherwise use its process-wide "current" experiment, which need not be
            the parent's); without an active run this is a top-level run.
        tracking_uri: store to use (default: ``MLFLOW_TRACKING_URI`` or tsforge's default).
        experiment_description, experiment_tags: what the experiment is about (what the MLflow
            UI shows above its runs); set when the experiment has none yet, never overwriting a
            description someone wrote in the UI.
        experiment_view, experiment_view_params: headline metrics and parameters of the
            experiment's saved runs-table view (see :func:`tsforge.tracking.store.runs_view`).

    On exit the run ends ``FINISHED``; ``KILLED`` on ``KeyboardInterrupt`` or a ``SystemExit``
    raised by a SIGTERM/SIGINT handler; ``FAILED`` on any other exception (re-raised). The tag
    ``tsforge.outcome`` says ``finished``/``killed``/``failed: <ExcType>``; runs nested under this
    one and still open are ended with the same status. ``tsforge.pid``/``tsforge.host`` name the
    owning process. SIGTERM is turned into ``SystemExit(143)`` while the run is open (when it has
    no handler yet), so ``kill`` marks the run ``KILLED`` instead of leaving it ``RUNNING``.
    ``tsforge.code_version``, ``mlflow.source.git.commit`` (from a git checkout) and
    ``tsforge.command`` say which code and which command line produced the run
    (:mod:`~tsforge.tracking.provenance`); ``tags`` may override them.
    The first top-level run a process opens also marks ``FAILED`` the runs that dead processes
    on this host left ``RUNNING`` (:func:`sweep_stale_runs`: ``SIGKILL`` cannot be caught).
    """
    import mlflow

    from tsforge.tracking.store import configure_tracking, get_experiment_id

    uri = configure_tracking(tracking_uri)
    parent = mlflow.active_run() if nested else None
    if parent is None:
        _sweep_once(uri)
    if parent is not None:
        exp_id: str | None = parent.info.experiment_id
    elif experiment is not None:
        exp_id = get_experiment_id(
            experiment,
            description=experiment_description,
            tags=experiment_tags,
            view_metrics=experiment_view,
            view_params=experiment_view_params,
        )
    else:
        exp_id = None
    all_tags = {**_process_tags(), **_provenance(), **{str(k): str(v) for k, v in (tags or {}).items()}}
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


#: Attempts at writing a run's terminal status when the store refuses it (a lock held a moment).
_CLOSE_TRIES = 3


def _close(handle: TrackedRun, status: str, outcome: str) -> None:
    """Tag and end the run (and any run left open above it); never masks the caller's exception.

    Why the care: a Ctrl-C that lands inside a store write can leave the next write failing
    (SQLite "database is locked" while the interrupted transaction is rolled back). The status
    write used to raise then, so the user saw that traceback instead of "interrupted", with exit
    code 1, and the run stayed ``RUNNING``. Now the status write is retried and, if the store
    still refuses it, a one-line warning says so (the stale-run sweep of the next tracked run on
    this host marks it ``FAILED``), and the caller's own exception goes on.
    """
    import mlflow

    try:
        handle.set_tags({OUTCOME_TAG: outcome})
    except Exception:  # noqa: BLE001 - the status below matters more than the tag
        pass
    try:
        close_runs_above(handle.run_id, status)
    except Exception as exc:  # noqa: BLE001 - a nested run's status must not hide this one's
        log.warning("could not close a run nested in MLflow run %s: %s", handle.run_id, _one_line(exc))
    active = mlflow.active_run()
    if active is not None and active.info.run_id == handle.run_id:
        try:
            mlflow.end_run(status=status)  # leaves the active-run stack first, then writes
            return
        except Exception:  # noqa: BLE001 - retried below by run id
            pass
    _set_status(handle, status)


def _set_status(handle: TrackedRun, status: str) -> None:
    """Write ``status`` as the run's terminal status, a few times before giving up with a warning."""
    for attempt in range(_CLOSE_TRIES):
        try:
            handle._client.set_terminated(handle.run_id, status=status)
            return
        except Exception as exc:  # noqa: BLE001 - reported once, below
            error = exc
            time.sleep(0.2 * (attempt + 1))
    log.warning(
        "could not mark MLflow run %s %s (%s); the next tracked run on this host marks it FAILED",
        handle.run_id,
        status,
        _one_line(error),
    )


def _one_line(exc: BaseException) -> str:
    text = " ".join(str(exc).split())
    return f"{type(exc).__name__}: {text[:300]}" if text else type(exc).__name__


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
