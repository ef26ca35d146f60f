"""``train_routed``: fit what a per-series recommendation needs and track it as **one** model.

Protocol (the panel holdout of :func:`tsforge.pipeline.train_panel`): every series' last ``H``
values are the test window, the ``H`` before them validate. Each member (every base model the
router's candidates use) is trained through ``train_panel`` — the one panel fit path — and
forecasts the validation and test windows; the router routes every series from the history
before each window (never from the window itself); the routed forecast is the weighted
combination (or the pick) of the members' forecasts. The served model is the
:class:`recommender.routed.RoutedPredictor` over the members fitted on the history before the
test window, exactly as ``train_panel`` serves a single model.

The MLflow run (experiment = the dataset) carries: the routed model's validation and test
scores, every candidate's test MASE (``candidate_<name>_test_mase``: a member's, or a
combination's) and the best single candidate's in hindsight (``test_mase_best_single``, named by
the ``hindsight_best_single`` parameter; not the recommendation's ``best_single``, which is the
candidate the router expected to be best before the test window was seen),
the per-series recommendation table, the pick distribution (table and bar chart), the
per-series test scores, the collection-level explanation, and the model as a pyfunc registered
under ``registered_name`` (default ``<dataset>-routed``).
"""

from __future__ import annotations

import time
import warnings
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from recommender.per_series import SeriesRouter, combine_forecasts
from recommender.routed import RoutedPredictor
from recommender.series_kb import combine
from recommender.series_recommendation import (
    SeriesRecommendation,
    explanation_json,
    load_panel_entry,
    recommend_series,
    resolve_router,
    route_panel,
)
from tsforge.data.history import SeriesInput
from tsforge.data.load_options import PANEL_LOAD_OPTIONS, PanelLoadOptions, merged_load_kwargs
from tsforge.data.panel import Panel
from tsforge.errors import ConfigError
from tsforge.evaluation.baseline import NAIVE2, naive2_skill_scores
from tsforge.evaluation.panel_metrics import naive2_forecast, panel_scores, summarise
from tsforge.inference.predictor import TrimmedHistoryWarning
from tsforge.panels.calibrate import (
    LOG_LEVELS,
    calibrate_forecasts,
    global_calibration_windows,
    holdout_interval_metrics,
    served_points,
    served_validation_forecasts,
)
from tsforge.panels.conformal import ConformalCalibration
from tsforge.panels.protocol import drop_short_series, holdout_split
from tsforge.pipeline import TrackingOptions, train_panel
from tsforge.pipeline.panel import at_steps_sent
from tsforge.tracking.references import default_registry_name

if TYPE_CHECKING:
    from typing_extensions import Unpack

__all__ = [
    "ROUTED_CALIBRATION_WINDOWS",
    "RoutedOutcome",
    "hindsight_best_words",
    "train_routed",
    "adapted_router",
    "routed_calibration_windows",
]

Progress = Callable[[str, int, int], None]
#: rolling-origin windows, the validation window included, that calibrate the routed ensemble's
#: intervals on a panel of many series (more on a few: :func:`_served_calibration` says why)
ROUTED_CALIBRATION_WINDOWS = 2


@dataclass
class RoutedOutcome:
    """What :func:`train_routed` returns."""

    predictor: RoutedPredictor
    metrics: dict[str, float]
    recommendation: SeriesRecommendation
    per_series: pd.DataFrame
    member_metrics: dict[str, dict[str, float]]
    panel: Panel
    #: the candidate (a member or a combination) with the lowest mean test MASE, chosen on the
    #: test window itself: a reference, not the router's expected best
    #: (``recommendation.collection["best_single"]``)
    hindsight_best_single: str = ""
    seconds: dict[str, float] = field(default_factory=dict)
    #: what every series was pooled towards, in words (logged as the run's ``prior`` param)
    prior: str = ""
    run_id: str | None = None
    model_uri: str | None = None
    registered_name: str | None = None
    version: str | None = None
    promotion: str | None = None


def _inputs(panel: Panel) -> list[SeriesInput]:
    out = []
    for i in range(len(panel)):
        ts = (
            panel.times_at(np.full(int(panel.lengths[i]), i), np.arange(panel.lengths[i]))
            if panel.is_datetime
            else None
        )
        out.append(SeriesInput(str(panel.ids[i]), panel.series(i), ts))
    return out


def train_routed(
    data: Any,
    horizon: int | None = None,
    *,
    router: SeriesRouter | str | Path | None = None,
    mode: str = "weights",
    members: Sequence[str] | None = None,
    seed: int = 0,
    n_jobs: int = 1,
    prior: str = "validation",
    adapt: bool = False,
    adapt_windows: int = 2,
    tracking: TrackingOptions | None = None,
    progress: Progress | None = None,
    load_kwargs: Mapping[str, Any] | None = None,
    drop_short: bool = False,
    source: str | None = None,
    on_recommendation: Callable[[SeriesRecommendation], None] | None = None,
    **load_options: Unpack[PanelLoadOptions],
) -> RoutedOutcome:
    """Train the routed ensemble for ``data`` and (by default) track and register it.

    Args:
        data: a panel catalogue name, a long file, a frame or a :class:`Panel`.
        horizon: test/validation window and model horizon (default: the catalogue's).
        router: the per-series recommender (default: the saved default one).
        mode: ``"weights"`` or ``"pick"``: what the served model does per series.
        members: base models to train (default: every base model of the router); candidates
            needing another model are never chosen.
        seed: training seed of every member fit.
        n_jobs: processes for the local members' fits and the profiling.
        prior: what each series is pooled towards: ``"validation"`` (the members' errors on the
            validation window — and, for a season longer than the horizon, on the test window's
            phase one season earlier, the two averaged in logs — with the weighting chosen for
            that prior; the served model keeps it) or ``"router"`` (the router's mean score over
            the panel's series).
        adapt: also learn from this panel's own history: cross-validate every candidate on
            ``adapt_windows`` (default 2) rolling-origin windows before the test window (cached
            like the knowledge base) and retrain the router on its rows plus the knowledge base's, with
            the weighting chosen for adapted routers. Costs those fits; helps when the panel is
            unlike the development collections.
        tracking: as in ``train_panel`` (``registered_name`` default ``<dataset>-routed``).
        load_kwargs: options of :func:`tsforge.data.load.load_panel` (a file's column names, ...).
        progress: ``progress(description, done, total)`` (router build, adaptation, fits).
        drop_short: leave out the series too short for the holdout, with a note
            (:func:`~tsforge.panels.protocol.drop_short_series`), instead of refusing the panel.
        source: what a :class:`Panel` ``data`` was read from (a file's path, a catalogue name):
            the MLflow dataset's source, which a ``data`` given by path or name says itself. Why:
            ``tsforge recommend --per-series --train`` reads the file once, to refuse bad data
            before the router is resolved, and hands this function the panel it read.
        on_recommendation: called with the per-series recommendation as soon as it is made (after
            the members' fits and the routing, before the calibration, scoring and logging). Why:
            the picks are known minutes before the end on a panel of many series, and
            ``tsforge recommend --per-series --train`` printed nothing about them until then.
        **load_options: the reader's options as keywords (``fill_gaps=True``, ``freq="MS"``,
            ``time_col="month"``, ...: those its messages advise), merged into ``load_kwargs``.
    """
    from tsforge.data.protocol import panel_horizon

    load_kwargs = merged_load_kwargs(
        load_kwargs, load_options, accepted=PANEL_LOAD_OPTIONS, caller="train_routed", drop_short=drop_short
    )

    tracking = tracking or TrackingOptions()
    t0 = time.perf_counter()
    if prior not in ("validation", "router"):
        raise ConfigError(f"prior must be 'validation' or 'router', got {prior!r}", field="prior")
    # the data first: without a router on this machine resolving one builds it (15–25 min), and
    # a missing column or series too short for the holdout were refused only after that
    panel, entry = load_panel_entry(data, load_kwargs)
    H = panel_horizon(horizon, entry, panel.season_length, panel.horizon)
    if drop_short:
        panel, _ = drop_short_series(panel, H)
    split = holdout_split(panel, H)
    rec_model = resolve_router(router, progress=progress)
    names = list(members or rec_model.base)
    unknown = [m for m in names if m not in rec_model.base]
    if unknown:
        raise ConfigError(
            f"{unknown} are not models of the recommender; choose from {list(rec_model.base)}",
            field="members",
        )
    rec_model.allowed(names)
    if adapt:
        t = time.perf_counter()
        rec_model = adapted_router(
            rec_model, split.history, H, windows=adapt_windows, n_jobs=n_jobs, progress=progress
        )
        seconds_adapt = time.perf_counter() - t

    # members, not kept models by themselves: log_model=False keeps their no-skill notes quiet
    quiet = TrackingOptions(track=False, progress=False, log_model=False)
    fitted, test_fc, val_fc, member_metrics, seconds = {}, {}, {}, {}, {}
    final_forms: dict[str, dict[str, str]] = {}  # the forms the members' served fits chose
    if adapt:
        seconds["adapt"] = seconds_adapt
    # the members, then the routing (with the prior's same-phase window), then the calibration
    # (every member refit on the window(s) before the validation window), then the scoring and
    # logging: the bar stood full at "routing" through the calibration, and once full at the
    # scoring's start it stood full through the scoring and the MLflow logging (10 s of 41 on
    # an 8-series panel); it fills when the work is done
    total = len(names) + 3
    for i, name in enumerate(names):
        if progress:
            progress(f"training {name}", i, total)
        t = time.perf_counter()
        out = train_panel(
            panel,
            name,
            horizon=H,
            seed=seed,
            n_jobs=n_jobs,
            tracking=quiet,
            intervals=False,
            floor_scores=True,
        )
        fitted[name] = out.predictor
        final_forms[name] = out.forms
        test_fc[name] = out.forecasts[name].to_numpy(dtype=np.float64).reshape(len(panel), H)
        # the validation window as its training forecast it, step by step at the times it scores:
        # a forecast of the history before it cut short where that history ends in missing values
        # started that many steps early, and was weighed against the wrong validation steps
        assert out.val_forecasts is not None  # train_panel keeps them
        val_fc[name] = out.val_forecasts
        member_metrics[name] = {k: v for k, v in out.metrics.items() if k.startswith(("test_", "val_"))}
        seconds[f"train_{name}"] = time.perf_counter() - t
    if progress:
        progress("routing", len(names), total)

    cands = list(rec_model.candidates)
    usable = [(c, ms) for c, ms in rec_model.combinations.items() if set(ms) <= set(names)]
    combine(test_fc, usable)
    combine(val_fc, usable)
    # the members' validation forecasts as they are served (a short refit held to its final fit's
    # seasonal form): what the prior weighs and the calibration describes
    served_val = served_validation_forecasts(
        split.history, names, val_fc, H, n_jobs=n_jobs, final=final_forms
    )
    combine(served_val, usable)
    w_val, _, _ = route_panel(rec_model, split.train, H, mode=mode, available=names)
    collection_prior = None
    prior_source = "the router's own scores (no validation)" if prior == "router" else "validation window"
    # what the explanations say favoured a pick pooled towards that prior (None: the router's words)
    prior_label = None if prior == "router" else "this panel's validation-window errors"
    if prior == "validation":
        from dataclasses import replace

        from recommender.per_series import validation_prior
        from recommender.series_kb import case_errors

        def columns(errors: pd.DataFrame) -> np.ndarray:
            # candidates without a forecast (a member left out) get the worst prior: never favoured
            n = len(errors)
            return np.column_stack([errors[c] if c in errors else np.full(n, np.inf) for c in cands])

        t = time.perf_counter()
        phase = _same_phase_errors(panel, H, names, usable, seed=seed, n_jobs=n_jobs)
        if phase is not None:
            # a season longer than the horizon: the validation window is another phase of the
            # cycle than the test window, so the prior also weighs the test window's phase one
            # season earlier (recommender.panel explains why and what it measured)
            seconds["same_phase_window"] = time.perf_counter() - t
            prior_source = f"validation window + same-phase window ({panel.season_length} steps earlier)"
            prior_label = "this panel's validation-window and same-phase-window errors"
        collection_prior = validation_prior(
            columns(case_errors(split.val, served_val, split.train)),
            rec_model.config.clip,
            same_phase=None if phase is None else columns(phase),
        )
        selected = rec_model.meta.get("validation_selection", {}).get("selected")
        rec_model = replace(rec_model, config=rec_model.config.with_selection(selected))
    if rec_model.config.shrink == 0:
        prior_source = unpooled_prior_words(adapt)
    t = time.perf_counter()
    recommendation = recommend_series(
        split.history,
        H,
        router=rec_model,
        available=names,
        prior=collection_prior,
        prior_label=prior_label,
        refuse_untrainable=False,  # the series less their test windows: the holdout has taken them
        history_note="before the test window",  # the lengths the explanations say are of split.history
    )
    seconds["recommend"] = time.perf_counter() - t
    if on_recommendation is not None:
        on_recommendation(recommendation)
    w_test = recommendation.weights.to_numpy()
    pick = np.zeros_like(w_test)
    pick[np.arange(len(w_test)), [cands.index(p) for p in recommendation.per_series["pick"]]] = 1.0
    served = w_test if mode == "weights" else pick

    # the ensemble's own intervals: conformal on its routed forecast — the served weights on every
    # member as served — of the validation window and the window(s) before it (members refit)
    W = routed_calibration_windows(split.history, H, names)
    if progress:
        how = f" on {W} rolling-origin windows (members refit)" if W > 1 else " on the validation window"
        progress(f"calibrating the intervals{how}", len(names) + 1, total)
    t = time.perf_counter()
    calibration = _served_calibration(
        served,
        cands,
        split.history,
        split.val,
        combine_forecasts(served, served_val, cands),
        H,
        W,
        names,
        usable,
        final_forms=final_forms,
        seed=seed,
        n_jobs=n_jobs,
    )
    seconds["calibration"] = time.perf_counter() - t
    # scored as served: the ensemble stops the point of a non-negative series at its
    # calibration's floor (the members, trained without intervals, forecast unfloored: test_fc
    # holds their raw forecasts); each candidate is floored alike, as it would be served on its
    # own (the same data, the same floor)
    raw_routed = combine_forecasts(served, test_fc, cands)
    preds = {
        "routed": raw_routed,
        "routed_pick": combine_forecasts(pick, test_fc, cands),
        "routed_weights": combine_forecasts(w_test, test_fc, cands),
        **{c: test_fc[c] for c in cands if c in test_fc},
    }
    preds = {k: served_points(v, split.history, calibration.floor) for k, v in preds.items()}
    scores = panel_scores(split.test, preds, split.history, panel.season_length)
    summary = summarise(scores)
    routed_val = served_points(combine_forecasts(w_val, val_fc, cands), split.train, calibration.floor)
    val_frame = panel_scores(split.val, {"routed": routed_val}, split.train, panel.season_length)
    val_scores = summarise(val_frame)
    last_step = "scoring" + (" and logging to MLflow" if tracking.track else "")
    if progress:
        progress(last_step, len(names) + 2, total)
    interval_metrics, _ = holdout_interval_metrics(calibration, raw_routed, split.history, split.test)
    single = {c: summary[c]["mase"] for c in cands if c in summary}
    hindsight_best = min(single, key=lambda c: single[c])
    per = scores.pivot(index="unique_id", columns="model", values="mase")
    oracle = float(per[[c for c in single]].min(axis=1).mean())
    metrics: dict[str, float] = {
        **{f"test_{k}": float(v) for k, v in summary["routed"].items()},
        **{f"val_{k}": float(v) for k, v in val_scores["routed"].items()},
        # its skill over Naive2, as every panel model's (tsforge.evaluation.baseline)
        **naive2_skill_scores(scores, "routed", "test"),
        **naive2_skill_scores(val_frame, "routed", "val"),
        "test_mase_pick": summary["routed_pick"]["mase"],
        "test_mase_weights": summary["routed_weights"]["mase"],
        # the name the runs table shows (tsforge.tracking's headline scores); its candidate is the
        # run's hindsight_best_single parameter and is named in its description
        "test_mase_best_single": single[hindsight_best],
        "test_mase_oracle": oracle,
        # every candidate: the members and the combinations of them (not members themselves)
        **{f"candidate_{c}_test_mase": v for c, v in single.items()},
        "expected_gain": float(recommendation.collection["expected_gain"]),
        **{f"test_{k}": float(v) for k, v in interval_metrics.items()},
    }
    seconds["total"] = time.perf_counter() - t0
    metrics["train_seconds"] = seconds["total"]
    predictor = RoutedPredictor(
        rec_model,
        fitted,
        H,
        freq=panel.freq,
        season_length=panel.season_length,
        mode=mode,
        prior=recommendation.prior,
        meta={
            "name": f"routed-{mode}",
            "dataset": panel.name,
            "hindsight_best_single": hindsight_best,
            "adapted": adapt,
        },
        calibration=calibration,
    )
    per_series = scores[scores["model"] == "routed"].drop(columns="model").reset_index(drop=True)
    outcome = RoutedOutcome(
        predictor, metrics, recommendation, per_series, member_metrics, panel, hindsight_best, seconds
    )
    outcome.prior = prior_source
    if tracking.track:
        source = data if isinstance(data, str) else source  # a file's path names the dataset's source
        _track(outcome, split, tracking, mode, names, H, seed=seed, source=source)
    if progress:  # the last step's work is done: the bar is full now, not at its start
        progress(last_step, total, total)
    return outcome


def hindsight_best_words(outcome: RoutedOutcome) -> str:
    """The run's sentence on its two "best single" candidates, each named beside its number: the
    test window's winner (``test_mase_best_single``) and the router's expectation before it
    (``recommendation/collection.json``'s ``best_single``).

    Why: the run said "Best single member in hindsight: auto_ets+auto_theta+dlinear" while its
    ``collection.json`` said ``best_single`` auto_ets, and the registered version listed
    ``test_mase_best_single 0.8734`` without naming any model.
    """
    best = outcome.hindsight_best_single
    said = (
        f"Best single candidate in hindsight (lowest test MASE, chosen on the test window itself): "
        f"{best}, test MASE {outcome.metrics['test_mase_best_single']:.4g} (test_mase_best_single)"
    )
    c = outcome.recommendation.collection
    expected = c.get("best_single")
    if not expected:
        return said + "."
    return (
        f"{said}; the router expected {expected} to be best before it "
        f"(expected MASE {float(c['expected_mase_best_single']):.3g}; best_single in "
        "recommendation/collection.json)."
    )


def unpooled_prior_words(adapted: bool) -> str:
    """What the routed run's ``prior`` is when its router pools nothing towards it (``shrink``
    0, as ``--adapt``'s selection may choose): none, and what routed the series instead.

    Why: the summary and the run's ``prior`` parameter said ``validation window`` beside
    ``shrink 0``, where the prior was computed but took no part in any series' weights."""
    how = "the series' properties and this panel's history" if adapted else "the series' properties"
    return f"none (shrink 0: routed from {how})"


def _same_phase_errors(
    panel: Panel,
    horizon: int,
    members: Sequence[str],
    combinations: Sequence[tuple[str, Sequence[str]]],
    *,
    seed: int,
    n_jobs: int,
) -> pd.DataFrame | None:
    """Every candidate's MASE per series on the test window's phase one season earlier
    (:func:`recommender.panel.same_phase_panel`), members refit on the history before it;
    ``None`` where there is no such window or a member cannot train on that history."""
    from recommender.panel import same_phase_window
    from recommender.series_kb import case_errors

    window = same_phase_window(panel, horizon, members, seed=seed, n_jobs=n_jobs)
    if window is None:
        return None
    history, y, forecasts = window
    combine(forecasts, combinations)
    return case_errors(y, forecasts, history)


def routed_calibration_windows(history: Panel, horizon: int, members: Sequence[str]) -> int:
    """Rolling-origin windows, the validation window included, that calibrate the routed
    ensemble on ``history``: :data:`ROUTED_CALIBRATION_WINDOWS` on a panel of many series, the
    windows a single global model gets on a few
    (:func:`~tsforge.panels.calibrate.global_calibration_windows`), fewer while the earliest
    leaves no series long enough to refit every member on (a global member needs more than
    ``2 h`` values before the cutoff, as a global model's calibration does); at least 1, the
    validation window alone.

    Why the cap: a member that cannot train on a window is forecast there by the last value
    (the knowledge base's fallback), and a calibration of the ensemble with a naive stand-in
    for a member would describe another model."""
    from recommender.series_kb import GLOBAL_CANDIDATES
    from tsforge.panels.calibrate import global_model_trains
    from tsforge.panels.protocol import MIN_TRAIN

    H = int(horizon)
    w = global_calibration_windows(history, H)
    w = ROUTED_CALIBRATION_WINDOWS if w == 1 else w
    refit_global = any(m in GLOBAL_CANDIDATES for m in members)

    def trainable(w: int) -> bool:
        local_fits = bool((history.lengths - H * w >= MIN_TRAIN).any())  # values before the cutoff
        return local_fits and (not refit_global or global_model_trains(history, H, w))

    while w > 1 and not trainable(w):
        w -= 1
    return w


def _served_calibration(
    served: np.ndarray,
    candidates: Sequence[str],
    history: Panel,
    val: np.ndarray,
    routed_val: np.ndarray,
    horizon: int,
    windows: int,
    members: Sequence[str],
    combinations: Sequence[tuple[str, Sequence[str]]],
    *,
    final_forms: Mapping[str, Mapping[str, str]],
    seed: int,
    n_jobs: int,
) -> ConformalCalibration:
    """Conformal calibration of the routed ensemble as it is served, on ``windows`` rolling-origin
    windows ending at the end of ``history``: the validation window (``routed_val``, its members
    as served) and the ``windows - 1`` before it, every member refit on the values before each
    (AutoETS / AutoARIMA held to their served fits' seasonal forms on short refits, global
    members falling back to the last value where a window is too short to train on), each
    series' forecast the combination with its *served* weights (``served``, rows in ``history``'s
    order). A series too short for an earlier window counts in the later ones only; a case
    refit on less than one season of a series whose history sees one is left out, as a local
    model's is (:func:`~tsforge.panels.calibrate.short_refit_cases`, ``served_lengths`` of
    :func:`~tsforge.panels.calibrate.calibrate_forecasts`).

    Why two windows at least and the served weights: ``benchmarks/routed_calibration.py`` scored
    the designs on the window before each development collection's test window (never the test
    window): the validation window alone under-covered where the weights, chosen with that
    window in view, fitted its noise (mean absolute coverage error 5.4 points with the served
    weights, 6.0 with the router's own prior), two windows with the served weights 3.6 (3.7
    routed with the router's prior, as few-series panels were until then); left out in turn,
    every collection's eleven others chose two windows with the served weights. Why more on a
    few series: one window of a handful of series gives a handful of scores, and every level
    above about 50 % would be the most extreme of them
    (:func:`~tsforge.panels.calibrate.global_calibration_windows`)."""
    from recommender.series_kb import GLOBAL_CANDIDATES, _GuardedGlobal
    from tsforge.panels.calibrate import calibration_forms, cv_cases
    from tsforge.panels.cv import cross_validation

    H = int(horizon)
    n = len(history)
    train = history.head_cut(H)
    earlier = int(windows) - 1
    source = "validation window"
    sid = np.empty(0, dtype=np.int64)
    cut = np.empty(0, dtype=np.int64)
    y_earlier = np.empty((0, H))
    pred_earlier = np.empty((0, H))
    fallbacks = 0
    if earlier > 0:  # windows that leave series to refit every member on: routed_calibration_windows
        local = [m for m in members if m not in GLOBAL_CANDIDATES]
        forms = calibration_forms(history, local, H, int(windows), n_jobs=n_jobs, final=dict(final_forms))
        participants: list[Any] = [_GuardedGlobal(m, seed) if m in GLOBAL_CANDIDATES else m for m in members]
        frame = cross_validation(
            train,
            participants,
            H,
            n_windows=earlier,
            n_jobs=n_jobs,
            progress=False,
            forms=forms,
            note_short=False,
        )
        sid, cut = cv_cases(frame, train, H)
        y_earlier = frame["y"].to_numpy(dtype=np.float64).reshape(-1, H)
        fc = {m: frame[m].to_numpy(dtype=np.float64).reshape(-1, H) for m in members}
        combine(fc, combinations)
        pred_earlier = combine_forecasts(served[sid], fc, candidates)
        fallbacks = sum(int(getattr(p, "fallbacks", 0)) for p in participants)
        before = "the one" if earlier == 1 else f"the {earlier}"
        source = f"validation window and {before} before it, members refit"
    # every case's history is a cut of ``history``: the validation window's ends H before its end
    histories = history.take(np.r_[np.arange(n), sid]).head_cut(
        np.r_[np.full(n, H), history.lengths[sid] - cut]
    )
    info: dict[str, Any] = {"model": "routed", "windows": 1 + (earlier if len(sid) else 0), "source": source}
    if fallbacks:  # a global member forecast by the last value on series of a window too short for it
        info["global_member_fallback_series"] = fallbacks
    return calibrate_forecasts(
        histories,
        np.vstack([np.asarray(val, dtype=np.float64), y_earlier]),
        np.vstack([routed_val, pred_earlier]),
        info=info,
        served_lengths=history.lengths[np.r_[np.arange(n), sid]],
    )


def adapted_router(
    router: SeriesRouter,
    history: Panel,
    horizon: int,
    *,
    windows: int = 2,
    n_jobs: int = 1,
    cache: str | Path | bool | None = None,
    progress: Progress | None = None,
) -> SeriesRouter:
    """``router`` retrained on its knowledge base plus rows from ``history`` itself (rolling
    -origin CV of every candidate on ``windows`` windows ending at the end of ``history``;
    ``cache`` as in :func:`recommender.series_kb.collection_cases`)."""
    from recommender.per_series import train_router
    from recommender.series_kb import SeriesKBSettings, collection_cases
    from recommender.series_recommendation import KB_ROWS_FILE

    rows_file = router.path / KB_ROWS_FILE if router.path is not None else None
    if rows_file is None or not rows_file.exists():
        raise ConfigError(
            "adapting needs the knowledge-base rows the recommender was trained on (kb_rows.parquet next to "
            "it); rebuild it with `tsforge recommender build --per-series`",
            field="adapt",
        )
    settings = SeriesKBSettings(
        n_windows=max(1, int(windows) - 1), base=router.base, combinations=tuple(router.combinations.items())
    )
    own = collection_cases(history, settings, horizon=horizon, n_jobs=n_jobs, cache=cache, progress=progress)
    own_rows = own.all_rows().assign(collection=f"{history.name} (own history)")
    config = router.config.with_selection(router.meta.get("adapt_selection", {}).get("selected"))
    rows = pd.concat([pd.read_parquet(rows_file), own_rows], ignore_index=True)
    adapted = train_router(rows, router.candidates, router.combinations, config)
    adapted.meta.update({"adapted_on": history.name, "own_rows": int(len(own_rows)), "base": router.meta})
    return adapted


def pick_bars(
    distribution: Mapping[str, float], clear: Mapping[str, float] | None = None
) -> list[tuple[str, float, float, str]]:
    """``(candidate, share, clear share, label)`` per pick, largest share first: the label as
    the CLI's table says it, ``100% (0% clear)`` where some of its series are near-even blends
    (:func:`recommender.per_series.clear_picks`), ``35%`` where every one is a clear pick.

    Why: the run's chart said "lightgbm 100%" where the CLI's table said "100% (0% clear)",
    the same coin toss presented as a decision in the artifact alone."""
    shown = clear or {}
    out = []
    for cand, share in sorted(distribution.items(), key=lambda kv: -kv[1]):
        firm = float(shown.get(cand, share))
        label = f"{share:.0%}" + (f" ({firm:.0%} clear)" if firm < share else "")
        out.append((cand, float(share), firm, label))
    return out


def _pick_plot(
    distribution: Mapping[str, float], path: Path, title: str, clear: Mapping[str, float] | None = None
) -> Path:
    """Per pick, the share of series it has the top weight for (light) and the share where it
    is a clear pick (dark, ``clear``: the collection's ``clear_pick_share``), labelled as the
    CLI's table labels them (:func:`pick_bars`).

    The legend stands under the axes and the share axis is ticked to 100 % only: inside the
    axes the legend covered the 100 % bar (its light swatch lost in it), and the room the bar
    labels need right of 100 % was ticked as shares up to 120 %."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    items = pick_bars(distribution, clear)[::-1]
    names = [k for k, *_ in items]
    blended = any(c < v for _, v, c, _ in items)  # else the two bars are one: no legend needed
    fig, ax = plt.subplots(figsize=(7, 0.45 * len(items) + 1.6 + 0.3 * blended), layout="constrained")
    top = ax.barh(names, [100 * v for _, v, _, _ in items], color="lightsteelblue", label="top weight")
    ax.barh(
        names, [100 * c for _, _, c, _ in items], color="tab:blue", label="clear pick (≥ 2× the next weight)"
    )
    ax.bar_label(top, labels=[lab for *_, lab in items], padding=3, fontsize=8)  # not read off a scale
    ax.set_xlim(0, 135)  # room for the label of a 100 % bar ...
    ax.set_xticks(range(0, 101, 25))  # ... which is not a share: no tick there
    ax.spines[["top", "right"]].set_visible(False)
    ax.spines["bottom"].set_bounds(0, 100)
    ax.set_xlabel("share of series (%)")
    if blended:
        fig.legend(loc="outside lower center", ncols=2, fontsize=7, frameon=False)
    ax.set_title(title, fontsize=10)
    fig.savefig(path, dpi=90)
    plt.close(fig)
    return path


def _example(history: Panel, n_series: int = 2, max_len: int = 48) -> pd.DataFrame:
    """A small complete long history frame (the pyfunc's input example)."""
    frames = []
    for i in range(min(n_series, len(history))):
        values = history.series(i)[-max_len:]
        frame: dict[str, Any] = {"unique_id": str(history.ids[i]), "y": values.astype(float)}
        if history.is_datetime:
            length = int(history.lengths[i])
            steps = np.arange(length - values.size, length)
            frame["ds"] = pd.DatetimeIndex(history.times_at(np.full(values.size, i), steps))
        frames.append(pd.DataFrame(frame))
    out = pd.concat(frames, ignore_index=True)
    out = out[["unique_id", "ds", "y"]] if "ds" in out else out[["unique_id", "y"]]
    return out.fillna({"y": float(out["y"].mean())})


def _track(
    outcome: RoutedOutcome,
    split: Any,
    tracking: TrackingOptions,
    mode: str,
    members: list[str],
    H: int,
    *,
    seed: int,
    source: str | None,
) -> None:
    from tsforge.data.protocol import HOLDOUT
    from tsforge.pipeline.panel import log_panel_dataset
    from tsforge.tracking.plots import plot_series_forecasts
    from tsforge.tracking.runs import tracked_run
    from tsforge.tracking.trained_model import log_trained_model

    panel, rec = outcome.panel, outcome.recommendation
    name = tracking.registered_name or default_registry_name(panel.name, "routed")
    dist = rec.collection["pick_distribution"]
    with tracked_run(
        experiment=tracking.experiment or panel.name,
        run_name=tracking.run_name or f"routed-{mode}-H{H}-holdout",
        nested=tracking.nested,
        tags={
            "tsforge.model": "routed",
            "tsforge.dataset": panel.name,
            "tsforge.data_kind": "panel",
            "tsforge.protocol": HOLDOUT,
            "tsforge.horizon": H,
            "tsforge.model_kind": "routed",
            **dict(tracking.tags),
        },
        description=(
            f"Per-series routed ensemble ({mode}) of {', '.join(members)} on the panel {panel.name} "
            f"({len(panel)} series), holdout of the last {H} values. Picks: "
            + ", ".join(f"{k} {v:.0%}" for k, v in dist.items())
            + f". {hindsight_best_words(outcome)}"
        ),
    ) as run:
        run.log_params(
            {
                "model": "routed",
                "mode": mode,
                "members": ",".join(members),
                "candidates": ",".join(outcome.predictor.router.candidates),
                "temperature": outcome.predictor.router.config.temperature,
                "top_k": outcome.predictor.router.config.top_k,
                # what the recommendation the run logs was made with (its expected MASE is scaled)
                "shrink": rec.router.get("shrink"),
                "expected_scale": rec.router.get("expected_scale"),
                "router_trained_on": ",".join(rec.router.get("trained_on", [])),
                "dataset": panel.name,
                "protocol": HOLDOUT,
                "horizon": H,
                "n_series": len(panel),
                "freq": panel.freq,
                "season_length": panel.season_length,
                "prior": outcome.prior,
                # the two "best single" a reader meets: the router's expectation before the test
                # window (recommendation/collection.json) and the test window's winner
                "expected_best_single": rec.collection.get("best_single", ""),
                "hindsight_best_single": outcome.hindsight_best_single,
                "seed": seed,
                "baseline": NAIVE2,  # what val_skill / test_skill are read against
            }
        )
        digest = log_panel_dataset(run, panel, source)  # the runs table's Dataset column
        run.log_dict(rec.collection, "recommendation/collection.json")
        run.log_dict(
            [
                {"unique_id": r["unique_id"], **explanation_json(e)}
                for r, e in zip(rec.per_series.to_dict("records"), rec.explanations, strict=True)
            ],
            "recommendation/explanations.json",
        )
        members_table = pd.DataFrame([{"model": m, **v} for m, v in outcome.member_metrics.items()])
        clear = rec.collection.get("clear_pick_share", {})
        pick_table = pd.DataFrame(
            {
                "candidate": list(dist),
                "share": list(dist.values()),
                "clear_share": [clear.get(c, s) for c, s in dist.items()],  # as the CLI's table
            }
        )

        def make_plots(folder: Path) -> list[Path]:
            idx = np.linspace(0, len(split.history) - 1, num=min(4, len(split.history))).astype(int)
            shaded = {"level": list(LOG_LEVELS)} if outcome.predictor.calibration is not None else {}
            # the plotted series only (their inputs were built for the whole panel to draw four)
            shown = split.history.take(idx)
            # a picture, not a forecast asked for: a history that ends in missing values is drawn
            # from the step of its test window the forecast reaches (at_steps_sent), unsaid
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", TrimmedHistoryWarning)
                served = outcome.predictor.predict_series(_inputs(shown), H, **shaded)
            # a weighted forecast is a blend: the label names the member with the largest weight
            how = "pick" if mode == "pick" else "largest weight"
            # Naive2 beside the forecast, as every panel model's plot draws it
            naive2 = naive2_forecast(shown.values.astype(np.float64), shown.indptr, shown.season_length, H)
            items = []
            for k, i in enumerate(idx):
                length = int(split.history.lengths[i])
                show = min(length, 3 * H)
                bounds = served[k].bounds
                items.append(
                    {
                        "id": f"{split.history.ids[i]} ({how}: {rec.per_series['pick'].iloc[i]})",
                        "history_t": split.history.times_at(
                            np.full(show, i), np.arange(length - show, length)
                        ),
                        "history": split.history.series(i)[-show:],
                        "future_t": split.history.times_at(np.full(H, i), length + np.arange(H)),
                        "actual": split.test[i],
                        "forecast": at_steps_sent(served[k].values, served[k].trimmed, H),
                        "baseline": naive2[k],
                        "baseline_label": "Naive2",
                        "bands": {
                            lv: (
                                at_steps_sent(bounds[f"lo-{lv:g}"], served[k].trimmed, H),
                                at_steps_sent(bounds[f"hi-{lv:g}"], served[k].trimmed, H),
                            )
                            for lv in shaded.get("level", [])
                        },
                    }
                )
            title = f"routed ({mode}) on {panel.name}: test window of a few series (original units)"
            return [
                _pick_plot(
                    dist,
                    folder / "pick_distribution.png",
                    f"Per-series picks on {panel.name} ({len(panel)} series, routed {mode})",
                    clear=rec.collection.get("clear_pick_share"),
                ),
                plot_series_forecasts(items, folder / "forecast_vs_actual.png", title=title),
            ]

        registering = tracking.register and tracking.log_model
        if registering:  # in the bundle: its notes name it as registered, the MLflow pyfunc's too
            outcome.predictor.meta["registered_name"] = name
        logged = log_trained_model(
            run,
            predictor=outcome.predictor,
            write_bundle=outcome.predictor.save,
            input_example=_example(split.history),
            metrics=outcome.metrics,
            tables={
                "metrics/per_series.csv": outcome.per_series,
                "recommendation/per_series.csv": rec.per_series,
                "recommendation/pick_distribution.csv": pick_table,
                "metrics/members.csv": members_table,
            },
            make_plots=make_plots,
            log_model=tracking.log_model,
            registered_name=name if registering else None,
            champion_metric="val_mase",
            dataset=panel.name,
            protocol=HOLDOUT,
            data_digest=digest,
            summary=f"routed ensemble ({mode}) of {', '.join(members)} on the panel {panel.name}",
            note=hindsight_best_words(outcome),  # test_mase_best_single alone named no model
        )
        outcome.run_id = run.run_id
        outcome.model_uri = logged.model_uri
        outcome.registered_name, outcome.version = logged.registered_name, logged.version
        if logged.registered_name:  # as loading it from the registry would leave it
            outcome.predictor.meta.update(
                {"registered_name": logged.registered_name, "version": logged.version}
            )
        outcome.promotion = logged.promotion_reason
