"""Per-series evaluation protocol for panels: holdout windows and rolling-origin cutoffs.

Why per series: in a ragged panel the series end at different dates, so "the last 18 months"
means a different calendar window for every series. The M-competition / Monash convention —
used here — takes the test window as the last ``h`` values *of each series* and the validation
window as the ``h`` values before it; everything before the validation window is training
data. Global models train on ``train`` (and tune on ``val``); local models and the final fit
use ``history`` = train + val, forecasting the test window.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from tsforge.data.panel import Panel
from tsforge.data.ragged import series_index
from tsforge.errors import DataValidationError, ShortSeriesWarning, WordedWarning

__all__ = [
    "HoldoutSplit",
    "RollingOrigin",
    "holdout_split",
    "rolling_origin",
    "MIN_TRAIN",
    "MIN_SCORED_TRAIN",
    "holdout_length",
    "drop_short_series",
    "short_for_holdout",
    "default_horizon_named",
    "default_horizon_that_fits",
    "TOO_SHORT_FOR_HORIZON",
    "too_short_refusal",
]

#: Fewest training values a series must keep. One value is enough for naive / Croston; the
#: models that need more fall back per series (see ``tsforge.panels.local``), so a stricter
#: minimum here would only drop series the local models can still forecast.
MIN_TRAIN = 1

#: Fewest values before a cutoff for a window's MASE, RMSSE and OWA to be finite: their scale
#: is the mean change between in-sample values (:func:`~tsforge.evaluation.panel_metrics.insample_scale`,
#: lag 1 where the history is shorter than a season and one value), so one value has no change
#: to scale by. The horizon a refusal suggests leaves this many (:func:`_no_window_fits`).
MIN_SCORED_TRAIN = 2


@dataclass(frozen=True)
class HoldoutSplit:
    """The three windows of every series.

    Attributes:
        train: values before the validation window (a :class:`Panel`, each series its own length).
        history: train + validation (what a model forecasts the test window from).
        val: ``[n, val_h]`` validation targets (``val_h`` may be 0).
        test: ``[n, h]`` test targets.
        h: test horizon.
    """

    train: Panel
    history: Panel
    val: np.ndarray
    test: np.ndarray
    h: int

    @property
    def ids(self) -> np.ndarray:
        return self.history.ids

    def test_frame(self) -> pd.DataFrame:
        """Test targets as a Nixtla long frame ``unique_id, ds, y`` (dates continue each series)."""
        n, h = self.test.shape
        sid = np.repeat(np.arange(n), h)
        step = self.history.lengths[sid] + np.tile(np.arange(h), n)
        return pd.DataFrame(
            {"unique_id": self.ids[sid], "ds": self.history.times_at(sid, step), "y": self.test.ravel()}
        )


#: the :attr:`~tsforge.errors.TsforgeError.kind` of the holdout's refusals of series too short
#: for a horizon (:func:`_too_short`, :func:`drop_short_series`), by which
#: :func:`default_horizon_named` recognises them (it matched the messages' first words, so a
#: reworded refusal would have lost its advice without a failing test)
TOO_SHORT_FOR_HORIZON = "too_short_for_horizon"


def too_short_refusal(message: str, cli_message: str | None = None, **where: object) -> DataValidationError:
    """A :class:`DataValidationError` of kind :data:`TOO_SHORT_FOR_HORIZON`."""
    exc = DataValidationError(message, cli_message=cli_message, **where)
    exc.kind = TOO_SHORT_FOR_HORIZON
    return exc


#: the advice of a refusal whose horizon is a trained model's (:func:`shorter_horizon_advice`)
_MODEL_HORIZON_ADVICE = "evaluate a model trained with a shorter horizon"


def shorter_horizon_advice(model_horizon: bool, how: str) -> str:
    """``use a shorter horizon`` followed by ``how`` (``(--horizon N)``, ``(horizon=N)``) where
    the caller chose the horizon, and ``evaluate a model trained with a shorter horizon`` where it
    is a trained model's (``model_horizon``).

    Why: ``tsforge evaluate`` scores a model on the horizon it was trained for, and has no
    ``--horizon``; its refusal of series too short for that horizon advised "use a shorter
    horizon (--horizon N)", an option the command does not take."""
    return _MODEL_HORIZON_ADVICE if model_horizon else f"use a shorter horizon {how}".rstrip()


def _too_short(panel: Panel, need: int, what: str, model_horizon: bool = False) -> None:
    """Refuse ``panel`` when a series has fewer than ``need`` values, advising what can work.

    Why two advices: leaving the short series out (``--drop-short``) is advice only while some
    series are long enough; with every series short it would leave nothing (``tsforge train`` on a
    one-series file advised it), so then only a shorter horizon is advised, with the longest
    series' length. The CLI's wording names its flags, Python's (and the service's) the arguments.
    A horizon that is a trained model's (``model_horizon``) is advised as another model
    (:func:`shorter_horizon_advice`).
    """
    short = np.flatnonzero(panel.lengths < need)
    if not short.size:
        return
    first = ", ".join(repr(str(x)) for x in panel.ids[short[:5]])
    said = (
        f"series too short: {short.size} of {len(panel)} series {'has' if short.size == 1 else 'have'} "
        f"fewer than {need} values ({what}); first: {first}"
    )
    shorter, cli_shorter = (
        shorter_horizon_advice(model_horizon, how) for how in ("(horizon=N)", "(--horizon N)")
    )
    if short.size == len(panel):
        said += f"; the longest has {int(panel.lengths.max())}"
        fix, cli_fix = shorter[:1].upper() + shorter[1:], cli_shorter[:1].upper() + cli_shorter[1:]
    else:
        fix = f"Leave them out (drop_short=True) or {shorter}"
        cli_fix = f"Leave them out (--drop-short) or {cli_shorter}"
    raise too_short_refusal(
        f"{said}. {fix}",
        f"{said}. {cli_fix}",
        **_horizon_field(model_horizon),
        series=str(panel.ids[short[0]]),
    )


def _horizon_field(model_horizon: bool) -> dict[str, str]:
    """The ``field`` of a refusal of series too short for a horizon: ``horizon`` where the caller
    gave it, none where it is a trained model's (``model_horizon``).

    Why none: ``evaluate`` and :func:`~tsforge.pipeline.panel.evaluate_panel_model` take no
    horizon, so ``(field='horizon')`` named an argument the caller cannot pass; the sentence
    already says what can work (another model) and the series keeps its key."""
    return {} if model_horizon else {"field": "horizon"}


@contextmanager
def default_horizon_named(given: int | None, h: int) -> Iterator[None]:
    """Inside the block, a refusal of series too short for horizon ``h`` says, when the caller
    was given no horizon (``given`` is None), that ``h`` was the default for this data and how
    to pass a shorter one.

    Why: ``tsforge recommend FILE`` on short monthly series said "fewer than 37 values (train >= 1
    + validation 18 + test 18) ... use a shorter horizon" — a horizon the user never gave, and
    not which flag sets it. Only the caller knows whether the horizon was its own default
    (:func:`~tsforge.data.protocol.panel_horizon`), so it wraps the holdout in this block.
    """
    try:
        yield
    except DataValidationError as exc:
        if given is not None or exc.kind != TOO_SHORT_FOR_HORIZON:
            raise
        said = f"; {h} is the default horizon for this data (none was given)"
        cli_text = exc.cli_message or exc.message

        def advice(text: str, how: str) -> str:  # not twice where the refusal already advises it
            return said if how in text else f"{said}: pass a shorter one ({how})"

        raise too_short_refusal(
            exc.message + advice(exc.message, "horizon=N"),
            cli_text + advice(cli_text, "--horizon N"),
            **exc.where,
        ) from None


def default_horizon_that_fits(
    panel: Panel, given: int | None, h: int, *, drop_short: bool = False, entry: Any = None
) -> int:
    """``h``; where it is this data's default (``given`` is None, and the short series are not
    to be left out: no ``drop_short``) and some series are too short for the holdout at it, the
    longest horizon that leaves every series :data:`MIN_SCORED_TRAIN` training values, said in
    a note that names the default, why it was shortened and how to keep it; ``h`` where no
    horizon does (the holdout's refusal, named a default by :func:`default_horizon_named`, then
    says so).

    Why: ``tsforge recommend`` / ``train`` on a monthly panel took M4's 18 and refused the panel
    because 2 of 8 series had 30 values, while long data too short for its default horizon is
    answered at the longest that fits (:func:`recommender.api.recommend`): the default is
    tsforge's choice, not the user's. The same search
    (:func:`~tsforge.data.protocol.longest_fitting_horizon`); the series too short are those
    the holdout refuses (:func:`holdout_split`: fewer than ``1 + 2·H`` values).

    Only the frequency's default is shortened: a catalogue collection's horizon (``entry``) or
    one the file declares (a ``.tsf`` header) is the published protocol its scores compare with,
    so a panel too short for it is refused, as before, rather than scored at another horizon.
    """
    from tsforge.data.protocol import longest_fitting_horizon

    need = holdout_length(h)
    short = np.flatnonzero(panel.lengths < need)
    official = bool(getattr(entry, "horizons", None)) or bool(panel.horizon)
    if given is not None or drop_short or official or not short.size:
        return h
    shortest = int(panel.lengths[short].min())
    # two training values, not the holdout's one: a horizon that leaves a series one value has no
    # MASE to score and no window to calibrate its intervals on (train failed on it after fitting)
    longest = longest_fitting_horizon(h, lambda k: holdout_length(k, min_train=MIN_SCORED_TRAIN) <= shortest)
    if longest is None:
        return h
    first = ", ".join(repr(str(x)) for x in panel.ids[short[:3]]) + (", …" if short.size > 3 else "")
    said = (
        f"{short.size} of {len(panel)} series {'has' if short.size == 1 else 'have'} fewer than the {need} "
        f"values the holdout needs at the default horizon {h} (train >= {MIN_TRAIN} + validation {h} + "
        f"test {h}; {first}): using horizon {longest}, the longest that leaves every series "
        f"{MIN_SCORED_TRAIN} training values; "
    )
    lib, cli = said + "ask for a horizon to choose another", said + "pass --horizon to choose another"
    if others := len(panel) - short.size:  # leaving the short series out keeps h for these
        lib += f", or drop_short=True to keep {h} for the other {others}"
        cli += f", or --drop-short to keep {h} for the other {others}"
    warnings.warn(WordedWarning(lib, cli), stacklevel=2)
    return longest


def holdout_length(h: int, val_h: int | None = None, min_train: int = MIN_TRAIN) -> int:
    """Fewest values a series needs under the holdout protocol: train + validation + test."""
    return int(min_train) + (int(h) if val_h is None else int(val_h)) + int(h)


def drop_short_series(
    panel: Panel, h: int, val_h: int | None = None, min_train: int = MIN_TRAIN, *, model_horizon: bool = False
) -> tuple[Panel, int]:
    """``panel`` without the series too short for :func:`holdout_split` with horizon ``h``, and
    how many were left out (``--drop-short``). ``model_horizon``: as :func:`holdout_split`'s.

    Which series: :func:`short_for_holdout`.

    Why opt-in, with a :class:`~tsforge.errors.ShortSeriesWarning` naming how many and the first
    ids: the holdout refuses short series by default because scores over a silently smaller set
    of series are not the scores asked for; a user who says so gets them, told what they cover.

    Raises:
        DataValidationError: no series is long enough (naming what the holdout needs).
    """
    val_h = h if val_h is None else int(val_h)
    need = holdout_length(h, val_h, min_train)
    short = short_for_holdout(panel, h, val_h, min_train)
    keep = np.flatnonzero(~short)
    dropped = len(panel) - keep.size
    if not dropped:
        return panel, 0
    # series of enough values whose training window ends in missing ones: said, or the note
    # would call a series of many values shorter than the holdout needs without saying why
    gaps = (
        "; training values count up to a series' last observed one"
        if (panel.lengths[short] >= need).any()
        else ""
    )
    if not keep.size:
        raise too_short_refusal(
            f"no series has the {need} values the holdout needs (train >= {min_train} + validation {val_h} + "
            f"test {h}{gaps}; the longest has {int(panel.lengths.max())}): "
            + shorter_horizon_advice(model_horizon, ""),
            **_horizon_field(model_horizon),
        )
    left_out = np.flatnonzero(short)
    first = ", ".join(repr(str(x)) for x in panel.ids[left_out[:3]]) + (", …" if left_out.size > 3 else "")
    warnings.warn(
        f"left out {dropped} of {len(panel)} series shorter than {need} values (train >= {min_train} + "
        f"validation {val_h} + test {h}{gaps}; {first}): the scores cover the other {keep.size}",
        ShortSeriesWarning,
        stacklevel=2,
    )
    return panel.take(keep), dropped


def short_for_holdout(
    panel: Panel, h: int, val_h: int | None = None, min_train: int = MIN_TRAIN
) -> np.ndarray:
    """``[n]`` True for the series :func:`drop_short_series` leaves out: those whose training
    window (all but the last ``val_h + h`` values, ``val_h`` default ``h``) holds fewer than
    ``min_train`` values from its first observed value through its last.

    Why not the length alone: missing values that end the window are no history; a model
    fitted or forecast from it trims them, then refuses a history shorter than it needs. One
    rule, public, so that a caller that must know beforehand which series will be left out
    (the held notes on inserted steps) asks the same question the drop answers.
    """
    val_h = h if val_h is None else int(val_h)
    return _observed_spans(panel, val_h + int(h)) < int(min_train)


def _observed_spans(panel: Panel, cut: int) -> np.ndarray:
    """``[n]`` how many values each series keeps before its last ``cut`` ones, from its first
    observed value through its last (0 where it keeps none, or none observed).

    Why this count and not the length: it is the history a model is given, the span
    :meth:`~tsforge.data.panel.Panel.trim_missing` keeps and a predictor's histories keep
    (:meth:`~tsforge.panels.predictor.PanelPredictor.histories`), whose check then refuses one
    of fewer than two values. A series of one value and then empty cells up to its test window
    is long by its length yet has one value of history: counted by length, ``--drop-short``
    kept it and the forecast refused it, advising ``--drop-short``.
    """
    kept = np.maximum(panel.lengths - int(cut), 0)
    sid = series_index(panel.indptr)
    pos = np.arange(panel.n_values, dtype=np.int64) - panel.indptr[:-1][sid]
    seen = np.flatnonzero(~np.isnan(panel.values) & (pos < kept[sid]))
    first = np.full(len(panel), np.iinfo(np.int64).max, dtype=np.int64)
    last = np.full(len(panel), -1, dtype=np.int64)
    np.minimum.at(first, sid[seen], pos[seen])
    np.maximum.at(last, sid[seen], pos[seen])
    return np.where(last >= 0, last - first + 1, 0)


def holdout_split(
    panel: Panel, h: int, val_h: int | None = None, min_train: int = MIN_TRAIN, *, model_horizon: bool = False
) -> HoldoutSplit:
    """Split every series into train | val (``val_h``, default ``h``) | test (``h``).

    Raises a :class:`DataValidationError` naming how many series and the first few ids when a
    series is shorter than ``min_train + val_h + h``: a protocol that silently drops series
    would report scores on a different set of series than the one asked for. ``model_horizon``:
    ``h`` is a trained model's horizon, not the caller's to shorten (the refusal advises another
    model, :func:`shorter_horizon_advice`).
    """
    if h < 1:
        raise DataValidationError(f"horizon must be at least 1, got {h}", field="horizon")
    val_h = h if val_h is None else int(val_h)
    if val_h < 0:
        raise DataValidationError(f"val_h must be >= 0, got {val_h}", field="val_h")
    _too_short(
        panel,
        holdout_length(h, val_h, min_train),
        f"train >= {min_train} + validation {val_h} + test {h}",
        model_horizon,
    )
    history = panel.head_cut(h)
    return HoldoutSplit(
        train=history.head_cut(val_h) if val_h else history,
        history=history,
        val=history.tail(val_h) if val_h else np.empty((len(panel), 0), dtype=panel.values.dtype),
        test=panel.tail(h),
        h=h,
    )


@dataclass(frozen=True)
class RollingOrigin:
    """Rolling-origin evaluation windows.

    ``cutoffs[w, i]`` is the number of values of series ``i`` used for training in window ``w``
    (so its test targets are positions ``cutoffs[w, i] .. cutoffs[w, i] + h - 1``), or ``-1`` when
    the series is too short for that window. Window ``n_windows - 1`` ends at every series' last
    value; earlier windows step back ``step_size`` values each.
    """

    cutoffs: np.ndarray
    h: int
    step_size: int

    @property
    def n_windows(self) -> int:
        return int(self.cutoffs.shape[0])

    def window(self, w: int) -> tuple[np.ndarray, np.ndarray]:
        """(series positions, training lengths) of the series that take part in window ``w``."""
        idx = np.flatnonzero(self.cutoffs[w] >= 0)
        return idx, self.cutoffs[w, idx]


def rolling_origin(
    panel: Panel, h: int, n_windows: int = 1, step_size: int | None = None, min_train: int = MIN_TRAIN
) -> RollingOrigin:
    """Per-series cutoffs of ``n_windows`` rolling-origin windows of horizon ``h``.

    Windows are placed from each series' own end (the Nixtla convention for ragged panels):
    window ``w`` trains on ``length - h - (n_windows - 1 - w) * step_size`` values.
    ``step_size`` defaults to ``h`` (non-overlapping test windows). A series too short to keep
    ``min_train`` training values in a window is **skipped for that window only** (cutoff
    ``-1``): short series still count in the later windows they fit, instead of removing them
    from the whole evaluation or failing it.
    """
    if h < 1:
        raise DataValidationError(f"horizon must be at least 1, got {h}", field="horizon")
    if n_windows < 1:
        raise DataValidationError(f"n_windows must be at least 1, got {n_windows}", field="n_windows")
    step = h if step_size is None else int(step_size)
    if step < 1:
        raise DataValidationError(f"step_size must be >= 1, got {step}", field="step_size")
    back = (n_windows - 1 - np.arange(n_windows)) * step + h
    cut = panel.lengths[None, :] - back[:, None]
    cut = np.where(cut >= min_train, cut, -1).astype(np.int64)
    if not (cut >= 0).any():
        raise _no_window_fits(panel, h, n_windows, step_size, min_train)
    return RollingOrigin(cutoffs=cut, h=h, step_size=step)


def _no_window_fits(
    panel: Panel, h: int, n_windows: int, step_size: int | None, min_train: int
) -> DataValidationError:
    """The refusal of a horizon no series fits even one window of: the longest series, its
    length, what a window needs and the largest horizon that is scored (one window, and all
    ``n_windows`` where that is another number), in Python's words and the CLI's.

    Why: ``tsforge cv -H 100`` on series of at most 78 values said only "no series is long
    enough for any window (h=100, n_windows=3, step_size=100) (field='h')": neither the length
    it had, nor the horizon to ask for, nor the flag (``--horizon``) that sets it. The horizon
    said leaves :data:`MIN_SCORED_TRAIN` values before the cutoff, not ``min_train``: "pass
    --horizon 77 or less" on 78 values ran, with one value before the cutoff, and scored no
    MASE, RMSSE or OWA at all.
    """
    longest = int(np.argmax(panel.lengths))
    length = int(panel.lengths[longest])
    before = max(int(min_train), MIN_SCORED_TRAIN)  # values a scored window needs before its cutoff
    fits_one = length - before  # the last window: h values after those
    # every window: the earlier ones step back step_size each (h itself when step_size is not given)
    fits_all = (
        (length - before) // n_windows
        if step_size is None
        else length - before - (n_windows - 1) * int(step_size)
    )
    said = (
        f"no series is long enough for a window of {h} steps: the longest, {str(panel.ids[longest])!r}, "
        f"has {length} values, and a window of {h} needs {h + min_train} ({min_train} before its cutoff)"
    )
    scaled = (
        f"MASE, RMSSE and OWA need {before} values before a cutoff (they scale by the change between them)"
    )
    if fits_one < 1:
        fix = cli_fix = f"no horizon can be scored: {scaled} and a window needs 1 after it"
    else:
        also = n_windows > 1 and 1 <= fits_all < fits_one
        every = f" ({fits_all} or less for all {n_windows} windows)" if also else ""
        fix = f"ask for a horizon of at most {fits_one}{every}: {scaled}"
        cli_fix = f"pass --horizon {fits_one} or less{every}: {scaled}"
    return too_short_refusal(f"{said}; {fix}", f"{said}; {cli_fix}", field="horizon")
