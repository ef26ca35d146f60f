"""The recommender's knowledge base: per (group, channel, test window) errors of every candidate,
joined with the properties of that window.

Why this shape: every tsforge model is channel-independent with shared weights, so a corpus of
``N`` synthetic series is benchmarked as ONE ``N``-channel :class:`TimeSeriesData` and each
candidate is trained ONCE on it (a small fixed config). Each candidate is then scored on every
(channel, test window) on the normalised scale, and each row carries the ARIES properties of the
last :data:`PROFILE_WINDOW` steps of that window's *input* (what the model sees when it forecasts),
so the recommender can aggregate rows into "datasets" (random channel subsets) whose property
summaries vary. Real catalogue datasets are benchmarked the same way, under their own protocol
(catalogue input length, first horizon and split), and become extra groups.

Storage: one Parquet file per group under ``<cache root>/knowledge_base/`` (:func:`kb_dir`; in a
clone ``datasets/cache/knowledge_base/``), keyed by the settings and the candidate pool so a
re-run only computes what is missing, and the assembled table ``knowledge_base.parquet``; optionally logged to MLflow as an artifact of a run named
``knowledge-base`` in the experiment ``tsforge-recommender``.

Row columns: ``group, kind ('corpus'|'real'), channel, window_start``, the group's shape
(``n_steps, n_channels, freq, missing_share, has_coords, input_len, horizon``), the raw property
columns of :mod:`recommender.properties` plus ``<bucket>_bucket`` ids, and per candidate
``mse__<cand>`` / ``mae__<cand>`` (NaN when no target of the window was observed).
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from tsforge.data.frame import TimeSeriesData
from tsforge.data.task import ForecastTask, prepare_task
from tsforge.errors import ConfigError, DataValidationError
from tsforge.evaluation.evaluate import window_errors
from tsforge.paths import cache_root
from tsforge.training.fitting import fit_model
from tsforge.training.spec import TrainingSpec

__all__ = [
    "Candidate",
    "KBSettings",
    "KnowledgeBase",
    "PROFILE_WINDOW",
    "default_pool",
    "candidate_by_name",
    "corpus_as_data",
    "fit_candidate",
    "benchmark_data",
    "build_knowledge_base",
    "load_knowledge_base",
    "real_group",
    "save_knowledge_base",
    "kb_dir",
    "log_knowledge_base",
]

log = logging.getLogger(__name__)

#: Length of the window whose properties describe a forecast: the last 96 input steps. Fixed for
#: every group (corpus and real) and at recommendation time, so property values are comparable.
PROFILE_WINDOW = 96
EXPERIMENT = "tsforge-recommender"
#: Real datasets: at most this many channels and about this many test windows per channel.
REAL_MAX_CHANNELS = 32
REAL_MAX_TEST_WINDOWS = 40
Progress = Callable[[str, int, int], None]


@dataclass(frozen=True)
class Candidate:
    """One entry of the candidate pool: a registered model, optionally with a loss strategy.

    Attributes:
        name: the id used in the knowledge base and in recommendations (``"dlinear+selective"``).
        model: registered model name.
        strategy: training-loss strategy name (``"selective"``) or ``None``.
        model_config: model options for the cheap knowledge-base config.
        strategy_config: strategy options.
    """

    name: str
    model: str
    strategy: str | None = None
    model_config: dict[str, Any] = field(default_factory=dict)
    strategy_config: dict[str, Any] = field(default_factory=dict)

    def describe(self) -> str:
        return self.model if self.strategy is None else f"{self.model} trained with {self.strategy} learning"

    def train_kwargs(self, input_len: int | None = None) -> dict[str, Any]:
        """Keyword options for :func:`tsforge.pipeline.train` that reproduce this candidate
        (shape rules such as HUTFormer's tiling are applied by the model at fit time)."""
        out: dict[str, Any] = {"model": self.model}
        if self.model_config:
            out["model_config"] = dict(self.model_config)
        if self.strategy:
            out["strategy"] = self.strategy
            out["strategy_config"] = dict(self.strategy_config)
        return out

    def spec(self, settings: KBSettings, data: str) -> TrainingSpec:
        """The cheap, equal-budget training of this candidate in the knowledge base."""
        strategy_config = dict(self.strategy_config)
        if self.strategy == "selective":
            strategy_config.setdefault("estimator_train_config", settings.train_config())
        return TrainingSpec(
            self.model,
            data=data,
            model_config=self.model_config,
            strategy=self.strategy,
            strategy_config=strategy_config,
            seed=settings.seed,
            train_config=settings.train_config(),
        )


# The order of preference in the pool (and the tie-break of equal scores).
_POOL_ORDER = (
    "seasonal_naive",
    "naive",
    "mean",
    "dlinear",
    "nlinear",
    "sparsetsf",
    "timebase",
    "cyclenet",
    "lightgbm",
    "stpe_mlp",
    "cyclenet_mlp",
    "patchtst",
    "itransformer",
    "hutformer",
)


def default_pool(include: Sequence[str] | None = None) -> list[Candidate]:
    """The candidate pool from what is registered now: baselines, linear models, LightGBM,
    STPE-MLP and HUTFormer when importable, and DLinear with selective learning when the
    ``selective`` strategy is registered.

    Args:
        include: restrict to these candidate names (order kept as given).
    """
    from tsforge.models import model_names
    from tsforge.models.registry import get_model_spec
    from tsforge.training import STRATEGIES

    names = set(model_names())
    pool = [
        Candidate(m, m, model_config=dict(get_model_spec(m).cls.budget_config))
        for m in _POOL_ORDER
        if m in names
    ]
    if "selective" in STRATEGIES and "dlinear" in names:
        pool.append(
            Candidate("dlinear+selective", "dlinear", "selective", strategy_config={"r_u": 0.3, "r_a": 0.3})
        )
    if include is not None:
        by_name = {c.name: c for c in pool}
        missing = [n for n in include if n not in by_name]
        if missing:
            raise ConfigError(f"unknown candidate(s) {missing}; available: {sorted(by_name)}", field="pool")
        pool = [by_name[n] for n in include]
    return pool


def candidate_by_name(name: str) -> Candidate:
    """The pool entry called ``name`` (a registered model or ``<model>+<strategy>``)."""
    for c in default_pool():
        if c.name == name:
            return c
    if "+" in name:
        model, strategy = name.split("+", 1)
        return Candidate(name, model, strategy)
    return Candidate(name, name)


@dataclass(frozen=True)
class KBSettings:
    """Protocol and budget of a knowledge-base build.

    Attributes:
        input_len, horizon, split: the corpus protocol (real datasets use their catalogue one).
        eval_stride: stride between scored test windows.
        max_epochs, max_batches_per_epoch, batch_size, train_stride, patience: the cheap training budget.
        seed: training and sampling seed.
    """

    input_len: int = 96
    horizon: int = 24
    split: str = "7:1:2"
    eval_stride: int = 12
    max_epochs: int = 3
    max_batches_per_epoch: int = 40
    batch_size: int = 32
    train_stride: int = 2
    patience: int = 2
    seed: int = 2024

    def train_config(self) -> dict[str, Any]:
        return {
            "max_epochs": self.max_epochs,
            "max_batches_per_epoch": self.max_batches_per_epoch,
            "batch_size": self.batch_size,
            "train_stride": self.train_stride,
            "val_stride": max(1, self.eval_stride),
            "patience": self.patience,
            "seed": self.seed,
            "progress": False,
        }

    def key(self, pool: Sequence[Candidate]) -> str:
        blob = json.dumps({"s": asdict(self), "pool": [asdict(c) for c in pool]}, sort_keys=True, default=str)
        return hashlib.sha1(blob.encode()).hexdigest()[:10]


def kb_dir(cache: str | os.PathLike[str] | None = None) -> Path:
    """``<cache>/knowledge_base``; by default under :func:`tsforge.paths.cache_root` (``$TSFORGE_CACHE_DIR``,
    a clone's ``datasets/cache``, else the user's cache folder). The default recommender sits beside
    it (:func:`recommender.ranker.recommender_dir`), so it follows the same rule."""
    return Path(cache if cache is not None else cache_root()) / "knowledge_base"


def corpus_as_data(values: np.ndarray, name: str = "corpus", freq: str = "h") -> TimeSeriesData:
    """A ``[n_series, T]`` corpus as one ``T × n_series`` :class:`TimeSeriesData` (series = channels).

    ``freq="h"`` gives seasonal naive a 24-step season, one of the corpus' kernel periods.
    """
    vals = np.ascontiguousarray(np.asarray(values, dtype=np.float32).T)
    ids = tuple(f"synth_{i:05d}" for i in range(vals.shape[1]))
    ts = np.datetime64("2000-01-01T00:00", "ns") + np.arange(vals.shape[0]) * np.timedelta64(1, "h")
    return TimeSeriesData(vals, ts, ids, freq=freq, name=name)


def fit_candidate(cand: Candidate, task: ForecastTask, settings: KBSettings) -> Any:
    """Train ``cand`` once on ``task`` with the cheap fixed budget (the one fit path, untracked)."""
    return fit_model(cand.spec(settings, task.data.name), task).forecaster


def _window_properties(task: ForecastTask, starts: np.ndarray) -> pd.DataFrame:
    """ARIES properties of the last :data:`PROFILE_WINDOW` input steps of each (channel, window)."""
    from recommender.properties import profile

    data = task.data
    p = min(PROFILE_WINDOW, task.input_len)
    if p < 32:
        raise ConfigError(f"input length {task.input_len} is shorter than the 32-step minimum profile window")
    rows = starts + task.input_len - p
    idx = rows[:, None] + np.arange(p)[None, :]  # [S, p]
    windows = np.asarray(data.values, dtype=np.float64)[idx]  # [S, p, C]
    windows = windows.transpose(2, 0, 1).reshape(-1, p)  # channel-major [C*S, p]
    ids = pd.DataFrame(
        {
            "channel": np.repeat(np.arange(data.n_channels), len(starts)),
            "window_start": np.tile(starts, data.n_channels),
        }
    )
    # windows with > 10 % missing values carry no property values (profile would drop them)
    keep = np.isnan(windows).mean(axis=1) <= 0.1
    if not keep.any():
        return ids.iloc[:0]
    table = profile(windows[keep]).table.drop(columns=["channel", "window_start"])
    return pd.concat([ids[keep].reset_index(drop=True), table.reset_index(drop=True)], axis=1)


def benchmark_data(
    data: TimeSeriesData,
    pool: Sequence[Candidate],
    settings: KBSettings,
    *,
    group: str,
    kind: str,
    input_len: int | None = None,
    horizon: int | None = None,
    split: str | None = None,
    max_test_windows: int | None = None,
    progress: Progress | None = None,
) -> pd.DataFrame:
    """Train every candidate once on ``data`` and return its knowledge-base rows.

    Args:
        data: a (multichannel) series; every channel shares the trained weights.
        pool: candidates.
        settings: budget; ``input_len/horizon/split`` override the settings' protocol.
        group, kind: labels stored on every row.
        max_test_windows: widen the test stride so at most about this many windows per channel are
            scored (long real datasets), else ``settings.eval_stride``.
        progress: ``progress(description, done, total)`` after each candidate.
    """
    t_start = time.perf_counter()
    L = int(input_len or settings.input_len)
    H = int(horizon or settings.horizon)
    task = prepare_task(data, L, H, split or settings.split)
    stride = settings.eval_stride
    if max_test_windows:
        stride = max(stride, int(np.ceil(len(task.dataset("test")) / max_test_windows)))
    starts = task.dataset("test", stride=stride).starts.numpy()
    rows = _window_properties(task, starts)
    timings: dict[str, float] = {"profile": time.perf_counter() - t_start}
    for i, cand in enumerate(pool):
        t0 = time.perf_counter()
        forecaster = fit_candidate(cand, task, settings)
        scores = window_errors(forecaster, task, "test", stride=stride)
        timings[cand.name] = time.perf_counter() - t0
        scores = scores.rename(columns={"mse": f"mse__{cand.name}", "mae": f"mae__{cand.name}"})
        rows = rows.merge(scores, on=["channel", "window_start"], how="left")
        log.info("%s: %s trained and scored in %.1fs", group, cand.name, timings[cand.name])
        if progress:
            progress(f"{group}: {cand.name}", i + 1, len(pool))
    rows.insert(0, "group", group)
    rows.insert(1, "kind", kind)
    shape = {
        "n_steps": data.n_steps,
        "n_channels": data.n_channels,
        "freq": data.freq or "",
        "missing_share": float(data.missing_share),
        "has_coords": data.coords is not None,
        "input_len": L,
        "horizon": H,
        "eval_stride": stride,
    }
    for k, v in shape.items():
        rows[k] = v
    timings["total"] = time.perf_counter() - t_start
    rows.attrs["timings"] = timings
    return rows


@dataclass
class KnowledgeBase:
    """The assembled table plus how it was built.

    Attributes:
        table: one row per (group, channel, test window) (see the module docstring).
        candidates: candidate names, in pool order.
        meta: settings, corpus size, build seconds, per-group timings.
        path: where it is stored.
    """

    table: pd.DataFrame
    candidates: list[str]
    meta: dict[str, Any] = field(default_factory=dict)
    path: Path | None = None

    def errors(self, metric: str = "mse") -> pd.DataFrame:
        """``[rows, candidates]`` error matrix for ``metric``."""
        return self.table[[f"{metric}__{c}" for c in self.candidates]].set_axis(self.candidates, axis=1)

    def groups(self) -> list[str]:
        return list(dict.fromkeys(self.table["group"]))


def _group_file(root: Path, group: str, key: str) -> Path:
    return root / "groups" / f"{group}_{key}.parquet"


def _cached_group(root: Path, group: str, key: str) -> pd.DataFrame | None:
    path = _group_file(root, group, key)
    if not path.exists():
        return None
    try:
        return pd.read_parquet(path)
    except (OSError, ValueError) as exc:  # a broken cache file is recomputed
        log.warning("unreadable knowledge-base cache %s (%s); recomputing", path, exc)
        return None


def _store_group(root: Path, group: str, key: str, rows: pd.DataFrame) -> None:
    path = _group_file(root, group, key)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(f".{os.getpid()}.tmp")
    timings = rows.attrs.get("timings", {})
    rows.to_parquet(tmp, index=False)
    os.replace(tmp, path)
    path.with_suffix(".json").write_text(json.dumps({"group": group, "seconds": timings}, indent=2))


def _group_seconds(root: Path, group: str, key: str) -> dict[str, float]:
    """Build seconds recorded when a cached group was computed (empty when unknown)."""
    side = _group_file(root, group, key).with_suffix(".json")
    try:
        return dict(json.loads(side.read_text()).get("seconds", {}))
    except (OSError, ValueError):
        return {}


def _real_key(
    settings: KBSettings,
    pool: Sequence[Candidate],
    max_channels: int | None = None,
    max_test_windows: int | None = None,
) -> str:
    mc = REAL_MAX_CHANNELS if max_channels is None else max_channels
    mw = REAL_MAX_TEST_WINDOWS if max_test_windows is None else max_test_windows
    return settings.key(pool) + f"c{mc}w{mw}"


def real_group(
    name: str,
    pool: Sequence[Candidate],
    settings: KBSettings,
    *,
    cache: str | os.PathLike[str] | None = None,
    compute: bool = True,
    max_channels: int | None = REAL_MAX_CHANNELS,
    max_test_windows: int | None = REAL_MAX_TEST_WINDOWS,
    progress: Progress | None = None,
) -> pd.DataFrame | None:
    """Knowledge-base rows of catalogue dataset ``name`` under its protocol (cached).

    The protocol is the catalogue's: input length, first horizon and split (the standard one the
    pipeline applies). Datasets with more than ``max_channels`` channels keep a seeded subset of
    channels, so one benchmark stays bounded.

    Returns:
        The rows, or ``None`` when not cached and ``compute`` is false.
    """
    from tsforge.data.load import load
    from tsforge.data.protocol import default_lengths

    root = kb_dir(cache)
    key = _real_key(settings, pool, max_channels, max_test_windows)
    rows = _cached_group(root, name, key)
    if rows is not None or not compute:
        return rows
    loaded = load(name)
    data, entry = loaded.series, loaded.entry
    if entry is None:  # a file or a frame: no protocol (split, input length, horizon) to follow
        raise ConfigError(
            f"{name!r} is not a catalogue dataset: a real knowledge-base group follows a catalogue "
            "dataset's protocol (see `tsforge datasets`)",
            field="real",
        )
    # channels observed in at least half of the training rows (a channel with no training value
    # cannot be scaled), then a seeded subset of at most ``max_channels``
    head = data.values[: int(0.6 * data.n_steps)]
    usable = np.flatnonzero(np.isfinite(head).mean(axis=0) >= 0.5)
    if len(usable) < data.n_channels or (max_channels and len(usable) > max_channels):
        if len(usable) == 0:
            raise DataValidationError(f"{name}: no channel is observed in half of the training rows")
        if max_channels and len(usable) > max_channels:
            usable = np.sort(np.random.default_rng(settings.seed).choice(usable, max_channels, replace=False))
        data = data.select_channels([data.channel_ids[i] for i in usable])
    L, H = default_lengths(data, entry, None, None)
    rows = benchmark_data(
        data,
        pool,
        settings,
        group=name,
        kind="real",
        input_len=L,
        horizon=H,
        split=entry.split,
        max_test_windows=max_test_windows,
        progress=progress,
    )
    _store_group(root, name, key, rows)
    return rows


def build_knowledge_base(
    corpus_size: int = 300,
    length: int = 1024,
    *,
    seed: int = 0,
    pool: Sequence[Candidate] | None = None,
    settings: KBSettings | None = None,
    real: Sequence[str] | None = (),
    compute_real: bool = False,
    corpus_values: np.ndarray | None = None,
    cache: str | os.PathLike[str] | None = None,
    use_cache: bool = True,
    track: bool = False,
    progress: Progress | None = None,
) -> KnowledgeBase:
    """Benchmark the pool on the synthetic corpus (one multichannel series) and real datasets.

    Args:
        corpus_size, length, seed: the KernelSynth corpus (``recommender.synth.load_corpus``).
        pool: candidates (default :func:`default_pool`).
        settings: protocol and budget (default :class:`KBSettings`).
        real: catalogue datasets to add as groups (default: none; ``None`` = every available
            multichannel one).
        compute_real: benchmark real datasets that are not cached yet (else only cached ones
            are added; the evaluation script fills that cache).
        corpus_values: a ready ``[n, T]`` corpus instead of the KernelSynth one (tests).
        cache: cache root (default :func:`tsforge.paths.cache_root`, see :func:`kb_dir`).
        use_cache: reuse the cached corpus group (``False`` benchmarks the corpus again); real
            groups are always read from their cache when there.
        track: log the table to MLflow (run ``knowledge-base``).
        progress: ``progress(description, done, total)``.
    """
    pool = list(pool) if pool is not None else default_pool()
    if not pool:
        raise ConfigError("the candidate pool is empty", field="pool")
    settings = settings or KBSettings()
    root = kb_dir(cache)
    key = settings.key(pool)
    t0 = time.perf_counter()
    frames: list[pd.DataFrame] = []
    timings: dict[str, Any] = {}
    if corpus_values is None:
        from recommender.synth import load_corpus

        values, _ = load_corpus(corpus_size, length, seed, cache=None if cache is None else Path(cache))
        group = f"corpus_n{corpus_size}_L{length}_s{seed}"
    else:
        values = np.asarray(corpus_values, dtype=np.float32)
        digest = hashlib.sha1(values.tobytes()).hexdigest()[:8]
        group = f"corpus_custom_{digest}"
    rows = _cached_group(root, group, key) if use_cache else None
    if rows is None:
        rows = benchmark_data(
            corpus_as_data(values, name=group), pool, settings, group=group, kind="corpus", progress=progress
        )
        _store_group(root, group, key, rows)
    timings[group] = _group_seconds(root, group, key)
    frames.append(rows)
    if real is None:
        from tsforge.data.catalog import list_datasets

        real = [
            e.name
            for e in list_datasets()
            if e.available and e.kind == "multichannel" and e.loader not in ("synthetic",)
        ]
    for name in real:
        try:
            rows = real_group(name, pool, settings, cache=cache, compute=compute_real, progress=progress)
        except Exception as exc:  # one unavailable/broken dataset must not sink the build
            log.warning("skipping real dataset %s in the knowledge base: %s", name, exc)
            continue
        if rows is not None:
            frames.append(rows)
            timings[name] = _group_seconds(root, name, _real_key(settings, pool))
    table = pd.concat(frames, ignore_index=True)
    kb = KnowledgeBase(
        table=table,
        candidates=[c.name for c in pool],
        meta={
            "settings": asdict(settings),
            "pool": [asdict(c) for c in pool],
            "corpus": {"n_series": int(values.shape[0]), "length": int(values.shape[1]), "seed": seed},
            "groups": list(dict.fromkeys(table["group"])),
            "profile_window": PROFILE_WINDOW,
            "build_seconds": time.perf_counter() - t0,
            "timings": timings,
        },
    )
    kb.path = save_knowledge_base(kb, root / "knowledge_base.parquet")
    if track:
        log_knowledge_base(kb)
    return kb


def save_knowledge_base(kb: KnowledgeBase, path: str | os.PathLike[str]) -> Path:
    """Write the table as Parquet and its metadata as ``<path>.json``."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(f".{os.getpid()}.tmp")
    kb.table.to_parquet(tmp, index=False)
    os.replace(tmp, path)
    path.with_suffix(".json").write_text(
        json.dumps({"candidates": kb.candidates, **kb.meta}, indent=2, default=str)
    )
    return path


def load_knowledge_base(path: str | os.PathLike[str] | None = None) -> KnowledgeBase:
    """Read a knowledge base written by :func:`build_knowledge_base`."""
    path = Path(path) if path is not None else kb_dir() / "knowledge_base.parquet"
    if not path.exists():
        raise DataValidationError(
            f"no knowledge base at {path}; run `tsforge recommender build`", file=str(path)
        )
    meta = json.loads(path.with_suffix(".json").read_text())
    return KnowledgeBase(pd.read_parquet(path), list(meta.pop("candidates")), meta, path)


def log_knowledge_base(kb: KnowledgeBase, experiment: str = EXPERIMENT) -> str:
    """Log the knowledge base to MLflow as artifacts of a run named ``knowledge-base``; returns the run id."""
    from tsforge.tracking.runs import tracked_run

    with tracked_run(experiment=experiment, run_name="knowledge-base") as run:
        run.log_params(
            {
                "n_rows": len(kb.table),
                "candidates": ",".join(kb.candidates),
                "groups": ",".join(kb.meta.get("groups", [])),
                **{f"kb.{k}": v for k, v in kb.meta.get("settings", {}).items()},
            }
        )
        run.log_metrics({"build_seconds": float(kb.meta.get("build_seconds", 0.0))})
        if kb.path is not None:
            run.log_artifact(kb.path, "knowledge_base")
            run.log_artifact(kb.path.with_suffix(".json"), "knowledge_base")
        return run.run_id
