"""The per-series recommender: from a series' features to every candidate's expected scaled
error, a pick and weights (FFORMA-style meta-learning with LightGBM).

Model (one job: map features to expected errors):

* **Targets** per knowledge-base row (:mod:`recommender.series_kb`): ``rel_c = log MASE_c −
  mean_k log MASE_k`` for every candidate ``c`` (its error relative to the row's geometric-mean
  error, clipped to ±``clip``), and the row's **difficulty** ``mean_k log MASE_k``. Relative
  errors carry what a choice can change; the difficulty (how hard the series is for every
  model) is mostly noise for the choice, so it gets its own model and only feeds the expected
  error shown to users.
* **One LightGBM regressor per candidate** on ``rel_c`` (plus one on the difficulty), so
  ``pred_contrib`` explains each candidate's score exactly (TreeSHAP: contributions + bias =
  the score). Rows are weighted so every collection has the same total weight: a collection
  of 700 series must not outvote one of 100.
* **Scores with partial pooling**: a series' score is ``(1 − shrink) · rel_series + shrink ·
  prior``, where ``prior`` is the mean predicted ``rel`` over the collection being recommended
  (the router's own collection-level view; a routed model stores the one of its training
  panel, so serving a series never depends on the other series of a request). Why: single
  -series predictions from properties are noisy, and in the leave-one-collection-out runs on
  the knowledge base pooling helped on every collection (``shrink = 1`` is the dataset-level
  recommendation as the aggregate of the per-series one).
* **Outputs** per series: expected MASE of every candidate (``exp(difficulty + rel)``, times
  :attr:`RouterConfig.expected_scale`, measured on held-out collections), the
  **pick** (lowest score), **weights** (a softmax of ``−score / temperature`` over the ``top_k``
  best candidates; ``top_k = 1`` is the pick) and the gain against the collection's best single
  candidate (the one with the lowest mean expected error over the series). ``temperature``,
  ``top_k`` and ``shrink`` are chosen by leave-one-collection-out on the knowledge base
  (:func:`select_weighting`), never on a test window.

A :class:`SeriesRouter` is a folder (``router.json`` + one LightGBM text model per candidate),
loadable without MLflow; the routed ensemble (:mod:`recommender.routed`) ships it inside its
model bundle.
"""

from __future__ import annotations

import gzip
import json
import logging
import os
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any, ClassVar, cast

import lightgbm as lgb
import numpy as np
import pandas as pd

from recommender.series_features import SERIES_FEATURES
from recommender.series_kb import MASE_FLOOR, CollectionCases
from tsforge.errors import ConfigError, DataValidationError, ModelNotFoundError
from tsforge.paths import cache_root

__all__ = [
    "RouterConfig",
    "SeriesRouter",
    "train_router",
    "training_table",
    "select_weighting",
    "weighting_grid",
    "softmax_weights",
    "CLEAR_PICK_RATIO",
    "clear_picks",
    "clear_lead",
    "order_free_mean",
    "combine_forecasts",
    "router_dir",
    "validation_prior",
    "WEIGHTING_GRID",
]

log = logging.getLogger(__name__)
Progress = Callable[[str, int, int], None]

#: (temperature, top_k, shrink) tried by :func:`select_weighting`; top_k 1 is the plain pick,
#: top_k 99 weights every candidate.
WEIGHTING_GRID: tuple[tuple[float, int, float], ...] = tuple(
    (t, k, s) for t, k in ((1.0, 1), (0.1, 2), (0.2, 3), (0.4, 5), (0.8, 99)) for s in (0.0, 0.5, 0.8, 1.0)
)


def weighting_grid() -> list[tuple[float, int, float]]:
    """A fresh list of :data:`WEIGHTING_GRID`, the ``(temperature, top_k, shrink)`` settings
    :func:`select_weighting` compares by default; a copy, so a caller can narrow it and pass
    it as ``grid`` without touching the constant."""
    return list(WEIGHTING_GRID)


@dataclass(frozen=True)
class RouterConfig:
    """LightGBM settings (fixed defaults, not tuned per collection) and the weighting.

    Attributes:
        temperature, top_k, shrink: the weighting and the pooling towards the collection's
            prior (set by :func:`select_weighting`).
        clip: cap on ``|rel|`` (a candidate 7× worse than the average is as bad as one 20× worse
            for the choice; uncapped, a handful of exploding forecasts would dominate the loss).
        balance: every collection gets the same total row weight.
        n_threads: LightGBM threads. One: the models are small (seconds on one core), and on a
            shared, loaded machine OpenMP's spinning threads made a two-thread fit ~70× slower.
        expected_scale: multiplies the expected MASE the router reports (not its choice: every
            candidate is scaled alike). The models predict log errors, so ``exp`` of them is a
            geometric mean, which runs below the arithmetic mean MASE a collection is scored by
            (and a pick, the lowest of several noisy predictions, looks better than it will be).
            :func:`select_weighting` sets it to the median, over held-out collections, of the
            pick's observed mean MASE over its expected one; 1.0 is the raw model.
    """

    n_estimators: int = 300
    learning_rate: float = 0.03
    num_leaves: int = 15
    min_child_samples: int = 50
    feature_fraction: float = 0.8
    bagging_fraction: float = 0.8
    lambda_l2: float = 1.0
    clip: float = 2.0
    temperature: float = 0.4
    top_k: int = 5
    shrink: float = 0.5
    balance: bool = True
    seed: int = 0
    n_threads: int = 1
    expected_scale: float = 1.0

    #: the fields :func:`select_weighting` chooses (``meta["…_selection"]["selected"]``)
    SELECTED: ClassVar[tuple[str, ...]] = ("temperature", "top_k", "shrink", "expected_scale")

    def with_selection(self, selected: Mapping[str, Any] | None) -> RouterConfig:
        """This config with a stored selection's weighting (and expected-error scale) applied;
        keys it does not choose are ignored, missing ones keep this config's values."""
        return replace(self, **{k: v for k, v in (selected or {}).items() if k in self.SELECTED})

    def params(self) -> dict[str, Any]:
        return {
            "objective": "l2",
            "learning_rate": self.learning_rate,
            "num_leaves": self.num_leaves,
            "min_data_in_leaf": self.min_child_samples,
            "feature_fraction": self.feature_fraction,
            "bagging_fraction": self.bagging_fraction,
            "bagging_freq": 1,
            "lambda_l2": self.lambda_l2,
            "seed": self.seed,
            "deterministic": True,
            "force_row_wise": True,
            "num_threads": self.n_threads,
            "verbosity": -1,
        }


def router_dir(cache: str | os.PathLike[str] | None = None) -> Path:
    """``<cache>/recommender/per_series`` (default cache: :func:`tsforge.paths.cache_root`)."""
    if cache is None:
        cache = cache_root()
    return Path(cache) / "recommender" / "per_series"


def order_free_mean(values: np.ndarray) -> np.ndarray:
    """Mean over the first axis ignoring NaN, independent of the order of the rows to the last bit.

    Why: a collection-level number (the prior every series of a panel is pooled towards) is a
    sum over series, and a floating-point sum depends on the order it adds in; the same panel
    with its series in another order got weights and expected MASEs that differed in the last
    digits, for every series. Summing each column in sorted order makes the mean a function of
    the set of values alone. All-NaN columns give NaN; 1-D ``values`` give a 0-d array.
    """
    arr = np.sort(np.asarray(values, dtype=np.float64), axis=0)  # NaN sort last
    # nanmean's own sum and count, without its warning on an all-NaN column (0 / 0: NaN, as
    # nanmean); not catch_warnings, which swaps the process-wide filters under other threads
    total = np.nansum(arr, axis=0)
    count = np.sum(~np.isnan(arr), axis=0)
    with np.errstate(invalid="ignore"):  # this thread only
        return np.asarray(np.true_divide(total, count))


def softmax_weights(rel: np.ndarray, temperature: float, top_k: int) -> np.ndarray:
    """``[n, K]`` weights: softmax of ``−rel / temperature`` over each row's ``top_k`` lowest
    scores, 0 elsewhere (``top_k = 1``: all weight on the pick)."""
    n, k_all = rel.shape
    k = max(1, min(int(top_k), k_all))
    order = np.argsort(rel, axis=1, kind="stable")[:, :k]
    rows = np.arange(n)[:, None]
    z = -rel[rows, order] / max(float(temperature), 1e-6)
    z -= z.max(axis=1, keepdims=True)
    e = np.exp(z)
    out = np.zeros_like(rel, dtype=np.float64)
    out[rows, order] = e / e.sum(axis=1, keepdims=True)
    return out


#: A series' pick counts as *its* pick in a collection's summary only when the pick's weight is
#: at least this many times every other candidate's (see :func:`clear_picks`).
CLEAR_PICK_RATIO = 2.0


def clear_picks(weights: np.ndarray, pick: np.ndarray, ratio: float = CLEAR_PICK_RATIO) -> np.ndarray:
    """``[n]`` bool: whether each series' pick (``pick``: its column in ``weights``, ``[n, K]``)
    clearly dominates its weights, i.e. carries at least ``ratio`` times the largest other weight
    (a pick with all the weight, ``top_k = 1``, always does).

    Why a rule at all: the pick is the top-weighted candidate however small its lead, and a
    collection summary that counted every series as "picking" it said "100 %" for weights of
    0.22/0.20/0.20/0.19/0.19 (a fully pooled router on a retail panel), where the forecast is a
    near-even blend and the router rates five candidates about the same. Why twice the next
    weight: the weights are a softmax of the scores, so a ratio of 2 is a lead of
    ``temperature · ln 2`` in expected log MASE (0.28 at the default router's 0.4: the runner-up
    expected about a third worse). A smaller lead is within what the router's estimates get wrong
    (off by more than 1.5× on some held-out collections, README "Per-series recommendation"),
    so the words call such a series a blend, not a pick. The numbers (picks, weights) are not
    changed, only how the summary counts them.
    """
    w = np.asarray(weights, dtype=np.float64)
    rows = np.arange(w.shape[0])
    top = w[rows, pick]
    others = w.copy()
    others[rows, pick] = -np.inf
    runner = others.max(axis=1) if w.shape[1] > 1 else np.zeros(len(rows))
    return np.asarray(top >= ratio * np.maximum(runner, 0.0))


def clear_lead(expected: Mapping[str, float], best: str, temperature: float) -> tuple[bool, str | None]:
    """``(stands out, runner-up)``: whether ``best``'s expected MASE (``expected``: per allowed
    candidate, lower is better) leads every other candidate's by the margin a clear pick needs,
    and the closest other candidate (None: there is none; then ``best`` stands out).

    Why in expected MASE: the weights are a softmax of the log scores at ``temperature``, so a
    weight ratio of :data:`CLEAR_PICK_RATIO` is an expected-MASE ratio of ``ratio ** temperature``:
    the same rule :func:`clear_picks` applies to one series, applied to the collection's best
    single candidate. The CLI says "none stands out" below it, and ``best_single_clear`` tells a
    program reading the JSON the same.
    """
    others = sorted((float(v), str(k)) for k, v in expected.items() if k != best and float(v) == float(v))
    if not others:
        return True, None
    next_mase, runner = others[0]
    return bool(next_mase >= CLEAR_PICK_RATIO**temperature * float(expected[best])), runner


def combine_forecasts(
    weights: np.ndarray, forecasts: Mapping[str, np.ndarray], candidates: Sequence[str]
) -> np.ndarray:
    """``[n, h]`` = Σ_c weights[:, c] · forecasts[c] (only candidates with a positive weight are read)."""
    out = None
    for j, c in enumerate(candidates):
        w = weights[:, j]
        if not (w > 0).any():
            continue
        f = np.nan_to_num(np.asarray(forecasts[c], dtype=np.float64)) * w[:, None]
        out = f if out is None else out + f
    if out is None:
        raise DataValidationError("no candidate has a positive weight")
    return out


def training_table(
    rows: pd.DataFrame, candidates: Sequence[str], clip: float
) -> tuple[pd.DataFrame, np.ndarray, np.ndarray, pd.Series]:
    """Features, ``[n, K]`` relative targets, ``[n]`` difficulty and the collection of each usable
    row (rows where some candidate's MASE is undefined are dropped)."""
    errs = rows[[f"err_{c}" for c in candidates]].to_numpy(dtype=np.float64)
    ok = np.isfinite(errs).all(axis=1)
    errs = np.log(np.maximum(errs[ok], MASE_FLOOR))
    difficulty = errs.mean(axis=1)
    rel = np.clip(errs - difficulty[:, None], -clip, clip)
    feats = rows.loc[ok, list(SERIES_FEATURES)].reset_index(drop=True)
    return feats, rel, difficulty, rows.loc[ok, "collection"].reset_index(drop=True)


@dataclass
class SeriesRouter:
    """A trained per-series recommender (see the module docstring).

    Attributes:
        candidates: candidate names in model order (base candidates, then combinations).
        combinations: combination name → base members.
        boosters: candidate → LightGBM model of its relative log error.
        difficulty: LightGBM model of the row's mean log error.
        config: the settings it was trained with (``temperature``/``top_k`` are its weighting).
        meta: training information (collections, rows, selection results, timings).
    """

    candidates: tuple[str, ...]
    combinations: dict[str, tuple[str, ...]]
    boosters: dict[str, lgb.Booster]
    difficulty: lgb.Booster
    config: RouterConfig
    meta: dict[str, Any] = field(default_factory=dict)
    path: Path | None = None

    @property
    def base(self) -> tuple[str, ...]:
        """The fitted models the candidates are made of."""
        return tuple(c for c in self.candidates if c not in self.combinations)

    def members(self, candidate: str) -> tuple[str, ...]:
        return self.combinations.get(candidate, (candidate,))

    def _X(self, features: pd.DataFrame) -> np.ndarray:
        missing = [f for f in SERIES_FEATURES if f not in features.columns]
        if missing:
            raise DataValidationError(f"features are missing columns {missing}")
        return features[list(SERIES_FEATURES)].to_numpy(dtype=np.float64)

    def allowed(self, available: Sequence[str] | None) -> list[int]:
        """Positions of the candidates whose members are all in ``available`` (None: all)."""
        if available is None:
            return list(range(len(self.candidates)))
        have = set(available)
        idx = [j for j, c in enumerate(self.candidates) if set(self.members(c)) <= have]
        if not idx:
            raise ConfigError(
                f"none of the recommender's candidates {list(self.candidates)} can be built from {sorted(have)}",
                field="candidates",
            )
        return idx

    def relative(self, features: pd.DataFrame) -> np.ndarray:
        """``[n, K]`` predicted log error relative to the series' mean over candidates."""
        X = self._X(features)
        return np.stack([self.boosters[c].predict(X) for c in self.candidates], axis=1)

    def expected_mase(self, features: pd.DataFrame, rel: np.ndarray | None = None) -> np.ndarray:
        """``[n, K]`` expected MASE of every candidate (``config.expected_scale`` applied)."""
        return self.config.expected_scale * self.raw_expected_mase(features, rel)

    def raw_expected_mase(self, features: pd.DataFrame, rel: np.ndarray | None = None) -> np.ndarray:
        """``[n, K]`` ``exp(difficulty + rel)``: the models' own (geometric-mean) estimate."""
        rel = self.relative(features) if rel is None else rel
        return np.exp(self.log_difficulty(features)[:, None] + rel)

    def log_difficulty(self, features: pd.DataFrame) -> np.ndarray:
        """``[n]`` predicted mean log MASE over the candidates (how hard each series is)."""
        # LightGBM types predict() for sparse inputs too; a dense matrix gives a dense array
        return cast(np.ndarray, self.difficulty.predict(self._X(features)))

    @staticmethod
    def collection_prior(rel: np.ndarray) -> np.ndarray:
        """``[K]`` the collection's prior: the mean relative score over its series (the same
        to the last bit whatever the order of the series, see :func:`order_free_mean`)."""
        return order_free_mean(rel) if len(rel) else np.zeros(rel.shape[1])

    def scores(
        self,
        features: pd.DataFrame,
        *,
        rel: np.ndarray | None = None,
        prior: np.ndarray | None = None,
        shrink: float | None = None,
    ) -> np.ndarray:
        """``[n, K]`` the scores that rank candidates: ``(1 − shrink) · rel + shrink · prior``
        (``prior`` default: :meth:`collection_prior` of these series)."""
        rel = self.relative(features) if rel is None else rel
        s = self.config.shrink if shrink is None else float(shrink)
        if s == 0:
            return rel
        p = self.collection_prior(rel) if prior is None else np.asarray(prior, dtype=np.float64)
        return (1.0 - s) * rel + s * p[None, :]

    def weights(
        self,
        features: pd.DataFrame,
        *,
        rel: np.ndarray | None = None,
        prior: np.ndarray | None = None,
        temperature: float | None = None,
        top_k: int | None = None,
        shrink: float | None = None,
        available: Sequence[str] | None = None,
    ) -> np.ndarray:
        """``[n, K]`` candidate weights (0 for candidates outside ``available``)."""
        score = self.scores(features, rel=rel, prior=prior, shrink=shrink)
        idx = self.allowed(available)
        out = np.zeros_like(score)
        out[:, idx] = softmax_weights(
            score[:, idx],
            self.config.temperature if temperature is None else temperature,
            self.config.top_k if top_k is None else top_k,
        )
        return out

    def pick(
        self,
        features: pd.DataFrame,
        *,
        rel: np.ndarray | None = None,
        prior: np.ndarray | None = None,
        shrink: float | None = None,
        available: Sequence[str] | None = None,
    ) -> np.ndarray:
        """``[n]`` position of each series' pick (lowest score) in :attr:`candidates`."""
        score = self.scores(features, rel=rel, prior=prior, shrink=shrink)
        idx = np.asarray(self.allowed(available))
        return idx[np.argmin(score[:, idx], axis=1)]

    def base_weights(self, weights: np.ndarray) -> tuple[np.ndarray, tuple[str, ...]]:
        """Candidate weights → ``[n, B]`` weights of the base models (a combination's weight is
        split equally over its members)."""
        base = self.base
        pos = {b: i for i, b in enumerate(base)}
        out = np.zeros((weights.shape[0], len(base)))
        for j, c in enumerate(self.candidates):
            members = self.members(c)
            for m in members:
                out[:, pos[m]] += weights[:, j] / len(members)
        return out, base

    def contributions(self, candidate: str, features: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
        """``([n, F] per-feature contributions, [n] bias)`` of ``candidate``'s relative score;
        they sum exactly to :meth:`relative`'s column (TreeSHAP)."""
        if candidate not in self.boosters:
            raise ConfigError(
                f"unknown candidate {candidate!r}; choose from {list(self.candidates)}", field="candidate"
            )
        # a dense ``[n, F + 1]`` array for a dense matrix (LightGBM's type also covers sparse ones)
        c = cast(np.ndarray, self.boosters[candidate].predict(self._X(features), pred_contrib=True))
        return c[:, :-1], c[:, -1]

    # -- persistence -----------------------------------------------------------------------------
    def save(self, path: str | os.PathLike[str]) -> Path:
        path = Path(path)
        path.mkdir(parents=True, exist_ok=True)
        files = {}
        for i, c in enumerate(self.candidates):
            name = f"candidate_{i}.txt"
            self.boosters[c].save_model(str(path / name))
            files[c] = name
        self.difficulty.save_model(str(path / "difficulty.txt"))
        meta = {
            "format": 1,
            "candidates": list(self.candidates),
            "combinations": {k: list(v) for k, v in self.combinations.items()},
            "features": list(SERIES_FEATURES),
            "files": files,
            "config": asdict(self.config),
            "meta": self.meta,
        }
        (path / "router.json").write_text(json.dumps(meta, indent=2, default=_json_default))
        self.path = path
        return path

    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> SeriesRouter:
        path = Path(path)
        meta_file = path / "router.json"
        if not meta_file.is_file():
            raise ModelNotFoundError(
                f"no per-series recommender at {path} (router.json missing)", file=str(path)
            )
        info = json.loads(meta_file.read_text())
        if list(info.get("features", [])) != list(SERIES_FEATURES):
            raise ModelNotFoundError(
                f"the per-series recommender at {path} was trained on other features; rebuild it with "
                "`tsforge recommender build --per-series`",
                file=str(path),
            )
        boosters = {c: _load_booster(path / f) for c, f in info["files"].items()}
        return cls(
            tuple(info["candidates"]),
            {k: tuple(v) for k, v in info.get("combinations", {}).items()},
            boosters,
            _load_booster(path / "difficulty.txt"),
            RouterConfig(**info.get("config", {})),
            info.get("meta", {}),
            path,
        )


def _load_booster(file: Path) -> lgb.Booster:
    """The booster saved as ``file``, or gzip-compressed beside it as ``<file>.gz`` (the shipped
    router's form, :mod:`recommender.shipped_router`: a third of the size in the package)."""
    if not file.is_file() and file.with_name(file.name + ".gz").is_file():
        with gzip.open(file.with_name(file.name + ".gz"), "rt", encoding="utf-8") as fh:
            return lgb.Booster(model_str=fh.read())
    return lgb.Booster(model_file=str(file))


def _json_default(obj: Any) -> Any:
    if isinstance(obj, np.generic):
        return obj.item()
    if isinstance(obj, np.ndarray):
        return obj.tolist()
    return str(obj)


def _row_weights(collection: pd.Series, balance: bool) -> np.ndarray:
    if not balance:
        return np.ones(len(collection))
    counts = collection.map(collection.value_counts())
    w = 1.0 / counts.to_numpy(dtype=np.float64)
    return w * len(w) / w.sum()


def _fit(X: np.ndarray, y: np.ndarray, w: np.ndarray, config: RouterConfig) -> lgb.Booster:
    data = lgb.Dataset(X, y, weight=w, feature_name=list(SERIES_FEATURES), free_raw_data=True)
    return lgb.train(config.params(), data, num_boost_round=config.n_estimators)


def train_router(
    rows: pd.DataFrame,
    candidates: Sequence[str],
    combinations: Mapping[str, Sequence[str]],
    config: RouterConfig | None = None,
    *,
    progress: Progress | None = None,
) -> SeriesRouter:
    """Fit the candidate and difficulty models on knowledge-base ``rows``
    (:meth:`recommender.series_kb.SeriesKB.rows`)."""
    config = config or RouterConfig()
    candidates = tuple(candidates)
    if len(candidates) < 2:
        raise ConfigError("a router needs at least two candidates", field="candidates")
    t0 = time.perf_counter()
    feats, rel, difficulty, coll = training_table(rows, candidates, config.clip)
    if len(feats) < 2 * config.min_child_samples:
        raise DataValidationError(
            f"only {len(feats)} usable knowledge-base rows; need at least {2 * config.min_child_samples}"
        )
    X = feats.to_numpy(dtype=np.float64)
    w = _row_weights(coll, config.balance)
    boosters = {}
    for j, c in enumerate(candidates):
        if progress:
            progress(f"training the router: {c}", j, len(candidates) + 1)
        boosters[c] = _fit(X, rel[:, j], w, config)
    diff = _fit(X, difficulty, w, config)
    if progress:
        progress("training the router", len(candidates) + 1, len(candidates) + 1)
    meta = {
        "n_rows": int(len(feats)),
        "n_rows_dropped": int(len(rows) - len(feats)),
        "collections": {str(k): int(v) for k, v in coll.value_counts().sort_index().items()},
        "train_seconds": time.perf_counter() - t0,
        "created": time.strftime("%Y-%m-%dT%H:%M:%S"),
    }
    combos = {k: tuple(v) for k, v in combinations.items() if k in candidates}
    return SeriesRouter(candidates, combos, boosters, diff, config, meta)


# ------------------------------------------------------------------------------------------------
# Choosing the weighting: leave one collection out, on knowledge-base windows only
# ------------------------------------------------------------------------------------------------


def _mean_mase(y: np.ndarray, forecast: np.ndarray, cases: CollectionCases) -> float:
    from recommender.series_kb import case_errors

    err = case_errors(y, {"f": forecast}, cases.history)["f"].to_numpy()
    return float(np.nanmean(err))


def validation_prior(
    errors: pd.DataFrame | np.ndarray,
    clip: float = 2.0,
    *,
    same_phase: pd.DataFrame | np.ndarray | None = None,
) -> np.ndarray:
    """``[K]`` a collection prior from observed errors (``[n, K]`` MASE of each candidate on the
    collection's last window before the forecast origin): ``log mean MASE_c − mean_k log mean
    MASE_k``, the same scale as the router's relative scores.

    ``same_phase``: the candidates' errors (``[n', K]``) on the forecast window's phase one season
    earlier (:func:`recommender.panel.same_phase_window`, where the season is longer than the
    horizon); the prior is then the mean of the two windows' priors — in logs, the geometric
    mean of their mean errors, the rule :func:`recommender.panel.recommend_panel` ranks by —
    so the served routed model and its benchmark pool towards the same thing."""
    if same_phase is not None:
        return (validation_prior(errors, clip) + validation_prior(same_phase, clip)) / 2
    e = np.asarray(errors, dtype=np.float64)
    mean = np.array([order_free_mean(col) if np.isfinite(col).any() else np.nan for col in e.T])
    logs = np.log(np.maximum(mean, MASE_FLOOR))
    logs = np.where(
        np.isfinite(logs), logs, np.nanmax(logs[np.isfinite(logs)]) if np.isfinite(logs).any() else 0.0
    )
    return np.clip(logs - logs.mean(), -clip, clip)


def _weighting_scores(
    router: SeriesRouter,
    cases: CollectionCases,
    grid: Sequence[tuple[float, int, float]],
    prior_source: str = "router",
    earlier: CollectionCases | None = None,
) -> tuple[dict[tuple[float, int, float], float], dict[float, float]]:
    """Mean MASE of each weighting on ``cases`` ÷ the best single candidate's (in hindsight)
    there, and for each ``shrink`` of the grid the pick's mean MASE ÷ its mean (raw) expected
    MASE (what :attr:`RouterConfig.expected_scale` corrects). The prior of a window's series (one
    window = one recommendation) is their mean score (``router``) or the errors the candidates
    made on the window before (``validation``, read from ``earlier``, default ``cases``; a window
    without one before it is then not scored)."""
    cands = list(router.candidates)
    earlier = cases if earlier is None else earlier
    if prior_source == "validation":
        have = set(np.unique(earlier.window).tolist())
        cases = cases.subset(np.isin(cases.window, [w for w in np.unique(cases.window) if w - 1 in have]))
    rel = router.relative(cases.features)
    prior = np.zeros_like(rel)
    for w in np.unique(cases.window):
        rows = cases.window == w
        if prior_source == "validation":
            prior[rows] = validation_prior(
                earlier.errors[cands].to_numpy()[earlier.window == w - 1], router.config.clip
            )
        else:
            prior[rows] = router.collection_prior(rel[rows])
    errs = cases.errors[cands]
    best_single = float(errs.mean().min())
    err_values = errs.to_numpy(dtype=np.float64)
    difficulty = router.log_difficulty(cases.features)  # the same for every weighting
    rows = np.arange(len(rel))
    out, ratios = {}, {}
    for t, k, s in grid:
        score = (1 - s) * rel + s * prior
        w = router.weights(cases.features, rel=score, shrink=0.0, temperature=t, top_k=k)
        f = combine_forecasts(w, cases.forecasts, router.candidates)
        out[(t, k, s)] = _mean_mase(cases.y, f, cases) / best_single
        if s not in ratios:
            pick = np.argmin(score, axis=1)
            expected = np.exp(difficulty + score[rows, pick])  # raw_expected_mase of the pick
            actual = err_values[rows, pick]
            ok = np.isfinite(actual) & np.isfinite(expected)
            ratios[s] = float(actual[ok].mean() / expected[ok].mean()) if ok.any() else float("nan")
    return out, ratios


def select_weighting(
    kb: Mapping[str, CollectionCases],
    candidates: Sequence[str],
    combinations: Mapping[str, Sequence[str]],
    config: RouterConfig | None = None,
    *,
    grid: Sequence[tuple[float, int, float]] = WEIGHTING_GRID,
    own: bool = False,
    prior_source: str = "router",
    progress: Progress | None = None,
    routers: dict[tuple[str, bool], SeriesRouter] | None = None,
) -> tuple[RouterConfig, dict[str, Any]]:
    """Choose ``temperature``, ``top_k`` and ``shrink`` by leave-one-collection-out over ``kb``
    (the knowledge-base windows of each collection; test windows are never read): for each
    collection, a router trained on the others scores every weighting on it (mean MASE ÷ that
    collection's best single candidate); the weighting with the lowest mean ratio wins. The same
    loop sets :attr:`RouterConfig.expected_scale`: the median over the held-out collections of
    the pick's mean MASE ÷ its mean expected MASE, so the expected error a user reads is
    measured against collections the router did not learn from.

    ``own``: mimic a router that also learns from the collection's own history
    (``train_routed(adapt=True)``): the held-out collection's earlier windows join the training
    rows and only its last knowledge-base window is scored.

    ``prior_source``: ``"router"`` (the prior is the mean predicted score of the collection's
    series: a recommendation without any fit) or ``"validation"`` (the candidates' observed
    errors on the window before: what a trained routed model knows, see
    :func:`validation_prior`).

    ``routers``: a cache of the inner routers, keyed by (held-out collection, ``own``), for a
    caller that selects again on the same collections with another ``prior_source`` (the
    routers do not depend on it, and training them is nearly all of the cost).

    With fewer than two collections there is nothing to hold out and ``config`` is returned.
    """
    config = config or RouterConfig()
    names = list(kb)
    if len(names) < 2:
        return config, {
            "selected": {k: getattr(config, k) for k in config.SELECTED},
            "reason": "fewer than two collections",
        }
    rows = {n: kb[n].kb_rows() for n in names}
    table: dict[tuple[float, int, float], list[float]] = {g: [] for g in grid}
    ratios: dict[float, dict[str, float]] = {s: {} for s in {g[2] for g in grid}}
    for i, held in enumerate(names):
        if progress:
            progress(f"choosing the weighting: holding out {held}", i, len(names))
        parts = [rows[n] for n in names if n != held]
        target = kb[held].kb()
        if own:
            last = int(target.window.max())
            parts.append(rows[held][rows[held]["window"] < last])
            target = target.subset(target.window == last)
        router = None if routers is None else routers.get((held, own))
        if router is None:
            router = train_router(pd.concat(parts, ignore_index=True), candidates, combinations, config)
            if routers is not None:
                routers[(held, own)] = router
        scores, held_ratios = _weighting_scores(router, target, grid, prior_source, kb[held].kb())
        for g, v in scores.items():
            table[g].append(v)
        for s, r in held_ratios.items():
            ratios[s][held] = r
    mean = {g: float(np.mean(v)) for g, v in table.items()}
    best = min(grid, key=lambda g: (mean[g], -g[1], g[0]))
    observed = [r for r in ratios[best[2]].values() if np.isfinite(r)]
    scale = float(np.median(observed)) if observed else 1.0
    selected = {"temperature": best[0], "top_k": best[1], "shrink": best[2], "expected_scale": scale}
    info = {
        "selected": selected,
        # the pick's mean MASE ÷ its raw expected MASE on each held-out collection (selected shrink)
        "observed_over_expected_mase": ratios[best[2]],
        "mean_ratio_to_best_single": {f"T={t},k={k},shrink={s}": v for (t, k, s), v in mean.items()},
        "held_out": names,
        "own_history": own,
        "prior_source": prior_source,
    }
    return config.with_selection(selected), info
