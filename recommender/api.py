"""``recommend(data, horizon)``: which model for this dataset, and why.

Flow: load the data (catalogue name, file, frame, array or TimeSeriesData) → check it can be
forecast at this horizon under the standard protocol → profile a seeded sample of windows of
:data:`~recommender.knowledge_base.PROFILE_WINDOW` steps → dataset features → the recommender's
expected relative error per candidate → ranking, reasons for the top choice (LightGBM
contributions grouped by property) and an avoid list.

The default recommender lives in ``<cache root>/recommender/default`` (in a clone
``datasets/cache/recommender/default``). When it is missing, first use builds the quick one
(:func:`build_quick_recommender`: the pool without :data:`SLOW_CANDIDATES`, about a minute);
``tsforge recommender build`` (:func:`build_default_recommender`) builds the full one. The
knowledge base is cached, so a rebuild after the first one takes seconds.

Panels are recommended **per series** by :func:`recommend_series` (re-exported here from
:mod:`recommender.series_recommendation`): a pick and weights for every series from its own
properties, and :func:`train_routed` fits the routed ensemble that serves them as one model.
"""

from __future__ import annotations

import logging
import time
import warnings
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from recommender.explain import (
    Reason,
    as_shown,
    field_key,
    group_contributions,
    reasons_for,
    sentence,
    verb_for,
)
from recommender.first_use import first_use_bar, warn_first_use
from recommender.knowledge_base import PROFILE_WINDOW, Candidate, KBSettings, build_knowledge_base
from recommender.properties.profile import MIN_WINDOW
from recommender.ranker import (
    LearntHorizons,
    RankerConfig,
    Recommender,
    group_features,
    recommender_dir,
    train_recommender,
)
from recommender.routed_training import train_routed
from recommender.series_recommendation import SeriesRecommendation, recommend_series
from tsforge.data.frame import TimeSeriesData
from tsforge.data.load_options import LOAD_OPTIONS, LoadOptions, merged_load_kwargs
from tsforge.errors import (
    ConfigError,
    DataValidationError,
    TsforgeError,
    WordedWarning,
)

if TYPE_CHECKING:
    from typing_extensions import Unpack

__all__ = [
    "RankedModel",
    "AvoidModel",
    "Recommendation",
    "recommend",
    "recommendation_profile",
    "PROFILED_WINDOWS",
    "default_recommender",
    "default_recommender_pending",
    "warn_pending",
    "build_default_recommender",
    "horizon_note",
    "SeriesRecommendation",
    "recommend_series",
    "train_routed",
]


log = logging.getLogger(__name__)
Progress = Callable[[str, int, int], None]
#: Candidates expected at least this much worse than the best go to the avoid list (none for a
#: ``lambdarank`` recommender, which predicts no error ratio).
AVOID_RATIO = 1.25
#: At most this many (the worst) candidates are listed to avoid.
MAX_AVOID = 3
#: How many windows :func:`recommend` profiles by default (a seeded sample, for speed).
PROFILED_WINDOWS = 256


@dataclass
class RankedModel:
    """One candidate in the ranking.

    Attributes:
        rank: 1 = recommended.
        name: candidate id (``"dlinear"``, ``"dlinear+selective"``).
        model: registered model name to train (``tsforge train --model``).
        strategy: loss strategy to train it with (``None`` = plain).
        expected_relative_error: predicted error ÷ the error of the candidate that is best on
            these data (in hindsight, as in the knowledge base's target); 1.0 would be a sure
            best, so even the first-ranked is usually above 1 (1.02× on ``synthetic``). NaN
            for a ``lambdarank`` recommender, whose score orders candidates but predicts no
            error (``exp`` of it read as "expected 1.92× the best error", a number never learnt).
        score: the raw score (predicted log relative error; for ``lambdarank``, minus the
            ranking score); the ranking is ordered by it, so ranks and numbers always agree.
        train_kwargs: keyword arguments for ``tsforge.pipeline.train`` reproducing the candidate.
        recommended: the pick (rank 1, unless a rule chose another; ``Recommendation.rule`` says why).
    """

    rank: int
    name: str
    model: str
    strategy: str | None
    expected_relative_error: float
    score: float
    train_kwargs: dict[str, Any] = field(default_factory=dict)
    recommended: bool = False


@dataclass
class AvoidModel:
    """A candidate the user should not train on these data, with the reason in words.

    Listed when predicted at least :data:`AVOID_RATIO` times the best error and outside the
    ``top`` shown (the :data:`MAX_AVOID` worst); ``reason`` names the property that counts
    most against it when one does.
    """

    name: str
    expected_relative_error: float
    reason: str


@dataclass
class Recommendation:
    """The typed answer of :func:`recommend`.

    Attributes:
        dataset: the data's name.
        input_len, horizon: the protocol the recommendation is for.
        ranking: every candidate, by predicted error (best first).
        top: the first ``top`` of ``ranking`` (plus the pick when a rule chose one further down).
        reasons: property groups behind the top choice (favouring ones first).
        explanation: the reasons as one sentence.
        avoid: candidates expected to do clearly worse, each with a reason.
        properties: the dataset's property summary in words and numbers.
        features: the full feature vector the recommender saw.
        timings: seconds for loading, profiling, predicting, total.
        recommender: where the recommender came from and what it was trained on.
        rule: in words, when a rule picked another candidate than the predicted best (else ``None``).
        contributions: the recommended candidate's score split by property group (every group of
            :data:`~recommender.explain.PROPERTY_GROUPS`; < 0 lowers its expected error), of which
            ``reasons`` are the largest; with ``bias`` they sum to ``best.score``.
        bias: the part of ``best.score`` no property explains (the ranker's average for it).
        notes: what limits the answer, by name, in words (empty when nothing does):
            ``horizon_outside_knowledge_base`` when :attr:`horizon` lies more than a doubling
            outside the horizons the recommender learnt from (:func:`horizon_note`). The CLI prints them under the ranking,
            ``--json`` carries them as they are, the service among its ``notes``.
    """

    dataset: str
    input_len: int
    horizon: int
    ranking: list[RankedModel]
    top: list[RankedModel]
    reasons: list[Reason]
    explanation: str
    avoid: list[AvoidModel]
    properties: dict[str, Any]
    features: dict[str, float]
    timings: dict[str, float]
    recommender: dict[str, Any]
    rule: str | None = None
    contributions: dict[str, float] = field(default_factory=dict)
    bias: float = 0.0
    notes: dict[str, str] = field(default_factory=dict)

    @property
    def best(self) -> RankedModel:
        """The recommended candidate (the predicted best unless :attr:`rule` says otherwise)."""
        return next((r for r in self.ranking if r.recommended), self.ranking[0])

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready, property groups as field keys (``data_shape``: :func:`field_key`), as the
        per-series answer writes them."""
        out = asdict(self)
        out["features"] = {k: (None if v != v else v) for k, v in self.features.items()}
        out["contributions"] = {field_key(g): v for g, v in self.contributions.items()}
        out["reasons"] = [{**r, "group": field_key(r["group"])} for r in out["reasons"]]
        return out


def _pool(rec: Recommender) -> dict[str, Candidate]:
    out = {}
    for c in rec.meta.get("pool", []):
        cand = Candidate(
            **{k: c[k] for k in ("name", "model", "strategy", "model_config", "strategy_config") if k in c}
        )
        out[cand.name] = cand
    return out


def build_default_recommender(
    corpus_size: int = 300,
    length: int = 1024,
    *,
    seed: int = 0,
    real: Sequence[str] | None = None,
    compute_real: bool = False,
    pool: Sequence[Candidate] | None = None,
    settings: KBSettings | None = None,
    ranker: RankerConfig | None = None,
    track: bool = False,
    register: bool = True,
    path: str | Path | None = None,
    use_cache: bool = True,
    tier: str = "full",
    progress: Progress | None = None,
) -> Recommender:
    """Build (or reuse) the knowledge base, train the recommender and save it as the default.

    Args:
        corpus_size, length, seed: the synthetic corpus.
        real: real catalogue datasets to include (``None`` = every available one whose knowledge
            -base rows are cached, or all of them with ``compute_real``).
        compute_real: benchmark real datasets not cached yet (slow: trains the pool on each).
        pool: candidates (default :func:`~recommender.knowledge_base.default_pool`).
        settings: the knowledge base's protocol and budget (default ``KBSettings()``).
        ranker: how the recommender is trained (default ``RankerConfig()``).
        track: log the knowledge base and the recommender to MLflow.
        register: with ``track``, also register the pyfunc as ``tsforge-recommender``.
        path: where to save (default :func:`~recommender.ranker.recommender_dir`:
            ``<cache root>/recommender/default``, the folder ``recommend`` loads).
        use_cache: reuse the cached corpus benchmark (``False`` retrains the pool on the corpus,
            e.g. after a model changed; cached real groups are still reused).
        tier: recorded as ``meta["tier"]`` (``"quick"`` for :func:`build_quick_recommender`), so a
            recommendation says which recommender answered.
        progress: ``progress(description, done, total)`` while the pool is benchmarked and the
            recommender trained.
    """
    kb = build_knowledge_base(
        corpus_size,
        length,
        seed=seed,
        pool=pool,
        settings=settings,
        real=real,
        compute_real=compute_real,
        use_cache=use_cache,
        track=track,
        progress=progress,
    )
    rec = train_recommender(kb, ranker, progress=progress)
    rec.meta["kb_build_seconds"] = kb.meta.get("build_seconds")
    rec.meta["tier"] = tier
    folder = rec.save(Path(path) if path else recommender_dir())
    if track:
        from recommender.ranker import log_recommender

        rec.meta["mlflow"] = log_recommender(rec, register=register)
        rec.save(folder)
    return rec


#: What the first use builds when no recommender is saved (``tsforge recommend``, the demo): the
#: pool without these candidates, on a smaller corpus. Why: they cost 2–10 s per corpus series
#: each (LightGBM, STPE-MLP, PatchTST, ...), so the full pool on 300 series takes about an hour on
#: two cores — too long to stand between a new user and a first answer. ``tsforge recommender
#: build`` builds the full one; the recommendation says which one answered.
SLOW_CANDIDATES: frozenset[str] = frozenset(
    {"lightgbm", "stpe_mlp", "cyclenet_mlp", "patchtst", "itransformer", "hutformer"}
)
QUICK_CORPUS_SIZE = 60


def build_quick_recommender(progress: Progress | None = None) -> Recommender:
    """The first-use recommender (see :data:`SLOW_CANDIDATES`), saved as the default and marked
    ``meta["tier"] = "quick"`` until a full build replaces it."""
    from recommender.knowledge_base import default_pool

    pool = [c for c in default_pool() if c.name not in SLOW_CANDIDATES]
    return build_default_recommender(QUICK_CORPUS_SIZE, pool=pool, tier="quick", progress=progress)


def default_recommender(*, build_if_missing: bool = True, progress: Progress | None = None) -> Recommender:
    """The saved default recommender; when missing, the quick one is built (about a minute)."""
    path = recommender_dir()
    if (path / "meta.json").exists():
        return Recommender.load(path)
    if not build_if_missing:
        raise DataValidationError(
            f"no recommender at {path}; run `tsforge recommender build`", file=str(path)
        )
    log.info(
        "no recommender at %s: building the quick one (the pool without %s; %d corpus series); "
        "`tsforge recommender build` builds the full one",
        path,
        ", ".join(sorted(SLOW_CANDIDATES)),
        QUICK_CORPUS_SIZE,
    )
    return build_quick_recommender(progress=progress)


def default_recommender_pending() -> str | None:
    """A sentence when :func:`default_recommender` would build the quick recommender first, else
    None.

    Why: the build benchmarks the pool on the synthetic corpus (about a minute; 23 s measured on
    two cores) under a progress bar that said what it did but not that it happens once, nor
    that a full recommender exists; the answer's time line then counted that minute as the
    recommendation's own. The per-series path announces its router build the same way
    (:func:`~recommender.series_recommendation.default_router_pending`).
    """
    return _pending_words("`tsforge recommender build`")


def _pending_words(full_build: str) -> str | None:
    """:func:`default_recommender_pending`'s sentence, naming the full build as ``full_build``
    (the command on the command line, the function in Python)."""
    path = recommender_dir()
    if (path / "meta.json").exists():
        return None
    return (
        f"no recommender is saved at {path} yet: building the quick one once (the pool without "
        f"{', '.join(sorted(SLOW_CANDIDATES))}, on {QUICK_CORPUS_SIZE} synthetic series: about a "
        f"minute, reused afterwards); {full_build} builds the full one"
    )


def warn_pending(sentence: str) -> None:
    """:func:`recommend`'s default ``announce``: the first-use build's sentence as a
    :class:`~tsforge.errors.FirstUseBuildWarning`, naming :func:`build_default_recommender` in
    Python and ``sentence`` (the command line's words) where the CLI prints it as a note.

    Why a default: the Python API's first call on a fresh cache ran three minutes in silence
    (the build was said only to a logger), while ``tsforge recommend`` announced it; a warning is
    how the library tells a Python caller what the CLI says as a ``note:`` line.
    """
    python = _pending_words("recommender.api.build_default_recommender()") or sentence
    # stacklevel 3 from here: the line that called recommend(), not recommend() itself
    warn_first_use(python, sentence, stacklevel=3)


def _load(data: Any, load_kwargs: Mapping[str, Any] | None = None) -> tuple[TimeSeriesData, Any]:
    from tsforge.data.load import load

    if isinstance(data, np.ndarray) and not np.issubdtype(data.dtype, np.number):
        raise DataValidationError(f"the data must be numeric, got an array of dtype {data.dtype}")
    try:
        loaded = load(data, **dict(load_kwargs or {}))
        return loaded.series, loaded.entry
    except TsforgeError:
        raise
    except (ValueError, TypeError) as exc:
        raise DataValidationError(f"could not read the data as a numeric time series: {exc}") from exc


def _check(series: TimeSeriesData, input_len: int, horizon: int, split: str) -> None:
    """Refuse lengths the train/val/test protocol cannot run (see :func:`_shortfall`)."""
    if horizon < 1:
        raise ConfigError(f"horizon must be at least 1, got {horizon}", field="horizon")
    if not np.isfinite(series.values).any():
        raise DataValidationError(f"{series.name or 'the data'}: every value is missing")
    if problem := _shortfall(series, input_len, horizon, split):
        raise DataValidationError(
            f"{series.name or 'the data'} has {series.n_steps} steps, too short for input length {input_len} "
            f"and horizon {horizon} under split {split}: {problem}",
            field="horizon",
        )


def _shortfall(series: TimeSeriesData, input_len: int, horizon: int, split: str) -> str | None:
    """What keeps ``input_len`` + ``horizon`` from fitting the protocol, in words (``None``: they
    fit): an input window of at least 8 steps, and one whole window whose forecast lies inside
    each of the split's train, validation and test parts."""
    if input_len < 8 or series.n_steps < input_len + horizon:
        return "the protocol needs an input window of at least 8 steps plus the horizon in each of its parts"
    # the protocol's own split-size check (as in prepare_task; channels empty in the training split
    # are not an error here: they are profiled like the others and would be dropped for training)
    from tsforge.data.frequency import steps_per_hour
    from tsforge.data.splits import split_borders

    borders = split_borders(series.n_steps, split, steps_per_hour=steps_per_hour(series.freq))
    for name in ("train", "val", "test"):
        if len(borders.window_starts(name, input_len, horizon)) < 1:
            a, b = borders.rows(name)
            part = {"train": "training", "val": "validation"}.get(name, name)
            return (
                f"its {part} part has {b - a} of the {series.n_steps} steps, too few for a {horizon}-step "
                f"forecast after a {input_len}-step input window"
            )
    return None


def _lengths(
    series: TimeSeriesData, entry: Any, input_len: int | None, horizon: int | None
) -> tuple[int, int]:
    """The input length and horizon of the protocol: those given, else the defaults of
    :func:`~tsforge.data.protocol.default_lengths`, a default input raised to the profile's
    shortest window where the data allow it."""
    from tsforge.data.protocol import default_lengths

    L, H = default_lengths(series, entry, input_len, horizon)
    if input_len is None and L < MIN_WINDOW:
        # a short horizon's default input (4 × H: 16 for H = 4) is shorter than the profile's
        # windows; a series long enough for both gets the shortest input the profile reads
        L = max(L, min(MIN_WINDOW, int(0.7 * series.n_steps) - H - 1))
    return L, H


def _fitted_lengths(
    series: TimeSeriesData, entry: Any, input_len: int | None, horizon: int | None, split: str
) -> tuple[int, int]:
    """:func:`_lengths`, with a default horizon shortened to the longest one the data hold
    under ``split`` (a note says so); where none fits, or the lengths given do not, an error in
    the caller's terms: which length was a default, and what to pass.

    Why: the defaults (one season of horizon, an input of 4 horizons) are tsforge's choice, not
    the user's, yet 60 monthly steps were refused as "too short for input 29 + horizon 12: the
    val split has 6 rows" — two numbers the user never gave, in the protocol's terms — where
    horizon 6 fits; and 2 steps as "too short for horizon 12" without saying 12 was a default.
    """
    name = series.name or "the data"
    L, H = _lengths(series, entry, input_len, horizon)
    problem = _shortfall(series, L, H, split)
    profilable = series.n_steps >= MIN_WINDOW
    longest = None
    if problem is not None and profilable:
        from tsforge.data.protocol import longest_fitting_horizon

        longest = longest_fitting_horizon(
            H, lambda h: not _shortfall(series, *_lengths(series, entry, input_len, h), split)
        )
    if problem is not None and horizon is None and longest is not None:
        said = (
            f"{name} has {series.n_steps} steps, too few for the default horizon {H} under split {split}; "
            f"recommending for horizon {longest}, the longest that fits: "
        )
        # one wording per door: the library and the service name the horizon, the CLI its flag
        warnings.warn(
            WordedWarning(
                said + "ask for a horizon to choose another", said + "pass --horizon to choose another"
            ),
            stacklevel=3,
        )
        return _lengths(series, entry, input_len, longest)
    if problem is not None:
        lengths = f"horizon {H}" + (" (the default for this data)" if horizon is None else "")
        if input_len is not None:
            lengths += f" and input length {L}"
        fix = (
            f"ask for a horizon of at most {longest}"
            if longest is not None
            else f"no horizon fits: give a longer history (at least {MIN_WINDOW} steps, the shortest window "
            "the recommender profiles)"
            if not profilable
            else "no horizon fits this input length: give a shorter one, or a longer history"
            if input_len is not None
            else "no horizon fits: give a longer history"
        )
        said = f"{name} has {series.n_steps} steps, too short for {lengths} under split {split}: {problem}; "
        raise DataValidationError(
            said + fix,
            cli_message=said + f"pass --horizon {longest} or less" if longest is not None else None,
            field="horizon" if horizon is not None or input_len is None else "input_len",
        )
    if not profilable:
        raise DataValidationError(
            f"{name} has {series.n_steps} steps, too short to recommend from: the recommender reads the "
            f"data's properties on windows of at least {MIN_WINDOW} steps, so give a longer history"
        )
    return L, H


def recommendation_profile(
    series: TimeSeriesData,
    input_len: int,
    max_windows: int = PROFILED_WINDOWS,
    seed: int = 0,
    *,
    chosen: bool = True,
    shown: bool = False,
):
    """The data's properties on windows of the input's last steps (at most
    :data:`PROFILE_WINDOW`, as the knowledge base profiles): the profile :func:`recommend` reads
    its features and the words of its reasons from.

    Public so that a caller showing the data's profile beside a recommendation shows this one:
    ``tsforge demo`` printed a profile of 336-step windows while the reasons under it quoted the
    96-step windows' values (trend |tau| 0.11 in the table, 0.20 in the reasons).

    ``chosen``: the user gave ``input_len``. A default input shorter than the profile's shortest
    window (:data:`MIN_WINDOW`) is profiled on that shortest window where the data are that long:
    the short input was tsforge's choice to fit short data, and refusing it asked the user for
    an "input length" they never gave (48 monthly steps at horizon 6 were refused so).

    ``shown``: the profile is shown to a user, so windows too short for the Hurst exponent get
    no memorability (``mask_short_hurst``) where the features keep the knowledge base's 0, which
    the reasons call "not measured"; every other property is the same.
    """
    from recommender.properties import profile

    window = min(PROFILE_WINDOW, input_len if chosen else max(input_len, MIN_WINDOW), series.n_steps)
    name = series.name or "the data"
    if window < MIN_WINDOW:  # a history this short was refused before (_fitted_lengths)
        raise DataValidationError(
            f"{name}: the input length {input_len} given is shorter than the {MIN_WINDOW} steps the "
            f"recommender profiles ({series.n_steps} steps in all): give an input length of at least "
            f"{MIN_WINDOW}, or leave it out for a default that fits",
            field="input_len",
        )
    n_windows = series.n_channels * max(1, series.n_steps - window + 1)
    stride = max(1, min(window // 4, int(np.ceil(n_windows / (4 * max_windows)))))
    result = profile(
        series, window=window, stride=stride, max_windows=max_windows, seed=seed, mask_short_hurst=shown
    )
    if result.table.empty:
        raise DataValidationError(
            f"{series.name or 'the data'}: no window of {window} steps has at least 90% observed values "
            "(too many missing values to profile)"
        )
    return result


def recommend(
    data: Any,
    horizon: int | None = None,
    top: int = 3,
    *,
    input_len: int | None = None,
    recommender: Recommender | str | Path | None = None,
    max_windows: int = PROFILED_WINDOWS,
    seed: int = 0,
    build_if_missing: bool = True,
    progress: Progress | bool | None = True,
    load_kwargs: Mapping[str, Any] | None = None,
    split: str | None = None,
    announce: Callable[[str], None] | None = warn_pending,
    **load_options: Unpack[LoadOptions],
) -> Recommendation:
    """Rank the candidate models for ``data`` at ``horizon`` and explain the top choice.

    Args:
        data: catalogue name, CSV/Parquet path, pandas/polars frame, ``[T, N]`` array or TimeSeriesData.
        horizon: forecast horizon (default: the catalogue's first horizon, else one season,
            kept within 12–48 steps).
        top: how many models to return in ``top``.
        input_len: input window (default as in ``tsforge train``).
        recommender: a :class:`Recommender`, a folder with one, or ``None`` for the default.
        max_windows: profile a seeded sample of at most this many windows (speed).
        seed: sampling seed (equal seeds give equal recommendations).
        build_if_missing: with no ``recommender`` and none saved, build the quick one (about a
            minute, :func:`build_quick_recommender`); ``False`` refuses instead.
        progress: ``progress(description, done, total)`` while that build runs; ``True`` (the
            default) shows tsforge's progress bar on stderr, ``None``/``False`` nothing.
        announce: called with :func:`default_recommender_pending`'s sentence just before that
            build, once the data are read and checked (a refusal of the data comes without it);
            the default, :func:`warn_pending`, issues it as a
            :class:`~tsforge.errors.FirstUseBuildWarning`; ``None`` says nothing.
        load_kwargs: options of :func:`tsforge.data.load.load` for a file (column names, ...).
        split: the protocol the recommended model will be trained under (``7:1:2``, ``6:2:2``,
            ``ett``; default the catalogue's, else 7:1:2). The ranking reads the data's properties,
            not the split; the split decides whether the data are long enough for ``horizon``.
        **load_options: the reader's options as keywords (``fill_gaps=True``, ``freq="h"``,
            ``time_col="date"``, ...: those its messages advise), merged into ``load_kwargs``.

    Raises:
        DataValidationError: unreadable/non-numeric data, all values missing, too short for the horizon.
        ConfigError: a bad horizon or top.
    """
    if top < 1:
        raise ConfigError(f"top must be at least 1, got {top}", field="top")
    t0 = time.perf_counter()
    load_kwargs = merged_load_kwargs(load_kwargs, load_options, accepted=LOAD_OPTIONS, caller="recommend")
    series, entry = _load(data, load_kwargs)
    if horizon is not None and int(horizon) < 1:
        raise ConfigError(f"horizon must be at least 1, got {horizon}", field="horizon")
    if not np.isfinite(series.values).any():
        raise DataValidationError(f"{series.name or 'the data'}: every value is missing")
    split = split or getattr(entry, "split", None) or "7:1:2"
    L, H = _fitted_lengths(series, entry, input_len, horizon, split)
    _check(series, L, H, split)
    t_load = time.perf_counter()

    if isinstance(recommender, Recommender):
        rec = recommender
    elif recommender is not None:
        rec = Recommender.load(recommender)
    else:
        pending = default_recommender_pending() if build_if_missing else None
        if announce is not None and pending:
            announce(pending)
        # a bar only over a build: with a recommender saved, one named "building" would flash by
        with first_use_bar(progress if pending else None, "building the quick recommender") as build_progress:
            rec = default_recommender(build_if_missing=build_if_missing, progress=build_progress)
    t_rec = time.perf_counter()

    prof = recommendation_profile(series, L, max_windows, seed, chosen=input_len is not None)
    shape = {
        "n_steps": series.n_steps,
        "n_channels": series.n_channels,
        "freq": series.freq,
        "missing_share": float(series.missing_share),
        "has_coords": series.coords is not None,
        "horizon": H,
        "input_len": L,
    }
    feats = group_features(prof.table, shape)
    t_prof = time.perf_counter()

    scores = rec.scores(feats).iloc[0]
    pick = rec.rank(feats)[0]
    # rank by predicted error (stable: ties keep the pool order), so ranks and numbers agree
    order = sorted(rec.candidates, key=lambda name: float(scores[name]))
    pool = _pool(rec)
    ranking = []
    for i, name in enumerate(order):
        cand = pool.get(name, Candidate(name, name))
        s = float(scores[name])
        ranking.append(
            RankedModel(
                i + 1,
                name,
                cand.model,
                cand.strategy,
                float(np.exp(s)) if rec.mode == "per_model" else float("nan"),
                s,
                cand.train_kwargs(L),
                name == pick,
            )
        )
    best = next(r for r in ranking if r.recommended)
    rule = None
    if best.rank > 1:
        margin = rec.meta.get("config", {}).get("anchor_margin", 0)
        rule = _rule_words(ranking[0], best, margin)
    contrib, bias = _score_contributions(rec, best.name, feats)
    reasons = reasons_for(contrib, feats)
    explanation = sentence(best.name, reasons)
    if rule is not None:
        explanation = f"{rule}; " + explanation
    shown = ranking[:top] + ([best] if best.rank > top else [])
    avoid = []
    worst = [r for r in ranking[top:] if r.expected_relative_error >= AVOID_RATIO and not r.recommended]
    for r in sorted(worst, key=lambda r: -r.expected_relative_error)[:MAX_AVOID]:
        c, _ = _score_contributions(rec, r.name, feats)
        against = [x for x in reasons_for(c, feats, limit=1) if x.effect != "favours"]
        why = f"expected {r.expected_relative_error:.2f}× the best error"
        if against:
            why += f"; {against[0].description} {verb_for([against[0].description], 'works against')} it"
        avoid.append(AvoidModel(r.name, r.expected_relative_error, why))
    t_pred = time.perf_counter()
    props = {
        "n_windows_profiled": int(prof.summary.get("n_windows", 0)),
        "profile_window": int(prof.summary.get("window", 0)),
        "summary": {k: v for k, v in prof.summary.items() if k in ("properties", "buckets")},
        "shape": shape,
    }
    return Recommendation(
        dataset=series.name or "data",
        input_len=L,
        horizon=H,
        ranking=ranking,
        top=shown,
        reasons=reasons,
        explanation=explanation,
        avoid=avoid,
        properties=props,
        features=feats,
        timings={
            "load_seconds": t_load - t0,
            "recommender_seconds": t_rec - t_load,
            "profile_seconds": t_prof - t_rec,
            "predict_seconds": t_pred - t_prof,
            "total_seconds": t_pred - t0,
        },
        recommender={
            "path": str(rec.path) if rec.path else None,
            "mode": rec.mode,
            "anchor": rec.anchor,
            "candidates": list(rec.candidates),
            "trained_on": rec.meta.get("groups", []),
            "created": rec.meta.get("created"),
            "tier": rec.meta.get("tier", "full"),
            # what the horizon note is judged by, for a reader whose horizon drew no note
            "horizons": learnt.to_dict() if (learnt := rec.learnt_horizons()) else None,
        },
        rule=rule,
        contributions=group_contributions(contrib),
        bias=bias,
        notes=_notes(H, rec),
    )


#: the name of the note of a horizon outside the knowledge base's (:func:`horizon_note`)
OUTSIDE_HORIZONS = "horizon_outside_knowledge_base"

#: how far beyond its learnt horizons a ranking goes without :func:`horizon_note`, as a factor
HORIZON_TOLERANCE = 2.0


def _notes(horizon: int, rec: Recommender) -> dict[str, str]:
    """The :attr:`Recommendation.notes` of a ranking at ``horizon`` by ``rec``."""
    note = horizon_note(horizon, rec.learnt_horizons())
    return {OUTSIDE_HORIZONS: note} if note else {}


def horizon_note(horizon: int, learnt: LearntHorizons | None) -> str | None:
    """The caveat of a ranking at ``horizon`` by a recommender that learnt from the horizons
    ``learnt``: a sentence naming them when ``horizon`` is more than a doubling
    (:data:`HORIZON_TOLERANCE`) shorter than the shortest or longer than the longest, else
    ``None`` (also when they are unknown: nothing is claimed that the recommender cannot back).

    Why: the ranking at horizon 2000 (or 5) by a recommender that learnt from horizons 96 to 720
    came with no word that no candidate was ever scored at such a horizon; the trees answer
    there as at the outermost horizon they were split on, numbers that read as learnt. Why a
    doubling of slack: the horizon enters as ``log10(horizon)``, the standard grid a knowledge
    base is built on (96, 192, 336, 720) steps by about a doubling and the ranking across such a
    gap is trusted without a word; one step beyond the edge is no bolder than that. Without
    slack a recommender that learnt at horizon 24 alone (the quick tier) noted every other
    horizon, 12 and 48 included, until the note read as boilerplate. The ranking is not changed.
    """
    if learnt is None:
        return None
    if learnt.shortest / HORIZON_TOLERANCE <= horizon <= learnt.longest * HORIZON_TOLERANCE:
        return None
    side = "shorter" if horizon < learnt.shortest else "longer"
    return (
        f"horizon {horizon} is far {side} than the recommender learnt from ({learnt.words()}): "
        "its ranking is extrapolated there; train the pick to check it"
    )


def _score_contributions(
    rec: Recommender, candidate: str, feats: Mapping[str, float]
) -> tuple[dict[str, float], float]:
    """``candidate``'s per-feature contributions and bias **to its score** (lower is better), so
    that a negative contribution favours it in every ranker mode.

    Why: a ``lambdarank`` recommender's contributions sum to its ranking score, which is *minus*
    the score (higher ranks first); read as they come, every reason was turned around ("strong
    seasonality favours seasonal_naive" where it was the property that worked against it).
    """
    contrib, bias = rec.contributions(candidate, feats)
    if rec.mode == "lambdarank":
        return {k: -v for k, v in contrib.items()}, -bias
    return contrib, bias


def _rule_words(first: RankedModel, best: RankedModel, margin: float) -> str:
    """Why the pick is not the predicted best, with the gap between the numbers *as shown*.

    Why as shown: from the raw values, 1.0142× against 1.0601× read "predicted 4% better
    (1.01× vs 1.06×)", where the reader's own sum from the printed numbers gives 5%.
    """
    a_text, a = as_shown(first.expected_relative_error, ".2f")
    b_text, b = as_shown(best.expected_relative_error, ".2f")
    gap = 1 - a / b if b > 0 else 0.0
    same = round(gap, 2) <= 0
    better = "about as good" if same else f"{gap:.0%} better"
    return (
        f"{best.name} is recommended although {first.name} is predicted {better} "
        f"({a_text}× vs {b_text}×{', the same to 2 decimals' if same else ''}): the rule keeps the pool's best model on average ({best.name}) unless "
        f"another is predicted more than {margin:.0%} better"
    )
