"""Log a trained model to its tracked run: metrics, plots, the pyfunc, the registry.

Why one function for every kind of model: the multichannel pipeline and the panel pipeline
emit plain results (metrics, tables, a way to write the model bundle and its plots) and this
module, the one place that talks to MLflow about them, turns them into a reviewable run and a
registered model version.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd

    from tsforge.tracking.runs import TrackedRun

__all__ = ["LoggedModel", "log_trained_model"]


@dataclass
class LoggedModel:
    """Where a logged model went: its URI, and its registered name/version when registered."""

    model_uri: str | None = None
    registered_name: str | None = None
    version: str | None = None
    champion_version: str | None = None


def log_trained_model(
    run: TrackedRun,
    *,
    predictor: Any,
    write_bundle: Callable[[Path], Path],
    input_example: pd.DataFrame,
    metrics: Mapping[str, float],
    per_step: Mapping[str, Sequence[float]] | None = None,
    tables: Mapping[str, pd.DataFrame] | None = None,
    make_plots: Callable[[Path], Sequence[Path]] | None = None,
    log_model: bool = True,
    registered_name: str | None = None,
    champion_metric: str = "val_mse",
) -> LoggedModel:
    """Log ``metrics`` (and per-step errors, tables); with ``log_model`` also the plots and the
    model as a pyfunc (bundle written by ``write_bundle(folder)``), registered under
    ``registered_name`` when given (``@champion`` moves to the best version by ``champion_metric``)."""
    from tsforge.tracking.pyfunc import log_predictor_model
    from tsforge.tracking.registry import promote_champion, register_model_version

    run.log_metrics(dict(metrics))
    for key, values in (per_step or {}).items():
        run.log_dict({"metric": key, "per_step": list(values)}, f"metrics/test_{key}_per_step.json")
    for name, frame in (tables or {}).items():
        run.log_table(frame, name)
    out = LoggedModel()
    if not log_model:
        return out
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        for plot in make_plots(folder) if make_plots is not None else ():
            run.log_artifact(plot, "plots")
        bundle = write_bundle(folder / "bundle")
        info = log_predictor_model(bundle, predictor, input_example)
    out.model_uri = info.model_uri
    if registered_name:
        out.registered_name = registered_name
        out.version = register_model_version(info.model_uri, registered_name, run_id=run.run_id)
        out.champion_version = promote_champion(registered_name, champion_metric)
    return out
