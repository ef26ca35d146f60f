"""Calibrating a model's conformal intervals on windows it did not see, and scoring them.

Which windows to forecast (:func:`calibration_windows`, :func:`global_calibration_windows`), the
(series, cutoff) cases of a cross-validation frame and their scaled scores (:func:`case_scores`),
and the entry points that turn forecasts into a
:class:`~tsforge.panels.conformal.ConformalCalibration`: a panel's local models
(:func:`calibration_cv`, :func:`calibrate_panel`), one window of any predictor's forecasts
(:func:`calibrate_forecasts`), a cross-validation frame window by window (:func:`conformal_cv`)
and a window model on its validation windows (:func:`calibrate_task`); then the interval metrics
every training run logs (:func:`holdout_interval_metrics`, :func:`task_interval_metrics`).
Why a module of its own: these run models and read panels and tasks, while the calibration
object only stores scores and reads quantiles off them (it is what a served model loads). Why
these windows, weights and floors: the module doc of :mod:`tsforge.panels.conformal`.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
import torch

from tsforge.data.panel import Panel
from tsforge.errors import (
    ConfigError,
    DataValidationError,
    IntervalResolutionWarning,
    ShortCalibrationWarning,
    SimplerValidationFitWarning,
)
from tsforge.inference import IntervalRequest
from tsforge.models.local_forms import FORM_SEASONS, form_words, keeps_form
from tsforge.panels.conformal import ConformalCalibration, floor_quantiles, nonnegative_floor
from tsforge.panels.cv import PanelForecaster, cross_validation
from tsforge.panels.local import LOCAL_MODELS, Forms, selected_forms
from tsforge.panels.local_scale import (
    PANEL_SCALE_WINDOW,
    SCALE_FLOOR,
    ScaleFallbacks,
    default_scale_window,
    flat_history_ratio,
    scale_fallbacks,
    season_change_ratio,
    trailing_scale,
    typical_scale,
    zero_histories,
)
from tsforge.panels.protocol import MIN_SCORED_TRAIN, too_short_refusal

__all__ = [
    "MIN_SCORES",
    "MAX_WINDOWS",
    "MIN_RESOLVED",
    "MIN_SCALE_VALUES",
    "REFIT_SEASONS",
    "short_refit_cases",
    "leave_out_short_refits",
    "calibration_windows",
    "refuse_uncalibrated",
    "global_calibration_windows",
    "global_model_trains",
    "cv_cases",
    "case_zero_histories",
    "calibration_cv",
    "calibration_forms",
    "served_validation_forecasts",
    "calibrate_panel",
    "warn_short_calibration",
    "calibrate_task",
    "conformal_cv",
    "calibrate_forecasts",
    "LOG_LEVELS",
    "holdout_interval_metrics",
    "served_points",
    "served_cv_points",
    "task_interval_metrics",
]

MIN_SCORES = 300
MAX_WINDOWS = 5
#: scores a 95 % interval needs to exist (conformal rank inside the scores); a panel too small
#: for ``MIN_SCORES`` in ``MAX_WINDOWS`` windows calibrates on more windows until it has these
MIN_RESOLVED = 39
#: values before a calibration case's origin for its score to count: one change to measure the
#: local scale by (see :func:`case_scores`)
MIN_SCALE_VALUES = 2
#: seasons a calibration case's refit must see when the served fit of its series sees them: on
#: fewer no model sees the season at all (see :func:`short_refit_cases`)
REFIT_SEASONS = 1
#: pooled panel scores weigh series equally (see ``ConformalCalibration.from_scores``)
WEIGHT_SERIES_EQUALLY = True
#: local models that choose their form from the history they are fitted on (whether to model a
#: season among them), or fall back to one that does (``mstl`` → ``auto_ets``); the others
#: (naive, seasonal naive, drift, Croston …) are the same model on any history length
SEASON_SELECTING = frozenset({"auto_ets", "auto_arima", "auto_theta", "auto_ces", "mstl"})


# -- panels -----------------------------------------------------------------------------------
def calibration_windows(panel: Panel, h: int, min_scores: int = MIN_SCORES) -> int:
    """Rolling-origin windows for calibration: the fewest most recent windows that give at
    least ``min_scores`` scores per step (counting only series long enough for each window),
    at most ``MAX_WINDOWS``; a panel that has fewer than ``MIN_RESOLVED`` scores by then gets
    more windows until it has them, at most ``MIN_RESOLVED`` (see the module doc of
    :mod:`tsforge.panels.conformal`)."""
    h = int(h)
    total = 0
    for w in range(1, max(MAX_WINDOWS, MIN_RESOLVED) + 1):
        eligible = int((panel.lengths - h * w >= 1).sum())  # series with a value before window w
        if eligible == 0:
            return max(1, w - 1)
        total += eligible
        if total >= min_scores or (w >= MAX_WINDOWS and total >= MIN_RESOLVED):
            return w
    return max(MAX_WINDOWS, MIN_RESOLVED)


def refuse_uncalibrated(history: Panel, h: int) -> None:
    """Refuse, before any fit, a ``history`` (the values before the test window) on which no
    calibration window of ``h`` steps can be scored: none of its series keeps
    :data:`~tsforge.panels.protocol.MIN_SCORED_TRAIN` values before its last window (the
    validation window, which every model's calibration ends with). The refusal names the
    longest series, its length and the length calibration needs, with what can work.

    Why: a conformal score is a window's error over the series' in-sample scale, the change
    between the values before the window, so one value before it scores nothing. The holdout
    protocol itself takes one training value, so ``tsforge train -H 1`` of a series of 3 values
    fitted every model and then stopped with "no calibration residuals". Where another series
    is long enough, the short one reads the pooled scores and is not refused.
    """
    h = int(h)
    need = MIN_SCORED_TRAIN + h  # history values a scored calibration window needs
    if not len(history) or bool((history.lengths >= need).any()):
        return
    longest = int(np.argmax(history.lengths))
    sid, n = str(history.ids[longest]), int(history.lengths[longest]) + h  # the whole series
    said = (
        f"no series is long enough to calibrate intervals at horizon {h}: the longest, {sid!r}, has "
        f"{n} values, and calibration needs {need + h} ({MIN_SCORED_TRAIN} values to scale a window's "
        f"errors by, a calibration window of {h} and the test window of {h})"
    )
    fits = (n - MIN_SCORED_TRAIN) // 2  # the longest horizon that leaves a scored calibration window
    shorter, cli_shorter = (
        (f"ask for a horizon of at most {fits}", f"pass --horizon {fits} or less") if fits >= 1 else ("", "")
    )
    native, cli_native = "train without conformal intervals (intervals=False)", "--interval-method native"
    fix = f"{shorter} or {native}" if shorter else f"give longer series or {native}"
    cli_fix = (
        f"{cli_shorter}, or {cli_native}" if cli_shorter else f"give longer series, or pass {cli_native}"
    )
    raise too_short_refusal(f"{said}; {fix}", f"{said}; {cli_fix}", field="horizon", series=sid)


def global_calibration_windows(panel: Panel, h: int, windows: int | None = None) -> int:
    """Calibration windows of a model refit per window (a global model; the routed ensemble
    starts from these, :func:`recommender.routed_training.routed_calibration_windows`):
    1 — the validation window, no refit — on ``MIN_RESOLVED`` or more series, where that window
    alone resolves a 95 % interval; on fewer, ``windows`` (default :func:`calibration_windows`),
    fewer where the earliest windows leave no series long enough to train a global model on
    (it needs more than ``2 h`` values before the cutoff: ``h`` to validate, at least one window
    to fit); at least 1."""
    if len(panel) >= MIN_RESOLVED:
        return 1
    w = int(windows or calibration_windows(panel, h))
    while w > 1 and not global_model_trains(panel, h, w):
        w -= 1
    return w


def global_model_trains(panel: Panel, h: int, windows: int) -> bool:
    """Whether a global model can be refit before the earliest of ``windows`` rolling-origin
    windows of ``h`` steps: some series keeps more than ``2 h`` values before that cutoff (``h``
    to validate, at least one window to fit)."""
    return bool((panel.lengths - int(h) * int(windows) > 2 * int(h)).any())


def _model_name(model: str | PanelForecaster) -> str:
    return model if isinstance(model, str) else model.name


def cv_cases(frame: pd.DataFrame, panel: Panel, h: int) -> tuple[np.ndarray, np.ndarray]:
    """(series position, history length) of every (series, cutoff) case of a CV frame, in row order."""
    if len(frame) % h:
        raise ConfigError("every (series, cutoff) of the frame must have h rows", field="horizon")
    first = frame.iloc[::h]
    sid = pd.Index(panel.ids).get_indexer(first["unique_id"])
    if (sid < 0).any():
        raise DataValidationError(
            f"unknown series {first['unique_id'].iloc[int(np.flatnonzero(sid < 0)[0])]!r} in the frame",
            field="unique_id",
        )
    cut = panel.steps_at(sid, first["cutoff"].to_numpy()) + 1
    return sid, cut


def case_scores(
    frame: pd.DataFrame,
    panel: Panel,
    model: str,
    h: int,
    scale_window: int | None = None,
    scale_floor: float = SCALE_FLOOR,
    zero_scale: float | None = None,
    flat_ratio: float | None = None,
    season_ratio: float | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(scores [cases, h], scales [cases], series position [cases])`` of one model in a CV frame.

    A case forecast from fewer than :data:`MIN_SCALE_VALUES` values gets NaN scores (no
    calibration case; its row stays, so rows still match the frame): its local scale has no
    change to be measured by and falls back to the level itself. On M1 yearly at horizon 12, one
    series' earliest window — a single value of 5 before values of 8,536 … 269,540 — scored
    53,907, and the pooled 95 % bound of every series became 8,000 times its MAE.

    ``zero_scale`` (default: :func:`~tsforge.panels.local_scale.typical_scale` of ``panel``)
    scales a history of zeros, ``flat_ratio`` (default:
    :func:`~tsforge.panels.local_scale.flat_history_ratio` of ``panel``) a flat nonzero one,
    ``season_ratio`` (default: :func:`~tsforge.panels.local_scale.season_change_ratio` of
    ``panel``) one shorter than a season; pass ones taken from values before the cutoffs when
    ``panel`` holds the windows' outcomes. Which
    cases had a history of zeros (to keep apart from the pooled scores): :func:`case_zero_histories`.
    """
    sid, cut = cv_cases(frame, panel, h)
    window = scale_window or PANEL_SCALE_WINDOW
    starts = panel.indptr[:-1][sid]
    if flat_ratio is None:
        flat_ratio = flat_history_ratio(panel.values, panel.indptr)
    if season_ratio is None:
        season_ratio = season_change_ratio(panel.values, panel.indptr, panel.season_length)
    if zero_scale is None:
        zero_scale = typical_scale(
            panel.values, panel.indptr, panel.season_length, window, flat_ratio, season_ratio
        )
    scale = trailing_scale(
        panel.values,
        starts,
        starts + cut,
        panel.season_length,
        window,
        scale_floor,
        zero_scale,
        flat_ratio,
        season_ratio,
    )
    y = frame["y"].to_numpy(dtype=np.float64).reshape(-1, h)
    pred = frame[model].to_numpy(dtype=np.float64).reshape(-1, h)
    scores = (y - pred) / scale[:, None]
    scores[cut < MIN_SCALE_VALUES] = np.nan
    return leave_out_short_refits(scores, cut, panel.lengths[sid], panel.season_length), scale, sid


def leave_out_short_refits(
    scores: np.ndarray, cut: np.ndarray, lengths: np.ndarray, season_length: int
) -> np.ndarray:
    """``scores`` (``[cases, h]``, changed in place and returned) with the rows of the
    :func:`short_refit_cases` set to NaN — all of them where the other scored cases number at
    least ``MIN_RESOLVED`` (what a 95 % interval needs); otherwise the longest of them stay until
    they do, with every case as long as the last one kept (no series preferred at a tie).
    ``cut``: each case's values before its window; ``lengths``: its series' served history."""
    scored = np.isfinite(scores).any(axis=1)
    short = short_refit_cases(cut, lengths, season_length) & scored
    if short.any():
        missing = MIN_RESOLVED - int((scored & ~short).sum())
        longest = np.sort(np.asarray(cut)[short])[::-1]
        keep_from = longest[min(missing, longest.size) - 1] if missing > 0 else np.inf
        scores[short & (np.asarray(cut) < keep_from)] = np.nan
    return scores


def short_refit_cases(cut: np.ndarray, lengths: np.ndarray, season_length: int) -> np.ndarray:
    """``[cases]`` whether a calibration case's refit saw fewer than :data:`REFIT_SEASONS`
    seasons (``cut`` values) while its series' history (``lengths``: what the served model is
    fitted on) sees that many: the cases :func:`leave_out_short_refits` leaves out.

    Why: a refit on less than one season cannot see the season at all (seasonal naive has no
    value a season back, AutoETS and AutoTheta fit no seasonal form), so it forecasts a
    seasonal series as if it had none, and its errors are the season the served model
    forecasts. On 20 monthly series of 40–80 values (a trend, a season of amplitude 10, noise of
    sd 3; horizon 12, five windows) the 20 cases refitted on fewer than 12 values scored 2.42
    local scales on average, the 20 on 12–23 values 1.45 and the 34 on 24 or more 0.51; pooled,
    the shortest set every series' band: AutoETS's 80 / 95 % bands covered 97.5 / 100 % of the
    test window (seasonal naive 98.3 / 100 %, AutoTheta 99.6 / 100 %), and 87.9 / 100 % without
    them (seasonal naive 88.3 / 99.6 %, AutoTheta 91.7 / 100 %).

    Why one season and not two (a seasonal ETS needs about two): chosen by the rolling-origin
    windows before each development collection's test window (``benchmarks/coverage_spread.py``,
    46 windows), the shipped design's coverage error averaged over them was 4.53 points keeping
    every case, 4.37 leaving out refits on under one season and 4.58 under two; left out in turn,
    every collection's eleven others chose one season in 11 of 12 folds. Two seasons left NN5
    weekly (a season of 52 weeks, 105 values) one window to calibrate on, and its test coverage
    fell from 79.5 to 66.9 % at 80 %. Non-seasonal data (season length 1) is unaffected; a series
    whose whole history is shorter than a season keeps every case (its served model sees no
    season either).
    """
    m = int(season_length)
    if m <= 1:
        return np.zeros(np.shape(cut), dtype=bool)
    need = REFIT_SEASONS * m
    return (np.asarray(cut) < need) & (np.asarray(lengths) >= need)


def case_zero_histories(frame: pd.DataFrame, panel: Panel, h: int) -> np.ndarray:
    """``[cases]`` whether each (series, cutoff) case of a CV frame was forecast from a history of
    nothing but zeros (its scale the zero-history one): the cases a calibration keeps out of its
    pooled scores (``zero_history`` of :meth:`ConformalCalibration.from_scores`; why: the module
    doc of :mod:`tsforge.panels.conformal`)."""
    sid, cut = cv_cases(frame, panel, h)
    starts = panel.indptr[:-1][sid]
    return zero_histories(panel.values, starts, starts + cut)


def calibrate_forecasts(
    histories: Panel,
    y: np.ndarray,
    pred: np.ndarray,
    *,
    info: Mapping[str, Any] | None = None,
    served_lengths: np.ndarray | None = None,
) -> ConformalCalibration:
    """Calibrate from one window of out-of-sample forecasts of any predictor: ``pred`` (``[n, h]``)
    made from ``histories`` (one series each, ending at the forecast origin), ``y`` the outcomes.

    The general entry point ("wrap any predictor"): e.g. a global model's forecasts of the
    validation window it was early-stopped on but never fitted to. ``served_lengths`` (``[n]``,
    optional): the length of the history each case's series is served from, where the cases are
    refits on shorter cuts of it (the routed ensemble's earlier windows): the cases that saw less
    than one of its seasons are then left out as a local model's are
    (:func:`leave_out_short_refits`).
    """
    y = np.asarray(y, dtype=np.float64)
    window = PANEL_SCALE_WINDOW
    fallbacks = scale_fallbacks(histories.values, histories.indptr, histories.season_length, window)
    scale = trailing_scale(
        histories.values,
        histories.indptr[:-1],
        histories.indptr[1:],
        histories.season_length,
        window,
        SCALE_FLOOR,
        **fallbacks._asdict(),
    )
    scores = (y - np.asarray(pred, dtype=np.float64)) / scale[:, None]
    if served_lengths is not None:
        cut = np.diff(histories.indptr)
        leave_out_short_refits(scores, cut, np.asarray(served_lengths), histories.season_length)
    return ConformalCalibration.from_scores(
        scores,
        histories.ids,
        season_length=histories.season_length,
        scale_window=window,
        info={"windows": 1, **dict(info or {})},
        weight_series_equally=WEIGHT_SERIES_EQUALLY,
        floor=nonnegative_floor(np.r_[histories.values, y.ravel()]),
        scale_floor=SCALE_FLOOR,
        **fallbacks._asdict(),
        zero_history=zero_histories(histories.values, histories.indptr[:-1], histories.indptr[1:]),
    )


def _keeps_form(model: str | PanelForecaster, m: int) -> bool:
    """Whether ``model``'s short calibration refits keep the final fit's seasonal form (a model
    given with options is an object, whose refits choose: see :mod:`tsforge.models.local_forms`)."""
    return isinstance(model, str) and keeps_form(model, m)


def calibration_forms(
    history: Panel,
    models: Sequence[str | PanelForecaster],
    h: int,
    n_windows: int,
    *,
    n_jobs: int = 1,
    final: Forms | None = None,
) -> Forms:
    """Per model that keeps forms (``KEEPS_FORM``), the seasonal form its final fit chooses
    on each series of ``history`` whose calibration refits see fewer than
    :data:`FORM_SEASONS` seasons while the history sees that many (the only series
    whose forms are used, see :func:`~tsforge.models.statistical.forecast_series`).

    Why: a calibration must describe the model that is served. On a short panel the refits
    before the calibration windows saw too little to choose a season that the final fit chose
    (:mod:`tsforge.models.local_forms`: an 80 % band covering 29 % of the test window); held to
    the final fit's form, they calibrate that model. The form is chosen on the
    whole training history, as the final model's is — the one thing the refits take from after
    their windows; their parameters are fitted on the values before each window only.

    ``final`` (model → series id → form: ``attrs["forms"]`` of
    :func:`~tsforge.panels.local.forecast_local` on ``history``, the final fits themselves) gives
    the forms of those fits; a model it names is not fitted again. Why: that second fit of every
    short series was 31 % of ``tsforge train``'s CPU time for AutoETS on 200 monthly series of
    48 values (horizon 12), 7 % on M1 monthly.
    """
    m = int(history.season_length)
    keeping = [_model_name(x) for x in models if _keeps_form(x, m)]
    if not keeping:
        return {}
    need = FORM_SEASONS * m
    lengths = history.lengths
    # a series with a refit of fewer than ``need`` values (its earliest refit sees at least
    # ``lengths - h * n_windows``; a few more found than needed only cost their fits)
    which = np.flatnonzero((lengths >= need) & (lengths - int(h) * int(n_windows) < need))
    if which.size == 0:
        return {}
    short = history.take(which)
    known = final or {}
    ids = [str(sid) for sid in short.ids]
    return {
        name: (
            {sid: known[name][sid] for sid in ids if sid in known[name]}
            if name in known
            else selected_forms(short, name, n_jobs=n_jobs)
        )
        for name in keeping
    }


def served_validation_forecasts(
    history: Panel,
    names: Sequence[str],
    val_fc: Mapping[str, np.ndarray],
    h: int,
    *,
    n_jobs: int = 1,
    final: Forms | None = None,
) -> dict[str, np.ndarray]:
    """Forecasts of the validation window (the last ``h`` values of ``history``) by the models
    ``names`` as they are served, for what ranks or weighs them on that window (the routed
    ensemble's prior and calibration, :func:`recommender.panel.recommend_panel`): ``val_fc``'s,
    except where a member keeps forms (:func:`~tsforge.panels.calibrate.calibration_forms`:
    ``auto_ets``, ``auto_arima``) and its fit before the window saw fewer than three seasons:
    that refit is held to the seasonal form its fit on the whole ``history``, the one served,
    chooses (its parameters still fitted on the values before the window).

    Why: on 20 monthly series of 48 values (horizon 12), AutoETS fitted on the 24 values before
    the validation window chose no season while the served fit on 36 chose one. Scored by that
    refit (validation MASE 1.48 against LightGBM's 0.42), the prior routed every series to
    LightGBM although the served AutoETS was the best member on the test window (MASE 0.327
    against the ensemble's 0.490); and the routed forecast's validation errors carried the
    season, so its bands, calibrated on them, lay above its test forecast (49 / 57 % covered at
    80 / 95 %). Held to the served form, AutoETS scores 0.35 there. The form is the one thing
    taken from the window's own values. A trained model's ``val_*`` scores keep the plain refit
    (:func:`warn_simpler_validation_fit` says when it is simpler than the model served).
    ``final``: the forms the served fits on ``history`` chose (``PanelOutcome.forms`` by model),
    read instead of fitting them again, as :func:`calibration_forms` reads them.
    """
    out = {name: np.array(val_fc[name], dtype=np.float64, copy=True) for name in names}
    local = [name for name in names if name in LOCAL_MODELS]
    for name, forms in calibration_forms(history, local, h, 1, n_jobs=n_jobs, final=final).items():
        if not forms:
            continue
        frame = cross_validation(
            history,
            [name],
            h,
            n_windows=1,
            n_jobs=n_jobs,
            progress=False,
            forms={name: forms},
            note_short=False,
        )
        rows = {str(sid): i for i, sid in enumerate(history.ids)}
        for sid, group in frame.groupby("unique_id", sort=False):
            if str(sid) in forms:
                out[name][rows[str(sid)]] = group[name].to_numpy(dtype=np.float64)
    return out


#: the progress bar's label while intervals are calibrated: ``tsforge train`` of a local model showed
#: "cross-validation: 200/200 window", a step the user had not asked for
CALIBRATION_DESC = "calibrating intervals"


def calibration_cv(
    history: Panel,
    models: Sequence[str | PanelForecaster],
    h: int,
    n_windows: int | None = None,
    *,
    n_jobs: int = 1,
    progress: bool = False,
    final: Forms | None = None,
) -> pd.DataFrame:
    """Rolling-origin forecasts of the calibration windows of ``history`` (all before its end);
    ``auto_ets``'s and ``auto_arima``'s short refits keep the seasonal form of each series' final fit
    (:func:`calibration_forms`, ``final`` there; ``frame.attrs["kept_forms"]``: how many series had one)."""
    W = int(n_windows or calibration_windows(history, h))
    forms = calibration_forms(history, models, h, W, n_jobs=n_jobs, final=final)
    frame = cross_validation(
        history,
        models,
        h,
        n_windows=W,
        n_jobs=n_jobs,
        progress=progress,
        forms=forms,
        desc=CALIBRATION_DESC,
        note_short=False,
    )
    # how many series had a form to keep: their refits are not the plain model's (a caller that
    # reads the frame's last window as validation forecasts refits it instead)
    frame.attrs["kept_forms"] = max((len(f) for f in forms.values()), default=0)
    frame.attrs["forms"] = {name: dict(f) for name, f in forms.items()}  # by model, then series id
    return frame


def warn_simpler_validation_fit(
    train: Panel,
    model: str,
    final: Mapping[str, str],
    *,
    n_jobs: int = 1,
    chosen: Mapping[str, str] | None = None,
) -> int:
    """Say (:class:`~tsforge.errors.SimplerValidationFitWarning`) on how many of the series with
    a seasonal final form ``final`` (series id → form, as :func:`calibration_forms` found it) the
    fit on ``train`` — the values before the validation window — chose no seasonal form;
    returns that count.

    Why: those series' validation scores are of a non-seasonal model while the registered one
    is seasonal (AutoETS on 24 monthly values: validation MASE 2.33 against a test MASE of 0.56
    for the ETS(A,A,A) fitted on 36), and the table gives no hint that the two scores are of
    different models. One more fit per such series, on short series only (where forms are kept),
    unless ``chosen`` gives the seasonal forms the validation fits on ``train`` chose
    (``attrs["forms"][model]`` of :func:`~tsforge.panels.local.forecast_local` on ``train``).
    """
    if not final:
        return 0
    ids = [str(sid) for sid in train.ids]
    which = [i for i, sid in enumerate(ids) if sid in final]
    if not which:
        return 0
    if chosen is None:
        chosen = selected_forms(train.take(np.asarray(which)), model, n_jobs=n_jobs)
    simpler = [ids[i] for i in which if ids[i] not in chosen]
    if simpler:
        example = simpler[0]
        lengths = train.lengths[np.asarray([i for i in which if ids[i] in set(simpler)])]
        m = int(train.season_length)
        warnings.warn(
            f"{model}: on {len(simpler)} of {len(train)} series its fit before the validation window "
            f"({_span(lengths)} values, season length {m}) chose no seasonal form, where its final fit "
            f"on the whole training history chose one (e.g. {example!r}: {form_words(model, final[example])}): the "
            "validation scores are of that simpler model, the test scores of the model registered",
            SimplerValidationFitWarning,
            stacklevel=2,
        )
    return len(simpler)


def _short_calibration(
    frame: pd.DataFrame, history: Panel, h: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray, int] | None:
    """``(series, their case lengths, their lengths, how many series see the seasons)`` behind
    :func:`warn_short_calibration`'s note, or ``None`` where it does not apply: the series whose
    whole history sees :data:`FORM_SEASONS` seasons but every scored calibration case
    fewer, when they are at least half of the series that see that many (and have a scored case).

    Why the whole history: ``calibrate_panel`` is given the history that ends at the forecast
    origin, so its lengths are those of the final fits. Only cases of :data:`MIN_SCALE_VALUES`
    or more values count: the shorter ones are not scored.
    """
    m = int(history.season_length)
    if m <= 1 or frame.empty:
        return None
    need = FORM_SEASONS * m
    sid, cut = cv_cases(frame, history, h)
    scored = cut >= MIN_SCALE_VALUES
    sid, cut = sid[scored], cut[scored]
    longest = np.full(len(history), -1, dtype=np.int64)
    np.maximum.at(longest, sid, cut)
    eligible = (history.lengths >= need) & (longest >= 0)
    short = eligible & (longest < need)
    if not short.any() or 2 * int(short.sum()) < int(eligible.sum()):
        return None
    return np.flatnonzero(short), cut[short[sid]], history.lengths[short], int(eligible.sum())


def _span(values: np.ndarray) -> str:
    """``"12–24"`` (or ``"36"`` where all are equal): a range of lengths for a note."""
    lo, hi = int(values.min()), int(values.max())
    return str(lo) if lo == hi else f"{lo}–{hi}"


def warn_short_calibration(
    frame: pd.DataFrame, history: Panel, models: Sequence[str | PanelForecaster], h: int
) -> None:
    """Say once (:class:`~tsforge.errors.ShortCalibrationWarning`, naming every model it
    concerns) when the calibration refits of model-selecting local models
    (:data:`SEASON_SELECTING`, except those that keep the final fit's form:
    ``KEEPS_FORM``) saw fewer than :data:`FORM_SEASONS` seasons on at least half
    the series whose final fits see that many.

    Why: each calibration case refits the model on the values before its window — on a short
    panel, ``h`` or ``2 h`` fewer than the final fit — and a model that selects its form may
    drop the season there (AutoETS on 20 monthly series of 48 values: ETS(A,N,N) on the 12 and
    24 values of the calibration refits, ETS(A,A,A) on the 36 of the final fit). The signed
    calibration errors are then the season the final model already forecasts, and the bands
    were shifted by it: an 80 % band almost entirely above the point forecast, covering 29 % of
    the test window. AutoETS's and AutoARIMA's refits now keep the final fit's seasonal form
    (:func:`calibration_forms`: 85 % there); for the other models nothing is changed, and the
    user is told and what to try.
    """
    m = int(history.season_length)
    names = [
        n
        for n in dict.fromkeys(_model_name(x) for x in models if not _keeps_form(x, m))
        if n in SEASON_SELECTING
    ]
    found = _short_calibration(frame, history, h) if names else None
    if found is None:
        return
    series, cases, lengths, eligible = found
    warnings.warn(
        f"{', '.join(names)}: on {series.size} of {eligible} series every conformal calibration "
        f"window was fitted on fewer than {FORM_SEASONS} seasons ({_span(cases)} values, "
        f"season length {m}), while the forecasts are fitted on {_span(lengths)} values; a model "
        "that selects its form may choose a non-seasonal one on the shorter fits, "
        "so the intervals describe a different model and may be shifted or too wide — check "
        "their test coverage, and give longer histories or use a shorter horizon",
        ShortCalibrationWarning,
        stacklevel=3,
    )


def calibrate_panel(
    history: Panel,
    models: str | PanelForecaster | Sequence[str | PanelForecaster],
    h: int,
    n_windows: int | None = None,
    *,
    n_jobs: int = 1,
    progress: bool = False,
    frame: pd.DataFrame | None = None,
    source: str = "rolling-origin CV of the training history",
) -> dict[str, ConformalCalibration]:
    """Calibrate each model on rolling-origin windows of ``history`` → ``{name: calibration}``.

    ``history`` must end before anything the intervals will be scored on. Pass a ready CV
    ``frame`` of ``history`` (from :func:`calibration_cv`) to reuse its forecasts. Warns
    (:class:`~tsforge.errors.ShortCalibrationWarning`, :func:`warn_short_calibration`) when the
    calibration refits of a model-selecting model saw fewer seasons than its final fits.
    """
    if isinstance(models, str) or not isinstance(models, Sequence):
        models = [models]
    W = int(n_windows or calibration_windows(history, h))
    if frame is None:
        frame = calibration_cv(history, models, h, W, n_jobs=n_jobs, progress=progress)
    warn_short_calibration(frame, history, models, h)
    window = PANEL_SCALE_WINDOW
    floor = nonnegative_floor(history.values)
    fallbacks = scale_fallbacks(history.values, history.indptr, history.season_length, window)
    zero = case_zero_histories(frame, history, h)
    out = {}
    for m in models:
        name = _model_name(m)
        scores, _, sid = case_scores(frame, history, name, h, window, **fallbacks._asdict())
        out[name] = ConformalCalibration.from_scores(
            scores,
            history.ids[sid],
            season_length=history.season_length,
            scale_window=window,
            info={"model": name, "windows": W, "source": source},
            weight_series_equally=WEIGHT_SERIES_EQUALLY,
            floor=floor,
            scale_floor=SCALE_FLOOR,
            **fallbacks._asdict(),
            zero_history=zero,
        )
    return out


def _before_first_cutoffs(panel: Panel, sid: np.ndarray, cut: np.ndarray) -> list[np.ndarray]:
    """The values of each series before its first cutoff (``sid``, ``cut``: :func:`cv_cases`),
    in the row order of those first cases: what a cross-validation's floor and zero / flat
    scales are read from, so that none of them sees a window's outcome."""
    first = np.full(len(panel), np.iinfo(np.int64).max, dtype=np.int64)
    np.minimum.at(first, sid, cut)
    origin = panel.indptr[:-1]
    return [panel.values[origin[s] : origin[s] + c] for s, c in zip(sid, cut, strict=True) if c == first[s]]


def conformal_cv(
    frame: pd.DataFrame,
    panel: Panel,
    models: Sequence[str],
    h: int,
    level: Any = None,
    quantiles: Any = None,
) -> pd.DataFrame:
    """Conformal bounds for a cross-validation frame, each window calibrated on the earlier ones.

    Window ``w`` (counted from each series' first window) gets intervals from the residuals of
    windows ``< w`` of every series — never from its own or later windows; the first window has
    none (NaN bounds). Adds ``<model>-lo-<l>``, ``<model>-hi-<l>``, ``<model>-q-<p>`` columns,
    replacing native ones of the same name.
    """
    request = IntervalRequest.parse(level, quantiles)
    out = frame.copy()
    if not request:
        return out
    sid, cut = cv_cases(frame, panel, h)
    order = np.lexsort((cut, sid))
    rank = np.empty(sid.size, dtype=np.int64)
    starts = np.r_[0, np.flatnonzero(np.diff(sid[order]) != 0) + 1]
    counts = np.diff(np.r_[starts, sid.size])
    rank[order] = np.arange(sid.size) - np.repeat(starts, counts)
    total = np.zeros(len(panel), dtype=np.int64)
    np.add.at(total, sid, 1)
    window_of = rank + (total.max() - total[sid])  # align every series' last window
    origin = panel.indptr[:-1][sid]
    # the floor and the per-row rule look only at values before each case's cutoff (no leakage)
    before = [panel.values[a : a + c] for a, c in zip(origin, cut, strict=True)]
    early = _before_first_cutoffs(panel, sid, cut)
    floor, fallbacks = None, ScaleFallbacks(1.0, 1.0, 1.0)
    if early:
        early_values = np.concatenate(early)
        early_ptr = np.r_[0, np.cumsum([e.size for e in early])]
        floor = nonnegative_floor(early_values)
        fallbacks = scale_fallbacks(early_values, early_ptr, panel.season_length, PANEL_SCALE_WINDOW)
    zero = zero_histories(panel.values, origin, origin + cut)
    probs = request.probs
    cols = request.columns("")
    for m in models:
        scores, scale, _ = case_scores(frame, panel, m, h, **fallbacks._asdict())
        point = frame[m].to_numpy(dtype=np.float64).reshape(-1, h)
        values = np.full((sid.size, h, probs.size), np.nan)
        short: list[str] = []  # one note per model, not one per window
        lone: list[str] = []  # resolved windows whose bound one series sets
        for w in np.unique(window_of):
            past = window_of < w
            if not past.any():
                continue
            cal = ConformalCalibration.from_scores(
                scores[past],
                panel.ids[sid[past]],
                season_length=panel.season_length,
                scale_window=PANEL_SCALE_WINDOW,
                weight_series_equally=WEIGHT_SERIES_EQUALLY,
                floor=floor,
                scale_floor=SCALE_FLOOR,
                **fallbacks._asdict(),
                zero_history=zero[past],
            )
            now = window_of == w
            if note := cal.shortfall(probs, h):  # too few scores, or one series sets a bound
                (short if not cal.resolves(probs, h) else lone).append(note)
            q = cal._quantiles_from_scale(point[now], scale[now], panel.ids[sid[now]], probs, zero[now])
            values[now] = floor_quantiles(q, floor, [before[i] for i in np.flatnonzero(now)])
        if short:  # the first short window has the fewest scores: its note is the worst case
            warnings.warn(
                f"{m}, {len(short)} of {len(np.unique(window_of)) - 1} calibrated cross-validation "
                f"windows (each calibrated on the windows before it): {short[0]} (in cross-validation: "
                "more windows, --n-windows, give the later ones more scores)",
                IntervalResolutionWarning,
                stacklevel=2,
            )
        elif lone:  # resolved bounds one series sets: more windows are no remedy for that
            warnings.warn(
                f"{m}, {len(lone)} of {len(np.unique(window_of)) - 1} calibrated cross-validation "
                f"windows (each calibrated on the windows before it): {lone[0]}",
                IntervalResolutionWarning,
                stacklevel=2,
            )
        for col, v in zip(cols, request.bounds(values).values(), strict=True):
            out[f"{m}{col}"] = v.ravel()
    return out


# -- window models ------------------------------------------------------------------------------
def _spread_windows(n: int, max_windows: int) -> np.ndarray:
    """Indices of at most ``max_windows`` evenly spaced windows out of ``n``."""
    return np.unique(np.linspace(0, n - 1, min(n, max_windows)).round().astype(np.int64))


#: (window, channel) rows that calibration and interval scoring turn into float64 at a time.
#: Why bounded: a predicted batch of 256 windows of 300 channels × 336 steps is 200 MB per float64
#: copy, and the conformal quantiles of it another 160 MB each; every step is row by row, so
#: a piece at a time gives the same numbers in a fraction of the memory.
ROWS_PER_PIECE = 8192


def _predicted_windows(
    forecaster: Any, data: Any, idx: np.ndarray, batch_size: int
) -> Iterator[tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]]:
    """``(channels, prediction, y, x)`` for the windows ``idx`` of ``data``, predicted
    ``batch_size`` at a time and handed out in pieces of at most :data:`ROWS_PER_PIECE`
    (window, channel) rows; unobserved ``y``/``x`` are NaN, ``channels`` is ``[B, C]``.

    Why one generator: calibrating a window model and scoring its intervals must look at the
    windows and predict them the same way.
    """
    for lo in range(0, idx.size, batch_size):
        batch = data.get_batch(torch.as_tensor(idx[lo : lo + batch_size]))
        pred = forecaster.predict(batch).double().numpy()
        B, _, C = batch["x"].shape
        channels = batch["channels"].numpy() if "channels" in batch else np.tile(np.arange(C), (B, 1))
        step = max(1, ROWS_PER_PIECE // max(1, C))
        for a in range(0, B, step):
            w = slice(a, a + step)
            y = _observed(batch["y"][w], batch["y_mask"][w])
            yield channels[w], pred[w], y, _observed(batch["x"][w], batch["x_mask"][w])


class _Rows:
    """The pieces of ``n`` rows, written into one array as they come: ``np.concatenate`` of
    the pieces without holding every piece and their concatenation at once (the conformal
    quantiles of 500 windows × 300 channels are 300 MB)."""

    def __init__(self, n: int) -> None:
        self.n, self.filled = int(n), 0
        self.array: np.ndarray | None = None

    def add(self, piece: np.ndarray) -> None:
        if self.array is None:
            self.array = np.empty((self.n, *piece.shape[1:]), dtype=piece.dtype)
        self.array[self.filled : self.filled + len(piece)] = piece
        self.filled += len(piece)

    def result(self) -> np.ndarray:
        if self.array is None or self.filled != self.n:
            raise ValueError(f"{self.filled} rows were added where {self.n} were expected")
        return self.array


def _observed(values: torch.Tensor, mask: torch.Tensor) -> np.ndarray:
    """``values`` as float64 with NaN where ``mask`` is False.

    Why in place: ``np.where`` on the float64 copy made a second ``[B, L, C]`` float64 array
    per batch (200 MB for a batch of 256 windows of 300 channels × 336 steps).
    """
    # copy=True: a copy even of float64 values, so the batch's own tensor stays as it was
    out = values.to(torch.float64, copy=True).numpy()
    out[~mask.numpy()] = np.nan
    return out


@torch.no_grad()
def calibrate_task(
    forecaster: Any,
    task: Any,
    split: str = "val",
    *,
    max_windows: int = 2000,
    batch_size: int = 256,
) -> ConformalCalibration:
    """Calibrate a window model (a :class:`~tsforge.models.base.Forecaster` on a
    :class:`~tsforge.data.task.ForecastTask`) on the windows of ``split`` (default: validation —
    after the training rows, before the test rows), per channel.

    At most ``max_windows`` evenly spaced windows are used (overlapping windows of one channel
    carry little new information beyond a few thousand). Residuals are on the normalised scale
    and divided by a scale computed on that scale, so the scores are unit-free.
    """
    data = task.dataset(split)
    if len(data) == 0:
        raise ConfigError(f"no {split} windows to calibrate intervals on", field="split")
    idx = _spread_windows(len(data), max_windows)
    ctx = forecaster.context
    window = min(default_scale_window(ctx.horizon, ctx.season_length), ctx.input_len)
    n_rows = idx.size * data.n_channels
    scores, ids = _Rows(n_rows), _Rows(n_rows)
    channel_ids = np.asarray([str(c) for c in ctx.channel_ids])
    for ch, pred, y, x in _predicted_windows(forecaster, data, idx, batch_size):
        B, L, C = x.shape
        hist = x.transpose(0, 2, 1).reshape(B * C, L)
        ends = np.arange(1, B * C + 1) * L
        scale = trailing_scale(hist.ravel(), ends - L, ends, ctx.season_length, window)
        res = (y - pred[:, : y.shape[1]]).transpose(0, 2, 1).reshape(B * C, -1)
        scores.add(res / scale[:, None])
        ids.add(channel_ids[np.clip(ch.reshape(B * C), 0, channel_ids.size - 1)])
    return ConformalCalibration.from_scores(
        scores.result(),
        ids.result(),
        season_length=ctx.season_length,
        scale_window=window,
        info={"model": forecaster.name, "windows": int(idx.size), "source": f"{split} windows"},
        floor=nonnegative_floor(task.train_values()),
    )


# -- scoring ----------------------------------------------------------------------------------
#: Levels every training run scores and logs (with the nine GIFT-Eval quantiles for the WQL).
LOG_LEVELS: tuple[float, ...] = (80.0, 95.0)


def holdout_interval_metrics(
    calibration: ConformalCalibration, point: np.ndarray, history: Panel, y: np.ndarray
) -> tuple[dict[str, float], dict[str, np.ndarray]]:
    """Coverage, width and MSIS at :data:`LOG_LEVELS`, WQL and scaled CRPS of the conformal
    quantiles around ``point`` (``[n, h]``, forecast from ``history``) against outcomes ``y``.

    Returns the metrics and the bounds (``{"lo-80": [n, h], ...}``) for plots and frames.
    """
    from tsforge.evaluation.intervals import GIFT_QUANTILES, score_quantile_forecast
    from tsforge.evaluation.panel_metrics import insample_scale

    request = IntervalRequest(LOG_LEVELS, GIFT_QUANTILES)
    histories = [history.series(i) for i in range(len(history))]
    values = calibration.quantiles(point, histories, history.ids, request.probs)
    scale = insample_scale(history.values.astype(np.float64), history.indptr, history.season_length)
    metrics = score_quantile_forecast(
        y, values, request.probs, LOG_LEVELS, scale, season_length=history.season_length, histories=histories
    )
    bounds = {k: v for k, v in request.bounds(values).items() if not k.startswith("q-")}
    return metrics, bounds


def served_points(point: np.ndarray, history: Panel, floor: float | None) -> np.ndarray:
    """``point`` (``[n, h]``, forecast from ``history``) as a model whose calibration has the
    non-negative ``floor`` serves it: the rows of series whose history is all at or above it
    stopped there (a copy), ``point`` itself where there is no floor.

    Why: the served predictor clips its point forecast at that floor
    (:func:`~tsforge.inference.floor_points`), while training scored the raw one: on electricity
    weekly one series of zeros was forecast at −45,238, and ``tsforge train`` logged sMAPE 10.39
    where ``tsforge evaluate`` of the registered model measured 9.77 on the same window.
    """
    if floor is None:
        return point
    histories = [history.series(i) for i in range(len(history))]
    return floor_quantiles(np.array(point, dtype=np.float64)[..., None], floor, histories)[..., 0]


def served_cv_points(frame: pd.DataFrame, panel: Panel, models: Sequence[str], h: int) -> pd.DataFrame:
    """A cross-validation frame with each model's point forecasts as the model, trained at each
    cutoff with intervals (``tsforge train``'s default), serves them: stopped at the non-negative
    floor where the case's history before its cutoff is all at or above it. The floor is the one
    :func:`conformal_cv` calibrates with (from the values before each series' first cutoff: no
    leakage). A copy; interval columns are left as they were made (conformal bounds are floored
    around the raw point, as served).

    Why: ``tsforge train`` scores the served point (:func:`served_points`) and ``tsforge cv``
    scored the raw one: on electricity weekly, cv's single window gave sMAPE 10.39 where
    ``tsforge evaluate`` of the trained model measured 9.77 on the same window.
    """
    if frame.empty:
        return frame
    sid, cut = cv_cases(frame, panel, h)
    early = _before_first_cutoffs(panel, sid, cut)
    floor = nonnegative_floor(np.concatenate(early)) if early else None
    if floor is None:
        return frame
    origin = panel.indptr[:-1]
    before = [panel.values[origin[i] : origin[i] + c] for i, c in zip(sid, cut, strict=True)]
    out = frame.copy()
    for m in models:
        point = out[m].to_numpy(dtype=np.float64).reshape(-1, h)[..., None].copy()
        out[m] = floor_quantiles(point, floor, before)[..., 0].ravel()
    return out


def _rows_in_units(a: np.ndarray, mean: np.ndarray, std: np.ndarray) -> np.ndarray:
    """``[B, T, C]`` on the normalised scale → ``[B·C, T]`` rows in the data's units."""
    B, T, C = a.shape
    units = a * std
    units += mean  # in place: the same numbers as ``a * std + mean``, one temporary fewer
    return units.transpose(0, 2, 1).reshape(B * C, T)


@torch.no_grad()
def task_interval_metrics(
    calibration: ConformalCalibration,
    forecaster: Any,
    task: Any,
    split: str = "test",
    *,
    max_windows: int = 500,
    batch_size: int = 256,
) -> dict[str, float]:
    """Interval scores of a window model's conformal quantiles on ``split`` windows (at most
    ``max_windows``, evenly spaced), in the data's units: coverage / width / MSIS at
    :data:`LOG_LEVELS` (MSIS and width in units of each channel's training seasonal-naive MAE),
    WQL and scaled CRPS (reference: the seasonal naive of each input window)."""
    from tsforge.evaluation.intervals import GIFT_QUANTILES, score_quantile_forecast, seasonal_naive_forecast
    from tsforge.evaluation.metrics import mase_scale

    data = task.dataset(split)
    if len(data) == 0:
        return {}
    ctx = forecaster.context
    request = IntervalRequest(LOG_LEVELS, GIFT_QUANTILES)
    m = ctx.season_length
    mean, std = np.asarray(task.scaler.mean, dtype=np.float64), np.asarray(task.scaler.std, dtype=np.float64)
    channel_scale = mase_scale(task.train_values(), m)
    channel_ids = np.asarray([str(c) for c in ctx.channel_ids])
    idx = _spread_windows(len(data), max_windows)
    n_rows = idx.size * data.n_channels
    ys, values, scales, baselines = _Rows(n_rows), _Rows(n_rows), _Rows(n_rows), _Rows(n_rows)
    for ch, pred, y, x in _predicted_windows(forecaster, data, idx, batch_size):
        B, L, C = x.shape
        H = y.shape[1]
        rows = list(_rows_in_units(x, mean, std))
        ids = channel_ids[np.clip(ch.reshape(B * C), 0, channel_ids.size - 1)]
        point = _rows_in_units(pred[:, : y.shape[1]], mean, std)
        # the local scale as calibrate_task took it (on the normalised window), in units: what a
        # served window model does too (tsforge.inference.Predictor._interval_scales)
        local = np.tile(std, B) * calibration.scales(list(x.transpose(0, 2, 1).reshape(B * C, L)))
        values.add(calibration.quantiles(point, rows, ids, request.probs, scale=local))
        ys.add(_rows_in_units(y, mean, std))
        # the scaled-CRPS reference of this batch's rows ([B·C, H]): keeping the input rows
        # themselves until the end held every window's [L] history (400 MB on 300 channels)
        baselines.add(seasonal_naive_forecast(rows, m, H))
        scales.add(np.tile(channel_scale, B))
    return score_quantile_forecast(
        ys.result(), values.result(), request.probs, LOG_LEVELS, scales.result(), baseline=baselines.result()
    )
