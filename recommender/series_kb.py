"""Per-series knowledge base: rolling-origin cross-validation of every candidate on panel
collections, one row per (collection, series, cutoff).

A row holds the features of the series' **input window** (its values up to the cutoff, see
:func:`recommender.series_features.series_features`) and the scaled error (MASE, scale from the
same input window) of every candidate on the ``h`` values **after** the cutoff. The per-series
recommender (:mod:`recommender.per_series`) learns candidate errors from these rows.

Windows: per collection, ``n_windows`` rolling-origin windows of its official horizon ``h``
ending right before the official test window (each series' last ``h`` values), plus that test
window itself. The test window's cases are kept apart (:meth:`CollectionCases.test`) and are
**never knowledge-base rows** (:meth:`CollectionCases.kb_rows`): they exist so the benchmark can
score a recommendation on the official test window with forecasts computed once.

Candidates: the statistical models of the panel layer (``naive``, ``seasonal_naive``,
``auto_ets``, ``auto_theta``; refit per series at each cutoff), global models (``dlinear``,
``nlinear``, ``lightgbm``; one model refit on each window's training panel through
:class:`tsforge.panels.global_models.RefitGlobalModel`) and their natural combinations (equal
-weight means of member forecasts, computed from the same forecasts: no extra fit).

Cost and caching: the forecasts of each (collection, model) are one
:func:`tsforge.panels.cv.cross_validation` call, cached as Parquet under
``<cache>/series_kb/`` keyed by the data, horizon, windows, model and its training defaults, so
adding a candidate or a collection only computes what is missing. Every local-model fit is an
independent per-series task on the engine (``n_jobs`` processes here, Ray where configured).
Collections with more than ``max_series`` series keep a seeded subset (recorded in the meta).
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import time
from collections.abc import Callable, Mapping, MutableMapping, Sequence
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from recommender.series_features import PROFILE_WINDOW, series_features
from tsforge.data.panel import Panel
from tsforge.errors import ConfigError, DataValidationError
from tsforge.evaluation.panel_metrics import panel_scores
from tsforge.panels.protocol import rolling_origin
from tsforge.paths import cache_root

__all__ = [
    "BASE_CANDIDATES",
    "COMBINATIONS",
    "DEV_COLLECTIONS",
    "LONG_BENCHMARK_COLLECTIONS",
    "GLOBAL_CANDIDATES",
    "SeriesKBSettings",
    "CollectionCases",
    "SeriesKB",
    "collection_cases",
    "same_phase_cases",
    "cases_from_forecasts",
    "build_series_kb",
    "series_kb_dir",
    "combine",
]

log = logging.getLogger(__name__)
Progress = Callable[[str, int, int], None]

#: Candidates fitted in the cross-validation (statistical first, then global).
BASE_CANDIDATES: tuple[str, ...] = (
    "naive",
    "seasonal_naive",
    "auto_ets",
    "auto_theta",
    "dlinear",
    "nlinear",
    "lightgbm",
)
#: Global models among the candidates (trained across series; refit at each cutoff).
GLOBAL_CANDIDATES: frozenset[str] = frozenset({"dlinear", "nlinear", "lightgbm", "stpe_mlp", "hutformer"})
#: Natural combinations: equal-weight means of member forecasts (name → members).
COMBINATIONS: dict[str, tuple[str, ...]] = {
    "auto_ets+auto_theta": ("auto_ets", "auto_theta"),
    "auto_ets+auto_theta+dlinear": ("auto_ets", "auto_theta", "dlinear"),
}
#: The development panel collections: every panel collection of ``../shared/datasets``. Why all
#: twelve: in the leave-one-collection-out benchmark a router trained on eleven of them picked
#: (without a validation prior) better than one trained on five on five of the six collections
#: both runs held out, and a held-out collection unlike the training ones is where routing fails
#: worst (NN5 weekly with five training collections, NN5 daily with eleven): breadth is what
#: generalises to collections never seen.
DEV_COLLECTIONS: tuple[str, ...] = (
    "m1_yearly",
    "m1_quarterly",
    "m1_monthly",
    "cif_2016",
    "hospital",
    "car_parts",
    "nn5_daily",
    "nn5_weekly",
    "fred_md",
    "covid_deaths",
    "vehicle_trips",
    "m4_hourly_panel",
)
#: The long-benchmark datasets (each channel a series, the catalogue's first horizon). Not in
#: the default knowledge base: added to the leave-one-collection-out pool
#: (``benchmarks.recommender_eval --with-long``) they left routing with a validation prior
#: unchanged on the panel collections and moved recommendations without a fit both ways by
#: collection (docs/per-series.md, "Knowledge base"), which does not pay for rebuilding every
#: installed router; the benchmarks score them as held-out collections.
LONG_BENCHMARK_COLLECTIONS: tuple[str, ...] = ("etth1", "ettm1", "weather", "exchange_rate", "illness")
#: Error floor before logs are taken (a perfect forecast would give log 0 = -inf).
MASE_FLOOR = 1e-3


def series_kb_dir(cache: str | os.PathLike[str] | None = None) -> Path:
    """``<cache>/series_kb`` (default cache: :func:`tsforge.paths.cache_root`)."""
    if cache is None:
        cache = cache_root()
    return Path(cache) / "series_kb"


@dataclass(frozen=True)
class SeriesKBSettings:
    """How the knowledge base is built (part of every cache key).

    Attributes:
        n_windows: rolling-origin windows before the official test window (0: the test window
            alone, cases without knowledge-base rows, as :func:`same_phase_cases` needs;
            :func:`build_series_kb` refuses it).
        base: fitted candidates.
        combinations: ``(name, members)`` equal-weight combinations of base candidates.
        profile_window: longest window the properties are computed on.
        max_series: collections with more series keep a seeded subset of this many.
        seed: subset and global-model seed.
    """

    n_windows: int = 3
    base: tuple[str, ...] = BASE_CANDIDATES
    combinations: tuple[tuple[str, tuple[str, ...]], ...] = tuple(COMBINATIONS.items())
    profile_window: int = PROFILE_WINDOW
    max_series: int | None = 1000
    seed: int = 0

    def __post_init__(self) -> None:
        if self.n_windows < 0:
            raise ConfigError(f"n_windows must be at least 0, got {self.n_windows}", field="n_windows")
        if not self.base:
            raise ConfigError("no candidate models", field="base")
        for name, members in self.combinations:
            missing = [m for m in members if m not in self.base]
            if missing:
                raise ConfigError(
                    f"combination {name!r} uses {missing}, which are not candidates", field="combinations"
                )

    @property
    def candidates(self) -> tuple[str, ...]:
        """Base candidates, then combinations."""
        return tuple(self.base) + tuple(name for name, _ in self.combinations)

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["combinations"] = {k: list(v) for k, v in self.combinations}
        return out


def combine(
    forecasts: MutableMapping[str, np.ndarray], combinations: Sequence[tuple[str, Sequence[str]]]
) -> None:
    """Add the equal-weight combinations to ``forecasts`` (in place)."""
    for name, members in combinations:
        forecasts[name] = np.mean([forecasts[m] for m in members], axis=0)


# ------------------------------------------------------------------------------------------------
# Cross-validation forecasts (the expensive part), cached per (collection, model)
# ------------------------------------------------------------------------------------------------


def _panel_digest(panel: Panel) -> str:
    h = hashlib.sha1()
    for arr in (panel.indptr, np.asarray(panel.values, dtype=np.float64)):
        h.update(np.ascontiguousarray(arr).tobytes())
    h.update("\x1f".join(map(str, panel.ids)).encode())
    return h.hexdigest()[:16]


def _model_key(panel: Panel, h: int, model: str, settings: SeriesKBSettings) -> str:
    from tsforge.models.statistical import LOCAL_MODELS
    from tsforge.panels.global_models import PANEL_TRAIN_DEFAULTS
    from tsforge.panels.windows import SCALING_REVISION

    payload: dict[str, Any] = {
        "data": _panel_digest(panel),
        "h": int(h),
        "n_windows": settings.n_windows + 1,
        "model": model,
        "season_length": int(panel.season_length),
    }
    if model in GLOBAL_CANDIDATES:
        payload.update({"seed": settings.seed, "train": PANEL_TRAIN_DEFAULTS, "scaling": SCALING_REVISION})
    elif model in LOCAL_MODELS and LOCAL_MODELS[model].revision:
        payload["revision"] = LOCAL_MODELS[model].revision  # its forecasts changed: not the old cache
    return hashlib.sha1(json.dumps(payload, sort_keys=True, default=str).encode()).hexdigest()[:12]


@dataclass
class _GuardedGlobal:
    """A global model as a CV participant that never fails a window: when a window's training
    panel is too short to train on (the earliest windows of short collections), that window is
    forecast by the last value (naive) and counted in :attr:`fallbacks`."""

    name: str
    seed: int
    fallbacks: int = 0

    def forecast(self, train: Panel, h: int) -> np.ndarray:
        from tsforge.panels.global_models import RefitGlobalModel

        try:
            return RefitGlobalModel(self.name, seed=self.seed).forecast(train, h)
        except (ConfigError, DataValidationError) as exc:
            log.warning(
                "%s cannot train on a window of %d series (%s); naive forecast instead",
                self.name,
                len(train),
                exc,
            )
            self.fallbacks += len(train)
            last = train.values[train.indptr[1:] - 1].astype(np.float64)
            return np.repeat(last[:, None], h, axis=1)


def _cv_forecasts(
    panel: Panel,
    h: int,
    model: str,
    settings: SeriesKBSettings,
    *,
    n_jobs: int,
    root: Path | None,
    collection: str,
) -> tuple[pd.DataFrame, dict[str, Any]]:
    """``unique_id, ds, cutoff, y, <model>`` for ``n_windows + 1`` windows (cached)."""
    from tsforge.panels.cv import cross_validation

    key = _model_key(panel, h, model, settings)
    path = root / f"{collection}__{model}__{key}.parquet" if root is not None else None
    if path is not None and path.exists():
        try:
            frame = pd.read_parquet(path)
            info = (
                json.loads(path.with_suffix(".json").read_text())
                if path.with_suffix(".json").exists()
                else {}
            )
            return frame, {**info, "cached": True}
        except (OSError, ValueError) as exc:
            log.warning("unreadable cache %s (%s); recomputing", path, exc)
    t0 = time.perf_counter()
    participant: Any = _GuardedGlobal(model, settings.seed) if model in GLOBAL_CANDIDATES else model
    frame = cross_validation(
        panel,
        [participant],
        h,
        n_windows=settings.n_windows + 1,
        n_jobs=n_jobs,
        progress=False,
        note_short=False,
    )
    info = {
        "seconds": time.perf_counter() - t0,
        "fallback_series_windows": int(getattr(participant, "fallbacks", 0)),
    }
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        frame.to_parquet(tmp, index=False)
        os.replace(tmp, path)
        path.with_suffix(".json").write_text(json.dumps(info))
    return frame, {**info, "cached": False}


# ------------------------------------------------------------------------------------------------
# Cases: (series, window) pairs with their features, forecasts and errors
# ------------------------------------------------------------------------------------------------


@dataclass
class CollectionCases:
    """Every (series, window) case of one collection.

    Attributes:
        name: collection name.
        horizon: forecast horizon.
        window: ``[N]`` window of each case, ``0 .. n_windows - 1`` for the knowledge-base
            windows and ``n_windows`` for the official test window (:attr:`test_window`).
        history: the input window of every case (series cut at its cutoff), a Panel of ``N``
            series (ids repeat across windows).
        y: ``[N, h]`` values after the cutoff.
        forecasts: candidate → ``[N, h]`` forecasts.
        features: ``[N, F]`` features of the input windows (:data:`SERIES_FEATURES`).
        errors: ``[N, K]`` MASE per candidate (NaN where the input window has a zero scale).
        meta: build information (timings, subset, fallbacks).
    """

    name: str
    horizon: int
    window: np.ndarray
    history: Panel
    y: np.ndarray
    forecasts: dict[str, np.ndarray]
    features: pd.DataFrame
    errors: pd.DataFrame
    test_window: int
    meta: dict[str, Any] = field(default_factory=dict)

    @property
    def candidates(self) -> list[str]:
        return list(self.errors.columns)

    @property
    def ids(self) -> np.ndarray:
        return self.history.ids

    def subset(self, mask: np.ndarray) -> CollectionCases:
        idx = np.flatnonzero(mask)
        return CollectionCases(
            self.name,
            self.horizon,
            self.window[idx],
            self.history.take(idx),
            self.y[idx],
            {k: v[idx] for k, v in self.forecasts.items()},
            self.features.iloc[idx],
            self.errors.iloc[idx],
            self.test_window,
            self.meta,
        )

    def test(self) -> CollectionCases:
        """The official test window's cases (never knowledge-base rows)."""
        return self.subset(self.window == self.test_window)

    def kb(self) -> CollectionCases:
        """The knowledge-base windows' cases (every window before the test window)."""
        return self.subset(self.window < self.test_window)

    def kb_rows(self) -> pd.DataFrame:
        """Knowledge-base rows: ``collection, unique_id, window, cutoff_length`` + features +
        ``err_<candidate>``, test-window cases excluded."""
        return _rows(self.kb())

    def all_rows(self) -> pd.DataFrame:
        """Rows of every window, the last one included: for cases built on a history that
        already ends before the data's test window (``train_routed(adapt=True)``)."""
        return _rows(self)


def _rows(c: CollectionCases) -> pd.DataFrame:
    head = pd.DataFrame(
        {
            "collection": c.name,
            "unique_id": np.asarray(c.ids).astype(str),
            "window": c.window,
            "cutoff_length": c.history.lengths,
        }
    )
    feats = c.features.reset_index(drop=True)
    errs = c.errors.reset_index(drop=True).add_prefix("err_")
    return pd.concat([head, feats, errs], axis=1)


def case_errors(
    y: np.ndarray, forecasts: Mapping[str, np.ndarray], history: Panel, *, naive2: bool = False
) -> pd.DataFrame:
    """``[N, K]`` per-case scores of every forecast (MASE; the scale from each case's input
    window), through the one scoring function :func:`tsforge.evaluation.panel_metrics.panel_scores`."""
    per = panel_scores(y, dict(forecasts), history, history.season_length, include_naive2=naive2)
    n = len(history)
    return pd.DataFrame({m: g["mase"].to_numpy() for m, g in per.groupby("model", sort=False)}).iloc[:n]


def cases_from_forecasts(
    panel: Panel,
    h: int,
    cv: pd.DataFrame,
    models: Sequence[str],
    settings: SeriesKBSettings,
    *,
    name: str | None = None,
    n_jobs: int = 1,
    progress: Callable[[int, int], None] | None = None,
) -> CollectionCases:
    """Turn a cross-validation frame over ``n_windows + 1`` windows (rows ordered by series,
    cutoff, ds as :func:`~tsforge.panels.cv.cross_validation` returns them) into cases."""
    W = settings.n_windows + 1
    ro = rolling_origin(panel, h, W)
    cut = ro.cutoffs.T  # [n, W]: series-major, window-minor, the frame's order
    sid, win = np.nonzero(cut >= 0)
    lengths = cut[sid, win]
    n_cases = sid.size
    if len(cv) != n_cases * h:
        raise DataValidationError(
            f"{name or panel.name}: the cross-validation frame has {len(cv)} rows for {n_cases} cases of {h} steps"
        )
    expected_ids = np.repeat(panel.ids[sid].astype(str), h)
    if not np.array_equal(cv["unique_id"].astype(str).to_numpy(), expected_ids):
        raise DataValidationError(
            f"{name or panel.name}: cross-validation rows are not in (series, cutoff) order"
        )
    history = panel.take(sid).head_cut(panel.lengths[sid] - lengths)
    y = cv["y"].to_numpy(dtype=np.float64).reshape(n_cases, h)
    forecasts = {m: cv[m].to_numpy(dtype=np.float64).reshape(n_cases, h) for m in models}
    combine(forecasts, [(c, ms) for c, ms in settings.combinations if all(m in forecasts for m in ms)])
    features = series_features(history, h, window=settings.profile_window, n_jobs=n_jobs, progress=progress)
    errors = case_errors(y, forecasts, history)
    return CollectionCases(
        name or panel.name,
        int(h),
        win.astype(np.int64),
        history,
        y,
        forecasts,
        features,
        errors,
        test_window=W - 1,
    )


def _load_collection(name: str | Panel, settings: SeriesKBSettings) -> tuple[Panel, int, dict[str, Any]]:
    """The collection's panel (a seeded subset above ``max_series``) and official horizon."""
    from tsforge.data.load import load_panel
    from tsforge.data.protocol import default_panel_horizon

    if isinstance(name, Panel):
        panel, entry = name, None
    else:
        loaded = load_panel(name)
        panel, entry = loaded.panel, loaded.entry
    h = int(default_panel_horizon(entry, panel.season_length, panel.horizon))
    info: dict[str, Any] = {"n_series_total": len(panel), "horizon": h}
    if settings.max_series is not None and len(panel) > settings.max_series:
        rng = np.random.default_rng(settings.seed)
        keep = np.sort(rng.choice(len(panel), size=settings.max_series, replace=False))
        panel = panel.take(keep)
        info["subset"] = f"seeded subset of {settings.max_series} series (seed {settings.seed})"
    info["n_series"] = len(panel)
    return panel, h, info


def collection_cases(
    collection: str | Panel,
    settings: SeriesKBSettings | None = None,
    *,
    horizon: int | None = None,
    n_jobs: int = 2,
    cache: str | os.PathLike[str] | None | bool = None,
    progress: Progress | None = None,
) -> CollectionCases:
    """Cross-validate every candidate on one collection (cached) and build its cases.

    Args:
        collection: a panel catalogue name, a panel file (``.tsf``, CSV, Parquet: named and
            cached by its stem) or a :class:`Panel`.
        settings: windows, candidates and profiling (default ``SeriesKBSettings()``; part of
            the cache key).
        horizon: override the official horizon.
        n_jobs: processes for the local models' per-series fits and for the profiling.
        cache: the cache root (default :func:`series_kb_dir`); ``False`` disables caching.
        progress: ``progress(description, done, total)``.
    """
    from tsforge.data.load import source_name

    settings = settings or SeriesKBSettings()
    panel, h, info = _load_collection(collection, settings)
    h = int(horizon or h)
    name = source_name(collection)
    root = None if cache is False else series_kb_dir(None if cache is None or cache is True else cache)
    frame: pd.DataFrame | None = None
    seconds: dict[str, float] = {}
    fallbacks: dict[str, int] = {}
    for i, model in enumerate(settings.base):
        if progress:
            progress(f"{name}: cross-validating {model}", i, len(settings.base))
        cv, meta = _cv_forecasts(panel, h, model, settings, n_jobs=n_jobs, root=root, collection=name)
        seconds[model] = float(meta.get("seconds", 0.0))
        if meta.get("fallback_series_windows"):
            fallbacks[model] = int(meta["fallback_series_windows"])
        if frame is None:
            frame = cv[["unique_id", "ds", "cutoff", "y"]].copy()
        elif len(cv) != len(frame):
            raise DataValidationError(
                f"{name}: {model} cross-validation has {len(cv)} rows, expected {len(frame)}"
            )
        frame[model] = cv[model].to_numpy()
    assert frame is not None
    if progress:
        progress(f"{name}: profiling the input windows", len(settings.base), len(settings.base))
    t0 = time.perf_counter()
    cases = cases_from_forecasts(panel, h, frame, settings.base, settings, name=name, n_jobs=n_jobs)
    cases.meta = {
        **info,
        "cv_seconds": seconds,
        "features_seconds": time.perf_counter() - t0,
        "global_fallback_series_windows": fallbacks,
        "n_cases": int(len(cases.window)),
        "n_kb_cases": int((cases.window < cases.test_window).sum()),
    }
    return cases


def same_phase_cases(
    collection: str | Panel,
    settings: SeriesKBSettings | None = None,
    *,
    horizon: int | None = None,
    n_jobs: int = 2,
    cache: str | os.PathLike[str] | None | bool = None,
    progress: Progress | None = None,
) -> CollectionCases | None:
    """The collection's test window one season earlier as cases — every candidate refit on the
    history before it (one cross-validation window, cached like the knowledge base) — or ``None``
    where :func:`recommender.panel.same_phase_panel` finds no such window (a season no longer
    than the horizon, or too few series long enough).

    Why: a trained routed model pools its series towards the candidates' errors on the
    validation window *and* on this one (:func:`recommender.per_series.validation_prior`);
    the benchmark that scores it needs the same window to score what is served. Its errors
    are values before the test window only (``[L − H − m, L − m)``)."""
    from recommender.panel import same_phase_panel
    from tsforge.data.load import source_name

    settings = settings or SeriesKBSettings()
    panel, h, _ = _load_collection(collection, settings)
    h = int(horizon or h)
    cut = same_phase_panel(panel, h)
    if cut is None:
        return None
    name = f"{source_name(collection)}__same_phase"
    one_window = replace(settings, n_windows=0, max_series=None)  # the subset is already taken
    return collection_cases(
        replace(cut, name=name), one_window, horizon=h, n_jobs=n_jobs, cache=cache, progress=progress
    )


@dataclass
class SeriesKB:
    """The knowledge base over several collections.

    Attributes:
        collections: name → its cases (knowledge-base windows *and* the test window; only
            :attr:`rows` is the knowledge base proper).
        settings: how it was built.
        meta: timings and per-collection information.
    """

    collections: dict[str, CollectionCases]
    settings: SeriesKBSettings
    meta: dict[str, Any] = field(default_factory=dict)

    @property
    def candidates(self) -> tuple[str, ...]:
        return self.settings.candidates

    @property
    def rows(self) -> pd.DataFrame:
        """Every knowledge-base row (test windows excluded)."""
        return pd.concat([c.kb_rows() for c in self.collections.values()], ignore_index=True)

    def save_rows(self, path: str | os.PathLike[str]) -> Path:
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        self.rows.to_parquet(path, index=False)
        path.with_suffix(".json").write_text(
            json.dumps({"settings": self.settings.to_dict(), **self.meta}, indent=2, default=str)
        )
        return path


def build_series_kb(
    collections: Sequence[str | Panel] = DEV_COLLECTIONS,
    settings: SeriesKBSettings | None = None,
    *,
    n_jobs: int = 2,
    cache: str | os.PathLike[str] | None | bool = None,
    progress: Progress | None = None,
    track: bool = False,
) -> SeriesKB:
    """Build (or reuse from the cache) the knowledge base over ``collections``.

    Args:
        collections: panel catalogue names, panel files or :class:`Panel` objects (default:
            :data:`DEV_COLLECTIONS`).
        settings, n_jobs, cache, progress: as in :func:`collection_cases`, for every collection.
        track: log the rows, the per-collection mean errors and the settings to MLflow
            (experiment ``tsforge-recommender``, run ``series-knowledge-base``).
    """
    settings = settings or SeriesKBSettings()
    if settings.n_windows < 1:
        raise ConfigError(
            "a knowledge base needs at least one window before the test window, got n_windows=0",
            field="n_windows",
        )
    t0 = time.perf_counter()
    out: dict[str, CollectionCases] = {}
    for c in collections:
        cases = collection_cases(c, settings, n_jobs=n_jobs, cache=cache, progress=progress)
        out[cases.name] = cases
    kb = SeriesKB(out, settings)
    kb.meta = {
        "build_seconds": time.perf_counter() - t0,
        "collections": {k: v.meta for k, v in out.items()},
        "n_rows": int(sum(v.meta["n_kb_cases"] for v in out.values())),
    }
    if track:
        kb.meta["mlflow_run_id"] = log_series_kb(kb)
    return kb


def log_series_kb(kb: SeriesKB, experiment: str = "tsforge-recommender") -> str:
    """Log the knowledge base (rows as Parquet, mean errors per collection as a table)."""
    import tempfile

    from tsforge.tracking.runs import tracked_run

    rows = kb.rows
    errs = [c for c in rows.columns if c.startswith("err_")]
    table = rows.groupby("collection")[errs].mean().reset_index()
    with tracked_run(
        experiment=experiment,
        run_name="series-knowledge-base",
        description="Per-series knowledge base: rolling-origin CV of every candidate on panel collections.",
    ) as run:
        run.log_params(
            {
                "n_rows": len(rows),
                "collections": ",".join(kb.collections),
                "candidates": ",".join(kb.candidates),
                **{f"kb.{k}": v for k, v in kb.settings.to_dict().items()},
            }
        )
        run.log_metrics({"build_seconds": float(kb.meta.get("build_seconds", 0.0))})
        run.log_table(table, "series_kb/mean_mase_per_collection.json")
        with tempfile.TemporaryDirectory() as tmp:
            kb.save_rows(Path(tmp) / "series_kb.parquet")
            run.log_artifacts(tmp, "series_kb")
        return run.run_id
