"""One tuning trial on a panel: the keyword set of ``pipeline.train`` mapped onto ``train_panel``.

Why an adapter and not a second objective: a trial on a panel must be trained and scored
exactly like ``tsforge train my_panel.csv`` (the per-series holdout protocol, validation MASE
on every series' validation window), while the study, the nested MLflow runs, the retraining
of the best trial and its registration stay the ones :mod:`tsforge.tuning.tune` already has.

Pruning: a global model on a panel reports no per-epoch validation loss to the tuner, so
trials run to their own early stopping and the pruner never stops one (the callbacks are
accepted and unused).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from tsforge.data.panel import Panel
from tsforge.pipeline import TrackingOptions, train_panel
from tsforge.pipeline.panel import PanelOutcome, filled_values_said, refuse_loss_strategy

__all__ = ["PANEL_OBJECTIVE", "train_panel_trial"]

#: What a study on a panel minimises: mean validation MASE over the series (lower is better).
PANEL_OBJECTIVE = "val_mase"


def train_panel_trial(
    panel: Panel,
    *,
    model: str,
    horizon: int,
    input_len: int | None = None,
    model_config: Mapping[str, Any] | None = None,
    train_config: Mapping[str, Any] | None = None,
    strategy: str | None = None,
    seed: int = 2024,
    experiment: str | None = None,
    progress: bool = False,
    track: bool = True,
    register: bool = False,
    log_model: bool = True,
    registered_name: str | None = None,
    run_name: str | None = None,
    nested: bool = False,
    tags: Mapping[str, str] | None = None,
    callbacks: Sequence[Any] = (),
    **_unused: Any,
) -> PanelOutcome:
    """Train ``model`` on ``panel`` under the holdout protocol with one trial's configuration.

    ``split``, ``strategy_config`` and ``eval_stride`` (options of windowed training) arrive
    in ``_unused``: the holdout protocol fixes the first, and the others do not apply.

    The note on the missing values the history holds is not said here: the study said it once
    for all its trials (:func:`~tsforge.tuning.tune.tune`), with the steps ``fill_gaps``
    inserted, which a trial, handed the panel already read, cannot tell apart.
    """
    refuse_loss_strategy(strategy)
    with filled_values_said():
        return train_panel(
            panel,
            model,
            horizon=horizon,
            input_len=input_len,
            seed=seed,
            model_config=model_config,
            train_config=train_config,
            tracking=TrackingOptions(
                track=track,
                register=register,
                log_model=log_model,
                registered_name=registered_name,
                experiment=experiment,
                run_name=run_name,
                nested=nested,
                tags=dict(tags or {}),
                progress=progress,
            ),
            # the retrained best model is served: it keeps its calibration; without one (no
            # registration) it keeps the non-negative floor its scores were taken with, so a
            # trial, the best retrained and a logged-only best serve and score the same points
            intervals=register,
        )
