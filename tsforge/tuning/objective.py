"""The objective of a study: one trial = one ``pipeline.train`` call in a nested MLflow run.

Why the pipeline and not a bespoke loop: a trial must be trained and scored exactly like
``tsforge train`` (same protocol, same metrics, same logged artifacts), so each trial is
reviewable in MLflow like any other run and the best one can be retrained bit for bit.

Trial → MLflow status: complete → ``FINISHED``; pruned → ``KILLED`` (training was stopped by the
pruner; the run still holds the metrics of its best epoch); error → ``FAILED``; Ctrl-C →
``KILLED``. The objective value is the validation MSE on the normalised scale (``val_mse``),
the same quantity early stopping and the pruner see; on a panel (per-series holdout) it is the
mean validation MASE (``val_mase``, see :mod:`tsforge.tuning.panel_trials`).
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import optuna

from tsforge.data.frame import TimeSeriesData
from tsforge.data.panel import Panel
from tsforge.models.base import ModelContext
from tsforge.tracking import studies
from tsforge.tracking.runs import run_outcome
from tsforge.tracking.trained_model import HEADLINE_METRICS
from tsforge.training.fitting import progress_label
from tsforge.tuning.pruning import OptunaPruningCallback
from tsforge.tuning.space import TrialConfig, suggest_config, trained_config
from tsforge.tuning.study import INTERRUPTED_ATTR

__all__ = ["TuneSetup", "TrialObjective", "OBJECTIVE_METRIC", "pinned_options", "trial_label"]

log = logging.getLogger(__name__)

#: Metric minimised by the study (normalised validation MSE, logged by the pipeline).
OBJECTIVE_METRIC = "val_mse"


def pinned_options(
    model: Mapping[str, Any] | None, train: Mapping[str, Any] | None, strategy: Mapping[str, Any] | None
) -> dict[str, Any]:
    """The fixed model, training and strategy options as one dict, for
    :func:`~tsforge.tuning.space.suggest_config`: a parameter the user fixed is not searched (the
    search-space names are option names; a model option wins over a training one of its name)."""
    return {**(strategy or {}), **(train or {}), **(model or {})}


def trial_label(number: int) -> str:
    """What a trial's training progress lines are named (``trial #3 · epoch 5: …``): the number
    the trial bar's best, a failed trial's line, the retraining note and the trial's MLflow run
    name (``…-trial-3``) give it, so an epoch line in a log can be matched to its trial."""
    return f"trial #{number}"


@dataclass
class TuneSetup:
    """What stays fixed across the trials of one study."""

    data: TimeSeriesData | Panel
    model: str
    input_len: int | None
    horizon: int
    split: str
    study_name: str
    experiment: str
    train_overrides: dict[str, Any] = field(default_factory=dict)
    model_overrides: dict[str, Any] = field(default_factory=dict)
    strategy: str | None = None
    strategy_overrides: dict[str, Any] = field(default_factory=dict)
    seed: int = 2024
    eval_stride: int = 1
    #: the metric the study minimises (``val_mse``; ``val_mase`` on a panel)
    objective: str = OBJECTIVE_METRIC
    #: what every trial's model is built for (input window, horizon, season): the search spaces
    #: whose choices depend on it read it (see :mod:`tsforge.tuning.space`); ``None``: unknown
    context: ModelContext | None = None
    #: the training's own progress inside each trial (per-epoch lines, batch bars; a panel's
    #: per-series work), as ``tsforge train`` shows it: a trial can run for many minutes
    progress: bool = False

    def pinned(self) -> dict[str, Any]:
        """The fixed options as one dict (:func:`pinned_options`)."""
        return pinned_options(self.model_overrides, self.train_overrides, self.strategy_overrides)

    def train_kwargs(self, cfg: TrialConfig) -> dict[str, Any]:
        """Keyword arguments of ``pipeline.train`` for configuration ``cfg``.

        Fixed overrides (e.g. ``max_epochs`` from the command line) win over suggestions, so a
        user can pin an option the search space would otherwise vary.
        """
        return {
            "model": self.model,
            "input_len": self.input_len,
            "horizon": self.horizon,
            "split": self.split,
            "model_config": {**cfg.model, **self.model_overrides},
            "train_config": {**cfg.train, **self.train_overrides},
            "strategy": self.strategy,
            "strategy_config": {**cfg.strategy, **self.strategy_overrides} if self.strategy else None,
            "seed": self.seed,
            "experiment": self.experiment,
            "progress": self.progress,
            "eval_stride": self.eval_stride,
        }


TrainFn = Callable[..., Any]


def _default_train() -> TrainFn:
    from tsforge.pipeline import train

    return train


class TrialObjective:
    """Callable passed to ``study.optimize``.

    Args:
        setup: the fixed part of every trial.
        parent_run_id: the MLflow run the trial runs are nested under (must be active).
        train_fn: ``pipeline.train`` (injectable for tests of the bookkeeping).
    """

    def __init__(self, setup: TuneSetup, parent_run_id: str, train_fn: TrainFn | None = None) -> None:
        self.setup = setup
        self.parent_run_id = parent_run_id
        self.train_fn = train_fn or _default_train()

    def _tags(self, trial: optuna.Trial) -> dict[str, str]:
        return {
            studies.STUDY_TAG: self.setup.study_name,
            studies.TRIAL_TAG: str(trial.number),
            studies.ROLE_TAG: "trial",
            studies.STATE_TAG: "RUNNING",
        }

    def _mark(self, trial: optuna.Trial, run_id: str | None, status: str, state: str) -> None:
        """Give the trial's child run its final status and state tag (best effort, never raises)."""
        try:
            studies.close_children(self.parent_run_id, status)
            run_id = run_id or studies.find_trial_run(self.parent_run_id, trial.number)
            if run_id is None:
                return
            studies.mark_run(run_id, status=status, tags={studies.STATE_TAG: state})
        except Exception as exc:  # noqa: BLE001 - bookkeeping must not hide the real error
            log.warning("could not mark MLflow run of trial %d as %s: %s", trial.number, status, exc)

    def __call__(self, trial: optuna.Trial) -> float:
        cfg = suggest_config(
            trial, self.setup.model, self.setup.strategy, self.setup.pinned(), self.setup.context
        )
        setup = self.setup
        trained = trained_config(
            cfg, setup.model, setup.context, seed=setup.seed, fixed_model=setup.model_overrides
        )
        trial.set_user_attr("config", trained.to_dict())  # as trained (see trained_config)
        pruning = OptunaPruningCallback(trial)
        try:
            with progress_label(trial_label(trial.number)):  # its epoch lines name the trial
                outcome = self.train_fn(
                    self.setup.data,
                    **self.setup.train_kwargs(cfg),
                    track=True,
                    register=False,
                    log_model=False,  # only the retrained best model is packaged and registered
                    run_name=f"{self.setup.study_name}-trial-{trial.number}",
                    nested=True,
                    tags=self._tags(trial),
                    callbacks=[pruning],
                )
        except (KeyboardInterrupt, SystemExit) as exc:  # Ctrl-C, or SIGTERM turned into SystemExit
            status = run_outcome(exc)[0]
            try:  # does not count towards --trials: a resumed study runs it again
                trial.set_user_attr(INTERRUPTED_ATTR, True)
            except Exception as mark_exc:  # noqa: BLE001 - never hide the interruption
                log.warning("could not mark trial %d as interrupted: %s", trial.number, mark_exc)
            self._mark(trial, None, status, "INTERRUPTED" if status == "KILLED" else "FAIL")
            raise
        except Exception as exc:
            self._mark(trial, None, "FAILED", "FAIL")
            trial.set_user_attr("error", str(exc)[:500])
            raise
        run_id = outcome.run_id
        trial.set_user_attr("mlflow_run_id", run_id)
        for key in (*HEADLINE_METRICS, "epochs_run", "boosting_rounds", "train_seconds"):
            if key in outcome.metrics and math.isfinite(float(outcome.metrics[key])):
                trial.set_user_attr(key, float(outcome.metrics[key]))
        if pruning.pruned:
            self._mark(trial, run_id, "KILLED", "PRUNED")
            pruning.raise_if_pruned()
        value = float(outcome.metrics.get(self.setup.objective, float("nan")))
        state = "COMPLETE" if math.isfinite(value) else "FAIL"
        if run_id is not None:
            try:
                studies.mark_run(
                    run_id, status="FAILED" if state == "FAIL" else None, tags={studies.STATE_TAG: state}
                )
            except Exception as exc:  # noqa: BLE001
                log.warning("could not tag MLflow run %s: %s", run_id, exc)
        return value
