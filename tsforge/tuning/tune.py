"""``tune``: the Python API behind ``tsforge tune`` — study → trials → best retrained → registered.

Flow: open (or resume) the study → start a parent MLflow run → ``study.optimize`` with
:class:`~tsforge.tuning.objective.TrialObjective` (each trial a nested run, pruned by the
per-epoch validation loss) → plots of the study on the parent run → retrain the best
parameters in a nested ``best`` run → register it (through the pipeline, like ``tsforge
train``) and move ``@champion`` only if it serves what the champion serves and beats it on
validation MSE.

Data follows the protocol ``tsforge train`` gives it: long multichannel data is tuned on the
windows of its split (objective: normalised validation MSE); a panel — a panel collection, a
file without ``split``, a :class:`~tsforge.data.panel.Panel` or ``split="holdout"`` (the
per-series holdout protocol) — is tuned on every series' validation window (objective: mean
validation MASE, :mod:`tsforge.tuning.panel_trials`; the champion then moves on validation
MASE). Frames and arrays keep the windowed default, as in :func:`tsforge.pipeline.train`.

``n_trials`` is the study's total: rerunning the same command after an interruption runs only
the missing trials, from any working directory (the study's journal lives beside the MLflow
store, see :mod:`tsforge.tuning.study`). A rerun of a finished study whose best is already
retrained and registered (or that asks for no retrain) has nothing to do: it reports the study
and opens no MLflow run (``parent_run_id`` is ``None``; ``last_parent_run_id`` names the
study's newest parent run).

Ctrl-C: the trial in progress is recorded as FAIL in the study (Optuna's behaviour), tagged
``interrupted`` so that it does not count towards the total, and its run as KILLED; the parent
run ends KILLED, and ``KeyboardInterrupt`` propagates to the caller. SIGTERM ends the MLflow
runs KILLED the same way (``tracked_run`` turns it into ``SystemExit(143)``). Finished trials
are already in the storage, so rerunning with the same study name continues the search.
"""

from __future__ import annotations

import json
import logging
import os
import tempfile
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import partial
from typing import TYPE_CHECKING, Any

import optuna

from tsforge.data.load_options import PANEL_LOAD_OPTIONS, PanelLoadOptions, merged_load_kwargs
from tsforge.errors import ConfigError, TsforgeError
from tsforge.models.base import ModelContext
from tsforge.models.registry import get_model_spec
from tsforge.tracking import studies
from tsforge.tracking.references import check_registry_name, default_registry_name
from tsforge.tracking.registry import has_version
from tsforge.tracking.runs import TrackedRun, interruption, tracked_run
from tsforge.tracking.trained_model import headline_scores
from tsforge.training.fitting import check_strategy, progress_label
from tsforge.tuning.objective import (
    OBJECTIVE_METRIC,
    TrainFn,
    TrialObjective,
    TuneSetup,
    _default_train,
    pinned_options,
    trial_label,
)
from tsforge.tuning.plots import save_study_plots
from tsforge.tuning.space import (
    TrialConfig,
    check_fixed_options,
    config_from_params,
    has_search_space,
    probe_space,
    trained_config,
)
from tsforge.tuning.study import (
    INTERRUPTED_ATTR,
    default_study_name,
    describe_storage,
    finished_trials,
    make_pruner,
    open_study,
    resolve_storage,
)

if TYPE_CHECKING:
    from typing_extensions import Unpack

__all__ = ["TuneResult", "tune", "study_summary", "option_error"]

log = logging.getLogger(__name__)

StudyCallback = Callable[[optuna.Study, optuna.trial.FrozenTrial], None]


@dataclass
class TuneResult:
    """What one tuning session did (counts cover the whole study, all sessions and workers)."""

    study_name: str
    storage: str
    experiment: str
    #: this session's parent run; ``None`` when the session had nothing to do (a finished study
    #: whose best is already retrained) and opened no run — :attr:`last_parent_run_id` then
    #: names the study's newest parent run
    parent_run_id: str | None
    n_trials_session: int
    counts: dict[str, int]
    best_value: float | None
    best_trial: int | None
    best_params: dict[str, Any]
    best_config: dict[str, dict[str, Any]] | None
    wall_seconds: float
    plots: list[str] = field(default_factory=list)
    final_run_id: str | None = None
    final_metrics: dict[str, float] = field(default_factory=dict)
    #: what the retrained best's skill (final_metrics' val_skill / test_skill) is measured against
    final_baseline: str | None = None
    registered_name: str | None = None
    version: str | None = None
    champion_version: str | None = None
    promotion: str | None = None  # why @champion moved to the retrained best, or stayed
    objective: str = "val_mse"  # the metric minimised (val_mase on a panel)
    #: "<name> version <v>" when the best trial was already retrained and registered (not redone)
    already_registered: str | None = None
    #: the study's newest parent run from an earlier session, when this one opened none
    last_parent_run_id: str | None = None


#: Where MLflow keeps a run's description (tuning imports no mlflow, see tsforge.tracking).
_NOTE = "mlflow.note.content"

#: Study attribute: the trial whose retrained model was registered last (a rerun whose best is
#: still that trial does not register the same model again, see :func:`_skip_retrain`).
REGISTERED_TRIAL_ATTR = "registered_trial"
#: Study attributes: the registered name and version that hold that trial's retrained model.
REGISTERED_NAME_ATTR = "registered_name"
REGISTERED_VERSION_ATTR = "registered_version"


def _skip_retrain(study: optuna.Study, trial: int, name: str, register: bool, n_ran: int) -> bool:
    """Whether the best trial's retrained model is already registered, so retraining it would add
    an identical version (same trial, seed and fixed options — the study refuses other ones).

    Why by trial and name rather than "no trial ran this time": a resume that ran trials but
    found nothing better registered the same model once more, one version per resume. Without
    registering, or for a study registered before the name was recorded, the older rule stays:
    skip only when this session added no trial.
    """
    attrs = study.user_attrs
    if attrs.get(REGISTERED_TRIAL_ATTR) != trial:
        return False
    if not register or REGISTERED_NAME_ATTR not in attrs:
        return n_ran == 0
    if attrs.get(REGISTERED_NAME_ATTR) != name:
        return False
    # the study outlives a store that was deleted or pruned: "version 1 already holds its model"
    # was said of an empty registry, and nothing was retrained
    version = attrs.get(REGISTERED_VERSION_ATTR)
    return version is None or has_version(name, str(version))


def study_summary(study: optuna.Study) -> dict[str, int]:
    """Trial counts by state, over the whole study; a trial stopped by Ctrl-C or SIGTERM counts as
    ``interrupted``, not ``fail``.

    Why apart: Optuna records such a trial as FAIL, so a study resumed after one Ctrl-C
    reported "1 failed" (and ``n_fail`` 1 on the parent run) although no trial had failed; the
    interrupted one does not count towards ``--trials`` either (:func:`finished_trials`).
    """
    out = {"total": 0, "complete": 0, "pruned": 0, "fail": 0, "interrupted": 0, "running": 0, "waiting": 0}
    for t in study.get_trials(deepcopy=False):
        out["total"] += 1
        key = "interrupted" if t.user_attrs.get(INTERRUPTED_ATTR) else t.state.name.lower()
        out[key] = out.get(key, 0) + 1
    return out


def _best(study: optuna.Study) -> optuna.trial.FrozenTrial | None:
    try:
        return study.best_trial
    except ValueError:  # no complete trial yet
        return None


def _value(trial: optuna.trial.FrozenTrial) -> float:
    """A complete trial's objective value (Optuna types it optional for failed/pruned trials)."""
    assert trial.value is not None, f"trial {trial.number} has no value"  # _best gives complete trials
    return float(trial.value)


def tune(
    data: Any,
    model: str = "dlinear",
    *,
    n_trials: int | None = 20,
    timeout: float | None = None,
    study_name: str | None = None,
    storage: str | optuna.storages.BaseStorage | None = None,
    input_len: int | None = None,
    horizon: int | None = None,
    split: str | None = None,
    train_config: dict[str, Any] | None = None,
    model_config: dict[str, Any] | None = None,
    strategy: str | None = None,
    strategy_config: dict[str, Any] | None = None,
    seed: int = 2024,
    sampler_seed: int | None = None,
    pruner: str | optuna.pruners.BasePruner = "median",
    n_startup_trials: int = 10,
    experiment: str | None = None,
    registered_name: str | None = None,
    retrain: bool = True,
    register: bool = True,
    eval_stride: int = 1,
    enqueue: Iterable[dict[str, Any]] = (),
    callbacks: Sequence[StudyCallback] = (),
    catch: tuple[type[BaseException], ...] = (TsforgeError,),
    train_fn: TrainFn | None = None,
    load_kwargs: dict[str, Any] | None = None,
    on_start: Callable[[int, int | None], None] | None = None,
    on_retrain: Callable[[int], None] | None = None,
    drop_short: bool = False,
    progress: bool = False,
    **load_options: Unpack[PanelLoadOptions],
) -> TuneResult:
    """Search ``model``'s hyper-parameters on ``data`` with Optuna, tracked in MLflow.

    Args:
        data: catalogue name, file path, frame or ``TimeSeriesData`` (as ``pipeline.train``).
        model: registered model with a ``search_space`` (``tsforge.models.model_names()``).
        n_trials: the study's **total** number of trials (``None`` = until ``timeout``): a
            resumed study runs only the ones it still lacks (complete, pruned and failed trials
            count, interrupted ones do not), and parallel workers on one study stop starting
            trials once the study has the total. The trials running then finish, so N workers
            can end up to N - 1 over it: a trial is counted when it ends, and a count taken
            as it starts would have to trust trials left running by a killed worker.
        timeout: stop starting new trials after this many seconds.
        study_name: default ``<model>-<dataset>-h<H>``; the same name resumes the study.
        storage: see :func:`tsforge.tuning.study.resolve_storage` (default: a journal file
            beside the MLflow tracking store, whatever the working directory).
        input_len, horizon, split: the protocol, as in ``tsforge train`` (default: the
            catalogue's, else derived from the data; the windowed default split is ``7:1:2``).
            A panel source or ``split="holdout"`` tunes on every series' validation window
            instead (see the module docstring); the horizon is part of the default study name.
        eval_stride: step between the scored validation/test windows of a trial (windowed
            protocol only; a panel scores each series' single window).
        train_config, model_config, strategy_config: fixed options that override the search
            space (e.g. ``{"max_epochs": 5}``).
        strategy: loss strategy; its own ``search_space`` (selective: ``r_u``, ``r_a``) joins the search.
        seed: training seed of every trial (equal for all trials, so they differ only by parameters).
        sampler_seed: TPE seed (default ``seed``; see ``make_sampler``). Give parallel workers
            different sampler seeds, or their random start-up trials coincide.
        pruner: ``median`` | ``percentile`` | ``hyperband`` | ``none`` or a pruner object.
        n_startup_trials: random trials before TPE models the space.
        experiment: MLflow experiment (default: the dataset name, as ``tsforge train``).
        registered_name: model-registry name (default ``<dataset>-<model>``, as ``tsforge train``).
        retrain, register: retrain the best parameters in a ``best`` run and register it.
        enqueue: parameter dicts to try first (e.g. the defaults), in Optuna's flat naming.
        callbacks: Optuna study callbacks (the CLI's progress bar).
        catch: exceptions that fail one trial without stopping the study.
        train_fn: replacement of ``pipeline.train`` (tests).
        load_kwargs: options of ``load_data`` for file input (id/time/target columns).
        **load_options: the reader's options as keywords (``fill_gaps=True``, ``freq="h"``, ...:
            those its messages advise), merged into ``load_kwargs``.
        on_start: ``on_start(finished_before, to_run)`` once the study is open (the CLI sizes
            its progress bar with it; ``to_run`` is ``None`` with a timeout only).
        on_retrain: ``on_retrain(best_trial)`` just before the best trial is retrained (the
            CLI says so: the retraining, with a panel's interval calibration, can take longer
            than a trial, and nothing was shown once the trial bar had reached its end).
        drop_short: on a panel, tune on the series long enough for the holdout only
            (:func:`~tsforge.panels.protocol.drop_short_series`); refused on a ``split``.
        progress: show each trial's (and the retrained best's) training progress as ``tsforge
            train`` shows it: per-epoch lines and batch bars of a neural model (``tsforge tune``
            turns it on unless ``--no-progress``; off by default, as for any library caller).

    Raises:
        ConfigError: the model has no search space, bad storage or pruner, or the study name
            belongs to a different model/dataset/horizon.
        KeyboardInterrupt: after marking the runs (see the module docstring).
    """
    from tsforge.arguments import whole_number
    from tsforge.data.load import load
    from tsforge.data.protocol import HOLDOUT, default_input_note, default_lengths

    # the panel reader's options too: tune's own refusal of a one-value series advises
    # drop_too_few=True, which a split (one aligned table) has no use for and is refused below
    load_kwargs = merged_load_kwargs(
        load_kwargs, load_options, accepted=PANEL_LOAD_OPTIONS, caller="tune", drop_short=drop_short
    )
    if n_trials is None and timeout is None:
        raise ConfigError("give a number of trials or a timeout", field="trials")
    if n_trials is not None:
        n_trials = whole_number(n_trials, "trials")  # 1.5 ran a study of "1.5" trials
        if n_trials < 1:
            raise option_error("n_trials", "must be at least 1", field="trials")
    check_session_options(
        timeout=timeout,
        n_startup_trials=n_startup_trials,
        eval_stride=eval_stride,
        seed=seed,
        sampler_seed=sampler_seed,
    )
    if experiment is not None and not experiment.strip():
        raise option_error("experiment", "must name the MLflow experiment (it is empty)")
    if study_name is not None and not study_name.strip():
        # "" fell back to the default name and resumed (or was refused by) that study instead
        raise option_error("study_name", "must name the study (it is empty)", field="study")
    if input_len is not None and whole_number(input_len, "input_len") < 1:
        # a panel's trials were the first to see it: every one failed, and the study kept it
        raise option_error("input_len", f"must be at least 1, got {input_len}")
    if registered_name is not None:
        check_registry_name(registered_name)
    spec = get_model_spec(model)
    check_strategy(spec.name, strategy)
    if not has_search_space(spec.name, strategy):
        raise ConfigError(f"model {spec.name!r} declares no search space; nothing to tune", field="model")
    check_fixed_options(spec.name, model_config, train_config)
    holdout = _is_holdout(data, split)
    if drop_short and not holdout:
        raise ConfigError(
            "drop_short=True applies to the panel protocol: a split cuts one aligned series by time",
            cli_message="--drop-short applies to the panel protocol: a --split cuts one aligned series by time",
            field="drop_short",
        )
    if not holdout and load_kwargs.pop("drop_too_few", False):  # False asks for nothing: dropped
        raise ConfigError(
            "drop_too_few applies to a panel (series of their own lengths): a split reads one aligned table",
            field="drop_too_few",
        )
    if holdout:
        from tsforge.pipeline.panel import refuse_loss_strategy

        refuse_loss_strategy(strategy)  # before any storage, loading or study: nothing to clean up
    store = storage if isinstance(storage, optuna.storages.BaseStorage) else resolve_storage(storage)
    if isinstance(pruner, str):
        pruner = make_pruner(pruner)
    if holdout:
        pruner = _panel_pruner(pruner)
        if eval_stride != 1:
            log.warning(
                "--eval-stride %d has no effect on a panel: each series is scored on its one "
                "validation and one test window",
                eval_stride,
            )
    objective = OBJECTIVE_METRIC
    fixed = (model_config, train_config, strategy_config)
    if holdout:
        from tsforge.panels.global_models import check_global_config
        from tsforge.tuning.panel_trials import PANEL_OBJECTIVE, train_panel_trial

        series, horizon, history, context = _panel_for_study(
            data, spec.name, input_len, horizon, drop_short, load_kwargs
        )
        options = _drawn_options(spec.name, strategy, fixed, context)
        if options is not None:  # as train_panel checks them before its run opens
            check_global_config(history, spec.name, horizon, input_len=input_len, seed=seed, **options)
        split, objective = HOLDOUT, PANEL_OBJECTIVE
        train_fn = train_fn or train_panel_trial
    else:
        loaded = load(data, **(load_kwargs or {}))
        series, entry = loaded.series, loaded.entry
        given_input = input_len  # None: the default, which a refusal of it must call so
        input_len, horizon = default_lengths(series, entry, input_len, horizon)
        note = default_input_note(entry, given_input, horizon)
        split = split or getattr(entry, "split", None) or "7:1:2"
        task = _check_windows(data, series, entry, input_len, horizon, split, note)
        context = ModelContext.from_task(task)
        options = _drawn_options(spec.name, strategy, fixed, context)
        if options is not None:  # as pipeline.train checks them before its run opens
            from tsforge.training.fitting import check_model_config
            from tsforge.training.spec import TrainingSpec

            check_model_config(
                TrainingSpec(
                    spec.name,
                    split=split,
                    seed=seed,
                    model_config=options["model_config"],
                    train_config=options["train_config"],
                ),
                context,
            )
    name = study_name or default_study_name(spec.name, series.name or "data", horizon)
    study = open_study(
        name,
        store,
        seed=seed if sampler_seed is None else sampler_seed,
        pruner=pruner,
        n_startup_trials=n_startup_trials,
        user_attrs={
            "model": spec.name,
            "dataset": series.name,
            "input_len": input_len,
            "horizon": horizon,
            "split": split,
            "strategy": strategy or "plain",
            "objective": objective,
            # fixed options change what a trial's value means: resuming with other ones would
            # compare trials trained otherwise and retrain the "best" under options it never had
            "fixed_options": _fixed_options(train_config, model_config, strategy_config),
            # so do the training seed (every trial's, and the retrained best's), the stride of
            # the scored validation windows (windowed data only: a panel ignores it) and the
            # series a panel keeps (--drop-short)
            "seed": seed,
            "eval_stride": None if holdout else eval_stride,
            "drop_short": bool(drop_short),
        },
    )
    _check_choices(study, spec.name, strategy, fixed, context)
    for params in enqueue:
        study.enqueue_trial(dict(params), skip_if_exists=True)
    exp_name = experiment or series.name or "default"
    done_before = finished_trials(study)
    to_run = None if n_trials is None else max(0, n_trials - done_before)
    _warn_if_detached(study, exp_name, name, store)
    if on_start is not None:
        on_start(done_before, to_run)
    setup = TuneSetup(
        data=series,
        model=spec.name,
        input_len=input_len,
        horizon=horizon,
        split=split,
        study_name=name,
        experiment=exp_name,
        train_overrides=dict(train_config or {}),
        model_overrides=dict(model_config or {}),
        strategy=strategy,
        strategy_overrides=dict(strategy_config or {}),
        seed=seed,
        eval_stride=eval_stride,
        objective=objective,
        context=context,
        progress=progress,
    )
    storage_name = describe_storage(store)
    if to_run == 0 and _nothing_left(study, setup, retrain, register, registered_name):
        # A finished study rerun: no trial to run and its best already retrained (or no retrain
        # asked for). Opening a parent run here left an empty "tune-<study>" run in MLflow per
        # rerun (no trials, plots or model of its own), so the session reports the study as it
        # stands and opens nothing.
        log.info("study %r already has %d of %d trials; none to run", name, done_before, n_trials)
        return _finished_result(study, setup, storage_name, registered_name)
    tags = {
        studies.ROLE_TAG: "tuning",
        studies.STUDY_TAG: name,
        "tsforge.model": spec.name,
        "tsforge.dataset": str(series.name),
        # what the runs table is filtered by, as a training run carries them
        "tsforge.data_kind": "panel" if holdout else "multichannel",
        "tsforge.horizon": horizon,
    }
    if holdout or split:  # a window model's default split is resolved by each trial's training
        tags["tsforge.protocol"] = "holdout" if holdout else str(split)
    # The parent run ends FINISHED, KILLED (Ctrl-C, SIGTERM) or FAILED, and a trial run left open
    # half way ends with the same status (see tracked_run).
    with tracked_run(
        experiment=exp_name, run_name=f"tune-{name}", tags=tags, description=_describe(setup, n_trials)
    ) as parent:
        t0 = time.perf_counter()
        n_before = len(study.get_trials(deepcopy=False))
        try:
            parent.log_params(
                {
                    "study": name,
                    "storage": storage_name,
                    "model": spec.name,
                    "dataset": series.name,
                    "input_len": _resolved_input_len(input_len, horizon, series),
                    "horizon": horizon,
                    "split": split,
                    "objective": objective,
                    "strategy": strategy or "plain",
                    "n_trials": n_trials,
                    "timeout": timeout,
                    "seed": seed,
                    "sampler_seed": seed if sampler_seed is None else sampler_seed,
                    # the rest of what a rerun needs to reproduce this session's trials
                    "n_startup_trials": n_startup_trials,
                    "eval_stride": eval_stride,
                    "drop_short": drop_short,
                    "sampler": type(study.sampler).__name__,
                    "pruner": type(study.pruner).__name__,
                    "trials_before": n_before,
                    **{f"fixed.train.{k}": v for k, v in setup.train_overrides.items()},
                    **{f"fixed.model.{k}": v for k, v in setup.model_overrides.items()},
                }
            )
            _log_study_data(parent, series, holdout)
            trial_objective = TrialObjective(setup, parent.run_id, train_fn)
            ran: list[int] = []  # trials this process ran (other workers add to the study too)
            if to_run != 0:
                stop = [] if n_trials is None else [partial(_stop_at_total, n_trials)]
                _optimize(
                    study,
                    trial_objective,
                    n_trials=to_run,
                    timeout=timeout,
                    catch=catch,
                    callbacks=[
                        lambda _study, trial: ran.append(trial.number),
                        partial(_log_trial_to_parent, parent),
                        *stop,
                        *callbacks,
                    ],
                )
            else:
                log.info("study %r already has %d of %d trials; none to run", name, done_before, n_trials)
            return _finish(
                study,
                setup,
                parent,
                storage_name,
                len(ran),
                t0,
                retrain,
                register,
                registered_name,
                train_fn,
                on_retrain,
            )
        except KeyboardInterrupt:
            log.warning("tuning interrupted; study %r is resumable with the same name and storage", name)
            raise


def _optimize(study: optuna.Study, objective: Callable[..., float], **kwargs: Any) -> None:
    """``study.optimize``, with a Ctrl-C (or ``kill``) that Optuna's bookkeeping turned into
    another error raised again as what it was.

    Why: a Ctrl-C that lands while Optuna records a finished trial (its journal write) comes out
    of ``study.optimize`` as ``UnboundLocalError`` (Optuna's ``finally`` reads a variable the
    interrupted line never set). The session then ended ``FAILED`` with a traceback, rc 1, and
    without the "resumable" note, although the user had only pressed Ctrl-C.
    """
    try:
        study.optimize(objective, **kwargs)
    except Exception as exc:
        stopped = interruption(exc)
        if stopped is None:
            raise
        raise (
            KeyboardInterrupt() if isinstance(stopped, KeyboardInterrupt) else SystemExit(stopped.code)
        ) from exc


def _panel_pruner(pruner: optuna.pruners.BasePruner) -> optuna.pruners.BasePruner:
    """The pruner a panel study really has: none (see :mod:`tsforge.tuning.panel_trials`).

    Why: a global model on a panel reports no per-epoch validation loss, so no pruner can stop a
    trial; keeping the requested one made the parent run say ``PercentilePruner`` for a study in
    which nothing could be pruned, and ``--pruner hyperband`` on a panel was silently a no-op.
    The default (median) passes quietly; any other explicit pruner gets a warning.
    """
    if not isinstance(pruner, (optuna.pruners.MedianPruner, optuna.pruners.NopPruner)):
        log.warning(
            "--pruner %s has no effect on a panel: its trials report no per-epoch validation loss, "
            "so every trial runs to its own early stopping",
            type(pruner).__name__,
        )
    return optuna.pruners.NopPruner()


#: Seeds NumPy's generators (TPE's, every trial's) accept: 0 to 2**32 - 1.
_MAX_SEED = 2**32 - 1

#: ``tune``'s parameters whose ``tsforge tune`` flag is not the parameter's name in dashes.
_FLAGS = {
    "study_name": "--study",
    "n_trials": "--trials",
    "input_len": "--input",
    "n_startup_trials": "--startup-trials",
}


def option_error(param: str, says: str, *, field: str | None = None) -> ConfigError:
    """A refusal of ``tune``'s ``param`` that names it as each caller writes it: ``"eval_stride
    must be at least 1"`` for :func:`tune` (``str(err)``), ``"--eval-stride must be at least 1"``
    on the command line (:meth:`~tsforge.errors.TsforgeError.for_cli`).

    Why both: these checks serve the library and ``tsforge tune`` alike (the command calls
    :func:`check_session_options` before its progress bar), and their messages named the flags
    only, so a Python caller was told about ``--study`` and ``--startup-trials``, options no
    function of theirs has. ``field`` (default ``param``) is the ``where`` both renderings share.
    """
    flag = _FLAGS.get(param, "--" + param.replace("_", "-"))
    return ConfigError(f"{param} {says}", cli_message=f"{flag} {says}", field=field or param)


def check_session_options(
    *,
    timeout: float | None = None,
    n_startup_trials: int = 10,
    eval_stride: int = 1,
    seed: int = 2024,
    sampler_seed: int | None = None,
) -> None:
    """Refuse session options that cannot mean anything, naming the option.

    Why: ``--timeout 0`` (or negative) opened the study and a parent run, started no trial and
    then reported "every trial of this study failed"; a negative ``--startup-trials`` was passed
    to TPE as is, and ``--eval-stride 0`` reached the window slicing. ``--seed -5`` or
    ``--sampler-seed -1`` ended in NumPy's "Seed must be between 0 and 2**32 - 1" traceback
    while the sampler was built, which named neither option.
    """
    for name, value in (("seed", seed), ("sampler_seed", sampler_seed)):
        if value is not None and not 0 <= value <= _MAX_SEED:
            raise option_error(name, f"must be between 0 and {_MAX_SEED}, got {value}")
    if timeout is not None and not timeout > 0:
        raise option_error("timeout", f"must be a positive number of seconds, got {timeout:g}")
    if n_startup_trials < 0:
        raise option_error(
            "n_startup_trials", f"must be 0 or more, got {n_startup_trials}", field="startup_trials"
        )
    if eval_stride < 1:
        raise option_error("eval_stride", f"must be at least 1, got {eval_stride}")


def _fixed_options(*groups: Mapping[str, Any] | None) -> str:
    """The options every trial shares (training, model, strategy), as one canonical text a
    resumed study must match; ``{}`` each when none is given."""
    return json.dumps([dict(g or {}) for g in groups], sort_keys=True, default=str)


def _log_study_data(parent: Any, series: Any, holdout: bool) -> None:
    """The data every trial trains on, as the parent run's dataset input (the trials log the
    same: loaded data, no file label), so the study's row in the runs table names its data.

    Why: the parent's Dataset column was empty while each trial under it named the data."""
    from tsforge.pipeline.multichannel import log_series_dataset
    from tsforge.pipeline.panel import log_panel_dataset

    (log_panel_dataset if holdout else log_series_dataset)(parent, series, None)


def _panel_for_study(
    data: Any,
    model: str,
    input_len: int | None,
    horizon: int | None,
    drop_short: bool,
    load_kwargs: dict[str, Any] | None,
) -> tuple[Any, int, Any, ModelContext]:
    """The panel the trials train on, its horizon, its training history (the panel less each
    series' test window) and the context of the trials' model.

    Why the holdout is cut here: series too short for it fail every trial alike, so they are
    refused once, before the study opens, as ``tsforge train`` refuses them before its run
    opens (:func:`~tsforge.pipeline.train_panel`): a horizon the user did not give is named as
    this data's default, with how to pass a shorter one.

    The missing values the trials' history holds are said here, once for the study, with the
    steps ``fill_gaps`` inserted (the reader's own note on them held back for it), as ``tsforge
    train`` says them in one note; each trial's own note is silenced
    (:func:`~tsforge.tuning.panel_trials.train_panel_trial`). Why: ``tune --fill-gaps`` said the
    inserted steps twice, once as inserted by the reader and once as filled by the trials.
    """
    from tsforge.data.protocol import panel_horizon
    from tsforge.panels.global_models import PanelTask
    from tsforge.panels.protocol import (
        default_horizon_named,
        default_horizon_that_fits,
        drop_short_series,
        holdout_split,
    )
    from tsforge.pipeline.panel import load_holding_gaps, note_filled_for_candidates

    series, entry, held = load_holding_gaps(data, load_kwargs)
    h = panel_horizon(horizon, entry, series.season_length, series.horizon)
    with held.released_if_raised(), default_horizon_named(horizon, h):
        h = default_horizon_that_fits(series, horizon, h, drop_short=drop_short, entry=entry)
        if drop_short:
            held.released_before_drop(series, h)
            series, _ = drop_short_series(series, h)
        history = holdout_split(series, h).history
    where = os.fspath(data) if isinstance(data, (str, os.PathLike)) else str(series.name)
    note_filled_for_candidates(series, h, [model], where, held, noun=f"{model} trials")
    window = _resolved_input_len(input_len, h, history)
    assert window is not None  # a panel's window always resolves
    return series, h, history, PanelTask(history, window, h).context()


def _drawn_options(
    model: str,
    strategy: str | None,
    fixed: tuple[dict[str, Any] | None, dict[str, Any] | None, dict[str, Any] | None],
    context: ModelContext,
) -> dict[str, dict[str, Any]] | None:
    """The model and training options of a configuration a trial can draw, the user's fixed
    ones over it; ``None`` when nothing is fixed.

    Why: the training pipelines build the model for the data before a run opens, so ``-o
    patch_len=48`` on a 24-step window is one line from ``tsforge train``; a study built it in
    every trial, each failed alike, and the study kept the failed trials under its name. Only
    fixed options are new to check: the searched ones are the model's own choices for this data.
    """
    model_config, train_config, _ = (dict(group or {}) for group in fixed)
    if not model_config and not train_config:
        return None
    drawn, _ = probe_space(model, strategy, pinned_options(*fixed), context)
    return {"model_config": {**drawn.model, **model_config}, "train_config": {**drawn.train, **train_config}}


def _check_choices(
    study: optuna.Study,
    model: str,
    strategy: str | None,
    fixed: tuple[dict[str, Any] | None, dict[str, Any] | None, dict[str, Any] | None],
    context: ModelContext,
) -> None:
    """Refuse to resume a study whose trials drew a categorical parameter from other choices
    than the search offers for this data now (Optuna cannot change them within a study).

    Why: a study started before a search space read the data (LightGBM's ``n_lags`` from 24, 48
    and 96 on a 24-step window, where all three trained the same model) failed on its first new
    trial with Optuna's "CategoricalDistribution does not support dynamic value space".
    HUTFormer's tilings likewise: a study that drew ``segment_len`` from 6 and 12 on a 24-step
    window, which holds segments of 6 only in the search's tilings.
    """
    _, now = probe_space(model, strategy, pinned_options(*fixed), context)
    for trial in study.get_trials(deepcopy=False):
        for param, dist in trial.distributions.items():
            if isinstance(dist, optuna.distributions.CategoricalDistribution) and param in now:
                if tuple(dist.choices) != now[param]:
                    said = (
                        f"study {study.study_name!r} drew {param} from {list(dist.choices)}, and this "
                        f"data's search offers {list(now[param])} ({context.input_len} input steps: "
                        "it offers the choices this window holds, each once); use another "
                    )
                    raise ConfigError(
                        said + "study name to search it anew",
                        cli_message=said + "--study name to search it anew",
                        field="study",
                    )


def _check_windows(
    data: Any,
    series: Any,
    entry: Any,
    input_len: int,
    horizon: int,
    split: str,
    input_note: str | None = None,
) -> Any:
    """Refuse, before the study opens, a split / input / horizon that leaves a split without a
    window, or a user's channel without a training value, as every trial's training would; the
    task the trials train on otherwise.

    Why: ``--split 7:1:2 --horizon 200`` on 99 rows failed each of the ``--trials`` alike with
    "series too short", and the study was left holding the failed trials (a panel's "series too
    short" was already said once, before the study). A catalogue dataset's unobserved channels
    are dropped, as its training drops them, before the windows are counted.
    """
    from tsforge.data.protocol import drop_channels_unobserved_in_train
    from tsforge.data.task import prepare_task

    if entry is not None:
        series, _ = drop_channels_unobserved_in_train(series, split)
    file = str(data) if isinstance(data, (str, os.PathLike)) else None
    return prepare_task(series, input_len, horizon, split, file=file, input_note=input_note)


def _is_holdout(data: Any, split: str | None) -> bool:
    """Whether ``tsforge train`` would use the per-series holdout protocol on ``data``: a
    :class:`Panel`, an explicit ``split="holdout"``, or a source whose default is holdout (a
    panel collection, a user's file). Frames and arrays keep the windowed default."""
    from tsforge.data.panel import Panel
    from tsforge.data.protocol import HOLDOUT, protocol_for

    if isinstance(data, Panel):
        return True
    if split is not None:
        return split.strip().lower() == HOLDOUT
    if isinstance(data, (str, os.PathLike)):
        return protocol_for(os.fspath(data), None) == HOLDOUT
    return False


def _resolved_input_len(input_len: int | None, horizon: int, series: Any) -> int | None:
    """The window the trials train with, for the parent run's params: on a panel ``input_len``
    stays ``None`` until ``train_panel`` applies its default, so the parent showed ``None`` while
    every trial showed the number. The study's attributes keep ``None`` (resuming compares them)."""
    from tsforge.data.panel import Panel

    if input_len is not None or not isinstance(series, Panel):
        return input_len
    from tsforge.panels.global_models import default_input_len

    return default_input_len(horizon, series.season_length)


def _describe(setup: TuneSetup, n_trials: int | None, best: optuna.trial.FrozenTrial | None = None) -> str:
    """One line for the parent run's description (the MLflow UI shows it above the run)."""
    trials = "until the timeout" if n_trials is None else f"{n_trials} trials"
    text = f"Tuning {setup.model} on {setup.data.name}, horizon {setup.horizon}, {trials} (study {setup.study_name})"
    if best is not None:
        text += f"; best {setup.objective} {best.value:.4g} at trial {best.number}"
    return text + "."


def _stop_at_total(total: int, study: optuna.Study, trial: optuna.trial.FrozenTrial) -> None:
    """Stop this worker once the study (all workers together) has ``total`` finished trials.

    Why after a trial and not before one: before it, the trials other workers have running
    would have to count, and a worker killed outright (out of memory, SIGKILL) leaves its trial
    running in the storage for ever: a resumed study would then never reach its total. So
    another worker's trial in flight when the total is reached still finishes (N workers end
    at most N - 1 over ``total``; ``--trials``' help says so).
    """
    if finished_trials(study) >= total:
        study.stop()


def _warn_if_detached(study: optuna.Study, experiment: str, name: str, storage: Any) -> None:
    """A new study whose name already has trial runs in MLflow was started against another
    storage: say so instead of silently numbering trials from 0 again."""
    if study.get_trials(deepcopy=False):
        return
    try:
        runs = studies.study_runs(experiment, name)
    except Exception:  # noqa: BLE001 - a warning only
        return
    if runs:
        log.warning(
            "study %r has %d trial run(s) in MLflow experiment %r but none in %s: a new study starts "
            "(pass the --storage used before to resume it)",
            name,
            len(runs),
            experiment,
            describe_storage(storage),
        )


def _log_trial_to_parent(parent: TrackedRun, study: optuna.Study, trial: optuna.trial.FrozenTrial) -> None:
    """Per-trial curve on the parent run: the best value so far (step = trial number).

    Why not each trial's value beside it: MLflow's runs table and a run's metrics show a
    metric's last value, so the parent's ``trial_value`` read as the study's result and was the
    last trial's (0.564 beside a best of 0.326). Each trial's value is its own run's metric (the
    study's objective) and the parent's ``tuning/optimization_history.png`` plots them all.
    """
    best = _best(study)
    if best is None:
        return
    try:
        parent.log_metrics({"best_value": _value(best)}, step=trial.number)
    except Exception as exc:  # noqa: BLE001 - never fail a study over a chart
        log.warning("could not log trial %d to the parent run: %s", trial.number, exc)


def _last_step(study: optuna.Study) -> int:
    """Step of the summary metrics: the last trial's number, so ``best_value`` (also logged per
    trial, step = trial number) ends its curve there instead of jumping back to step 0."""
    trials = study.get_trials(deepcopy=False)
    return max((t.number for t in trials), default=0)


def _nothing_left(
    study: optuna.Study, setup: TuneSetup, retrain: bool, register: bool, registered_name: str | None
) -> bool:
    """Whether a session that runs no trial would do nothing but repeat the study's summary: no
    retrain asked for, no complete trial to retrain, or the best trial already retrained and
    registered under this name (:func:`_skip_retrain`)."""
    best = _best(study)
    if not retrain or best is None:
        return True
    name = registered_name or default_registry_name(setup.data.name, setup.model)
    return _skip_retrain(study, best.number, name, register, 0)


def _summary(
    study: optuna.Study, setup: TuneSetup, storage_name: str, parent_run_id: str | None
) -> tuple[TuneResult, optuna.trial.FrozenTrial | None, TrialConfig | None]:
    """The study as it stands (counts and best trial over every session), as a result."""
    counts = study_summary(study)
    best = _best(study)
    best_cfg = (
        None
        if best is None
        else config_from_params(best.params, setup.model, setup.strategy, setup.pinned(), setup.context)
    )
    result = TuneResult(
        study_name=study.study_name,
        storage=storage_name,
        experiment=setup.experiment,
        parent_run_id=parent_run_id,
        n_trials_session=0,
        counts=counts,
        best_value=None if best is None else _value(best),
        best_trial=None if best is None else best.number,
        best_params={} if best is None else dict(best.params),
        best_config=None if best_cfg is None else _as_trained(best_cfg, setup).to_dict(),
        wall_seconds=0.0,
        objective=setup.objective,
    )
    return result, best, best_cfg


def _as_trained(cfg: TrialConfig, setup: TuneSetup) -> TrialConfig:
    """``cfg`` as the trials' model trains it on the study's data (:func:`trained_config`)."""
    return trained_config(cfg, setup.model, setup.context, seed=setup.seed, fixed_model=setup.model_overrides)


def _finished_result(
    study: optuna.Study, setup: TuneSetup, storage_name: str, registered_name: str | None
) -> TuneResult:
    """What a rerun of a finished study reports without opening a run: the study's counts and
    best trial, the registered version that already holds the best model, and the newest parent
    run of an earlier session (where the study's plots and summary are)."""
    t0 = time.perf_counter()
    result, best, _ = _summary(study, setup, storage_name, None)
    name = registered_name or default_registry_name(setup.data.name, setup.model)
    version = study.user_attrs.get(REGISTERED_VERSION_ATTR)
    if best is not None and version is not None and _skip_retrain(study, best.number, name, True, 0):
        result.already_registered = f"{name} version {version}"
    result.last_parent_run_id = _last_parent_run(setup.experiment, study.study_name)
    result.wall_seconds = time.perf_counter() - t0
    return result


def _last_parent_run(experiment: str, study_name: str) -> str | None:
    """The newest parent (``tuning``) run of ``study_name`` in ``experiment`` (``None`` if none
    is found: a study tuned elsewhere, or a store that cannot be searched)."""
    try:
        runs = studies.study_runs(experiment, study_name, trials_only=False)
    except Exception as exc:  # noqa: BLE001 - a pointer for the summary only
        log.debug("could not search the study's parent runs: %s", exc)
        return None
    parents = [r for r in runs if r.data.tags.get(studies.ROLE_TAG) == "tuning"]
    if not parents:
        return None
    return max(parents, key=lambda r: r.info.start_time or 0).info.run_id


def _finish(
    study: optuna.Study,
    setup: TuneSetup,
    parent: TrackedRun,
    storage_name: str,
    n_ran: int,
    t0: float,
    retrain: bool,
    register: bool,
    registered_name: str | None,
    train_fn: TrainFn | None,
    on_retrain: Callable[[int], None] | None = None,
) -> TuneResult:
    result, best, best_cfg = _summary(study, setup, storage_name, parent.run_id)
    result.n_trials_session = n_ran
    counts = result.counts
    with tempfile.TemporaryDirectory() as tmp:
        plots = save_study_plots(study, tmp)
        for plot in plots:
            parent.log_artifact(plot, "tuning")
        plot_names = [f"tuning/{p.name}" for p in plots]
    summary = {f"n_{k}": float(v) for k, v in counts.items()}
    if best is not None:
        summary["best_value"] = _value(best)
        summary["best_trial"] = float(best.number)
    parent.log_metrics(summary, step=_last_step(study))
    parent.set_tags({_NOTE: _describe(setup, counts["total"], best)})
    parent.log_dict(
        {
            "study": study.study_name,
            "storage": storage_name,
            "counts": counts,
            "best_trial": None if best is None else best.number,
            "best_value": None if best is None else best.value,
            "best_params": {} if best is None else best.params,
            "best_config": result.best_config,  # as trained (see trained_config)
        },
        "tuning/best.json",
    )
    result.plots = plot_names
    name = registered_name or default_registry_name(setup.data.name, setup.model)
    if best is not None and best_cfg is not None and retrain:
        if _skip_retrain(study, best.number, name, register, n_ran):
            version = study.user_attrs.get(REGISTERED_VERSION_ATTR)
            if version is not None:
                result.already_registered = f"{name} version {version}"
                parent.set_tags({"tsforge.best_already_registered": result.already_registered})
        else:
            if on_retrain is not None:
                on_retrain(best.number)
            _retrain_best(result, setup, parent, best, best_cfg, register, name, train_fn)
            if result.version is not None:
                study.set_user_attr(REGISTERED_TRIAL_ATTR, best.number)
                study.set_user_attr(REGISTERED_NAME_ATTR, name)
                study.set_user_attr(REGISTERED_VERSION_ATTR, result.version)
    result.wall_seconds = time.perf_counter() - t0
    parent.log_metrics({"wall_seconds": result.wall_seconds})
    return result


def _retrain_best(
    result: TuneResult,
    setup: TuneSetup,
    parent: TrackedRun,
    best: optuna.trial.FrozenTrial,
    cfg: TrialConfig,
    register: bool,
    registered_name: str | None,
    train_fn: TrainFn | None,
) -> None:
    """Retrain the best configuration (same seed → same model as the best trial) and register it
    through the pipeline, like ``tsforge train``: the version is described and tagged, and
    ``@champion`` moves only if it serves what the champion serves and beats it on validation."""
    fn = train_fn if train_fn is not None else _default_train()
    name = registered_name or default_registry_name(setup.data.name, setup.model)
    with progress_label(f"{trial_label(best.number)} retrained"):  # its epoch lines say what trains
        outcome = fn(
            setup.data,
            **setup.train_kwargs(cfg),
            track=True,
            register=register,
            registered_name=name if register else None,
            run_name=f"{setup.study_name}-best",
            nested=True,
            tags={
                studies.STUDY_TAG: setup.study_name,
                studies.ROLE_TAG: "best",
                "tsforge.best_trial": str(best.number),
            },
        )
    result.final_run_id = outcome.run_id
    result.final_metrics = {k: float(v) for k, v in outcome.metrics.items()}
    result.final_baseline = (getattr(outcome, "params", None) or {}).get("baseline")
    # the best training's headline scores, as its own run shows them (not a window model's sMAPE
    # of normalised values, which read 66.9 beside the run's 4.99 in original units)
    parent.log_metrics({f"best_{k}": v for k, v in headline_scores(result.final_metrics).items()})
    version = getattr(outcome, "version", None)
    if not register or version is None:
        return
    result.registered_name = name
    result.version = str(version)
    result.champion_version = getattr(outcome, "champion_version", None)
    result.promotion = getattr(outcome, "promotion", None)
    parent.log_params({"registered_name": name, "registered_version": version})
