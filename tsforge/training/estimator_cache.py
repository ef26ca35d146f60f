"""Train-once cache of the frozen estimator models used by selective learning.

Why: the anomaly mask of :class:`~tsforge.training.selective.SelectiveLearning` needs an
estimator (DLinear by default) trained on the *same* task. Retraining it for every main run
(every backbone, every tuning trial) would dominate the cost, so it is trained once per
(dataset, split, L, H, estimator, seed, data values, estimator options) and stored under
``<cache root>/estimators/<key>/`` (:func:`tsforge.paths.cache_root`: ``$TSFORGE_CACHE_DIR``, a
clone's ``datasets/cache``, else the user's cache folder). Training goes
through the one fit path; a caller that tracks (the pipeline) passes its own ``trainer`` that
makes the training an MLflow run and returns the run id, which the cache records so every main
run can point at the estimator it used. This module never tracks by itself.

Writes are atomic (a temporary folder renamed into place), so two processes racing on the same
key both end up with a valid entry; a damaged entry is retrained instead of failing the run.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import random
import re
import shutil
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import torch

from tsforge.paths import cache_root as default_cache_root

if TYPE_CHECKING:
    from tsforge.data.frame import TimeSeriesData
    from tsforge.data.task import ForecastTask
    from tsforge.models.base import Forecaster

__all__ = [
    "EstimatorKey",
    "CachedEstimator",
    "data_fingerprint",
    "estimator_key",
    "estimator_cache_root",
    "get_or_train_estimator",
    "train_estimator",
]

log = logging.getLogger(__name__)

META_FILE = "estimator.json"
#: Trainer signature: (task, estimator, seed, model_config, train_config) -> (forecaster, run_id or None).
Trainer = Callable[
    ["ForecastTask", str, int, dict[str, Any], dict[str, Any]], "tuple[Forecaster, str | None]"
]


def data_fingerprint(data: TimeSeriesData) -> str:
    """Short hash of the values (NaN pattern included), shape and channel ids of a series."""
    h = hashlib.blake2b(digest_size=8)
    values = np.ascontiguousarray(data.values, dtype=np.float32)
    h.update(repr((values.shape, tuple(data.channel_ids))).encode())
    h.update(values.tobytes())
    return h.hexdigest()


def _options_hash(model_config: dict[str, Any], train_config: dict[str, Any]) -> str:
    text = json.dumps({"model": model_config, "train": train_config}, sort_keys=True, default=str)
    return hashlib.blake2b(text.encode(), digest_size=4).hexdigest()


@dataclass(frozen=True)
class EstimatorKey:
    """What an estimator was trained on; equal keys → the cached estimator is reused."""

    dataset: str
    split: str
    input_len: int
    horizon: int
    estimator: str
    seed: int
    data_hash: str
    options_hash: str

    @property
    def dirname(self) -> str:
        name = re.sub(r"[^A-Za-z0-9_.-]+", "_", self.dataset)[:40] or "data"
        split = re.sub(r"[^A-Za-z0-9]+", "-", self.split)
        return (
            f"{name}-{split}-L{self.input_len}-H{self.horizon}-{self.estimator}-s{self.seed}"
            f"-{self.data_hash}-{self.options_hash}"
        )


@dataclass
class CachedEstimator:
    """A frozen estimator and where it came from."""

    forecaster: Forecaster
    key: EstimatorKey
    path: Path | None
    run_id: str | None
    hit: bool


def estimator_cache_root(cache_root: str | os.PathLike[str] | None = None) -> Path:
    """``<cache_root>``, else ``<tsforge cache root>/estimators`` (never inside an installed package)."""
    if cache_root is not None:
        return Path(cache_root)
    return default_cache_root() / "estimators"


def estimator_key(
    task: ForecastTask,
    estimator: str = "dlinear",
    *,
    seed: int = 2024,
    model_config: dict[str, Any] | None = None,
    train_config: dict[str, Any] | None = None,
) -> EstimatorKey:
    """The cache key of an estimator for ``task``: the protocol, the seed, and hashes of the
    values and of the options, so a changed dataset file or option trains a new estimator
    instead of reusing a stale one."""
    return EstimatorKey(
        dataset=task.data.name,
        split=task.split,
        input_len=task.input_len,
        horizon=task.horizon,
        estimator=estimator,
        seed=int(seed),
        data_hash=data_fingerprint(task.data),
        options_hash=_options_hash(dict(model_config or {}), dict(train_config or {})),
    )


def train_estimator(
    task: ForecastTask,
    estimator: str,
    seed: int,
    model_config: dict[str, Any],
    train_config: dict[str, Any],
) -> tuple[Forecaster, None]:
    """Train the estimator on ``task`` through the one fit path (untracked; no run id)."""
    from tsforge.models.registry import get_model_spec
    from tsforge.training.fitting import fit_model
    from tsforge.training.spec import TrainingSpec

    if not get_model_spec(estimator).is_neural:
        from tsforge.errors import ConfigError

        raise ConfigError(
            f"the selective-learning estimator must be a neural model, got {estimator!r}", field="estimator"
        )
    spec = TrainingSpec(
        estimator,
        data=task.data.name,
        model_config=model_config,
        seed=seed,
        train_config={"progress": False, **train_config, "seed": seed},
    )
    return fit_model(spec, task).forecaster, None


def _load(path: Path) -> tuple[Forecaster, dict[str, Any]] | None:
    from tsforge.models.persistence import load_model

    meta_file = path / META_FILE
    if not meta_file.is_file():
        return None
    try:
        meta = json.loads(meta_file.read_text())
        forecaster = load_model(path)[0]
    except Exception as err:  # a damaged entry is retrained, never fatal
        log.warning("estimator cache entry %s is unreadable (%s); retraining", path, err)
        return None
    return forecaster, meta


def _store(root: Path, key: EstimatorKey, forecaster: Forecaster, scaler: Any, meta: dict[str, Any]) -> Path:
    from tsforge.models.persistence import save_model

    final = root / key.dirname
    tmp = root / f".{key.dirname}.tmp-{os.getpid()}-{time.monotonic_ns()}"
    save_model(forecaster, scaler, tmp, extra={"role": "selective-estimator"})
    (tmp / META_FILE).write_text(json.dumps(meta, indent=2, default=str))
    if final.exists():  # a stale/damaged entry, or another process won the race
        if _load(final) is not None:
            shutil.rmtree(tmp, ignore_errors=True)
            return final
        shutil.rmtree(final, ignore_errors=True)
    try:
        os.replace(tmp, final)
    except OSError:  # lost a race to another writer: keep theirs
        shutil.rmtree(tmp, ignore_errors=True)
    return final


def get_or_train_estimator(
    task: ForecastTask,
    estimator: str = "dlinear",
    *,
    seed: int = 2024,
    model_config: dict[str, Any] | None = None,
    train_config: dict[str, Any] | None = None,
    cache_root: str | os.PathLike[str] | None = None,
    trainer: Trainer | None = None,
    use_cache: bool = True,
) -> CachedEstimator:
    """Return the frozen estimator for ``task``, training (and caching) it only on a miss.

    Args:
        task: the main run's task (same dataset, split, L, H and scaler).
        estimator: registered neural model name (default DLinear, the paper's choice).
        seed: the estimator's training seed (part of the key).
        model_config, train_config: estimator options (part of the key).
        cache_root: folder of the cache (default :func:`estimator_cache_root`:
            ``<tsforge cache root>/estimators``).
        trainer: replaces :func:`train_estimator` (the pipeline passes a tracked one; tests count
            its calls).
        use_cache: ``False`` always trains and writes nothing.
    """
    model_config = dict(model_config or {})
    train_config = dict(train_config or {})
    key = estimator_key(task, estimator, seed=seed, model_config=model_config, train_config=train_config)
    root = estimator_cache_root(cache_root)
    path = root / key.dirname
    if use_cache:
        loaded = _load(path)
        if loaded is not None:
            forecaster, meta = loaded
            log.info("selective learning: reusing cached estimator %s", path)
            return CachedEstimator(forecaster, key, path, meta.get("run_id"), hit=True)
    log.info("selective learning: training estimator %s for %s", estimator, key.dirname)
    t0 = time.perf_counter()
    # Training the estimator must not shift the caller's random streams: a cache hit and a
    # miss have to leave the main run in the same state.
    py_state, np_state = random.getstate(), np.random.get_state()
    with torch.random.fork_rng(devices=[]):
        forecaster, run_id = (trainer or train_estimator)(task, estimator, seed, model_config, train_config)
    random.setstate(py_state)
    np.random.set_state(np_state)
    seconds = time.perf_counter() - t0
    if not use_cache:
        return CachedEstimator(forecaster, key, None, run_id, hit=False)
    meta = {
        **asdict(key),
        "run_id": run_id,
        "train_seconds": seconds,
        "model_config": model_config,
        "train_config": train_config,
    }
    root.mkdir(parents=True, exist_ok=True)
    stored: Path | None
    try:
        stored = _store(root, key, forecaster, task.scaler, meta)
    except OSError as err:  # the cache is an optimisation: a read-only disk must not fail training
        log.warning("could not write the estimator cache at %s (%s)", root, err)
        stored = None
    return CachedEstimator(forecaster, key, stored, run_id, hit=False)
