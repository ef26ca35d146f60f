"""The recommender model: LightGBM over dataset-level property features → each candidate's
expected relative error.

Design (chosen by ``benchmarks/recommender_eval.py``, see its results):

- **Examples are groups of knowledge-base rows** ("datasets"): random channel subsets of the
  corpus and of each real dataset, plus each real dataset whole. Their features are the profile
  summary of the group's windows (:func:`recommender.properties.summary_features`: means,
  quantiles, bucket shares) plus the data shape (length, frequency class, channels, missing
  share, coordinates, horizon, horizon / input length).
- **Target:** ``log(err_m / min_k err_k)`` per candidate ``m``, with ``err`` the mean normalised
  MSE over the group's windows. Relative to the best in the pool (not to seasonal naive)
  because that ratio *is* the regret the evaluation measures, and the log makes it additive
  and symmetric for boosting.
- **One regressor per candidate** (``mode="per_model"``, default): each booster's
  ``pred_contrib`` explains that candidate's score directly. ``mode="lambdarank"`` (one ranker
  with a candidate-id feature, relevance from the rank in the group) is the compared
  alternative; in the leave-one-dataset-out evaluation it was no better (see
  ``benchmarks/results/recommender.json``), and its scores are not relative errors.
- **Anchor rule:** with only a handful of real datasets, most predicted differences between
  close candidates are noise. The candidate that is best on average over the training datasets
  (the *anchor*) stays first unless another one is predicted better by more than
  ``anchor_margin`` in log relative error. Real examples weigh 3× the corpus ones in total,
  the target is capped at 2× the best error, and leaves need 50 examples (more than one
  dataset contributes), all chosen on the same leave-one-out evaluation (so its numbers are
  optimistic for these settings).

A :class:`Recommender` is a folder: ``meta.json`` + one LightGBM text model per candidate (or
``ranker.txt``), so it loads without MLflow; :func:`log_recommender` logs the folder to MLflow
and registers a small pyfunc as ``tsforge-recommender``.
"""

from __future__ import annotations

import json
import logging
import math
import os
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

import lightgbm as lgb
import numpy as np
import pandas as pd

from recommender.knowledge_base import KnowledgeBase, kb_dir
from tsforge.data.frequency import steps_per_day
from tsforge.errors import ConfigError, DataValidationError

__all__ = [
    "SHAPE_FEATURES",
    "LearntHorizons",
    "Recommender",
    "RankerConfig",
    "shape_features",
    "group_features",
    "make_training_set",
    "train_recommender",
    "recommender_dir",
    "log_recommender",
    "REGISTERED_NAME",
]

log = logging.getLogger(__name__)

REGISTERED_NAME = "tsforge-recommender"
#: Data-shape features (everything that is not a window property).
SHAPE_FEATURES: tuple[str, ...] = (
    "log_n_steps",
    "log_n_channels",
    "log_steps_per_day",
    "missing_share",
    "has_coords",
    "log_horizon",
    "horizon_over_input",
)


def recommender_dir(cache: str | os.PathLike[str] | None = None, name: str = "default") -> Path:
    """``<cache>/recommender/<name>`` next to the knowledge base."""
    return kb_dir(cache).parent / "recommender" / name


def shape_features(
    *,
    n_steps: int,
    n_channels: int,
    freq: str | None,
    missing_share: float,
    has_coords: bool,
    horizon: int,
    input_len: int,
) -> dict[str, float]:
    """The data-shape part of the feature vector (:data:`SHAPE_FEATURES`)."""
    spd = steps_per_day(freq)
    return {
        "log_n_steps": math.log10(max(1, n_steps)),
        "log_n_channels": math.log10(max(1, n_channels)),
        "log_steps_per_day": math.log10(spd) if np.isfinite(spd) else float("nan"),
        "missing_share": float(missing_share),
        "has_coords": float(bool(has_coords)),
        "log_horizon": math.log10(max(1, horizon)),
        "horizon_over_input": float(horizon) / max(1, input_len),
    }


def group_features(table: pd.DataFrame, shape: Mapping[str, Any]) -> dict[str, float]:
    """Dataset-level features of one group of profiled windows: property summary + shape."""
    from recommender.properties import summary_features
    from recommender.properties.profile import summarise

    return {**summary_features(summarise(table)), **shape_features(**shape)}


@dataclass(frozen=True)
class RankerConfig:
    """How training examples are sampled and the boosters trained.

    Attributes:
        mode: ``"per_model"`` (one regressor per candidate) or ``"lambdarank"``.
        metric: ``"mse"`` or ``"mae"`` (the knowledge-base error the target is built from).
        corpus_groups: random channel subsets drawn from each corpus group.
        real_groups: random channel/window subsets drawn from each real dataset (plus the whole).
        real_weight: total sample weight of the real examples relative to the corpus ones.
        target_cap: clip the relative error at this factor (``None`` = no cap): beyond it a model
            is simply "much worse", and a few 500× failures must not dominate the squared loss.
        anchor_margin: keep the *anchor* (the candidate best on average over the training datasets)
            unless another candidate's predicted log relative error is lower by more than this
            (0.1 ≈ 10 %): with a handful of real datasets, small predicted gains are mostly noise.
        num_boost_round, learning_rate, num_leaves, min_data_in_leaf: LightGBM settings
            (``min_data_in_leaf`` larger than the examples drawn from one dataset, so no leaf
            can memorise a single dataset).
        seed: sampling and boosting seed.
    """

    mode: str = "per_model"
    metric: str = "mse"
    corpus_groups: int = 400
    real_groups: int = 40
    real_weight: float = 3.0
    target_cap: float | None = 2.0
    anchor_margin: float = 0.1
    num_boost_round: int = 50
    learning_rate: float = 0.05
    num_leaves: int = 15
    min_data_in_leaf: int = 50
    seed: int = 0

    def __post_init__(self) -> None:
        if self.mode not in ("per_model", "lambdarank"):
            raise ConfigError(f"mode must be 'per_model' or 'lambdarank', got {self.mode!r}", field="mode")
        if self.metric not in ("mse", "mae"):
            raise ConfigError(f"metric must be 'mse' or 'mae', got {self.metric!r}", field="metric")


def _shape_of(rows: pd.DataFrame, n_channels: int) -> dict[str, Any]:
    first = rows.iloc[0]
    return {
        "n_steps": int(first["n_steps"]),
        "n_channels": int(n_channels),
        "freq": str(first["freq"]) or None,
        "missing_share": float(first["missing_share"]),
        "has_coords": bool(first["has_coords"]),
        "horizon": int(first["horizon"]),
        "input_len": int(first["input_len"]),
    }


def _subsets(rows: pd.DataFrame, kind: str, n: int, rng: np.random.Generator) -> list[tuple[np.ndarray, int]]:
    """Row-index subsets of one group: (positions, number of channels it stands for)."""
    channels = np.unique(rows["channel"].to_numpy())
    ch = rows["channel"].to_numpy()
    out: list[tuple[np.ndarray, int]] = []
    n_ch = int(rows["n_channels"].iloc[0])
    if kind == "real":
        out.append((np.arange(len(rows)), n_ch))  # the dataset as a whole
    sizes = np.array([1, 2, 4, 8, 16, 32, 64])
    sizes = sizes[sizes <= len(channels)]
    for _ in range(n):
        k = int(rng.choice(sizes))
        pick = rng.choice(channels, size=k, replace=False)
        pos = np.flatnonzero(np.isin(ch, pick))
        if kind == "real" and rng.random() < 0.5 and len(pos) > 8:
            # a contiguous half of the test period: datasets differ in time too
            starts = np.sort(rows["window_start"].to_numpy()[pos])
            cut = starts[len(starts) // 2]
            pos = pos[(rows["window_start"].to_numpy()[pos] >= cut) == bool(rng.random() < 0.5)]
        if len(pos):
            out.append((pos, k if kind == "corpus" else max(k, 1)))
    return out


def make_training_set(
    kb: KnowledgeBase,
    config: RankerConfig | None = None,
    *,
    exclude_groups: Sequence[str] = (),
    progress: Callable[[str, int, int], None] | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame, np.ndarray, np.ndarray]:
    """Sample example groups from the knowledge base.

    Returns:
        ``(X features, E mean errors [examples, candidates], weights, source group label)``.
    """
    config = config or RankerConfig()
    rng = np.random.default_rng(config.seed)
    err_cols = [f"{config.metric}__{c}" for c in kb.candidates]
    feats: list[dict[str, float]] = []
    errs: list[np.ndarray] = []
    weights: list[float] = []
    labels: list[str] = []
    groups = [g for g in kb.groups() if g not in set(exclude_groups)]
    for gi, g in enumerate(groups):
        rows = kb.table[kb.table["group"] == g].reset_index(drop=True)
        rows = rows[np.isfinite(rows[err_cols].to_numpy()).all(axis=1)].reset_index(drop=True)
        if rows.empty:
            continue
        kind = str(rows["kind"].iloc[0])
        n = config.corpus_groups if kind == "corpus" else config.real_groups
        subs = _subsets(rows, kind, n, rng)
        e_all = rows[err_cols].to_numpy(dtype=np.float64)
        for pos, n_ch in subs:
            sub = rows.iloc[pos]
            feats.append(group_features(sub, _shape_of(sub, n_ch)))
            errs.append(e_all[pos].mean(axis=0))
            weights.append(1.0 if kind == "corpus" else -1.0)  # placeholder, normalised below
            labels.append(g)
        if progress:
            progress("examples", gi + 1, len(groups))
    if not feats:
        raise DataValidationError("the knowledge base has no complete rows to train the recommender on")
    w = np.asarray(weights)
    n_corpus, n_real = int((w > 0).sum()), int((w < 0).sum())
    if n_real and n_corpus:
        # the real examples together weigh ``real_weight`` × the corpus examples together
        w = np.where(w > 0, 1.0, config.real_weight * n_corpus / n_real)
    else:
        w = np.ones_like(w)
    X = pd.DataFrame(feats)
    E = pd.DataFrame(np.vstack(errs), columns=kb.candidates)
    return X, E, w, np.asarray(labels)


def _params(config: RankerConfig, objective: str) -> dict[str, Any]:
    return {
        "objective": objective,
        "learning_rate": config.learning_rate,
        "num_leaves": config.num_leaves,
        "min_data_in_leaf": config.min_data_in_leaf,
        "feature_fraction": 0.8,
        "lambda_l2": 1.0,
        "seed": config.seed,
        "deterministic": True,
        "force_row_wise": True,
        "num_threads": 1,
        "verbosity": -1,
    }


@dataclass
class Recommender:
    """A trained recommender: boosters + the feature order + the candidate pool.

    Attributes:
        candidates: candidate names (score columns, pool order = tie-break order).
        feature_names: the feature order every booster expects.
        boosters: ``{candidate: Booster}`` (per_model) or ``{"__ranker__": Booster}``.
        meta: config, knowledge-base groups used, training time, pool descriptions.
    """

    candidates: list[str]
    feature_names: list[str]
    boosters: dict[str, lgb.Booster]
    meta: dict[str, Any] = field(default_factory=dict)
    path: Path | None = None
    #: what is read from the boosters once (not saved: it is derived from them)
    _derived: dict[str, Any] = field(default_factory=dict, init=False, repr=False, compare=False)

    @property
    def mode(self) -> str:
        return str(self.meta.get("config", {}).get("mode", "per_model"))

    def _matrix(self, features: Mapping[str, float] | pd.DataFrame) -> np.ndarray:
        frame = features if isinstance(features, pd.DataFrame) else pd.DataFrame([dict(features)])
        return frame.reindex(columns=self.feature_names).to_numpy(dtype=np.float64)

    def _ranker_matrix(self, X: np.ndarray) -> np.ndarray:
        """Rows (example × candidate): features + one-hot candidate id."""
        n, k = X.shape[0], len(self.candidates)
        onehot = np.tile(np.eye(k), (n, 1))
        return np.hstack([np.repeat(X, k, axis=0), onehot])

    def scores(self, features: Mapping[str, float] | pd.DataFrame) -> pd.DataFrame:
        """Raw scores ``[examples, candidates]``: lower is better.

        per_model: predicted log relative error. lambdarank: minus the ranking score.
        """
        X = self._matrix(features)
        if self.mode == "lambdarank":
            # LightGBM types predict() for sparse inputs too; a dense matrix gives a dense array
            raw = cast(np.ndarray, self.boosters["__ranker__"].predict(self._ranker_matrix(X)))
            raw = raw.reshape(X.shape[0], -1)
            return pd.DataFrame(-raw, columns=self.candidates)
        return pd.DataFrame({c: self.boosters[c].predict(X) for c in self.candidates})

    def expected_relative_error(self, features: Mapping[str, float] | pd.DataFrame) -> pd.DataFrame:
        """``exp(score)``: the expected error relative to the best candidate (per_model mode)."""
        return np.exp(self.scores(features))

    @property
    def anchor(self) -> str | None:
        """The candidate best on average over the training datasets (``None`` if unknown)."""
        return self.meta.get("anchor")

    def rank(self, features: Mapping[str, float]) -> list[str]:
        """Candidates, best first (ties broken by pool order). The anchor is moved to the front
        unless the best candidate beats its score by more than ``anchor_margin``."""
        s = self.scores(features).iloc[0].to_numpy()
        order = sorted(range(len(self.candidates)), key=lambda i: (round(float(s[i]), 12), i))
        ranked = [self.candidates[i] for i in order]
        margin = float(self.meta.get("config", {}).get("anchor_margin", 0.0) or 0.0)
        anchor = self.anchor
        if anchor in ranked and margin > 0 and self.mode == "per_model":
            a = self.candidates.index(anchor)
            if s[a] - s[order[0]] <= margin:
                ranked.remove(anchor)
                ranked.insert(0, anchor)
        return ranked

    def learnt_horizons(self) -> LearntHorizons | None:
        """The horizons this recommender learnt from (``None`` when the artifact cannot tell).

        Why: the horizon is one of the features (``log_horizon``, ``horizon_over_input``), and
        boosted trees answer beyond the values they were split on as at the outermost split: at a
        horizon outside these the ranking is extrapolated, not measured.
        Recorded at training (``meta["horizons"]``). A recommender saved before that record still
        holds their ends in its boosters: LightGBM keeps the range of every feature it trained
        on (:func:`_horizon_range_of`). Never read from the knowledge base ``meta["kb_path"]``
        names: the file there now may have been rebuilt with other horizons since.
        """
        if "horizons" in self.meta:
            hs = sorted({int(h) for h in self.meta["horizons"]})
            return LearntHorizons(hs[0], hs[-1], tuple(hs)) if hs else None
        if "_range" not in self._derived:
            self._derived["_range"] = _horizon_range_of(self.boosters, self.feature_names)
        return cast("LearntHorizons | None", self._derived["_range"])

    def contributions(self, candidate: str, features: Mapping[str, float]) -> tuple[dict[str, float], float]:
        """Per-feature contributions (LightGBM ``pred_contrib``) to ``candidate``'s raw score, and the bias.

        In per_model mode ``sum(contributions) + bias == scores(features)[candidate]``. In
        lambdarank mode the contributions of the candidate's row are returned (the candidate-id
        columns included, as ``candidate=<name>``), and they sum to minus its score.
        """
        X = self._matrix(features)
        if self.mode == "lambdarank":
            i = self.candidates.index(candidate)
            row = self._ranker_matrix(X)[i : i + 1]
            contrib = self.boosters["__ranker__"].predict(row, pred_contrib=True)[0]
            names = [*self.feature_names, *(f"candidate={c}" for c in self.candidates)]
            return dict(zip(names, contrib[:-1].tolist(), strict=True)), float(contrib[-1])
        contrib = self.boosters[candidate].predict(X, pred_contrib=True)[0]
        return dict(zip(self.feature_names, contrib[:-1].tolist(), strict=True)), float(contrib[-1])

    # ---------------------------------------------------------------- persistence
    def save(self, path: str | os.PathLike[str]) -> Path:
        path = Path(path)
        path.mkdir(parents=True, exist_ok=True)
        files = {}
        for i, (name, booster) in enumerate(self.boosters.items()):
            fname = "ranker.txt" if name == "__ranker__" else f"booster_{i:02d}.txt"
            booster.save_model(str(path / fname))
            files[name] = fname
        meta = {
            "candidates": self.candidates,
            "feature_names": self.feature_names,
            "files": files,
            **self.meta,
        }
        (path / "meta.json").write_text(json.dumps(meta, indent=2, default=str))
        self.path = path
        return path

    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> Recommender:
        path = Path(path)
        meta_file = path / "meta.json"
        if not meta_file.exists():
            raise DataValidationError(f"no recommender at {path} (meta.json missing)", file=str(meta_file))
        meta = json.loads(meta_file.read_text())
        candidates = list(meta.pop("candidates"))
        names = list(meta.pop("feature_names"))
        files = meta.pop("files")
        boosters = {k: lgb.Booster(model_file=str(path / f)) for k, f in files.items()}
        return cls(candidates, names, boosters, meta, path)


@dataclass(frozen=True)
class LearntHorizons:
    """The horizons a recommender learnt from: ``shortest`` to ``longest``, and ``each`` of them
    when they were recorded at training (empty when only the ends are known)."""

    shortest: int
    longest: int
    each: tuple[int, ...] = ()

    def words(self) -> str:
        """``"horizon 24 only"``, ``"horizons 96, 192, 336 and 720"``, or for many (or only the
        ends known) ``"horizons 24 to 720"``."""
        if self.shortest == self.longest:
            return f"horizon {self.shortest} only"
        if 1 < len(self.each) <= 8:
            return "horizons " + ", ".join(map(str, self.each[:-1])) + f" and {self.each[-1]}"
        return f"horizons {self.shortest} to {self.longest}"

    def to_dict(self) -> dict[str, Any]:
        """``{"shortest", "longest", "each"}`` (``each`` empty when only the ends are known)."""
        return {"shortest": self.shortest, "longest": self.longest, "each": list(self.each)}

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> LearntHorizons:
        """The inverse of :meth:`to_dict`."""
        return cls(int(d["shortest"]), int(d["longest"]), tuple(int(h) for h in d.get("each", ())))


def _horizon_range_of(
    boosters: Mapping[str, lgb.Booster], feature_names: Sequence[str]
) -> LearntHorizons | None:
    """The shortest and longest horizon the boosters were trained on, from the range LightGBM
    kept of their ``log_horizon`` feature (``feature_infos``: the feature's least and greatest
    training value), or ``None``.

    Why ``None`` when LightGBM kept no range: it keeps none for a feature that was constant in
    training (one horizon: the trees never split on it); which horizon that was, the artifact
    does not hold, and a guess would be a claim the recommender cannot back.
    """
    if "log_horizon" not in feature_names or not boosters:
        return None
    booster = next(iter(boosters.values()))  # every booster learnt from the same rows
    info = booster.dump_model(num_iteration=1)["feature_infos"].get("log_horizon")
    if not info or info.get("min_value") is None or info.get("max_value") is None:
        return None
    lo, hi = (int(round(10 ** float(info[k]))) for k in ("min_value", "max_value"))
    return LearntHorizons(lo, hi) if 1 <= lo <= hi else None


def _kb_horizons(table: pd.DataFrame, groups: set[str]) -> list[int]:
    """The horizons of the knowledge-base rows of ``groups``, sorted."""
    return sorted({int(h) for h in table.loc[table["group"].isin(groups), "horizon"].dropna()})


def train_recommender(
    kb: KnowledgeBase,
    config: RankerConfig | None = None,
    *,
    exclude_groups: Sequence[str] = (),
    training_set: tuple[pd.DataFrame, pd.DataFrame, np.ndarray, np.ndarray] | None = None,
    progress: Callable[[str, int, int], None] | None = None,
) -> Recommender:
    """Fit the recommender on the knowledge base (groups in ``exclude_groups`` left out).

    Args:
        kb: the knowledge base (its candidates are the recommender's; its corpus groups set the
            anchor model).
        config: sampling and booster settings (default ``RankerConfig()``).
        exclude_groups: groups sampled no examples from (a held-out dataset); recorded in
            ``meta["excluded_groups"]``. Only applied when this function samples: with a
            ``training_set`` it is just recorded, and the caller must have filtered the set.
        training_set: a ready :func:`make_training_set` result (the evaluation samples once and
            filters by label for each left-out dataset).
        progress: ``progress(description, done, total)`` while sampling and per booster.
    """
    config = config or RankerConfig()
    t0 = time.perf_counter()
    if training_set is None:
        training_set = make_training_set(kb, config, exclude_groups=exclude_groups, progress=progress)
    X, E, w, labels = training_set
    feature_names = list(X.columns)
    Xm = X.to_numpy(dtype=np.float64)
    Em = E.to_numpy(dtype=np.float64)
    best = np.maximum(Em.min(axis=1, keepdims=True), 1e-12)
    target = np.log(np.maximum(Em, 1e-12) / best)
    if config.target_cap:
        target = np.minimum(target, math.log(config.target_cap))
    boosters: dict[str, lgb.Booster] = {}
    if config.mode == "per_model":
        for j, cand in enumerate(kb.candidates):
            ds = lgb.Dataset(Xm, target[:, j], weight=w, feature_name=feature_names, free_raw_data=False)
            boosters[cand] = lgb.train(
                _params(config, "regression"), ds, num_boost_round=config.num_boost_round
            )
            if progress:
                progress("boosters", j + 1, len(kb.candidates))
    else:
        k = len(kb.candidates)
        rec = Recommender(list(kb.candidates), feature_names, {}, {"config": {"mode": "lambdarank"}})
        Xr = rec._ranker_matrix(Xm)
        # relevance: k-1 for the best candidate of the example ... 0 for the worst
        order = np.argsort(np.argsort(target, axis=1, kind="stable"), axis=1, kind="stable")
        rel = (k - 1 - order).ravel()
        names = [*feature_names, *(f"candidate={c}" for c in kb.candidates)]
        params = _params(config, "lambdarank") | {
            "label_gain": list(range(k)),
            "lambdarank_truncation_level": k,
        }
        ds = lgb.Dataset(
            Xr,
            rel,
            weight=np.repeat(w, k),
            group=np.full(len(Xm), k),
            feature_name=names,
            free_raw_data=False,
        )
        boosters["__ranker__"] = lgb.train(params, ds, num_boost_round=config.num_boost_round)
    meta = {
        "anchor": _anchor(
            target, labels, kb.candidates, set(kb.table.loc[kb.table["kind"] == "corpus", "group"])
        ),
        "config": {f: getattr(config, f) for f in config.__dataclass_fields__},
        "n_examples": int(len(Xm)),
        "groups": sorted(set(labels.tolist())),
        # the horizons it learnt from: far outside them a recommendation says its ranking is extrapolated
        "horizons": _kb_horizons(kb.table, set(labels.tolist())),
        "excluded_groups": list(exclude_groups),
        "pool": kb.meta.get("pool", []),
        "profile_window": kb.meta.get("profile_window"),
        "kb_path": str(kb.path) if kb.path else None,
        "train_seconds": time.perf_counter() - t0,
        "created": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    }
    return Recommender(list(kb.candidates), feature_names, boosters, meta)


def _anchor(target: np.ndarray, labels: np.ndarray, candidates: Sequence[str], corpus: set[str]) -> str:
    """The candidate with the lowest mean log relative error, averaged per source dataset (each
    dataset counts once); real datasets only when there are any, else every group."""
    frame = pd.DataFrame(target, columns=list(candidates))
    frame["label"] = labels
    per = frame.groupby("label").mean()
    real = per.drop(index=list(corpus), errors="ignore")
    use = real if len(real) else per
    means = use.mean(axis=0).to_numpy()
    return str(candidates[int(np.argmin(means))])


def log_recommender(
    rec: Recommender, *, experiment: str = "tsforge-recommender", register: bool = True
) -> dict[str, Any]:
    """Log the recommender folder to MLflow (run ``recommender``) and register a pyfunc
    ``tsforge-recommender`` whose input is a frame of features and output the expected relative
    errors. Returns ``{"run_id", "model_uri", "version"}``.

    The pyfunc is :mod:`tsforge.tracking`'s folder model: it loads the folder with
    :meth:`Recommender.load` and answers with :meth:`Recommender.expected_relative_error`, so this
    package never imports MLflow.
    """
    from tsforge.tracking.folder_model import log_folder_model
    from tsforge.tracking.registry import register_model_version
    from tsforge.tracking.runs import tracked_run

    if rec.path is None:
        raise ConfigError("save the recommender before logging it", field="path")
    with tracked_run(experiment=experiment, run_name="recommender") as run:
        cfg = rec.meta.get("config", {})
        run.log_params({f"ranker.{k}": v for k, v in cfg.items()} | {"candidates": ",".join(rec.candidates)})
        run.log_metrics(
            {
                "n_examples": float(rec.meta.get("n_examples", 0)),
                "train_seconds": float(rec.meta.get("train_seconds", 0)),
            }
        )
        run.log_artifacts(rec.path, "recommender")
        info = log_folder_model(
            rec.path,
            loader=f"{Recommender.__module__}:{Recommender.__qualname__}.load",
            method="expected_relative_error",
            input_example=pd.DataFrame([dict.fromkeys(rec.feature_names, 0.0)]),
        )
        out: dict[str, Any] = {"run_id": run.run_id, "model_uri": info.model_uri, "version": None}
    if register:
        out["version"] = register_model_version(out["model_uri"], REGISTERED_NAME)
    return out
