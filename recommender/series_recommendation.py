"""``recommend_series(data, horizon)``: which candidate (or which weights) for *each* series of a
panel, the expected error and gain, and why — plus the collection-level view.

Flow: load the panel → features of every series' history
(:func:`recommender.series_features.series_features`: profile + shape, no model fit) → the
router's expected errors (:class:`recommender.per_series.SeriesRouter`) → pick, weights, gain
against the collection's best single candidate → explanations from the pick's contributions.
No candidate is trained here, so it takes seconds for thousands of series; training the routed
ensemble that forecasts with these choices is :func:`recommender.routed.train_routed`.

The default router is the one built on this machine, in ``<cache root>/recommender/per_series``
(:func:`router_dir`; in a clone ``datasets/cache/recommender/per_series``), from the knowledge
base of the development collections (:func:`build_default_router`; the cross-validation behind
it is cached, so a rebuild after the first one takes about a minute); without one, the router
shipped with this release (:mod:`recommender.shipped_router`, the same build); a folder named by
``$TSFORGE_SERIES_ROUTER`` comes before both.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from recommender.explain import field_key
from recommender.first_use import first_use_bar, warn_first_use
from recommender.per_series import (
    RouterConfig,
    SeriesRouter,
    clear_lead,
    clear_picks,
    order_free_mean,
    router_dir,
    select_weighting,
    train_router,
)
from recommender.series_explain import collection_properties, explain_collection, explain_series
from recommender.series_features import PROFILE_LADDER, series_features
from recommender.series_kb import DEV_COLLECTIONS, SeriesKBSettings, build_series_kb
from recommender.shipped_router import ROUTER_ENV, chosen_router_folder, default_router_folder
from tsforge.data.load_options import PANEL_LOAD_OPTIONS, PanelLoadOptions, merged_load_kwargs
from tsforge.data.panel import Panel
from tsforge.data.ragged import series_index
from tsforge.errors import ConfigError, DatasetNotAvailableError, DataValidationError

if TYPE_CHECKING:
    from typing_extensions import Unpack

__all__ = [
    "SeriesRecommendation",
    "field_key",
    "json_ready",
    "recommend_series",
    "route_panel",
    "default_router",
    "resolve_router",
    "load_panel_entry",
    "checked_panel",
    "build_default_router",
    "default_router_pending",
    "warn_router_pending",
    "check_available",
    "refuse_untrainable_horizon",
    "require_collections",
    "MODES",
    "explanation_json",
    "expected_numbers",
    "pooling_words",
]

log = logging.getLogger(__name__)
Progress = Callable[[str, int, int], None]
#: How the routed ensemble forecasts a series: its pick, or the weighted combination.
MODES = ("weights", "pick")
#: The knowledge-base rows a default router was trained on, saved next to it.
KB_ROWS_FILE = "kb_rows.parquet"


@dataclass
class SeriesRecommendation:
    """The typed answer of :func:`recommend_series`.

    Attributes:
        dataset, horizon, n_series: what the recommendation is for.
        candidates: the router's candidates (columns of ``weights`` and ``expected_mase``).
        per_series: one row per series: ``unique_id, pick, expected_mase, best_single,
            best_single_clear, expected_mase_best_single, gain, top_weights, explanation,
            caveat`` (the caveat: :func:`series_caveats`; ``best_single_clear``: the collection's).
        weights: ``[n, K]`` candidate weights (the weighted combination).
        expected_mase: ``[n, K]`` expected MASE of every candidate.
        collection: ``best_single``, ``best_single_clear`` (whether it leads the next
            candidate's expected MASE by the clear-pick margin,
            :func:`~recommender.per_series.clear_lead`; else none stands out),
            ``pick_distribution``, ``clear_pick_share`` (per pick, the
            share of series where it clearly dominates the weights:
            :func:`~recommender.per_series.clear_picks`), ``weight_shares``, mean expected
            errors (``expected_mase``: every candidate over every series;
            ``expected_mase_picked``: each pick over the series it is picked for),
            ``expected_gain``, per-pick ``explanations`` and the ids of the series with each
            kind of caveat (``caveats``).
        explanations: per series, the pick's grouped contributions and sentence; they sum (with
            the bias and the collection prior's share) to the pick's score.
        prior: ``[K]`` the collection prior the scores were pooled towards.
        timings: seconds for loading, profiling, predicting, explaining, total.
        router: where the router came from and how it weights.
        considered: the candidates it chose among (the router's, less those ``available``
            ruled out), where ``candidates`` are every column of ``weights``.
        prior_label: what the scores were pooled towards where a caller passed the prior (the
            routed training: this panel's validation-window errors), else None (the router's own).
        combinations: the ``considered`` candidates that are combinations → their members: made
            of the members' forecasts by the routed ensemble, never fitted themselves (the CLI
            counts "7 models and 2 combinations", not "9 fitted").
        short_for_holdout: ids of the series shorter than the holdout protocol needs at this
            horizon (:func:`~tsforge.panels.protocol.holdout_length`): recommended for like the
            others (no fit needs them), but ``--train`` refuses them unless ``--drop-short``
            leaves them out, so the next command a caller prints must say so.
        holdout_length: values per series that protocol needs.
    """

    dataset: str
    horizon: int
    n_series: int
    candidates: list[str]
    per_series: pd.DataFrame
    weights: pd.DataFrame
    expected_mase: pd.DataFrame
    collection: dict[str, Any]
    explanations: list[dict[str, Any]] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)
    router: dict[str, Any] = field(default_factory=dict)
    prior: list[float] = field(default_factory=list)
    short_for_holdout: list[str] = field(default_factory=list)
    holdout_length: int = 0
    considered: list[str] = field(default_factory=list)
    prior_label: str | None = None
    combinations: dict[str, list[str]] = field(default_factory=dict)

    @property
    def pooling(self) -> str | None:
        """Why every series has the collection's weights, where the router pools fully
        (:func:`pooling_words`), else None."""
        return pooling_words(self.router)

    @property
    def numbers(self) -> dict[str, str]:
        """What its expected MASE is (:func:`expected_numbers`), for ``--json`` readers."""
        return expected_numbers(self.prior_label)

    def to_dict(self, max_series: int | None = None) -> dict[str, Any]:
        """JSON-ready (NaN → None); ``max_series`` caps the per-series list (None: all).

        Each series carries its pick's ``score`` and ``bias`` beside ``contributions``, so a
        reader can check that the contributions plus the bias add up to the score; the names of
        property groups and caveat kinds are field keys (:func:`field_key`: ``history_length``,
        ``flat_history``), their words stay in each reason's ``description``, the series'
        ``explanation`` and its ``caveat``.
        """
        rows = self.per_series.head(max_series) if max_series is not None else self.per_series
        series = []
        for i, row in enumerate(rows.to_dict("records")):
            w = self.weights.iloc[i]
            e = self.expected_mase.iloc[i]
            ex = self.explanations[i] if i < len(self.explanations) else None
            series.append(
                {
                    **{k: json_ready(v) for k, v in row.items()},
                    "weights": {c: float(v) for c, v in w.items() if v > 0},
                    "expected_mase_by_candidate": {c: json_ready(float(v)) for c, v in e.items()},
                    **_explanation_fields(ex),
                }
            )
        collection = dict(self.collection)
        if "caveats" in collection:
            collection["caveats"] = {field_key(k): v for k, v in collection["caveats"].items()}
        return {
            "dataset": self.dataset,
            "horizon": self.horizon,
            "n_series": self.n_series,
            "candidates": self.candidates,
            "considered": list(self.considered or self.candidates),
            "combinations": {k: list(v) for k, v in self.combinations.items()},
            "numbers": self.numbers,
            "pooling": self.pooling,
            "collection": json_ready(collection),
            "series": series,
            "timings": self.timings,
            "router": json_ready(self.router),
            "short_for_holdout": list(self.short_for_holdout),
            "holdout_length": self.holdout_length,
        }


def pooling_words(router: Mapping[str, Any], *, command: str | None = None) -> str | None:
    """The sentence that says every series gets the collection's weights, where ``router`` (a
    recommendation's ``router``: its ``shrink``) pools fully towards the collection; else None.

    ``command``: the command that learns per-series routing, as the caller prints it (the CLI
    gives it in its own markup); without it, the sentence names it as plain text after what it
    does, for a service client, which has no such option.

    Why one function: ``tsforge recommend --per-series`` said it, built inline, and
    ``/v1/recommend`` with ``per_series`` did not, so a client saw the same weights for every
    series with nothing to say that this is by design, and how to route series apart.
    """
    if float(router.get("shrink", 0.0)) < 1.0:
        return None
    how = (
        f"{command} learns per-series routing from a panel's own history"
        if command
        else "a router trained on a panel's own history routes its series apart "
        "(CLI: tsforge recommend --per-series --train --adapt)"
    )
    return (
        "every series gets the collection's weights: this router pools fully towards the collection "
        f"(the weighting chosen on held-out collections); {how}"
    )


def expected_numbers(prior_label: str | None = None) -> dict[str, str]:
    """What a per-series recommendation's numbers are, for ``--json`` (``numbers``): the
    router's expected MASE, not a measurement on these data; ``prior_label``: what the scores were
    pooled towards where that was measured (the routed training's validation-window errors).

    Why: the panel ranking's numbers are measured (:data:`recommender.panel.MEASURED_NUMBERS`),
    and a reader of both took dlinear's "expected MASE 0.793" under ``--per-series --train`` for
    the same quantity as its validation MASE 0.422 in the ranking.
    """
    what = (
        "the router's estimate of each candidate's MASE on a series from its properties, learnt on "
        "other collections; no candidate is fitted or scored on these data for it"
    )
    if prior_label:
        what = (
            "the router's estimate of each series' error level (learnt on other collections), the "
            f"candidates set apart by {prior_label}; its level is the router's, so it is not the "
            "validation MASE a ranking measures"
        )
    return {"kind": "expected", "metric": "expected_mase", "what": what}


def _explanation_fields(ex: Mapping[str, Any] | None) -> dict[str, Any]:
    """One series' ``reasons``, ``contributions``, ``bias`` and ``score`` for :meth:`to_dict`,
    group names as field keys (a reason's ``group`` is the key of its ``contributions`` entry).

    Why ``score`` and ``bias``: without them the contributions could not be checked against the
    score that ranked the pick (they add up to it exactly, with the bias)."""
    if ex is None:
        return {"reasons": [], "contributions": {}, "bias": None, "score": None}
    # + 0.0: a fully pooled router scales the bias by 0, and -0.0 read as a sign that is not there
    return {
        "reasons": [{**r, "group": field_key(r["group"])} for r in ex["reasons"]],
        "contributions": {field_key(g): json_ready(v + 0.0) for g, v in ex["contributions"].items()},
        "bias": json_ready(ex["bias"] + 0.0),
        "score": json_ready(ex["score"]),
    }


def explanation_json(ex: Mapping[str, Any]) -> dict[str, Any]:
    """One series' explanation (:meth:`SeriesExplanation.to_dict`) with its group names as
    field keys (``history_length``), as ``--json``, the service and the README spell them: the
    routed run's ``recommendation/explanations.json`` wrote ``"history length"``, so a reader
    checking the sums there with the README's keys got KeyErrors. Its other fields (the
    candidate, the sentence) are kept as they are."""
    fields = _explanation_fields(ex)
    return {**{k: json_ready(v) for k, v in ex.items() if k not in fields}, **fields}


def json_ready(obj: Any) -> Any:
    """NaN/inf → None, numpy scalars → Python, keys → str (JSON carries neither NaN nor numpy types).

    Public because the service sends its recommendations through the same conversion.
    """
    if isinstance(obj, dict):
        return {str(k): json_ready(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [json_ready(v) for v in obj]
    if isinstance(obj, np.generic):
        obj = obj.item()
    if isinstance(obj, float) and not np.isfinite(obj):
        return None
    return obj


def route_panel(
    router: SeriesRouter,
    panel: Panel,
    horizon: int,
    *,
    mode: str = "weights",
    available: Sequence[str] | None = None,
    n_jobs: int = 1,
    features: pd.DataFrame | None = None,
    prior: np.ndarray | None = None,
    profile_progress: Callable[[int, int], None] | None = None,
) -> tuple[np.ndarray, pd.DataFrame, np.ndarray]:
    """``([n, K] weights, features, [n, K] relative scores)`` for every series of ``panel``
    (its values are the histories); ``mode="pick"`` puts all weight on each series' pick.
    ``prior``: the collection prior to pool towards (default: the one of these series).
    ``profile_progress(done, total)``: while the series are profiled (not with ``features``)."""
    if mode not in MODES:
        raise ConfigError(f"mode must be one of {MODES}, got {mode!r}", field="mode")
    feats = features
    if feats is None:
        feats = series_features(panel, horizon, n_jobs=n_jobs, progress=profile_progress)
    rel = router.relative(feats)
    if mode == "pick":
        pick = router.pick(feats, rel=rel, prior=prior, available=available)
        w = np.zeros_like(rel)
        w[np.arange(len(pick)), pick] = 1.0
    else:
        w = router.weights(feats, rel=rel, prior=prior, available=available)
    return w, feats, rel


def load_panel_entry(data: Any, load_kwargs: Mapping[str, Any] | None = None) -> tuple[Panel, Any]:
    """``(panel, catalogue entry or None)`` of anything :func:`tsforge.data.load_panel` reads
    (``load_kwargs``: its options, e.g. a file's column names); a :class:`Panel` is used as it
    is. Shared by the recommendation and the routed training."""
    if isinstance(data, Panel):
        return data, None
    from tsforge.data.load import load_panel

    loaded = load_panel(data, **dict(load_kwargs or {}))
    return loaded.panel, loaded.entry


#: the first words of a series' caveat, one per kind (the collection lists the ids of each)
CAVEAT_KINDS = ("flat history", "too short to profile")


def series_caveats(panel: Panel, feats: pd.DataFrame) -> list[str]:
    """Per series, why its recommendation means less than the others' (``""`` when it doesn't).

    Why: the router answers every series with a pick and an expected MASE, but a flat history
    has no MASE (its scale, the mean absolute step, is zero; every candidate forecasts the
    constant) and a series shorter than the first profile window has no ARIES properties, so
    its pick rests only on its length and the collection as a whole. A user reading the table
    could not tell those answers from the measured ones.
    """
    values = np.asarray(panel.values, dtype=np.float64)
    sid = series_index(panel.indptr)
    observed = np.isfinite(values)
    n = len(panel)
    lo = np.full(n, np.inf)
    hi = np.full(n, -np.inf)
    np.minimum.at(lo, sid[observed], values[observed])
    np.maximum.at(hi, sid[observed], values[observed])
    plen = feats["profile_length"].to_numpy()
    out = []
    for i in range(n):
        if lo[i] == hi[i]:
            out.append(
                f"flat history (every value {lo[i]:g}): every candidate forecasts the constant, "
                "and its expected MASE has no meaning (MASE is not defined for a flat series)"
            )
        elif plen[i] == 0:
            out.append(
                f"too short to profile ({int(panel.lengths[i])} values; the properties need "
                f"{min(PROFILE_LADDER)}): picked from its length and the collection as a whole"
            )
        else:
            out.append("")
    return out


def ids_with_caveat(per_series: pd.DataFrame, kind: str) -> list[str]:
    """The ids of the series whose caveat is of ``kind`` (one of :data:`CAVEAT_KINDS`)."""
    return per_series.loc[per_series["caveat"].str.startswith(kind), "unique_id"].astype(str).tolist()


def refuse_untrainable_horizon(panel: Panel, horizon: int, *, default: bool = False) -> None:
    """Refuse ``horizon`` when no series of ``panel`` is long enough to be trained and scored at
    it under the holdout protocol (:func:`~tsforge.panels.protocol.holdout_length`: one training
    value, then a validation and a test window of ``horizon`` each); fine when one series is.
    ``default``: ``horizon`` is this data's default, not the caller's (the message says so).

    Why refuse rather than answer: the router still gave every series a pick, weights and an
    expected MASE, and only a closing line said that ``--train`` could not fit any of them — a
    confident answer for a forecast that cannot be trained or checked on these data (the
    service said not even that). Where only some series are too short the others carry
    the answer, so that stays an answer (:attr:`SeriesRecommendation.short_for_holdout` names
    them, and ``--train`` needs ``--drop-short``).

    Raises:
        DataValidationError: of kind :data:`~tsforge.panels.protocol.TOO_SHORT_FOR_HORIZON`
            (field ``horizon``), naming the horizon, the longest series' length, the length
            needed and the longest horizon that fits, if any.
    """
    from tsforge.panels.protocol import MIN_TRAIN, holdout_length, too_short_refusal

    need = holdout_length(horizon)
    longest = int(panel.lengths.max())
    if longest >= need:
        return
    fits = (longest - MIN_TRAIN) // 2  # the largest h with holdout_length(h) <= longest
    who = "the series is not" if len(panel) == 1 else f"none of the {len(panel)} series is"
    has = "it has" if len(panel) == 1 else "the longest has"
    named = f"horizon {horizon}" + (" (the default for this data; none was given)" if default else "")
    said = (
        f"{who} long enough for {named}: {has} {longest} values, and "
        f"training at horizon {horizon} needs {need} (train >= {MIN_TRAIN} + validation {horizon} + "
        f"test {horizon}); "
    )
    if fits >= 1:
        fix, cli_fix = f"ask for a horizon of at most {fits}", f"pass --horizon {fits} or less"
    else:
        fix = cli_fix = f"no horizon fits: give series of at least {holdout_length(1)} values"
    raise too_short_refusal(said + fix, said + cli_fix, field="horizon")


def checked_panel(
    data: Any,
    horizon: int | None,
    *,
    load_kwargs: Mapping[str, Any] | None = None,
    refuse_untrainable: bool = True,
) -> tuple[Panel, int]:
    """``(panel, horizon)`` of a per-series recommendation of ``data``: the panel read, the
    horizon given (or the data's default), refused when the data or the horizon cannot be
    answered: unreadable data or a missing column, no series, a series with no observed value,
    a horizon below 1, and (``refuse_untrainable``) one no series is long enough to train at.

    Why apart from :func:`recommend_series`: these refusals need no router, and the default
    router may have to be built first (15–25 min); a caller that resolves the router itself (the
    CLI, for ``--train`` too) calls this before, so that bad data are refused at once.

    Raises:
        DataValidationError: unreadable data, no series, a series with no observed value, a
            horizon no series is long enough for (field ``horizon``).
        ConfigError: a horizon below 1.
    """
    from tsforge.data.protocol import panel_horizon

    panel, entry = load_panel_entry(data, load_kwargs)
    if len(panel) == 0:
        raise DataValidationError("the panel has no series")
    H = panel_horizon(horizon, entry, panel.season_length, panel.horizon)
    observed = np.bincount(
        series_index(panel.indptr), weights=np.isfinite(panel.values), minlength=len(panel)
    )
    empty = np.flatnonzero(observed == 0)
    if empty.size:
        raise DataValidationError(
            f"{empty.size} series have no observed value, first {panel.ids[empty[0]]!r}", field="values"
        )
    if refuse_untrainable:
        refuse_untrainable_horizon(panel, H, default=horizon is None)
    return panel, H


def check_available(router: SeriesRouter, available: Sequence[str] | None) -> None:
    """Refuse an ``available`` list that names a model the router's candidates are not made of.

    Why: :meth:`~recommender.per_series.SeriesRouter.allowed` answers only when *no* candidate
    can be built ("none of the recommender's candidates … can be built from ['nope']"), which
    never says that 'nope' is no model of the recommender, nor which ones are; a misspelt name
    beside a known one was ignored without a word.

    Raises:
        ConfigError: naming the unknown models and listing the known ones (field ``available``).
    """
    if available is None:
        return
    if isinstance(available, str):  # "naive" read as the models 'n', 'a', 'i', 'v', 'e'
        raise ConfigError(
            f"available must be a list of model names, got the string {available!r}; pass [{available!r}]",
            field="available",
        )
    known = router.base
    unknown = [str(m) for m in available if m not in known]
    if unknown:
        what = "is not a model" if len(unknown) == 1 else "are not models"
        raise ConfigError(
            f"{', '.join(map(repr, unknown))} {what} of the per-series recommender; its candidates "
            f"are built from {', '.join(known)}",
            field="available",
        )


def default_router_pending() -> str | None:
    """A sentence when :func:`default_router` would have to build the router first, else None.

    Why: that build cross-validates the candidates on every development collection (the knowledge
    base; cached, so once) and takes 15–25 minutes on two cores (15 min measured on an idle
    machine, 2026-12-04; over an hour on a busy one); a user who asked for a recommendation
    should hear that before the first progress bar, not wonder after it.
    """
    return _router_pending_words("`tsforge recommender build --per-series`")


def _router_pending_words(ahead: str) -> str | None:
    """:func:`default_router_pending`'s sentence, naming the build ahead of time as ``ahead``
    (the command on the command line, the function in Python)."""
    if chosen_router_folder() is not None:  # served as it is: never built here
        return None
    path = default_router_folder()
    _, state = _saved_default_router(path)
    if state is None:
        return None
    require_collections(DEV_COLLECTIONS)  # refused now, not after the announcement
    why = (
        f"no per-series recommender is saved at {path} yet"
        if state == "missing"
        else f"the per-series recommender at {path} was trained on an earlier release's collections"
    )
    return (
        f"{why}: building it once from the knowledge base of the {len(DEV_COLLECTIONS)} development "
        "collections (rolling-origin cross-validation of every candidate, cached as it goes: "
        "15–25 min on 2 cores the first time, longer on a busy machine, reused afterwards; "
        f"{ahead} does it ahead of time)"
    )


def warn_router_pending(sentence: str) -> None:
    """:func:`recommend_series`' default ``announce``: the router build's sentence as a
    :class:`~tsforge.errors.FirstUseBuildWarning` naming :func:`build_default_router` (Python's
    way to build it ahead of time), ``sentence`` (the command's words) where the CLI prints it.

    Why: as :func:`recommender.api.warn_pending` for ``recommend()``: without it the first
    ``recommend_series`` on a machine whose router must be built ran for minutes in silence."""
    python = _router_pending_words("recommender.series_recommendation.build_default_router()") or sentence
    # stacklevel 4 from here (through _router_announced): the line that called recommend_series()
    warn_first_use(python, sentence, stacklevel=4)


def recommend_series(
    data: Any,
    horizon: int | None = None,
    *,
    router: SeriesRouter | str | os.PathLike[str] | None = None,
    available: Sequence[str] | None = None,
    prior: Sequence[float] | np.ndarray | None = None,
    n_jobs: int = 1,
    build_if_missing: bool = True,
    progress: Progress | bool | None = True,
    load_kwargs: Mapping[str, Any] | None = None,
    prior_label: str | None = None,
    refuse_untrainable: bool = True,
    profile_progress: Callable[[int, int], None] | None = None,
    history_note: str | None = None,
    announce: Callable[[str], None] | None = warn_router_pending,
    **load_options: Unpack[PanelLoadOptions],
) -> SeriesRecommendation:
    """Recommend a candidate (and weights) for every series of ``data``.

    Args:
        data: a panel catalogue name, a long CSV/Parquet/.tsf file, a frame or a :class:`Panel`.
        horizon: forecast horizon (default: the catalogue's / the frequency's M4 horizon).
        router: a :class:`SeriesRouter`, a folder with one, or None for the default.
        available: restrict the choice to candidates built from these models.
        prior: the collection prior to pool towards (default: the mean score of these series;
            a routed model passes the one from its validation window).
        n_jobs: processes for profiling (at most 2).
        build_if_missing: with no ``router``, build the default one when it is missing or stale
            (:func:`default_router`: 15–25 min the first time); ``False`` serves a stale one
            as it is and refuses when there is none.
        progress: ``progress(description, done, total)`` while that build runs; ``True`` (the
            default) shows tsforge's progress bar on stderr, ``None``/``False`` nothing.
        load_kwargs: options of :func:`tsforge.data.load.load_panel` (a file's column names, ...).
        prior_label: what ``prior`` is, in words, for the explanations (default: the rest of
            the collection, the words of the router's own prior).
        refuse_untrainable: refuse a horizon no series of ``data`` is long enough to be trained
            and scored at (:func:`refuse_untrainable_horizon`). ``False`` is for a caller that
            recommends for histories it has already trained on (the routed ensemble's training
            recommends for the holdout's histories, each ``horizon`` values shorter than the
            series it was given).
        profile_progress: ``profile_progress(done_series, total)`` while the series are
            profiled (:func:`recommender.properties.profile.profiling_bar` draws it): most of
            a recommendation's time where the seasonal decompositions' operators are not
            cached yet (``m1_monthly``'s 617 series: 7.7 s of 10.6 s; 33 s on a busy machine).
        history_note: what the histories' lengths are of, in the explanations, where ``data``
            is not the whole of the user's series (the routed training passes ``"before the
            test window"``: "(65 values)" was said of a 77-value series).
        announce: called with :func:`default_router_pending`'s sentence just before that build,
            once the data are read and checked (a refusal of the data comes without it); the
            default, :func:`warn_router_pending`, issues it as a
            :class:`~tsforge.errors.FirstUseBuildWarning`; ``None`` says nothing.
        **load_options: the reader's options as keywords (``fill_gaps=True``, ``freq="MS"``,
            ``time_col="month"``, ...: those its messages advise), merged into ``load_kwargs``.

    Raises:
        DataValidationError: unreadable data, a series with no observed value, a horizon no
            series is long enough for (field ``horizon``).
        ConfigError: a bad horizon, an ``available`` list naming a model the router does not
            know (:func:`check_available`) or one no candidate fits.
    """
    from tsforge.panels.protocol import holdout_length

    t0 = time.perf_counter()
    load_kwargs = merged_load_kwargs(
        load_kwargs, load_options, accepted=PANEL_LOAD_OPTIONS, caller="recommend_series"
    )
    # before the router is resolved: a refusal must not wait for its build
    panel, H = checked_panel(data, horizon, load_kwargs=load_kwargs, refuse_untrainable=refuse_untrainable)
    rec = _router_announced(router, build_if_missing, progress, announce)
    check_available(rec, available)
    t_load = time.perf_counter()
    feats = series_features(panel, H, n_jobs=n_jobs, progress=profile_progress)
    t_prof = time.perf_counter()
    rel = rec.relative(feats)
    pooled = rec.collection_prior(rel) if prior is None else np.asarray(prior, dtype=np.float64)
    score = rec.scores(feats, rel=rel, prior=pooled)
    weights = rec.weights(feats, rel=rel, prior=pooled, available=available)
    expected = rec.expected_mase(feats, score)  # the pooled score is the better estimate
    allowed = rec.allowed(available)
    pick = rec.pick(feats, rel=rel, prior=pooled, available=available)
    cands = list(rec.candidates)
    mean_expected = order_free_mean(expected)  # the collection's pick: the same in any series order
    best_single = allowed[int(np.argmin(mean_expected[allowed]))]
    rows = np.arange(len(panel))
    e_pick, e_best = expected[rows, pick], expected[:, best_single]
    t_pred = time.perf_counter()

    explanations, group_rows, texts = [], [], []
    contrib_by_cand = {}
    for c in np.unique(pick):
        idx = np.flatnonzero(pick == c)
        contrib_by_cand[int(c)] = (idx, *rec.contributions(cands[c], feats.iloc[idx]))
    per_row: dict[int, Any] = {}
    shrink = rec.config.shrink
    columns, values = list(feats.columns), feats.to_numpy(dtype=np.float64)  # .iloc per row is slow
    for c, (idx, contrib, bias) in contrib_by_cand.items():
        for j, i in enumerate(idx):
            per_row[int(i)] = explain_series(
                cands[c],
                (1 - shrink) * contrib[j],
                float((1 - shrink) * bias[j]),
                dict(zip(columns, values[i], strict=True)),
                prior=float(shrink * pooled[c]),
                prior_label=prior_label,
                history_note=history_note,
            )
    # the router's own prior (not a trained model's validation errors) is the mean of its
    # estimates over every series: its words name the properties behind it
    prior_words = None
    if prior is None and shrink > 0:
        prior_words = {
            cands[c]: collection_properties(cands[c], rec.contributions(cands[c], feats)[0], feats)
            for c in contrib_by_cand
        }
    for i in rows:
        ex = per_row[int(i)]
        explanations.append(ex.to_dict())
        group_rows.append(ex.contributions)
        texts.append(ex.text)
    t_expl = time.perf_counter()

    def top_weights(w: np.ndarray) -> str:
        order = np.argsort(-w)
        return ", ".join(f"{cands[j]} {w[j]:.2f}" for j in order if w[j] >= 0.005)

    per_series = pd.DataFrame(
        {
            "unique_id": panel.ids.astype(str),
            "pick": [cands[j] for j in pick],
            "expected_mase": e_pick,
            "best_single": cands[best_single],
            "expected_mase_best_single": e_best,
            "gain": 1.0 - e_pick / e_best,
            "top_weights": [top_weights(w) for w in weights],
            "explanation": texts,
            "caveat": series_caveats(panel, feats),
        }
    )
    picks = per_series["pick"].value_counts()
    # whether each series' pick dominates its weights (else a near-even blend): the words count
    # only those as picks; the picks and weights themselves are unchanged
    clear = clear_picks(weights, pick)
    contributions = pd.DataFrame(group_rows, index=per_series.index).fillna(0.0)
    by_candidate = {c: float(mean_expected[j]) for j, c in enumerate(cands) if j in allowed}
    # whether best_single leads the next candidate by the clear-pick margin: else the CLI says
    # "none stands out", and a program reading best_single must be able to tell the same
    stands_out = clear_lead(by_candidate, cands[best_single], rec.config.temperature)[0]
    per_series.insert(per_series.columns.get_loc("best_single") + 1, "best_single_clear", stands_out)
    collection = {
        "best_single": cands[best_single],
        "best_single_clear": stands_out,
        "pick_distribution": {str(k): float(v / len(panel)) for k, v in picks.items()},
        # per pick, the share of all series where it is a clear pick (clear_picks): below its
        # pick_distribution share, the rest of its series are near-even blends
        "clear_pick_share": {
            str(k): float(np.sum(clear & (per_series["pick"] == k).to_numpy()) / len(panel))
            for k in picks.index
        },
        "weight_shares": {c: float(weights[:, j].mean()) for j, c in enumerate(cands) if weights[:, j].any()},
        "expected_mase": by_candidate,
        # per pick, its expected MASE over the series it is picked for: what the collection
        # table's row of a pick shows (the mean over every series, above, is another number as
        # soon as the picks differ: 1.18 for a pick whose two series expected 0.61)
        "expected_mase_picked": {
            str(k): float(per_series.loc[per_series["pick"] == k, "expected_mase"].mean())
            for k in picks.index
        },
        "expected_mase_pick": float(np.nanmean(e_pick)),
        "expected_mase_best_single": float(np.nanmean(e_best)),
        "expected_gain": float(1.0 - np.nanmean(e_pick) / np.nanmean(e_best)),
        "explanations": explain_collection(
            per_series, contributions, prior_label=prior_label, pooled=prior_words, clear=clear
        ),
        "caveats": {kind: ids_with_caveat(per_series, kind) for kind in CAVEAT_KINDS},
    }
    return SeriesRecommendation(
        dataset=panel.name,
        horizon=H,
        n_series=len(panel),
        candidates=cands,
        per_series=per_series,
        weights=pd.DataFrame(weights, columns=cands, index=per_series["unique_id"]),
        expected_mase=pd.DataFrame(expected, columns=cands, index=per_series["unique_id"]),
        collection=collection,
        explanations=explanations,
        timings={
            "load_seconds": t_load - t0,
            "profile_seconds": t_prof - t_load,
            "predict_seconds": t_pred - t_prof,
            "explain_seconds": t_expl - t_pred,
            "total_seconds": t_expl - t0,
        },
        prior=[float(v) for v in pooled],
        considered=[cands[j] for j in allowed],
        combinations={cands[j]: list(rec.members(cands[j])) for j in allowed if cands[j] in rec.combinations},
        prior_label=prior_label if prior is not None else None,
        short_for_holdout=[str(u) for u in panel.ids[panel.lengths < holdout_length(H)]],
        holdout_length=holdout_length(H),
        router={
            "path": str(rec.path) if rec.path else None,
            "temperature": rec.config.temperature,
            "top_k": rec.config.top_k,
            "shrink": rec.config.shrink,
            "expected_scale": rec.config.expected_scale,
            "trained_on": sorted(rec.meta.get("collections", {})),
            "created": rec.meta.get("created"),
        },
    )


def _router_announced(
    router: SeriesRouter | str | os.PathLike[str] | None,
    build_if_missing: bool,
    progress: Progress | bool | None,
    announce: Callable[[str], None] | None,
) -> SeriesRouter:
    """:func:`resolve_router`, with the default router's first-use build said (``announce``)
    and shown (``progress``: :func:`recommender.first_use.first_use_bar`) where it happens; a
    bar only over a build: with a router saved, one named "building" would flash by."""
    pending = default_router_pending() if router is None and build_if_missing else None
    if announce is not None and pending:
        announce(pending)
    with first_use_bar(progress if pending else None, "building the per-series recommender") as bar:
        return resolve_router(router, build_if_missing=build_if_missing, progress=bar)


def build_default_router(
    collections: Sequence[str] = DEV_COLLECTIONS,
    *,
    settings: SeriesKBSettings | None = None,
    config: RouterConfig | None = None,
    select: bool = True,
    n_jobs: int = 2,
    path: str | os.PathLike[str] | None = None,
    track: bool = False,
    progress: Progress | None = None,
) -> SeriesRouter:
    """Build (or reuse) the knowledge base on ``collections``, choose the weighting by
    leave-one-collection-out on it (also the ones for routers adapted with a panel's own
    history, ``meta["adapt_selection"]``, and for a validation-window prior,
    ``meta["validation_selection"]``), train the router on every row and save it with
    its rows (``kb_rows.parquet``)."""
    require_collections(collections)
    settings = settings or SeriesKBSettings()
    kb = build_series_kb(collections, settings, n_jobs=n_jobs, progress=progress, track=track)
    config = config or RouterConfig()
    combos = dict(settings.combinations)
    selection: dict[str, Any] = {}
    adapt: dict[str, Any] = {}
    validation: dict[str, Any] = {}
    if select:
        cases = {k: v.kb() for k, v in kb.collections.items()}
        inner: dict[tuple[str, bool], SeriesRouter] = {}  # the plain and validation searches share routers
        config, selection = select_weighting(
            cases, settings.candidates, combos, config, progress=progress, routers=inner
        )
        _, adapt = select_weighting(cases, settings.candidates, combos, config, own=True, progress=progress)
        _, validation = select_weighting(
            cases,
            settings.candidates,
            combos,
            config,
            prior_source="validation",
            progress=progress,
            routers=inner,
        )
    rows = kb.rows
    router = train_router(rows, settings.candidates, combos, config, progress=progress)
    router.meta.update(
        {
            "kb_settings": settings.to_dict(),
            "kb_build_seconds": kb.meta.get("build_seconds"),
            "selection": selection,
            "adapt_selection": adapt,
            "validation_selection": validation,
        }
    )
    folder = router.save(Path(path) if path else router_dir())
    rows.to_parquet(folder / KB_ROWS_FILE, index=False)  # what train_routed(adapt=True) retrains on
    if track:
        router.meta["mlflow_run_id"] = log_router(router)
        router.save(folder)
    return router


def log_router(router: SeriesRouter, experiment: str = "tsforge-recommender") -> str:
    """Log the router folder and its weighting selection to MLflow (run ``per-series-router``)."""
    from tsforge.tracking.runs import tracked_run

    with tracked_run(
        experiment=experiment,
        run_name="per-series-router",
        description="Per-series recommender: LightGBM expected relative error per candidate, from ARIES properties.",
    ) as run:
        run.log_params(
            {
                "candidates": ",".join(router.candidates),
                "temperature": router.config.temperature,
                "top_k": router.config.top_k,
                "shrink": router.config.shrink,
                "expected_scale": router.config.expected_scale,
                "n_rows": router.meta.get("n_rows"),
                "collections": ",".join(router.meta.get("collections", {})),
            }
        )
        run.log_dict(router.meta.get("selection", {}), "router/selection.json")
        if router.path is not None:
            run.log_artifacts(router.path, "router")
        return run.run_id


def resolve_router(
    router: SeriesRouter | str | os.PathLike[str] | None,
    *,
    build_if_missing: bool = True,
    progress: Progress | None = None,
) -> SeriesRouter:
    """The router a caller means: the one given, the one saved in the folder given, or (None)
    :func:`default_router`."""
    if isinstance(router, SeriesRouter):
        return router
    if router is not None:
        return SeriesRouter.load(router)
    return default_router(build_if_missing=build_if_missing, progress=progress)


def _saved_default_router(path: Path) -> tuple[SeriesRouter | None, str | None]:
    """The router saved at ``path`` (or None) and why :func:`default_router` would build one:
    ``"missing"``, ``"stale"`` (built here on other collections than today's
    :data:`DEV_COLLECTIONS`, an earlier release's) or None (serve it; a router saved there by
    other means, without ``kb_settings`` in its meta, is served as it is)."""
    if not (path / "router.json").exists():
        return None, "missing"
    router = SeriesRouter.load(path)
    built_here = "kb_settings" in router.meta
    if built_here and sorted(router.meta.get("collections", {})) != sorted(DEV_COLLECTIONS):
        return router, "stale"
    return router, None


def require_collections(collections: Sequence[Any]) -> None:
    """Refuse, before any work, to build a knowledge base from catalogue collections whose files
    are not on this machine (an installed package without the benchmark data, a clone without
    ``../shared``); files and panels given directly are the builder's to read.

    Why: the build cross-validates one collection after another, and a missing one failed only
    when its turn came, after the announcement of a 15–25 minute build and the work before it.

    Raises:
        DatasetNotAvailableError: naming every missing collection and how to point at them.
    """
    from tsforge.data.catalog import list_datasets

    entries = {e.name: e for e in list_datasets()}  # availability checked once per entry
    named = {
        c: entries[c.strip().lower()]
        for c in collections
        if isinstance(c, str) and c.strip().lower() in entries
    }
    missing = [(name, entry.reason) for name, entry in named.items() if not entry.available]
    if missing:
        raise DatasetNotAvailableError(
            f"the per-series recommender is built from {len(named)} catalogue collections and "
            f"{len(missing)} are not available here: {', '.join(n for n, _ in missing)} "
            f"({missing[0][1]}); set TSFORGE_DATA_DIR to the folder that holds them, or ask for a "
            "recommendation without --per-series",
            field="dataset",
        )


def default_router(*, build_if_missing: bool = True, progress: Progress | None = None) -> SeriesRouter:
    """The default router (:func:`recommender.shipped_router.default_router_folder`: the one
    ``$TSFORGE_SERIES_ROUTER`` names, served as it is; else this machine's build; else the shipped
    one); built from the (cached) knowledge base when missing, or when
    :func:`build_default_router` built it on other collections than today's
    :data:`DEV_COLLECTIONS` (an earlier release's). A router saved there by other means (no
    ``kb_settings`` in its meta) is served as it is. ``build_if_missing=False`` serves a stale
    router as it is and refuses when there is none."""
    chosen = chosen_router_folder()
    if chosen is not None:
        if not (chosen / "router.json").is_file():
            raise DataValidationError(
                f"no per-series recommender at {chosen} (${ROUTER_ENV}); point it at the folder of one "
                "(`tsforge recommender build --per-series` saves one), or unset it",
                file=str(chosen),
            )
        return SeriesRouter.load(chosen)
    path = default_router_folder()
    router, state = _saved_default_router(path)
    if state is None or (router is not None and not build_if_missing):
        assert router is not None
        return router
    if not build_if_missing:
        raise DataValidationError(
            f"no per-series recommender at {path}; build it with `tsforge recommender build --per-series`",
            file=str(path),
        )
    if router is not None:
        log.info(
            "the per-series recommender at %s was trained on %s, not on the development collections "
            "(%s): rebuilding it",
            path,
            ", ".join(sorted(router.meta.get("collections", {}))),
            ", ".join(DEV_COLLECTIONS),
        )
    else:
        log.info(
            "no per-series recommender at %s: building it (knowledge base of %s)",
            path,
            ", ".join(DEV_COLLECTIONS),
        )
    return build_default_router(progress=progress)
