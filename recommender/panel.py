"""Recommend a model for a panel by validation: each candidate forecasts every series' validation
window (the ``H`` values before the test window) and the lowest mean MASE wins.

Why validation and not the property-based ranker: the dataset-level ranker was trained on long
multichannel data and does not transfer to panels of short series (it ranked DLinear first on
a monthly panel where seasonal naive was 50 % better). Scoring the candidates on the data's own
validation window is slower but honest. The per-series, property-based recommender
(:mod:`recommender.series_recommendation`, ``tsforge recommend DATA --per-series``) builds on it:
its routed ensemble pools each series towards the candidates' validation errors, and its
leave-one-collection-out benchmark keeps this validation pick as the baseline it has to beat
(``benchmarks/results/recommender_per_series.json``).

**Same-phase window.** When the season is longer than the horizon (weekly data with a yearly
cycle, monthly data at a horizon under 12), the validation window sits in another part of the
cycle than the test window, and a model that ignores the season can look best there and fail at
the test window's phase. Then every candidate also forecasts the window one season before the test
window (:func:`same_phase_panel`), and candidates are ranked by the geometric mean of their two
mean MASEs (scale-free: one window's shock cannot swamp the other). Measured on the two weekly
collections: on electricity weekly, whose test window is December, validation alone picked
DLinear (test MASE 1.240) and the same-phase window picks seasonal naive (0.883, the best on test);
on NN5 weekly the pick moves from NLinear to DLinear (0.833 → 0.818).
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np

from recommender.explain import as_shown
from tsforge.data.panel import Panel
from tsforge.errors import ConfigError, DataValidationError, TsforgeError

__all__ = [
    "PANEL_CANDIDATES",
    "PanelRecommendation",
    "recommend_panel",
    "same_phase_panel",
    "same_phase_forecasts",
    "same_phase_window",
    "per_series_disagreement",
    "not_ranked",
    "not_ranked_line",
    "MEASURED_NUMBERS",
]

#: Fast, strong-on-panels candidates: two benchmarks, two statistical models, two global models.
PANEL_CANDIDATES = ("seasonal_naive", "naive", "auto_theta", "auto_ets", "nlinear", "dlinear")

#: What the ranking's numbers are, for ``--json`` readers (:meth:`PanelRecommendation.to_dict`):
#: measured, where the per-series recommendation's are the router's expectation
#: (:func:`recommender.series_recommendation.expected_numbers`). Why a field: the walk of session
#: 69 read dlinear's 0.422 here and "dlinear 0.793" under ``--per-series --train`` as one number
#: that had changed.
MEASURED_NUMBERS = {
    "kind": "measured",
    "metric": "val_mase",
    "what": "each candidate fitted on every series' values before its validation window (the last "
    "horizon values before the test window) and scored there: its mean MASE over the series (where "
    "a same-phase window is scored too, rows are ordered by score, the geometric mean of the two)",
}


@dataclass
class PanelRecommendation:
    """Candidates ranked by validation MASE (best first), with the reason in words."""

    dataset: str
    horizon: int
    ranking: list[dict[str, Any]]
    explanation: str
    n_series: int
    seconds: dict[str, float] = field(default_factory=dict)
    #: candidates that could not be trained on this panel → why (e.g. a global model whose
    #: training windows the series are too short for); they are not ranked
    skipped: dict[str, str] = field(default_factory=dict)
    #: the panel's series count when the ranking ran on a seeded sample of ``n_series`` of them
    #: (``max_series``), else None
    sampled_from: int | None = None
    #: the candidates it was asked to rank, in that order (ranked or ``skipped``); empty where it
    #: was made without them (then :attr:`pool` is the ranked and skipped ones)
    candidates: list[str] = field(default_factory=list)

    @property
    def best(self) -> str:
        return str(self.ranking[0]["model"])

    @property
    def pool(self) -> list[str]:
        """The candidates this ranking considered: ranked, or tried and ``skipped``."""
        return list(self.candidates) or [*(str(r["model"]) for r in self.ranking), *self.skipped]

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready fields, with ``best`` (the pick the table and ``explanation`` name), the
        candidates considered and what the numbers are (:data:`MEASURED_NUMBERS`).

        Why ``best`` is written out: a reader of ``--json`` had to know that the pick is
        ``ranking[0]``, where the per-series and long-data answers name theirs
        (``collection.best_single``, ``ranking[].recommended``). Why the candidates and the
        numbers' kind: ``--per-series`` answers from another pool (lightgbm, combinations) with
        expected, not measured, MASE, and nothing told the two apart."""
        return {"best": self.best, **asdict(self), "candidates": self.pool, "numbers": dict(MEASURED_NUMBERS)}


def same_phase_panel(panel: Panel, horizon: int) -> Panel | None:
    """The series cut so that their last ``horizon`` values are the test window's phase one
    season earlier (each series' values ``[L − H − m, L − m)``), or ``None`` where that window
    adds nothing: a season no longer than the horizon (the validation window then covers the
    cycle), or fewer than half the series with the window plus two horizons of history before it."""
    m, h = int(panel.season_length or 1), int(horizon)
    if m <= h:
        return None
    keep = np.flatnonzero(panel.lengths >= m + 3 * h)
    if keep.size == 0 or 2 * keep.size < len(panel):
        return None
    return panel.take(keep).head_cut(m)


def same_phase_forecasts(
    cut: Panel, horizon: int, models: Sequence[str], *, seed: int, n_jobs: int = 1
) -> tuple[Panel, np.ndarray, dict[str, np.ndarray]]:
    """``(histories, outcomes, model → [n, H] forecasts)`` of the last ``horizon`` values of
    ``cut`` (from :func:`same_phase_panel`), every model fitted on the values before them only:
    local models per series, global ones refit on that history."""
    from tsforge.models.registry import get_model_spec
    from tsforge.panels.cv import cross_validation
    from tsforge.panels.global_models import RefitGlobalModel

    h = int(horizon)
    participants = [
        RefitGlobalModel(m, seed=seed) if get_model_spec(m).kind in ("neural", "ml") else m for m in models
    ]
    cv = cross_validation(cut, participants, h, n_windows=1, n_jobs=n_jobs, progress=False, note_short=False)
    n = len(cv) // h
    forecasts = {m: cv[m].to_numpy(dtype=np.float64).reshape(n, h) for m in models}
    return cut.head_cut(h), cv["y"].to_numpy(dtype=np.float64).reshape(n, h), forecasts


def same_phase_window(
    panel: Panel, horizon: int, models: Sequence[str], *, seed: int, n_jobs: int = 1
) -> tuple[Panel, np.ndarray, dict[str, np.ndarray]] | None:
    """:func:`same_phase_forecasts` of ``panel``'s same-phase window, or ``None`` where it has
    none or a model cannot train on the history before it: the caller then ranks on validation
    alone, never on a mix of the two rules (the validation pick and the routed prior alike)."""
    cut = same_phase_panel(panel, horizon)
    if cut is None:
        return None
    try:
        return same_phase_forecasts(cut, horizon, models, seed=seed, n_jobs=n_jobs)
    except TsforgeError:
        return None


def _left_out(row: Mapping[str, Any]) -> str:
    """Why a candidate's validation MASE leaves series out, by kind: ``2 have flat histories; 1
    has no observed value in the validation window`` (every one was once called flat)."""
    left_out = int(row["val_n_mase_excluded"])
    unscored = min(left_out, int(row.get("val_n_smape_excluded", 0)))
    unobserved = min(unscored, int(row.get("val_n_unobserved", 0)))
    kinds = (
        (left_out - unscored, "has a flat history", "have flat histories"),
        (
            unobserved,
            "has no observed value in the validation window",
            "have no observed value in the validation window",
        ),
        (unscored - unobserved, "has no forecast", "have no forecast"),
    )
    return "; ".join(f"{n} {one if n == 1 else many}" for n, one, many in kinds if n)


def recommend_panel(
    panel: Panel,
    horizon: int,
    candidates: Sequence[str] = PANEL_CANDIDATES,
    *,
    n_jobs: int = 1,
    seed: int = 2024,
    progress: Callable[[str, int, int], None] | None = None,
    max_series: int | None = None,
) -> PanelRecommendation:
    """Rank ``candidates`` by mean validation MASE on ``panel`` (test windows are never looked at).

    ``max_series``: rank on a seeded random sample of that many series when the panel has more
    (every candidate is fitted on every ranked series: 20,000 series did not finish in ten
    minutes); the answer says so. ``None`` (the default) ranks on every series.
    """
    import time

    from tsforge.arguments import whole_number
    from tsforge.data.panel import require_panel
    from tsforge.pipeline import TrackingOptions, train_panel

    require_panel(panel)
    horizon = whole_number(horizon, "horizon")  # 2.5 or None failed as an IndexError / TypeError
    if horizon < 1:
        raise ConfigError(f"horizon must be at least 1, got {horizon}", field="horizon")
    panel, sampled_from = _sample(panel, max_series, seed)
    if isinstance(candidates, str):  # "naive" was read as the models 'n', 'a', ...
        candidates = [candidates]
    if not candidates:
        raise ConfigError("no candidate models to compare", field="candidates")
    if twice := sorted({m for m in candidates if list(candidates).count(m) > 1}):
        # fitted twice and ranked against itself: "auto_ets ... about the same as auto_ets (0.647)"
        raise ConfigError(
            f"candidates name {', '.join(map(repr, twice))} more than once; list each model once",
            field="candidates",
        )
    from tsforge.models.registry import get_model_spec
    from tsforge.panels.protocol import holdout_split

    for model in candidates:
        # an unknown name is the caller's typo, not a model this panel cannot train: refused here,
        # it was skipped below like one and reported as "not ranked" (or, alone, as a horizon error)
        get_model_spec(model)

    holdout_split(panel, horizon)  # a panel the protocol refuses is refused once, not per candidate
    # one more step where a same-phase window will be fitted (every candidate again): without it
    # the bar stood full while that ran
    total = len(candidates) + (same_phase_panel(panel, horizon) is not None)
    rows: list[dict[str, Any]] = []  # the ranking (PanelRecommendation.ranking)
    seconds: dict[str, float] = {}
    skipped: dict[str, str] = {}
    # candidates, not kept models: log_model=False also keeps their no-skill notes to themselves
    quiet = TrackingOptions(track=False, progress=False, log_model=False)
    for i, model in enumerate(candidates):
        if progress:  # the candidate being fitted now (it named the one just finished)
            progress(f"validating {model}", i, total)
        t0 = time.perf_counter()
        try:
            out = train_panel(
                panel,
                model,
                horizon=horizon,
                seed=seed,
                n_jobs=n_jobs,
                tracking=quiet,
                intervals=False,
                floor_scores=True,  # ranked as the trained pick serves: floored at 0 on non-negative data
            )
        except TsforgeError as exc:
            # one candidate the data cannot train (a global model's windows on series this short)
            # must not sink the ranking of the others; the answer says which and why
            skipped[model] = exc.message
            continue
        finally:
            seconds[model] = time.perf_counter() - t0
        rows.append(
            {
                "model": model,
                "val_mase": out.metrics["val_mase"],
                "val_smape": out.metrics["val_smape"],
                "val_n_mase_excluded": int(out.metrics.get("val_n_mase_excluded", 0) or 0),
                "val_n_smape_excluded": int(out.metrics.get("val_n_smape_excluded", 0) or 0),
                "val_n_unobserved": int(out.metrics.get("val_n_unobserved", 0) or 0),
            }
        )
        rows[-1].update(_served_scores(panel, horizon, model, out.forms, n_jobs=n_jobs))
    if not rows:
        first = next(iter(skipped.items()))
        raise ConfigError(
            f"no candidate can be trained on this panel: {first[0]}: {first[1]}", field="horizon"
        )
    t0 = time.perf_counter()
    if progress:
        step = (
            f"same-phase window ({panel.season_length} steps earlier)"
            if total > len(candidates)
            else "ranking"
        )
        progress(step, len(candidates), total)
    phase = _phase_scores(panel, horizon, [r["model"] for r in rows], seed=seed, n_jobs=n_jobs)
    if progress and total > len(candidates):
        progress(f"same-phase window ({panel.season_length} steps earlier)", total, total)
    for r in rows:
        r["phase_mase"] = phase[r["model"]] if phase else None
        r["score"] = float(np.sqrt(r["val_mase"] * r["phase_mase"])) if phase else r["val_mase"]
    if phase:
        seconds["same_phase_window"] = time.perf_counter() - t0

    # an undefined score (NaN) ranks last: sorted as it is, NaN compares false both ways and left
    # the order to chance
    def order(r: dict[str, Any]) -> tuple[bool, float, int]:
        finite = bool(np.isfinite(r["score"]))
        return (not finite, r["score"] if finite else 0.0, candidates.index(r["model"]))

    rows.sort(key=order)
    if not np.isfinite(rows[0]["score"]):
        raise DataValidationError(
            f"the validation MASE is undefined for every candidate on {panel.name or 'this panel'}: no "
            "series changes over its training values (MASE divides by their mean absolute seasonal "
            "difference), so the candidates cannot be ranked",
            field="values",
        )
    best, runner = rows[0], rows[1] if len(rows) > 1 and np.isfinite(rows[1]["score"]) else None
    # MASE leaves out the series with a flat training history (no scale), a validation window of
    # missing values (nothing to score) or a missing forecast: "every series" only when none
    left_out = int(best["val_n_mase_excluded"])
    over = (
        "every series"
        if not left_out
        else f"{len(panel) - left_out} of {len(panel)} series ({_left_out(best)}: no MASE)"
    )
    # "has the lowest" of one: the candidates given were one, or the others could not train
    lowest = "has the lowest" if len(rows) > 1 else "is the only candidate ranked, with"
    if phase:
        m = int(panel.season_length)
        text = (
            f"{best['model']} {lowest} geometric mean ({best['score']:.3f}) of its MASE on the "
            f"last {horizon} values before the test window ({best['val_mase']:.3f}) and on the test "
            f"window's phase one season ({m} steps) earlier ({best['phase_mase']:.3f}), over {over}"
        )
    else:
        text = (
            f"{best['model']} {lowest} validation MASE ({best['val_mase']:.3f}) on the last "
            f"{horizon} values before the test window, over {over}"
        )
    if runner is not None:
        close = [r for r in rows[1:] if _near_tie(best["score"], r["score"])]
        text += (
            _tie_words(best["score"], close)
            if close
            else _gap_words(best["score"], runner["score"], runner["model"])
        )
    if best.get("val_forms_held"):
        text += (
            f"; {best['model']}'s validation refit kept the seasonal form of its fit on the whole history "
            f"on {best['val_forms_held']} series (refit on fewer than three seasons, it chose none: "
            "the model served is seasonal)"
        )
    if skipped:
        text += f"; not ranked: {', '.join(skipped)} ({next(iter(skipped.values()))})"
    if sampled_from is not None:
        text += f"; ranked on a seeded random sample of {len(panel):,} of the {sampled_from:,} series"
    return PanelRecommendation(
        panel.name, int(horizon), rows, text, len(panel), seconds, skipped, sampled_from, list(candidates)
    )


#: Scores (as shown, 3 decimals) less than this far apart, relative to the pick's (the lower, as
#: :func:`_tie_words` prints the gap), are worded as about the same, not as a win. Measured on the 12 development collections
#: (``benchmarks/results/panels.json``: every pair of models' validation and test MASE in each
#: collection): of the 136 pairs whose validation MASEs were under 5 % apart, the one lower on
#: validation was also lower on test in 61 % (a coin flip is 50 %; 62 % under 2 %, 60 % at 2–5 %);
#: 5–10 % apart 76 %, over 10 % apart 95 %. One validation window does not resolve a smaller gap.
NEAR_TIE = 0.05


def _near_tie(best: float, other: float) -> bool:
    """Whether ``other`` is within :data:`NEAR_TIE` of ``best`` as the table shows them, the gap
    relative to ``best``.

    Why relative to ``best``: :func:`_tie_words` prints the gap so ("0.614, 5.1% higher"); measured
    relative to the larger score (4.9 %), the same pair was called a tie "under 5% apart" beside
    its own 5.1 %.
    """
    best_shown, other_shown = as_shown(best, ".3f")[1], as_shown(other, ".3f")[1]
    if not np.isfinite(other_shown):
        return False
    if best_shown <= 0:  # no gap relative to 0.000: a tie only when shown the same
        return bool(other_shown == best_shown)
    return _percent_above(best_shown, other_shown)[1] < 100 * NEAR_TIE


def _percent_above(best_shown: float, shown: float) -> tuple[str, float]:
    """``("5.1", 5.1)``: how far ``shown`` is above ``best_shown`` in percent of ``best_shown``, as
    :func:`_tie_words` prints it (1 decimal) and :func:`_near_tie` compares it.

    Why one function: the two measured the gap on different bases and printed "5.1% higher" in
    a sentence that ended "under 5% apart"; compared as printed, 4.96 % (printed 5.0 %) is not
    called a tie either.
    """
    return as_shown(100 * (shown / best_shown - 1), ".1f")


def _tie_words(best: float, close: Sequence[Mapping[str, Any]]) -> str:
    """ "; about the same as nlinear (0.923, 1.2% higher) …: picked for the lower score, not a clear
    win" — the candidates within :data:`NEAR_TIE` of the pick (``close``, best first), in words.

    Why: "1% below nlinear" read as a win, where a gap that small orders the test window the
    same way little more often than a coin flip (:data:`NEAR_TIE`); a user choosing between
    them should know any of them is as good a bet on this evidence.
    """
    best_shown = as_shown(best, ".3f")[1]
    named = []
    for r in close[:3]:
        text, shown = as_shown(r["score"], ".3f")
        how = (
            "the same to 3 decimals"
            if shown == best_shown
            else f"{_percent_above(best_shown, shown)[0]}% higher"
        )
        named.append(f"{r['model']} ({text}, {how})")
    more = f" and {len(close) - 3} more" if len(close) > 3 else ""
    names = named[0] if len(named) == 1 else ", ".join(named[:-1]) + " and " + named[-1]
    return (
        f"; about the same as {names}{more}: under {NEAR_TIE:.0%} apart, too close for one validation "
        "window to separate, so picked for the lower score, not a clear win"
    )


def _gap_words(best: float, runner: float, runner_name: str) -> str:
    """ ", 6.2% below naive (0.873)": the gap between the scores *as shown* (3 decimals), for a
    runner-up at least :data:`NEAR_TIE` behind (closer ones: :func:`_tie_words`).

    Why as shown: from the raw scores, 0.8192 and 0.8236 read "0.5% below naive (0.824)" beside
    a best of 0.819, where the reader's own sum from the printed numbers gives 0.6%.
    """
    best_shown = as_shown(best, ".3f")[1]
    runner_text, runner_shown = as_shown(runner, ".3f")
    gap = 100 * (1 - best_shown / runner_shown)
    return f", {gap:.{0 if gap >= 1 else 1}f}% below {runner_name} ({runner_text})"


def not_ranked(
    rec: PanelRecommendation, router_candidates: Sequence[str], combinations: Mapping[str, Sequence[str]]
) -> dict[str, str]:
    """The per-series router's candidates (``router_candidates``, its ``combinations`` among
    them) that this ranking did not consider → why, in words; empty where it considered them all.

    Why: ``--per-series --train`` routed a whole panel to lightgbm, a model the ranking printed
    just before had never fitted, and nothing said that the two answers chose from different
    pools. The reasons are the code's: the ranking fits a fixed pool (:data:`PANEL_CANDIDATES`,
    six fast ones) unless told otherwise, and a combination is the router's, made of its members'
    forecasts by the routed ensemble only (no model of that name can be trained alone). These
    are ``--json``'s words, so a model's reason says how Python ranks it (valid code, as typed);
    the CLI's line (:func:`not_ranked_line`) has no such route and says none.
    """
    pool = rec.pool
    out: dict[str, str] = {}
    for name in router_candidates:
        if name in pool:
            continue
        if name in combinations:
            members = ", ".join(combinations[name])
            out[name] = (
                f"a combination of its members' forecasts ({members}) that only the routed ensemble "
                "makes (--per-series --train)"
            )
        elif _fixed_pool(pool):
            out[name] = (
                f"outside this ranking's {len(pool)} fast candidates (PANEL_CANDIDATES: two benchmarks, "
                "two statistical, two global models); in Python, recommend_panel(panel, horizon, "
                f"candidates=[*PANEL_CANDIDATES, {name!r}]) ranks it"
            )
        else:
            out[name] = "not among the candidates this ranking was given"
    return out


def _fixed_pool(pool: Sequence[str]) -> bool:
    """Whether ``pool`` is the ranking's default one (:data:`PANEL_CANDIDATES`)."""
    return set(pool) == set(PANEL_CANDIDATES)


def not_ranked_line(
    rec: PanelRecommendation, unranked: Mapping[str, str], combinations: Collection[str]
) -> str | None:
    """The one line under a ranking ``rec`` that names :func:`not_ranked`'s candidates
    (``unranked``; those in ``combinations`` are the router's combinations), why in a few words,
    and that ``--per-series --train`` weighs them; ``None`` where there are none.

    Why one line of CLI words: the first one named each reason in full, with a Python call a
    command-line user could not act on (``candidates=[..., 'lightgbm']``, not valid if copied),
    sent the reader to two flags at once and took six lines under a 7-line table; the hint
    under it then listed the same names again.
    """
    if not unranked:
        return None
    models = [n for n in unranked if n not in combinations]
    combos = [n for n in unranked if n in combinations]
    outside = (
        f"outside this ranking's {len(rec.pool)} fast candidates"
        if _fixed_pool(rec.pool)
        else "not among its candidates"
    )
    parts = [f"{', '.join(models)} ({outside})"] if models else []
    if combos:
        parts.append(f"{len(combos)} combination{'s' if len(combos) > 1 else ''} ({', '.join(combos)})")
    weighed = "all of them and may pick one" if len(unranked) > 1 else "it and may pick it"
    return f"not ranked here: {' and '.join(parts)}; --per-series --train weighs {weighed}"


def per_series_disagreement(
    rec: PanelRecommendation,
    collection: Mapping[str, Any],
    weights: Any | None = None,
) -> str | None:
    """One line where the per-series view of the same panel (``collection``: a
    :class:`~recommender.series_recommendation.SeriesRecommendation`'s; ``weights``: its
    per-series weights, ``[series, candidates]``) would choose another model than this ranking,
    saying which to trust and why; ``None`` where they agree.

    Why: the two answers came from different evidence and disagreed without a word (a retail
    panel: the ranking's auto_ets at validation MASE 0.354, ``--per-series`` a combination at
    expected MASE 1.408). The ranking *measures* every candidate on this panel's validation
    window; the per-series pick is the router's *expectation* from the series' properties,
    learnt on other collections (it has not beaten the best single candidate on held-out
    collections: README, "Per-series recommendation"), and its expected MASE is a rough level,
    not a score to compare with the validation MASE.

    Where the per-series view gives the ranking's pick at least half its own pick's weight on
    most series, the line says the weights are near-even instead: "would choose
    auto_ets+auto_theta+dlinear instead … trust the measurement" was printed for CIF 2016,
    whose per-series weights were 0.22 for that combination and 0.21 for the ranking's auto_ets
    on every series — no other pick, a blend that includes it.

    The line is of ``--per-series`` alone (the router before any fit: ``collection`` is its
    view); ``--per-series --train`` weighs the candidates again by their errors on this
    validation window and may pick another, and the line says so in a few words. Why: it read
    as advice ("weighs auto_ets highest") that the trained ensemble then contradicted, routing
    every series to a lightgbm the ranking never fitted. Which candidates the ranking left out
    is said once, by :func:`not_ranked_line` (this line listed them a second time); where the
    two views agree but for a blend, the pick's number and its window are the table's and its
    caption's to say (this line said "measured on this panel's validation window" a third time).
    """
    other = str(collection.get("best_single", ""))
    if not other or other == rec.best:
        return None
    top = rec.ranking[0]
    phase = top.get("phase_mase") is not None
    measured = f"{rec.best}'s {'score' if phase else 'MASE'} {float(top['score']):.3f}"
    trained = "; that is the untrained router's view (--per-series --train may pick another)"
    if near := _near_even(weights, other, rec.best):
        return (
            f"--per-series weighs {other} highest, near-even with {rec.best} ({near}): a blend more "
            f"than another pick, not a contradiction of this ranking{trained}"
        )
    expected = float(collection.get("expected_mase_best_single", float("nan")))
    shown = f" (expected MASE {expected:.3f})" if np.isfinite(expected) else ""
    return (
        f"--per-series would choose {other}{shown} instead: the router's estimate from the series' "
        f"properties, learnt on other collections, while {measured} was measured on this panel's "
        f"validation window; trust the measurement (the two numbers are not comparable){trained}"
    )


def _near_even(weights: Any | None, other: str, best: str) -> str:
    """ "mean weights 0.22 and 0.21" where ``best`` has at least half of ``other``'s weight on
    most series (the per-series view's "clear pick" needs twice the next one's), else ``""``."""
    if weights is None or other not in weights or best not in weights or len(weights) == 0:
        return ""
    w_other = np.asarray(weights[other], dtype=np.float64)
    w_best = np.asarray(weights[best], dtype=np.float64)
    if np.mean(2 * w_best > w_other) <= 0.5:
        return ""
    return f"mean weights {np.mean(w_other):.2f} and {np.mean(w_best):.2f}"


def _served_scores(
    panel: Panel, horizon: int, model: str, final: Mapping[str, str], *, n_jobs: int = 1
) -> dict[str, Any]:
    """``model``'s validation MASE / sMAPE as it is served, where that differs from its plain
    refit (:func:`~tsforge.panels.calibrate.served_validation_forecasts`: AutoETS / AutoARIMA
    refits on fewer than three seasons held to the served fit's seasonal form), with
    ``val_forms_held``, the series held; ``{}`` where nothing is held (every other model, and
    panels whose refits see three seasons). ``final``: the forms ``model``'s served fit chose
    (``PanelOutcome.forms``), not fitted again.

    Why: on 20 monthly series of 48 values (horizon 12) AutoETS's refit on the 24 values before
    the validation window chose no season (validation MASE 1.48) while the AutoETS served, fitted
    on 36, is seasonal, and the best model on the test window (0.327); the ranking recommended
    NLinear (validation 0.946, test 0.979). On the six development collections with such refits
    it moved no pick (M1 monthly: 39 of 617 series held, AutoETS 1.299 → 1.287; car parts and
    vehicle trips 2 each; CIF 2016, hospital, M1 quarterly none).
    """
    from tsforge.evaluation.panel_metrics import panel_scores, summarise
    from tsforge.panels.calibrate import calibration_forms
    from tsforge.panels.cv import cross_validation
    from tsforge.panels.protocol import holdout_split

    split = holdout_split(panel, horizon)
    forms = calibration_forms(split.history, [model], horizon, 1, n_jobs=n_jobs, final={model: final}).get(
        model
    )
    if not forms:
        return {}
    frame = cross_validation(
        split.history,
        [model],
        horizon,
        n_windows=1,
        n_jobs=n_jobs,
        progress=False,
        forms={model: forms},
        note_short=False,
    )
    forecast = frame[model].to_numpy(dtype=np.float64).reshape(len(panel), horizon)
    scores = summarise(panel_scores(split.val, {model: forecast}, split.train, panel.season_length))[model]
    return {
        "val_mase": float(scores["mase"]),
        "val_smape": float(scores["smape"]),
        "val_forms_held": len(forms),
    }


def _sample(panel: Panel, max_series: int | None, seed: int) -> tuple[Panel, int | None]:
    """``(panel, None)``, or a seeded random sample of ``max_series`` of its series (in the
    panel's order) and the panel's size when it has more."""
    from tsforge.arguments import whole_number

    if max_series is None:
        return panel, None
    max_series = whole_number(max_series, "max_series")
    if max_series < 1:
        raise ConfigError(f"max_series must be at least 1, got {max_series}", field="max_series")
    if len(panel) <= max_series:
        return panel, None
    keep = np.sort(np.random.default_rng(seed).choice(len(panel), size=max_series, replace=False))
    return panel.take(keep), len(panel)


def _phase_scores(
    panel: Panel, horizon: int, models: list[str], *, seed: int, n_jobs: int
) -> dict[str, float] | None:
    """Mean MASE of every model on the same-phase window (``None`` where there is none, or where
    a model cannot train on the shorter history: then every model is ranked on validation alone,
    never on a mix of the two rules)."""
    from tsforge.evaluation.panel_metrics import panel_scores, summarise

    window = same_phase_window(panel, horizon, models, seed=seed, n_jobs=n_jobs)
    if window is None:
        return None
    history, y, forecasts = window
    summary = summarise(panel_scores(y, forecasts, history, panel.season_length))
    return {m: float(summary[m]["mase"]) for m in models}
