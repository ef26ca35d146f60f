"""``profile(data)``: the ARIES property set on every (channel, window) of a dataset, plus a summary;
``profile_panel(panel)``: the same set once per series of a panel, on its most recent values.

Why this shape: the recommender and users start from a per-window table (raw values and bucket
ids, one row per channel and window start) and a dataset-level summary (share of windows in each
bucket, quantiles of each property). Window extraction and bookkeeping live here; the numerics
are the pure chunk functions :func:`recommender.properties.fast.properties_fast` (default) and
:func:`recommender.properties.reference.reference_batch`, mapped over chunks of windows by the
engine (:mod:`tsforge.engine`: in-process, at most two local worker processes, or Ray tasks).
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from recommender.properties.buckets import BUCKETS, bucket_all
from recommender.properties.fast import PROPERTY_KEYS, properties_fast
from recommender.properties.features import summary_features
from recommender.properties.memorability import HURST_MIN_LENGTH
from recommender.properties.reference import reference_batch
from tsforge.data.frame import TimeSeriesData
from tsforge.data.panel import Panel
from tsforge.engine import Engine, LocalEngine, current_engine, get_engine
from tsforge.errors import ConfigError, DataValidationError

if TYPE_CHECKING:
    from tsforge.progress import CallbackBar

__all__ = [
    "ProfileResult",
    "extract_windows",
    "window_starts",
    "window_stride",
    "profile",
    "profile_panel",
    "profile_windows",
    "summarise",
    "log_profile_to_mlflow",
    "profiling_bar",
    "MAX_WORKERS",
]

log = logging.getLogger(__name__)

MAX_WORKERS = 2  # the project's CPU budget: never more than two worker processes
MIN_WINDOW = 32
MAX_MISSING_SHARE = 0.1
SUMMARY_STATS = ("mean", "std", "q10", "q50", "q90")
CONTINUOUS = ("tau", "season_strength", "volatility", "hurst", "anomaly_ratio", "arch_pvalue")
#: Window lengths a panel's series is profiled on: the largest rung ≤ min(its length, the
#: window), taken from its end. Rungs keep the batches rectangular (one ``[n, L]`` call per
#: rung instead of one per length); the first is the per-series recommender's shortest profile.
#: 100 is a rung because the Hurst exponent needs that many values (HURST_MIN_LENGTH).
PANEL_LADDER: tuple[int, ...] = (12, 16, 24, 32, 48, 64, 96, 100, 128, 192, 256, 336)
_METHODS: dict[str, Callable[[np.ndarray], dict[str, Any]]] = {
    "fast": properties_fast,
    "reference": reference_batch,
}


@dataclass
class ProfileResult:
    """Per-window property table and dataset-level summary.

    Attributes:
        table: one row per (channel, window): ``channel, window_start[, start_time]``, the raw
            properties, ``periods`` (kept seasonal periods, ``;``-joined) and ``<bucket>_bucket`` ids.
        summary: ``n_windows``, settings, per-property statistics and per-bucket shares
            (see :func:`summarise`).
    """

    table: pd.DataFrame
    summary: dict[str, Any] = field(default_factory=dict)

    def features(self) -> dict[str, float]:
        """Flat dataset-level numeric features (see :func:`~recommender.properties.features.summary_features`)."""
        return summary_features(self.summary)

    def to_csv(self, path: str | os.PathLike[str]) -> Path:
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        self.table.to_csv(path, index=False)
        return path

    def to_json(self, path: str | os.PathLike[str]) -> Path:
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(self.summary, indent=2))
        return path


def _fill_missing(w: np.ndarray) -> np.ndarray | None:
    """Linearly interpolate NaNs and ±infs inside one window (nearest value at the edges); None if
    too many. An inf is a broken value, not a level: kept, it made the whole window NaN after
    z-normalisation."""
    miss = ~np.isfinite(w)
    if not miss.any():
        return w
    if miss.mean() > MAX_MISSING_SHARE:
        return None
    t = np.arange(w.shape[0])
    out = w.copy()
    out[miss] = np.interp(t[miss], t[~miss], w[~miss])
    return out


def extract_windows(
    data: TimeSeriesData | np.ndarray, window: int = 336, stride: int | None = None
) -> tuple[np.ndarray, pd.DataFrame, int]:
    """Cut ``data`` into windows.

    Args:
        data: a :class:`TimeSeriesData` (every channel is windowed), a 1-D series, or a 2-D
            ``[n_windows, L]`` array of ready windows (then ``window``/``stride`` are ignored).
        window: window length.
        stride: step between window starts; default ``max(1, window // 14)`` (24 for 336, ARIES).

    Returns:
        ``(windows [n, L] float64, meta, n_dropped)`` where ``meta`` has ``channel``,
        ``window_start`` (and ``start_time`` when timestamps exist), one row per kept window;
        windows with more than 10 % missing values (NaN or ±inf) are dropped, others are
        interpolated.
    """
    if isinstance(data, TimeSeriesData):
        if window < MIN_WINDOW:
            raise ConfigError(f"window must be at least {MIN_WINDOW} steps", field="window", value=window)
        if data.n_steps < window:
            raise DataValidationError(
                f"series has {data.n_steps} steps, fewer than the profile window of {window}; give a "
                "shorter window, or profile each series on its own last values (`tsforge profile "
                "--per-series`, profile_panel)",
                field="window",
            )
        starts = window_starts(data.n_steps, window, stride)
        values = np.asarray(data.values, dtype=np.float64)
        view = np.lib.stride_tricks.sliding_window_view(values, window, axis=0)[starts]  # [S, N, L]
        raw = view.transpose(1, 0, 2).reshape(-1, window)  # channel-major: [N*S, L]
        meta = pd.DataFrame(
            {
                "channel": np.repeat(np.asarray(data.channel_ids, dtype=object), len(starts)),
                "window_start": np.tile(starts, data.n_channels),
            }
        )
        if data.timestamps is not None:
            meta["start_time"] = np.tile(data.timestamps[starts], data.n_channels)
    else:
        arr = np.asarray(data, dtype=np.float64)
        if arr.ndim == 1:
            return extract_windows(TimeSeriesData(arr[:, None], None, ("series",)), window, stride)
        if arr.ndim != 2:
            raise DataValidationError(f"expected [n_windows, length] windows, got shape {arr.shape}")
        if arr.shape[1] < MIN_WINDOW:
            raise ConfigError(
                f"window must be at least {MIN_WINDOW} steps", field="window", value=arr.shape[1]
            )
        raw = arr
        meta = pd.DataFrame({"channel": "series", "window_start": np.arange(arr.shape[0])})
    raw, keep = _fill_or_drop(raw)
    return np.ascontiguousarray(raw[keep]), meta[keep].reset_index(drop=True), int((~keep).sum())


def window_starts(n_steps: int, window: int, stride: int | None = None) -> np.ndarray:
    """Where the sliding windows of a series of ``n_steps`` start (the same for every channel):
    every ``stride``-th step (default ``max(1, window // 14)``) while a whole window fits.

    Why public: ``tsforge profile`` counts the windows before it starts (a note above 20,000),
    and must count the windows :func:`extract_windows` will cut, not its own idea of them.
    """
    return np.arange(0, n_steps - window + 1, window_stride(window, stride))


def window_stride(window: int, stride: int | None) -> int:
    """The step between window starts: ``None`` means the default ``max(1, window // 14)``.

    Why not ``stride or default``: ``--stride 0`` then silently became the default while a
    negative stride was refused; a stride that is given must be at least 1.
    """
    if stride is None:
        return max(1, window // 14)
    if stride < 1:
        raise ConfigError("stride must be >= 1", field="stride", value=stride)
    return int(stride)


def _fill_or_drop(raw: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``(windows with gaps interpolated, keep mask)``: a window missing more than
    :data:`MAX_MISSING_SHARE` of its values (NaN or ±inf) is dropped, not profiled on invented
    values."""
    keep = np.ones(raw.shape[0], dtype=bool)
    bad = ~np.isfinite(raw)
    if bad.any():
        raw = raw.copy()
        for i in np.flatnonzero(bad.any(axis=1)):
            filled = _fill_missing(raw[i])
            if filled is None:
                keep[i] = False
            else:
                raw[i] = filled
    n_dropped = int((~keep).sum())
    if n_dropped:
        log.info(
            "dropped %d windows with more than %.0f%% missing values", n_dropped, 100 * MAX_MISSING_SHARE
        )
    return raw, keep


def profile_windows(
    windows: np.ndarray,
    *,
    method: str = "fast",
    n_jobs: int = 1,
    chunk_size: int = 256,
    progress: Callable[[int, int], None] | None = None,
    engine: str | Engine | None = None,
) -> dict[str, np.ndarray]:
    """Properties of every row of ``windows [n, L]`` by chunks, on the engine.

    Args:
        method: ``"fast"`` (batched) or ``"reference"`` (statsmodels per window).
        n_jobs: worker processes; a local pool built from it has at most :data:`MAX_WORKERS`
            (a Ray engine gets ``n_jobs`` CPUs); 1 runs in this process.
        chunk_size: windows per task.
        progress: called as ``progress(done_windows, total_windows)`` after each chunk (in this
            process, whichever engine runs the chunks).
        engine: see :func:`tsforge.engine.get_engine` (default ``$TSFORGE_ENGINE`` or local); the
            properties do not depend on it.
    """
    if method not in _METHODS:
        raise ConfigError(f"unknown profile method {method!r}; choose 'fast' or 'reference'", field="method")
    fn = _METHODS[method]
    n = windows.shape[0]
    bounds = [(s, min(s + chunk_size, n)) for s in range(0, n, chunk_size)]
    eng = _local_pool_capped(get_engine(engine, n_jobs=max(1, int(n_jobs))), engine)
    done = 0

    def advance(i: int, _: Any) -> None:
        nonlocal done
        done += bounds[i][1] - bounds[i][0]
        if progress:
            progress(done, n)

    results: list[dict[str, Any]] = eng.map(fn, [windows[a:b] for a, b in bounds], on_result=advance)
    return _concat_props(results)


def _concat_props(parts: list[dict[str, Any]], keys: Sequence[str] | None = None) -> dict[str, Any]:
    """One property dict from per-chunk ones, rows in chunk order (``periods`` is a list per
    window, every other key an array); ``keys`` default to the first chunk's."""
    if not parts:
        return {k: np.zeros(0) for k in (*PROPERTY_KEYS, "constant")} | {"periods": []}
    return {
        key: [p for r in parts for p in r[key]]
        if key == "periods"
        else np.concatenate([np.asarray(r[key]) for r in parts])
        for key in (keys or list(parts[0]))
    }


def summarise(table: pd.DataFrame) -> dict[str, Any]:
    """Dataset-level summary: statistics of each continuous property and bucket shares."""
    props: dict[str, dict[str, float]] = {}
    for col in (*CONTINUOUS, "trend_strength"):
        v = table[col].to_numpy(dtype=np.float64) if len(table) else np.zeros(0)
        v = v[np.isfinite(v)]  # a property undefined for a window (NaN) is left out of its statistics
        if v.size == 0:
            props[col] = {s: float("nan") for s in SUMMARY_STATS}
            continue
        q10, q50, q90 = np.quantile(v, [0.1, 0.5, 0.9])
        props[col] = {
            "mean": float(v.mean()),
            "std": float(v.std()),
            "q10": float(q10),
            "q50": float(q50),
            "q90": float(q90),
        }
    buckets: dict[str, dict[str, float]] = {}
    for name, spec in BUCKETS.items():
        ids = table[f"{name}_bucket"].dropna().to_numpy() if len(table) else np.zeros(0, dtype=int)
        counts = (
            np.bincount(ids.astype(np.int64), minlength=len(spec.labels))
            if ids.size
            else np.zeros(len(spec.labels))
        )
        total = max(int(ids.size), 1)
        buckets[name] = {label: float(counts[i] / total) for i, label in enumerate(spec.labels)}
    return {"properties": props, "buckets": buckets}


def _local_pool_capped(eng: Engine, asked: str | Engine | None) -> Engine:
    """``eng``, or a local pool of :data:`MAX_WORKERS` where ``eng`` is a bigger local pool
    built here from ``n_jobs`` (an engine object the caller passed or made current is kept).

    Why only the local pool: the cap is this machine's CPU budget for profiling processes; a
    Ray engine's ``n_jobs`` sizes the instance the user asked for, and ``cv`` / ``train`` honour
    it, so ``profile --engine ray --n-jobs 4`` silently starting ``ray local x2`` was a surprise.
    """
    mine = not isinstance(asked, LocalEngine) and eng is not current_engine()
    if mine and isinstance(eng, LocalEngine) and eng.n_jobs > MAX_WORKERS:
        return LocalEngine(MAX_WORKERS)
    return eng


def profiling_bar(
    enabled: bool = True, *, unit: str = "series"
) -> AbstractContextManager[CallbackBar | None]:
    """The ``profiling`` bar on stderr fed by ``progress(done, total)`` (``None`` when not
    ``enabled``): what ``tsforge profile`` draws, for every command that profiles series.

    Lazy (:func:`tsforge.progress.callback_bar`): it opens at the first call with series to
    count — :func:`profile`, :func:`profile_panel` and
    :func:`recommender.series_features.series_features` call ``progress(0, total)`` as they
    start — and draws nothing where there are none. Why tqdm's: it also writes lines to a log,
    where ``recommend --per-series`` said nothing during a profile of half a minute.
    """
    from tsforge.progress import callback_bar

    return callback_bar("profiling", unit=unit, enabled=enabled, lazy=True)


def profile(
    data: TimeSeriesData | np.ndarray,
    window: int = 336,
    stride: int | None = None,
    *,
    method: str = "fast",
    n_jobs: int = 1,
    chunk_size: int = 256,
    max_windows: int | None = None,
    seed: int = 0,
    progress: Callable[[int, int], None] | None = None,
    engine: str | Engine | None = None,
    mask_short_hurst: bool = False,
) -> ProfileResult:
    """Profile every (channel, window) of ``data`` with the ARIES property set.

    Args:
        data: a :class:`TimeSeriesData`, a 1-D series, or ``[n_windows, L]`` ready windows.
        window: window length (ARIES: 336).
        stride: step between window starts (default ``window // 14``, i.e. 24 for 336).
        method: ``"fast"`` or ``"reference"``.
        n_jobs: worker processes (at most :data:`MAX_WORKERS` on the local engine).
        chunk_size: windows per task.
        max_windows: profile a seeded random subset of at most this many windows.
        seed: seed of that subset.
        progress: ``progress(done, total)`` callback (the CLI draws a progress bar with it):
            ``(0, total)`` as the profile starts, so that a bar starts with its total, then
            after each chunk.
        engine: where the chunks run (see :func:`tsforge.engine.get_engine`).
        mask_short_hurst: windows shorter than
            :data:`~recommender.properties.memorability.HURST_MIN_LENGTH` get no memorability
            (NaN Hurst, no bucket; counted as ``n_windows_without_hurst``), as in
            :func:`profile_panel`: what a profile shown to a user needs, where the lineage's 0
            would read as "no memory". Off by default because the recommender's knowledge base
            was profiled on 96-step windows with that 0, and its queries must match it.
    """
    windows, meta, n_dropped = extract_windows(data, window, stride)
    n_total = windows.shape[0]
    if max_windows is not None and n_total > max_windows:
        pick = np.sort(np.random.default_rng(seed).choice(n_total, size=max_windows, replace=False))
        windows, meta = windows[pick], meta.iloc[pick].reset_index(drop=True)
    if progress:
        progress(0, windows.shape[0])
    props = profile_windows(
        windows, method=method, n_jobs=n_jobs, chunk_size=chunk_size, progress=progress, engine=engine
    )
    table = _property_table(meta, props)
    length = int(windows.shape[1]) if windows.size else int(window)
    no_hurst = np.full(len(table), mask_short_hurst and length < HURST_MIN_LENGTH)
    if no_hurst.any():  # else the table keeps its dtypes (the recommender's features read it)
        _mask_hurst(table, no_hurst)
    summary = {
        "name": getattr(data, "name", "windows"),
        "n_windows": int(len(table)),
        "n_windows_available": int(n_total),
        "n_windows_dropped_missing": n_dropped,
        "n_channels": int(table["channel"].nunique()) if len(table) else 0,
        "window": length,
        "stride": window_stride(window, stride) if _is_series(data) else None,
        "method": method,
        **({"n_windows_without_hurst": int(no_hurst.sum())} if mask_short_hurst else {}),
        **summarise(table),
    }
    return ProfileResult(table=table, summary=summary)


def _property_table(meta: pd.DataFrame, props: dict[str, Any]) -> pd.DataFrame:
    """``meta`` (one row per profiled window) with the raw properties, the kept seasonal
    periods and the bucket ids beside it."""
    table = meta.copy()
    for key in PROPERTY_KEYS:
        table[key] = props[key]
    table["trend_strength"] = np.abs(props["tau"])
    table["constant"] = np.asarray(props["constant"]).astype(bool)
    table["periods"] = [";".join(str(p) for p in ps) for ps in props["periods"]]
    for name, ids in bucket_all(props).items():
        table[f"{name}_bucket"] = ids
    return table


def _mask_hurst(table: pd.DataFrame, no_hurst: np.ndarray) -> None:
    """Leave the rows ``no_hurst`` without memorability (NaN Hurst, missing bucket), in place.

    Why: Hurst needs :data:`HURST_MIN_LENGTH` values; the lineage's 0 for a shorter window would
    read as "no memory" in the shares, so the memorability shares are over the rows that have it.
    """
    table["hurst"] = table["hurst"].astype(np.float64).mask(no_hurst)
    table["memorability_bucket"] = table["memorability_bucket"].astype("Int64").mask(no_hurst)


def panel_profile_lengths(lengths: np.ndarray, window: int) -> np.ndarray:
    """``[n]`` values each series is profiled on (0: shorter than the first rung)."""
    rungs = np.asarray(sorted({r for r in PANEL_LADDER if r < window} | {int(window)}), dtype=np.int64)
    capped = np.minimum(np.asarray(lengths, dtype=np.int64), int(window))
    pos = np.searchsorted(rungs, capped, side="right") - 1
    return np.where(pos >= 0, rungs[np.clip(pos, 0, None)], 0)


def profile_panel(
    panel: Panel,
    window: int = 336,
    *,
    method: str = "fast",
    n_jobs: int = 1,
    chunk_size: int = 256,
    max_series: int | None = None,
    seed: int = 0,
    progress: Callable[[int, int], None] | None = None,
    engine: str | Engine | None = None,
) -> ProfileResult:
    """Profile every series of a panel once, on its last ``min(length, window)`` values
    (snapped down to :data:`PANEL_LADDER`).

    Why one window per series: panel series are short and ragged (M1 yearly: 15–58 values), so
    the sliding windows of :func:`profile` would skip most of them; the most recent values are
    what a forecast starts from, and what the per-series recommender profiles too.

    Args:
        panel: the series to profile (a :class:`~tsforge.data.panel.Panel`; a frame is refused).
        window: the longest window (ARIES: 336).
        max_series: profile a seeded random subset of at most this many series.
        seed: seed of that subset.
        method, n_jobs, chunk_size, progress, engine: as in :func:`profile`.

    The table has one row per profiled series: ``channel`` (its id), ``length``,
    ``window_start`` (index of the first profiled value) and ``window``, then the properties.
    Series shorter than the first rung, or missing more than 10 % of the profiled values,
    are counted in the summary and left out. Memorability (Hurst) is undefined below
    :data:`~recommender.properties.memorability.HURST_MIN_LENGTH` values: NaN there, and the
    memorability shares are over the series that have it.
    """
    from tsforge.arguments import whole_number
    from tsforge.data.panel import require_panel

    require_panel(panel)  # a frame failed as "'DataFrame' object has no attribute 'lengths'"
    n_jobs = whole_number(n_jobs, "n_jobs")
    if n_jobs < 1:
        raise ConfigError(f"n_jobs must be at least 1, got {n_jobs}", field="n_jobs")
    if window < PANEL_LADDER[0]:
        raise ConfigError(f"window must be at least {PANEL_LADDER[0]} steps", field="window", value=window)
    lengths = panel.lengths
    plen = panel_profile_lengths(lengths, window)
    chosen = np.flatnonzero(plen > 0)
    if chosen.size == 0:
        raise DataValidationError(
            f"no series of {getattr(panel, 'name', 'the panel')!r} has the {PANEL_LADDER[0]} values a "
            f"profile needs (longest: {int(lengths.max(initial=0))})",
            field="window",
        )
    if max_series is not None and chosen.size > max_series:
        chosen = np.sort(np.random.default_rng(seed).choice(chosen, size=max_series, replace=False))
    values = np.asarray(panel.values, dtype=np.float64)
    total, done = int(chosen.size), 0
    if progress:  # the start, with the total (see profile)
        progress(0, total)
    parts: list[tuple[np.ndarray, dict[str, Any]]] = []
    n_dropped = 0
    for r in np.unique(plen[chosen]):
        idx = chosen[plen[chosen] == r]
        rows = panel.indptr[idx + 1][:, None] - r + np.arange(r)[None, :]
        windows, keep = _fill_or_drop(values[rows])
        n_dropped += int((~keep).sum())

        def step(d: int, _n: int, base: int = done) -> None:
            if progress:
                progress(base + d, total)

        props = profile_windows(
            np.ascontiguousarray(windows[keep]),
            method=method,
            n_jobs=n_jobs,
            chunk_size=chunk_size,
            progress=step,
            engine=engine,
        )
        parts.append((idx[keep], props))
        done += idx.size
        if progress:
            progress(done, total)
    order_idx = np.concatenate([i for i, _ in parts]) if parts else np.zeros(0, dtype=np.int64)
    merged = _concat_props([pr for _, pr in parts], (*PROPERTY_KEYS, "constant", "periods"))
    order = np.argsort(order_idx, kind="stable")  # back to panel order
    sel = order_idx[order]
    merged = {k: ([v[i] for i in order] if k == "periods" else v[order]) for k, v in merged.items()}
    meta = pd.DataFrame(
        {
            "channel": np.asarray(panel.ids, dtype=object)[sel],
            "length": lengths[sel],
            "window_start": lengths[sel] - plen[sel],
            "window": plen[sel],
        }
    )
    table = _property_table(meta, merged)
    no_hurst = table["window"].to_numpy() < HURST_MIN_LENGTH
    _mask_hurst(table, no_hurst)
    summary = {
        "name": getattr(panel, "name", None) or "panel",
        "kind": "per_series",
        "n_series": int(len(panel)),
        "n_windows": int(len(table)),
        "n_series_too_short": int((plen == 0).sum()),
        "n_series_without_hurst": int(no_hurst.sum()),
        "n_windows_dropped_missing": n_dropped,
        "n_channels": int(len(table)),
        "window": int(window),
        "method": method,
        **summarise(table),
    }
    return ProfileResult(table=table, summary=summary)


def _is_series(data: TimeSeriesData | np.ndarray) -> bool:
    return isinstance(data, TimeSeriesData) or np.ndim(data) == 1


def log_profile_to_mlflow(result: ProfileResult, run_id: str | None = None) -> str:
    """Log a profile into an MLflow run for review: settings as params; under ``profile/`` a
    picture (``profile.png``: bucket shares and property spreads), the per-property statistics
    and the per-bucket shares as tables (``properties.json``, ``buckets.json``, shown by the UI's
    table view), the per-window table (CSV) and the summary (JSON).

    Why not metrics: the ~70 summary features would bury the run's training curves and scores
    in the UI's charts; they are a description of the data, read as a table or a picture.

    Args:
        result: the profile.
        run_id: the run to log into; default the active run.

    Returns:
        The run id used.

    Raises:
        ConfigError: no ``run_id`` and no active run.
    """
    import tempfile

    from tsforge.tracking.plots import plot_profile
    from tsforge.tracking.runs import attach_run

    run = attach_run(run_id)
    s = result.summary
    run.log_params(
        {f"profile.{k}": s[k] for k in ("window", "stride", "method", "n_windows", "n_channels") if k in s}
    )
    props = pd.DataFrame([{"property": name, **stats} for name, stats in s.get("properties", {}).items()])
    buckets = pd.DataFrame(
        [
            {"property": name, "bucket": str(label), "share": share}
            for name, shares in s.get("buckets", {}).items()
            for label, share in shares.items()
        ]
    )
    run.log_table(props, "profile/properties.json")
    run.log_table(buckets, "profile/buckets.json")
    with tempfile.TemporaryDirectory() as tmp:
        result.to_csv(Path(tmp) / "profile_windows.csv")
        result.to_json(Path(tmp) / "profile_summary.json")
        plot_profile(
            s,
            Path(tmp) / "profile.png",
            title=f"Property profile of {s.get('name', 'the data')}: {s.get('n_windows', '?')} windows "
            f"of {s.get('window', '?')} steps",
        )
        run.log_artifacts(tmp, "profile")
    return run.run_id
