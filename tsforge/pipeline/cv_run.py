"""Record a panel's rolling-origin cross-validation in MLflow: one parent run, one nested run per model.

Why: ``tsforge cv`` printed its table and wrote its frame, and left nothing in MLflow, so a
reviewer of the experiment saw the trainings but not the comparison that chose between models.
:func:`log_cv_run` takes what the CV computed (the frame of forecasts, with intervals when
asked) and records it the way a training run is recorded: the data as a dataset input, what
was asked as params, the mean scores as ``cv_*`` metrics (per model, each window's scores as
the steps of ``window_*``), every score as a table, and the last window of a few series in
original units, with the interval band when there is one.
"""

from __future__ import annotations

import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from tsforge.data.panel import Panel
from tsforge.evaluation.panel_metrics import window_numbers
from tsforge.pipeline.multichannel import TrackingOptions

__all__ = ["CV_PROTOCOL", "log_cv_run", "window_numbers"]

#: The protocol tag of a CV run (a training run's is ``holdout`` or a split).
CV_PROTOCOL = "rolling-origin"

#: Point scores of a CV row that become metrics (``cv_<name>``, ``window_<name>``).
_POINT_SCORES = ("mase", "rmsse", "smape", "mape", "owa")


def _per_window(frame: pd.DataFrame, panel: Panel, windows: np.ndarray) -> pd.DataFrame:
    """``model, window, <scores>`` rows: every window scored on its own."""
    from tsforge.evaluation.panel_metrics import cv_scores

    parts = []
    for k in np.unique(windows):
        scores = cv_scores(frame[windows == k], panel, season_length=panel.season_length)
        parts.append(scores.assign(window=int(k)))
    return pd.concat(parts, ignore_index=True)


def _interval_scores(
    frame: pd.DataFrame, panel: Panel, models: Sequence[str], level: Sequence[float]
) -> pd.DataFrame:
    from tsforge.evaluation.intervals import cv_interval_scores

    if not level:
        return pd.DataFrame()
    return cv_interval_scores(frame, panel, models, level)


def _params(
    panel: Panel,
    frame: pd.DataFrame,
    models: Sequence[str],
    h: int,
    n_windows: int,
    step_size: int | None,
    level: Sequence[float],
    intervals: str | None,
    seed: int | None,
    options: Mapping[str, Any] | None,
) -> dict[str, Any]:
    """What was asked (and what the data was): no default is logged for a setting nothing reads
    (a seed without a global model, an interval method without ``level``)."""
    lengths = panel.lengths
    out: dict[str, Any] = {
        "models": ",".join(models),
        "dataset": panel.name,
        "protocol": CV_PROTOCOL,
        "horizon": h,
        "n_windows": n_windows,
        "step_size": step_size or h,
        "freq": panel.freq,
        "season_length": panel.season_length,
        "n_series": len(panel),
        "n_series_scored": int(frame["unique_id"].nunique()),
        "length_min": int(lengths.min()),
        "length_median": int(np.median(lengths)),
        "length_max": int(lengths.max()),
        "missing_values": int(np.isnan(panel.values).sum()),
    }
    if level:
        out["intervals.method"] = intervals or "conformal"
        out["intervals.levels"] = ",".join(f"{float(lv):g}" for lv in level)
    if seed is not None:
        out["seed"] = seed
    out.update({f"model.{k}": v for k, v in (options or {}).items()})
    return out


def _model_metrics(
    model: str, scores: pd.DataFrame, intervals: pd.DataFrame, fallbacks: Mapping[str, int] | None = None
) -> dict[str, float]:
    """``cv_<score>`` of one model: its mean point scores, for a local model the series its
    fallback forecast (``cv_n_fallback``, from ``fallbacks``: the frame's ``attrs``) and, per
    level, coverage/width/MSIS."""
    row = scores.loc[scores["model"] == model].iloc[0]
    out = {f"cv_{k}": float(row[k]) for k in _POINT_SCORES if k in row}
    out["cv_n_cases"] = float(row["n_cases"])
    if model in (fallbacks or {}):
        out["cv_n_fallback"] = float((fallbacks or {})[model])
    if not intervals.empty:
        for r in intervals.loc[intervals["model"] == model].to_dict("records"):
            tag = f"{float(r['level']):g}"
            out.update({f"cv_{k}_{tag}": float(r[k]) for k in ("coverage", "width", "msis")})
            if r.get("n_windows_scored", 0) >= 2:  # how far one window's coverage moved
                out.update({f"cv_{k}_{tag}": float(r[k]) for k in ("coverage_min", "coverage_max")})
    return out


def _fallback_sentence(model: str, frame: pd.DataFrame, n_series: int) -> str:
    """``In some window, 5 of 203 series were too short for auto_theta … T73, ….``
    from the frame's ``attrs`` (:func:`~tsforge.panels.cv.cross_validation`); ``""`` when no
    series of ``model`` fell back.

    Why: ``tsforge cv`` says it on the terminal (:func:`~tsforge.panels.local.warn_fallbacks`)
    and the run, read later, scored every case under the model's name without a word.
    """
    from tsforge.panels.local import fallback_words

    words = fallback_words(frame, model, n_series)
    return f"In some window, {words}." if words else ""


def _last_window_items(
    frame: pd.DataFrame, panel: Panel, model: str, windows: np.ndarray, n: int = 4
) -> list[dict[str, Any]]:
    """The last window of a few series: history up to its cutoff, actual, ``model``'s forecast
    and its bands (``<model>-lo-<l>`` / ``-hi-<l>`` columns), all in the data's units."""
    last = frame[windows == windows.max()]
    ids = list(dict.fromkeys(last["unique_id"]))
    picks = [ids[i] for i in np.linspace(0, len(ids) - 1, num=min(n, len(ids))).astype(int)]
    position = pd.Index(panel.ids)
    items = []
    for sid in picks:
        rows = last[last["unique_id"] == sid].sort_values("ds")
        i = int(position.get_loc(sid))
        cut = int(panel.steps_at(np.array([i]), rows["cutoff"].to_numpy()[:1])[0]) + 1
        show = min(cut, 3 * len(rows))
        steps = np.arange(cut - show, cut)
        bands = {}
        for col in rows.columns:
            if col.startswith(f"{model}-lo-") and f"{model}-hi-{col[len(model) + 4 :]}" in rows:
                tag = col[len(model) + 4 :]
                lo, hi = (
                    rows[col].to_numpy(dtype=np.float64),
                    rows[f"{model}-hi-{tag}"].to_numpy(dtype=np.float64),
                )
                if np.isfinite(lo).all() and np.isfinite(hi).all():
                    bands[float(tag)] = (lo, hi)
        items.append(
            {
                "id": str(sid),
                "history_t": panel.times_at(np.full(show, i), steps),
                "history": panel.series(i)[cut - show : cut],
                "future_t": rows["ds"].to_numpy(),
                "actual": rows["y"].to_numpy(dtype=np.float64),
                "forecast": rows[model].to_numpy(dtype=np.float64),
                "bands": bands,
            }
        )
    return items


def log_cv_run(
    panel: Panel,
    frame: pd.DataFrame,
    models: Sequence[str],
    horizon: int,
    *,
    n_windows: int,
    step_size: int | None = None,
    data_label: str | None = None,
    level: Sequence[float] = (),
    intervals: str | None = None,
    seed: int | None = None,
    options: Mapping[str, Any] | None = None,
    tracking: TrackingOptions | None = None,
    scores: pd.DataFrame | None = None,
    interval_scores: pd.DataFrame | None = None,
) -> str | None:
    """Record a CV of ``models`` on ``panel`` (``frame``: ``unique_id, ds, cutoff, y, <model>...``
    and, with ``level``, ``<model>-lo-<l>`` / ``-hi-<l>``); returns the parent run's id, or
    ``None`` untracked.

    Args:
        data_label: the file or catalogue name the panel was read from (the dataset's source).
        intervals: how the bounds were made (``conformal``, ``native``), logged with ``level``.
        seed: global models' seed (leave ``None`` when every model is local: nothing reads it).
        options: local models' options as given (``season_length``, ``max_history``).
        tracking: experiment (default: the panel's name), run name, nesting, extra tags.
        scores, interval_scores: the frame's ``cv_scores`` and ``cv_interval_scores`` when the
            caller has them already (``tsforge cv`` prints them), so they are not computed twice.

    The parent (``tsforge.role`` ``cv``) holds the comparison: ``cv_mase_<model>`` per model, the
    best model by mean MASE as ``tsforge.best_model``, tables ``metrics/cv_scores.csv`` and
    ``metrics/per_window.csv``, and the best model's last window in ``plots/``. Each model's
    nested run (``tsforge.role`` ``cv_model``) holds its ``cv_*`` means and ``window_*`` scores
    with the window number as the step. A local model's fallback (the frame's ``attrs``, as
    :func:`~tsforge.panels.cv.cross_validation` keeps them) is counted as ``cv_n_fallback`` (the
    parent's ``cv_n_fallback_<model>``), and the series it forecast are named in the descriptions.
    """
    tracking = tracking or TrackingOptions()
    if not tracking.track:
        return None
    from tsforge.pipeline.panel import log_panel_dataset, panel_experiment
    from tsforge.tracking.runs import tracked_run

    names = [str(m) for m in models]
    windows = window_numbers(frame)
    scores = _cv_scores(frame, panel) if scores is None else scores
    per_window = _per_window(frame, panel, windows)
    bounds = _interval_scores(frame, panel, names, level) if interval_scores is None else interval_scores
    best = str(scores.sort_values("mase")["model"].iloc[0])
    fallbacks = {str(k): int(v) for k, v in frame.attrs.get("fallbacks", {}).items() if k in names}
    fell = {m: _fallback_sentence(m, frame, len(panel)) for m in names}
    common = {"tsforge.dataset": panel.name, "tsforge.data_kind": "panel", "tsforge.protocol": CV_PROTOCOL}
    common["tsforge.horizon"] = str(horizon)
    with tracked_run(
        run_name=tracking.run_name or f"cv-{'+'.join(names)}-H{horizon}-{n_windows}w",
        nested=tracking.nested,
        tags={**common, "tsforge.role": "cv", "tsforge.models": ",".join(names), "tsforge.best_model": best}
        | dict(tracking.tags),
        description=(
            f"Rolling-origin cross-validation of {', '.join(names)} on the panel {panel.name} "
            f"({len(panel)} series): {n_windows} windows of {horizon} steps per series, scores averaged over "
            f"(series, window) cases; best by mean MASE: {best}. One nested run per model."
            + "".join(f" {text}" for text in fell.values() if text)
        ),
        **panel_experiment(panel, tracking.experiment),
    ) as parent:
        digest = log_panel_dataset(parent, panel, data_label, context="evaluation")
        parent.log_params(
            _params(panel, frame, names, horizon, n_windows, step_size, level, intervals, seed, options)
        )
        parent.log_metrics({f"cv_mase_{m}": _model_metrics(m, scores, bounds)["cv_mase"] for m in names})
        parent.log_metrics({f"cv_n_fallback_{m}": float(n) for m, n in fallbacks.items()})
        _log_tables(parent, scores, per_window, bounds)
        _log_plot(parent, frame, panel, best, windows, horizon)
        for model in names:
            _log_model_run(
                model, panel, scores, per_window, bounds, common, digest, data_label, fallbacks, fell[model]
            )
    return parent.run_id


def _cv_scores(frame: pd.DataFrame, panel: Panel) -> pd.DataFrame:
    from tsforge.evaluation.panel_metrics import cv_scores

    return cv_scores(frame, panel, season_length=panel.season_length)


def _log_tables(run: Any, scores: pd.DataFrame, per_window: pd.DataFrame, bounds: pd.DataFrame) -> None:
    run.log_table(scores, "metrics/cv_scores.csv")
    run.log_table(
        per_window[["model", "window", *[c for c in per_window if c not in ("model", "window")]]],
        "metrics/per_window.csv",
    )
    if not bounds.empty:
        run.log_table(bounds, "metrics/intervals.csv")


def _log_plot(run: Any, frame: pd.DataFrame, panel: Panel, model: str, windows: np.ndarray, h: int) -> None:
    from tsforge.tracking.plots import plot_series_forecasts

    with tempfile.TemporaryDirectory() as tmp:
        path = plot_series_forecasts(
            _last_window_items(frame, panel, model, windows),
            Path(tmp) / "forecast_vs_actual.png",
            title=f"{model} (best by CV MASE) on {panel.name}: last CV window of {h} steps (original units)",
            unit_label=str(panel.meta.get("value_col", "value")),
        )
        run.log_artifact(path, "plots")


def _log_model_run(
    model: str,
    panel: Panel,
    scores: pd.DataFrame,
    per_window: pd.DataFrame,
    bounds: pd.DataFrame,
    common: Mapping[str, str],
    digest: str,
    data_label: str | None,
    fallbacks: Mapping[str, int] | None = None,
    fell: str = "",
) -> None:
    """One model's nested run: its mean ``cv_*`` scores and each window's ``window_*`` scores;
    ``fell``: the sentence naming the series its fallback forecast (:func:`_fallback_sentence`)."""
    from tsforge.tracking.datasets import source_label
    from tsforge.tracking.runs import tracked_run

    with tracked_run(
        run_name=f"cv-{model}-H{common['tsforge.horizon']}",
        nested=True,
        tags={**common, "tsforge.role": "cv_model", "tsforge.model": model},
        description=(
            f"{model} in the cross-validation above: mean scores (cv_*) and each window's "
            f"(window_*, step = window).{f' {fell}' if fell else ''}"
        ),
    ) as run:
        # digest only: the parent logged the data's schema and size under the same name and digest
        run.log_dataset(
            None,
            name=panel.name,
            source=source_label(data_label, panel.name),
            digest=digest,
            context="evaluation",
        )
        run.log_params({"model": model, "horizon": common["tsforge.horizon"], "protocol": CV_PROTOCOL})
        run.log_metrics(_model_metrics(model, scores, bounds, fallbacks))
        for r in per_window.loc[per_window["model"] == model].to_dict("records"):
            run.log_metrics({f"window_{k}": r[k] for k in _POINT_SCORES if k in r}, step=int(r["window"]))
