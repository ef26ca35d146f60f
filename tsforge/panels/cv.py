"""Rolling-origin cross-validation over a ragged panel (Nixtla output conventions).

Output: one row per (series, window, step) with ``unique_id, ds, cutoff, y, <model>...``, where
``cutoff`` is the time of the last training value of that series in that window — the frame
``statsforecast.StatsForecast.cross_validation`` returns, so the same scoring code reads both.

Extension point — global models: ``models`` may mix names of local models
(:data:`tsforge.panels.local.LOCAL_MODELS`) with objects following :class:`PanelForecaster`
(a ``name`` and ``forecast(train, h) -> [n_series, h]``). Local models run per series through
the chunk function on the engine (:mod:`tsforge.engine`: in-process, process pool or Ray); a
global model is called once per window with the whole training panel of that window, so it is
refit at every cutoff exactly like the local ones.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from typing import Any, Protocol, runtime_checkable

import numpy as np
import pandas as pd

from tsforge.arguments import number_list, whole_number
from tsforge.data.panel import Panel, require_panel
from tsforge.engine import Engine, get_engine
from tsforge.errors import ConfigError, ShortSeriesWarning
from tsforge.models.statistical import LocalOptions, local_options
from tsforge.panels.local import (
    NAMED_FALLBACKS,
    Forms,
    merge_forecasts,
    named_series,
    resolve_models,
    run_chunks,
    work_chunks,
)
from tsforge.panels.protocol import rolling_origin

__all__ = ["PanelForecaster", "cross_validation", "short_series_notes"]


@runtime_checkable
class PanelForecaster(Protocol):
    """A model that forecasts a whole panel at once (e.g. a global LightGBM / neural model)."""

    name: str

    def forecast(self, train: Panel, h: int) -> np.ndarray:
        """``[len(train), h]`` forecasts continuing every series of ``train``, in its order."""
        ...


def _split_models(models: Sequence[str | PanelForecaster]) -> tuple[list[str], list[PanelForecaster]]:
    if isinstance(models, str):
        models = [models]
    local = [m for m in models if isinstance(m, str)]
    glob = [m for m in models if not isinstance(m, str)]
    for g in glob:
        if not isinstance(g, PanelForecaster):
            raise ConfigError(
                f"model {g!r} is neither a local model name nor a PanelForecaster", field="models"
            )
    names = local + [g.name for g in glob]
    if len(set(names)) != len(names):
        raise ConfigError(f"duplicate model names in {names}", field="models")
    if local:
        resolve_models(local, global_way=_GLOBAL_WAY)
    return local, glob


#: how ``cross_validation`` takes a global model (what ``tsforge cv --model dlinear`` does)
_GLOBAL_WAY = (
    "cross_validation takes it as a PanelForecaster, refit on each window's training panel: "
    "RefitGlobalModel({name!r}) from tsforge.panels.global_models"
)


def _local_options(
    options: Mapping[str, LocalOptions | Mapping[str, Any]] | None, local: Sequence[str]
) -> dict[str, LocalOptions] | None:
    """Validated options of the run's local models (``None`` when none are set)."""
    if not options:
        return None
    out: dict[str, LocalOptions] = {}
    for name, config in options.items():
        if name not in local:
            raise ConfigError(
                f"options are given for {name!r}, which is not a local model of this run "
                f"(local models: {', '.join(local) or 'none'})",
                field="options",
            )
        out[name] = local_options(name, config)
    return out


def cross_validation(
    panel: Panel,
    models: Sequence[str | PanelForecaster],
    h: int,
    n_windows: int = 1,
    step_size: int | None = None,
    n_jobs: int = 1,
    level: Sequence[float] | None = None,
    progress: bool = True,
    engine: str | Engine | None = None,
    options: Mapping[str, LocalOptions | Mapping[str, Any]] | None = None,
    forms: Forms | None = None,
    desc: str = "cross-validation",
    note_short: bool = True,
) -> pd.DataFrame:
    """Forecast ``n_windows`` rolling-origin windows of ``h`` steps per series and return them
    with the true values.

    Windows follow :func:`tsforge.panels.protocol.rolling_origin` (placed from every series'
    own end, ``step_size`` default ``h``; a series too short for a window is left out of that
    window only). Rows are ordered by series (panel order), then cutoff, then ``ds``.
    All local-model work of all windows is one map on the engine (see
    :func:`tsforge.engine.get_engine`; ``n_jobs`` local workers by default), so the frame is the
    same on every engine.

    ``options`` sets local models' :class:`~tsforge.models.statistical.LocalOptions` by name
    (``{"auto_ets": {"season_length": 4}}``); naming a model that is not a local model of this
    run is refused, since the options would silently do nothing. ``forms`` (local model → series
    id → form, :func:`~tsforge.panels.local.selected_forms`) holds the refits of short windows to the
    form of each series' final fit (the conformal calibration's refits, :mod:`tsforge.panels.calibrate`).
    ``desc`` labels the progress bar: a caller that runs cross-validation for another purpose
    (calibrating intervals while training) says what the user is waiting for.
    ``note_short``: warn (:class:`~tsforge.errors.ShortSeriesWarning`, :func:`short_series_notes`)
    of the series no window scores and those that fit fewer than ``n_windows``, as ``tsforge cv``
    says them; off for callers that place windows for another purpose (calibration, ranking),
    where a series in fewer windows is expected and said in their own words, if at all.
    """
    require_panel(panel)
    h, n_windows = whole_number(h, "horizon"), whole_number(n_windows, "n_windows")
    step_size = None if step_size is None else whole_number(step_size, "step_size")
    level = number_list(level, "level")  # level=80 is [80]; level="80" is refused
    local, glob = _split_models(models)
    local_opts = _local_options(options, local)
    ro = rolling_origin(panel, h, n_windows, step_size)
    eng = get_engine(engine, n_jobs=n_jobs) if local else None
    windows = []
    chunks: list[Panel] = []
    owner: list[int] = []
    for w in range(ro.n_windows):
        idx, cut = ro.window(w)
        sub = panel.take(idx)
        train = sub.head_cut(sub.lengths - cut)
        pos = sub.indptr[:-1, None] + cut[:, None] + np.arange(h)[None, :]
        windows.append((idx, train, sub.values[pos].astype(np.float64)))
        if eng is not None:  # the engine exists exactly when there are local models
            parts = work_chunks(train, max(4, 2 * eng.workers))
            chunks.extend(parts)
            owner.extend([w] * len(parts))
    results = (
        run_chunks(
            chunks,
            local,
            h,
            level=level,
            progress=progress,
            desc=desc,
            engine=eng,
            unit="window",
            options=local_opts,
            forms=forms,
        )
        if local
        else []
    )
    owner_arr = np.asarray(owner)
    frames = []
    refits: Any = enumerate(windows)
    if glob and progress and len(windows) > 1:  # a global model is refit per window: minutes on long panels
        from tsforge.progress import ProgressBar, bar_options

        names = ", ".join(g.name for g in glob)
        refits = ProgressBar(
            refits, total=len(windows), desc=f"refitting {names}", unit="window", **bar_options()
        )
    for w, (idx, train, y) in refits:
        n = len(train)
        sid = np.repeat(np.arange(n), h)
        frame = pd.DataFrame(
            {
                "unique_id": train.ids[sid],
                "ds": train.times_at(sid, train.lengths[sid] + np.tile(np.arange(h), n)),
                "cutoff": train.last_times()[sid],
                "y": y.ravel(),
            }
        )
        if local:
            fc = merge_forecasts([results[i] for i in np.flatnonzero(owner_arr == w)])
            for col in fc.columns[2:]:
                frame[col] = fc[col].to_numpy()
        for g in glob:
            pred = np.asarray(g.forecast(train, h), dtype=np.float64)
            if pred.shape != (n, h):
                raise ConfigError(
                    f"{g.name}.forecast returned shape {pred.shape}, expected {(n, h)}", field="models"
                )
            frame[g.name] = pred.ravel()
        frame["_series"] = idx[sid]
        frame["_window"] = w
        frames.append(frame)
    out = pd.concat(frames, ignore_index=True)
    order = np.lexsort((out["_window"].to_numpy(), out["_series"].to_numpy()))
    out = out.iloc[order].drop(columns=["_series", "_window"]).reset_index(drop=True)
    out.attrs.update(_fallbacks(results, local))
    if note_short:
        for note in short_series_notes(panel, out, h, n_windows, step_size):
            warnings.warn(note, ShortSeriesWarning, stacklevel=2)
    return out


def short_series_notes(
    panel: Panel, frame: pd.DataFrame, h: int, n_windows: int, step_size: int | None
) -> list[str]:
    """Which series of ``panel`` no window of ``frame`` scores, and which fit fewer windows than
    ``n_windows``, naming a few: at most two sentences.

    Why: the scores are over the others only, and a caller reads ``n_windows`` windows per
    series; "2 of 6 series are too short for any of the 1 windows" named neither the series nor
    the window in words a user reads. Why here: ``tsforge cv`` said them and the Python call
    did not, on the same panel.
    """
    ids = [str(x) for x in panel.ids]
    scored = set(frame["unique_id"].astype(str))
    notes = []
    unscored = [x for x in ids if x not in scored]
    if unscored:  # left out of every window: the table's scores are over the others only
        window = (
            f"the window of {h} steps (it needs"
            if n_windows == 1
            else f"any of the {n_windows} windows of {h} steps (each needs"
        )
        notes.append(
            f"{len(unscored)} of {len(panel)} series {_is_are(len(unscored))} too short for {window} more "
            f"than {h} values) and {_is_are(len(unscored))} not scored{named_series(unscored, len(unscored))}"
        )
    counts = frame.groupby(frame["unique_id"].astype(str))["cutoff"].nunique()
    fewer = [x for x in ids if x in scored and counts[x] < n_windows]
    if fewer:  # a caller reads n_windows: say that some series were scored on fewer
        notes.append(
            f"{len(fewer)} of {len(panel)} series {'fits' if len(fewer) == 1 else 'fit'} fewer than the "
            f"{n_windows} windows (the last window needs more than {h} values, one before its cutoff, "
            f"and each earlier one {step_size or h} more) and {_is_are(len(fewer))} scored on the "
            f"windows {'it fits' if len(fewer) == 1 else 'they fit'}{named_series(fewer, len(fewer))}"
        )
    return notes


def _is_are(n: int) -> str:
    """``is`` for one series, ``are`` for more: "1 of 21 series ... and are not scored" read as a typo."""
    return "is" if n == 1 else "are"


def _fallbacks(results: Sequence[pd.DataFrame], local: Sequence[str]) -> dict[str, Any]:
    """``attrs`` of a cross-validation frame: per local model, how many series a fallback model
    forecast in at least one window (``fallbacks``), and the first
    :data:`~tsforge.panels.local.NAMED_FALLBACKS` of them (``fallback_ids``), as
    :func:`~tsforge.panels.local.forecast_local` keeps them for one forecast.

    Why series, not forecasts: the note (:func:`~tsforge.panels.local.warn_fallbacks`) counts
    series of the panel; a series too short for a model in three windows is one series to look
    at. Why kept at all: the per-window counts were dropped, and ``tsforge cv`` scored a
    fallback's forecasts under the chosen model's name without a word.
    """
    fell: dict[str, dict[str, None]] = {name: {} for name in local}
    for chunk in results:
        for name, ids in chunk.attrs.get("fallback_ids", {}).items():
            fell.setdefault(name, {}).update(dict.fromkeys(ids))  # in order, each series once
    return {
        "fallbacks": {name: len(ids) for name, ids in fell.items()},
        "fallback_ids": {name: list(ids)[:NAMED_FALLBACKS] for name, ids in fell.items()},
    }
