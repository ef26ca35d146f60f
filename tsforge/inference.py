"""Forecast from a history alone: the one inference path (CLI, MLflow pyfunc, REST service).

A :class:`Predictor` holds a fitted forecaster and the scaler of its training data. Every
request is a list of series (id, values, optional timestamps / coordinates); all of them go
through the model as **one batch** (each series is a batch row with one channel — every
tsforge model forecasts channels independently, sharing weights). Known ids use the scaler of
their training channel; ids the model has not seen use statistics of their own history, and
are refused by models that need known channels unless coordinates are given.
"""

from __future__ import annotations

import functools
import re
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Protocol

import numpy as np
import pandas as pd
import torch

from tsforge.arguments import number_list, whole_number
from tsforge.data.calendar import calendar_indices
from tsforge.data.frequency import check_sampling, fixed_step, nominal_step_days
from tsforge.data.history import SeriesInput, histories_from_frame
from tsforge.data.panel import grid_steps
from tsforge.data.scaling import StandardScaler, spread_or_level
from tsforge.data.task import causal_fill
from tsforge.data.timeaxis import next_integer_steps
from tsforge.errors import (
    ConfigError,
    DataValidationError,
    MissingCalendarWarning,
    RegularisedTimesWarning,
    TsforgeWarning,
)
from tsforge.models.base import Forecaster

__all__ = [
    "SeriesInput",
    "SeriesForecast",
    "FramePredictor",
    "Predictor",
    "IntervalRequest",
    "QuantileCalibrator",
    "MAX_LEVELS",
    "attach_bounds",
    "contain_point",
    "continued_steps",
    "floor_points",
    "level_note",
    "on_step_grid",
    "sorted_quantiles",
    "zero_width_note",
]

#: Most levels (and, separately, quantiles) one request may ask for: each adds two (one) output
#: columns per step, and more than a handful is a distribution, not a set of intervals.
MAX_LEVELS = 20


@dataclass
class SeriesForecast:
    """One series' forecast: point ``values`` and, when asked for, ``bounds``.

    ``bounds`` maps ``"lo-80"``, ``"hi-80"``, ``"q-0.1"`` ... to ``[h]`` arrays; in a frame they
    become the columns ``y_hat-lo-80``, ``y_hat-hi-80``, ``y_hat-q-0.1`` (Nixtla's naming).
    """

    id: str
    values: np.ndarray
    timestamps: np.ndarray | None = None
    bounds: dict[str, np.ndarray] = field(default_factory=dict)


def _label(x: float) -> str:
    """``80.0`` → ``"80"``, ``97.5`` → ``"97.5"``, ``0.1`` → ``"0.1"`` (column suffixes; six
    significant digits, the one spelling every reader of these columns uses — a level that
    needs more is refused by :meth:`IntervalRequest.parse`)."""
    return f"{x:g}"


def _check_spelling(x: float, name: str) -> None:
    """Refuse a level or quantile that its column name cannot spell (more than six significant
    digits): 80.0000001 would be named ``lo-80`` beside 80's own columns, 99.99999 ``lo-100``."""
    if float(_label(x)) != x:
        raise ConfigError(
            f"{name} {x!r} has more digits than an interval column's name keeps (six significant "
            f"digits: {_label(x)}); ask for {_label(x)} or a number with fewer digits",
            field=name,
        )


@dataclass(frozen=True)
class IntervalRequest:
    """Which central intervals (``levels``, in %) and quantiles (in (0, 1)) a caller wants.

    Both reduce to one sorted set of probabilities (:attr:`probs`): a level ``l`` is the pair
    ``(1 − l/100)/2, 1 − (1 − l/100)/2``, and the median 0.5 is always included, so every model
    answers the same question "the forecast quantiles at these probabilities" and the frame
    columns are read off it. Sorting those quantiles per step is what guarantees that intervals
    never cross and always contain the median.
    """

    levels: tuple[float, ...] = ()
    quantiles: tuple[float, ...] = ()

    @classmethod
    def parse(cls, level: Any = None, quantiles: Any = None) -> IntervalRequest:
        """Validate user input (a number or a list of numbers each); errors name the field."""
        levels = number_list(level, "level") or []
        qs = number_list(quantiles, "quantiles") or []
        for lv in levels:
            if not 0 < lv < 100:
                raise ConfigError(f"level must be between 0 and 100 (exclusive), got {lv:g}", field="level")
            _check_spelling(lv, "level")
        for q in qs:
            if not 0 < q < 1:
                raise ConfigError(
                    f"quantiles must be between 0 and 1 (exclusive), got {q:g}", field="quantiles"
                )
            _check_spelling(q, "quantiles")
        if len(set(levels)) > MAX_LEVELS or len(set(qs)) > MAX_LEVELS:
            raise ConfigError(
                f"at most {MAX_LEVELS} levels and {MAX_LEVELS} quantiles per request",
                field="level" if len(set(levels)) > MAX_LEVELS else "quantiles",
            )
        return cls(tuple(sorted(set(levels))), tuple(sorted(set(qs))))

    def __bool__(self) -> bool:
        return bool(self.levels or self.quantiles)

    @functools.cached_property
    def probs(self) -> np.ndarray:
        """Sorted probabilities whose quantiles answer the request (always including 0.5)."""
        ps = {0.5, *self.quantiles}
        for lv in self.levels:
            a = (1.0 - lv / 100.0) / 2.0
            ps.update((a, 1.0 - a))
        return np.array(sorted({round(p, 12) for p in ps}))

    @property
    def native_levels(self) -> list[float]:
        """Central levels that give every probability (for models whose native API takes levels)."""
        return sorted({round(abs(1.0 - 2.0 * p) * 100.0, 10) for p in self.probs if p != 0.5})

    def bounds(self, values: np.ndarray) -> dict[str, np.ndarray]:
        """``values[..., k]`` = quantile at ``probs[k]`` → ``{"lo-80": .., "hi-80": .., "q-0.1": ..}``."""
        probs = self.probs

        def at(p: float) -> np.ndarray:
            return values[..., int(np.argmin(np.abs(probs - p)))]

        out: dict[str, np.ndarray] = {}
        for lv in self.levels:
            a = (1.0 - lv / 100.0) / 2.0
            out[f"lo-{_label(lv)}"] = at(a)
            out[f"hi-{_label(lv)}"] = at(1.0 - a)
        for q in self.quantiles:
            out[f"q-{_label(q)}"] = at(q)
        return out

    def columns(self, point: str = "y_hat") -> list[str]:
        """Output columns in order: ``<point>-lo-<l>``, ``<point>-hi-<l>`` per level, then quantiles."""
        return [f"{point}-{k}" for k in self.bounds(np.zeros((1, self.probs.size)))]


class QuantileCalibrator(Protocol):
    """What a predictor needs to turn point forecasts into quantiles (e.g. a conformal calibration,
    :class:`tsforge.panels.conformal.ConformalCalibration`)."""

    horizon: int

    def quantiles(
        self,
        point: np.ndarray,
        histories: Sequence[np.ndarray],
        ids: Sequence[str],
        probs: np.ndarray,
        *,
        scale: np.ndarray | None = None,
    ) -> np.ndarray:
        """``[n, h, P]`` quantiles at ``probs`` around ``point`` (``[n, h]``) of series ``ids``
        (``scale``: each series' local scale, where the caller computes it)."""
        ...

    def scales(self, histories: Sequence[np.ndarray]) -> np.ndarray:
        """``[n]`` each history's local scale, as the calibration's scores were divided by."""
        ...

    def shortfall(self, probs: Any, h: int | None = None) -> str | None:
        """A sentence naming the probabilities its scores cannot resolve over ``h`` steps, or None."""
        ...


def level_note(level: Any) -> str | None:
    """One sentence when a requested level is below 1 (a 0.5 % interval, next to no width), which
    is far more often a fraction meant as a percentage (0.5 for 50, 0.95 for 95) or a quantile
    than a real request; else None. Levels are in %; such a level is still answered as asked.

    Why a note and not an error: a 0.5 % interval is a valid request, but silently answering it
    gave a band of next to no width to a caller who meant 50 %.
    """
    small = sorted({v for v in (number_list(level, "level") or []) if 0 < v < 1})
    if not small:
        return None
    names = ", ".join(f"{v:g}" for v in small)
    return (
        f"level is in % and level {names} asks for a {names} % central interval (next to no width): "
        f"for the {', '.join(f'{100 * v:g}' for v in small)} % interval ask for level "
        f"{', '.join(f'{100 * v:g}' for v in small)}; for a quantile use quantiles"
    )


def zero_width_note(forecasts: Sequence[SeriesForecast], method: str | None = None) -> str | None:
    """One sentence when a central interval of some forecasts has zero width at every step (the
    levels and series, a few by name), else None. ``method``: how the bounds were made
    (``"native"`` says why and what gives such a series a width).

    Why: statsforecast's own intervals come from a model's errors on the history, so a history
    it fits without error (a flat series) gets a 95 % "interval" that is the point itself, and
    it was returned without a word.
    """
    flat: dict[str, list[str]] = {}
    for f in forecasts:
        for key, lo in f.bounds.items():
            hi = f.bounds.get(f"hi-{key[3:]}") if key.startswith("lo-") else None
            if hi is not None and np.size(lo) and bool(np.all(np.asarray(hi) - np.asarray(lo) <= 0)):
                flat.setdefault(key[3:], []).append(str(f.id))
    if not flat:
        return None
    ids = list(dict.fromkeys(i for v in flat.values() for i in v))
    levels = sorted(flat, key=float)
    names = ", ".join(repr(i) for i in ids[:5]) + (", ..." if len(ids) > 5 else "")
    many = len(ids) > 1
    plural = many or len(levels) > 1
    note = (
        f"the {' and '.join(levels)} % interval{'s' if len(levels) > 1 else ''} of {len(ids)} of "
        f"{len(forecasts)} series ({names}) {'have' if plural else 'has'} zero width at every step, "
        f"so {'they cover' if plural else 'it covers'} only an outcome equal to the forecast"
    )
    if method == "native":
        note += (
            f": the model's own intervals come from its errors on the history, and it fits "
            f"{'these histories' if many else 'this history'} without error (e.g. a flat series); "
            "conformal intervals (a model trained with its interval calibration) give "
            f"{'them' if many else 'it'} a width"
        )
    return note


def contain_point(quantile_values: np.ndarray, point: np.ndarray, probs: np.ndarray) -> np.ndarray:
    """``[n, h, P]`` quantiles at ``probs`` widened so that every central interval contains the
    point forecast ``point`` (``[n, h]``), whose quantile (``p = 0.5``) the point becomes: the
    quantiles below 0.5 are at most the point, those above at least (order is kept).

    Why: for a model whose native intervals are centred on its forecast (statsforecast's), a
    band that excludes the point is an artefact, not information: AutoTheta draws its
    intervals from simulated paths, and on a series falling steadily towards 0 its 95 %
    interval sat 0.02 above its own forecast with a width of 0.004. Not for conformal bounds,
    which are asymmetric on purpose where a model is biased.
    """
    q = np.asarray(quantile_values, dtype=np.float64).copy()
    pt = np.asarray(point, dtype=np.float64)[..., None]
    probs = np.asarray(probs, dtype=np.float64)
    lower, upper = probs < 0.5, probs > 0.5
    q[..., lower] = np.minimum(q[..., lower], pt)
    q[..., upper] = np.maximum(q[..., upper], pt)
    q[..., probs == 0.5] = pt
    return q


def floor_points(
    forecasts: Sequence[SeriesForecast], histories: Sequence[Any], floor: float | None
) -> Sequence[SeriesForecast]:
    """Clip the point forecast and every bound of each forecast whose history (one per forecast,
    the values it was made from) is all ``>= floor`` at ``floor`` (in place; returned).

    Why the point too: a calibration clips its bounds at the floor the data's support gives
    (:func:`tsforge.panels.conformal.nonnegative_floor`), so a point forecast of −0.014 units
    sold sat below its own lower bound of 0, and a naive window model repeated a last value of 0
    as −1e-8 (a float32 round trip). Clipping a forecast at a bound the outcome cannot cross
    never moves it further from the outcome.
    """
    if floor is None:
        return forecasts
    for f, history in zip(forecasts, histories, strict=True):
        v = np.asarray(history, dtype=np.float64).ravel()
        v = v[np.isfinite(v)]
        if not v.size or v.min() < floor:
            continue
        f.values = np.maximum(np.asarray(f.values, dtype=np.float64), floor)
        f.bounds = {k: np.maximum(b, floor) for k, b in f.bounds.items()}
    return forecasts


def sorted_quantiles(values: np.ndarray) -> np.ndarray:
    """Monotone rearrangement along the last axis (Chernozhukov et al. 2010): sorting quantile
    forecasts never increases any pinball loss, and makes crossing impossible."""
    return np.sort(np.asarray(values, dtype=np.float64), axis=-1)


class FramePredictor:
    """What every predictor offers on top of ``predict_series``: forecasts from a history frame.

    Subclasses (:class:`Predictor` for window models, the panel predictor for local and global
    panel models) implement ``predict_series``; the frame handling lives here once.
    """

    meta: dict[str, Any]
    #: conformal calibration (attached at training time and stored in the bundle), or None
    calibration: QuantileCalibrator | None = None
    #: the longest horizon the model forecasts (the one it was trained for)
    max_horizon: int

    def predict_series(
        self,
        series: Sequence[SeriesInput],
        horizon: int | None = None,
        *,
        level: Any = None,
        quantiles: Any = None,
    ) -> list[SeriesForecast]:
        """Forecast ``horizon`` steps (default: the trained horizon) after each history; with
        ``level`` / ``quantiles`` also bounds (see :attr:`interval_method`). Where the model's
        calibration learned a non-negative floor and a history is non-negative, its point
        forecast and bounds stop at 0 (:func:`floor_points`), whether or not bounds are asked for.

        Why here: every predictor parses the interval request and checks the series and the
        horizon the same way and in the same order; subclasses forecast in :meth:`_forecast`.
        """
        request = IntervalRequest.parse(level, quantiles)
        self._refuse_intervals(request)
        if isinstance(series, SeriesInput) or not isinstance(series, Sequence) or isinstance(series, str):
            raise ConfigError(
                f"series must be a list of SeriesInput, got {type(series).__name__}: forecast a frame "
                "with predict_frame",
                field="series",
            )
        if not series:
            raise DataValidationError("no series to forecast", field="series")
        for i, s in enumerate(series):
            if not isinstance(s, SeriesInput):
                raise ConfigError(
                    f"series must be a list of SeriesInput, got {type(s).__name__} at position {i}: "
                    "wrap values as SeriesInput(id, values) or forecast a frame with predict_frame",
                    field="series",
                )
        h = self.max_horizon if horizon is None else whole_number(horizon, "horizon")
        if not 1 <= h <= self.max_horizon:
            raise ConfigError(
                f"horizon {h} is outside 1..{self.max_horizon}, the horizon this model was trained for",
                field="horizon",
            )
        series = self._fill_skipped_steps(series)
        if note := level_note(request.levels):
            warnings.warn(note, TsforgeWarning, stacklevel=2)
        forecasts = self._forecast(series, h, request)
        # the non-negative floor of the calibration clips the point as it clips the bounds, with
        # or without a request for bounds, so lower <= point holds and y_hat is one number
        floor = getattr(self.calibration, "floor", None)
        forecasts = list(floor_points(forecasts, [s.values for s in series], floor))
        if request and (note := zero_width_note(forecasts, self.interval_method)):
            warnings.warn(note, TsforgeWarning, stacklevel=2)
        return forecasts

    def _fill_skipped_steps(self, series: Sequence[SeriesInput]) -> list[SeriesInput]:
        """Each dated history on the grid of the model's frequency: timestamps that skip steps
        get the skipped steps back as missing values, and one note says so (a history that
        would be mostly missing values is refused instead).

        Why: every predictor reads a history's values as consecutive steps, so a missing month
        was squeezed out — the values after it moved one step back and a panel model's forecast,
        dated from the first timestamp, started on the history's last date (a monthly history
        ending 2021-12 was forecast from 2021-12, not 2022-01), silently and alike behind every
        door. A skipped step is a missing value, and missing values (NaN / null) are what every
        door already accepts.
        """
        freq = getattr(self, "freq", None)
        if not isinstance(freq, str) or not freq:
            return list(series)
        out, filled = [], {}
        for i, s in enumerate(series):
            n_missing = 0
            if _dated(s) and np.asarray(s.timestamps).size == np.asarray(s.values).size:
                s, n_missing = on_step_grid(s, freq, self.model_name, field=f"series[{i}]")
            if n_missing:
                filled[str(s.id)] = n_missing
            out.append(s)
        if filled:
            names = ", ".join(f"{sid!r} ({n})" for sid, n in list(filled.items())[:5])
            more = ", ..." if len(filled) > 5 else ""
            warnings.warn(
                f"{len(filled)} of {len(out)} series skip steps of the model's frequency {freq}, read as "
                f"missing values (series and steps missing: {names}{more}): send every step, a missing "
                "value as NaN, to say so yourself",
                RegularisedTimesWarning,
                stacklevel=3,
            )
        return out

    def _refuse_intervals(self, request: IntervalRequest) -> None:
        """Raise when this predictor can never answer ``request``, before the series are read
        (default: accept; a predictor that may lack intervals says so in :meth:`_forecast`)."""
        return None

    def _forecast(
        self, series: Sequence[SeriesInput], h: int, request: IntervalRequest
    ) -> list[SeriesForecast]:
        """``h`` steps (already checked) after each of the (non-empty) ``series``, with the
        bounds of ``request``."""
        raise NotImplementedError(f"{type(self).__name__} must implement _forecast")

    @property
    def interval_method(self) -> str | None:
        """How this predictor answers ``level`` / ``quantiles``: ``"conformal"``, ``"native"`` or None."""
        return "conformal" if self.calibration is not None else None

    def interval_shortfall(
        self, level: Any = None, quantiles: Any = None, horizon: int | None = None
    ) -> str | None:
        """One sentence when this request's conformal bounds would be clamped (too few calibration
        scores for a level; see :meth:`ConformalCalibration.shortfall`), else None.

        Why besides the warning that forecasting emits: a service answers many requests from
        threads and returns the note in its response, where a process-wide warning cannot go.
        """
        request = IntervalRequest.parse(level, quantiles)
        if not request or self.calibration is None or self.interval_method != "conformal":
            return None
        return self.calibration.shortfall(request.probs, horizon or self.max_horizon)

    def input_note(self, series: Sequence[SeriesInput]) -> str | None:
        """One sentence when these series miss an input the model reads (it still answers, less
        well), else None (default: nothing is ever missing). Like :meth:`interval_shortfall`,
        what a service returns in its response where a warning cannot go."""
        return None

    def _calibrated_bounds(
        self,
        forecasts: list[SeriesForecast],
        histories: Sequence[np.ndarray],
        request: IntervalRequest,
        scale: np.ndarray | None = None,
    ) -> list[SeriesForecast]:
        """Attach the conformal bounds of ``request`` to ``forecasts`` (in place; returned).

        ``scale``: each series' local scale in its units, where the predictor must compute it
        the way its calibration did (default: from ``histories``, as panel models calibrate)."""
        if not request:
            return forecasts
        if self.calibration is None:
            raise ConfigError(
                f"model {self.model_name!r} has no interval calibration (it was saved before tsforge "
                "stored one); retrain it to get intervals",
                field="level" if request.levels else "quantiles",
            )
        point = np.vstack([np.asarray(f.values, dtype=np.float64) for f in forecasts])
        q = self.calibration.quantiles(
            point, histories, [f.id for f in forecasts], request.probs, scale=scale
        )
        return attach_bounds(forecasts, sorted_quantiles(q), request)

    @property
    def takes_coords(self) -> bool:
        """Whether the model was trained with station coordinates (and so reads a series' own)."""
        return False

    def _with_coords(self, inputs: list[SeriesInput], coords: Any) -> list[SeriesInput]:
        """``inputs`` with the coordinates of the series ``coords`` (a table) lists."""
        from tsforge.data.coordinates import coordinates_by_id

        if not self.takes_coords:
            raise ConfigError(
                f"model {self.model_name!r} was trained without station coordinates, so it has no use "
                "for them: drop --coords (it applies to models trained with --coords)",
                field="coords",
            )
        table = coordinates_by_id(coords, [str(s.id) for s in inputs])
        if not any(str(s.id) in table for s in inputs):
            raise DataValidationError(
                f"none of the history's series ({', '.join(str(s.id) for s in inputs[:5])}"
                f"{', ...' if len(inputs) > 5 else ''}) is in the coordinate table, whose ids look like "
                f"{list(table)[:5]}",
                file=str(coords) if isinstance(coords, (str, Path)) else None,
            )
        return [replace(s, coords=table.get(str(s.id), s.coords)) for s in inputs]

    def predict_frame(
        self,
        df: Any,
        horizon: int | None = None,
        *,
        id_col: str = "unique_id",
        time_col: str = "ds",
        target_col: str = "y",
        file: str | None = None,
        level: Any = None,
        quantiles: Any = None,
        coords: Any = None,
    ) -> pd.DataFrame:
        """History frame (pandas or polars) → long forecast frame ``unique_id, ds, step, y_hat``.

        The history is long (``unique_id, ds, y``) or wide (a time column + one column per
        series, like the training file); see :func:`tsforge.data.history.histories_from_frame`.
        ``ds`` is absent from the input (or null) when the history has no timestamps; the output
        then has ``ds`` = null and ``step`` 1..h. An integer time column (a step index, not
        dates) is continued: ``ds`` = the last index + 1, 2, … times the history's spacing. ``file`` only names the source in errors.
        ``level=[80, 95]`` adds ``y_hat-lo-80, y_hat-hi-80, ...``; ``quantiles=[0.1, 0.9]`` adds
        ``y_hat-q-0.1, ...``. ``coords``: a station-coordinate table (path or frame, one row per
        station: id, lat, lon[, alt]) for a model trained with coordinates; series found in it
        carry their coordinates, so a new station is forecast from where it is.
        """
        request = IntervalRequest.parse(level, quantiles)
        inputs = histories_from_frame(df, id_col, time_col, target_col, file=file)
        if coords is not None:
            inputs = self._with_coords(inputs, coords)
        kwargs = {"level": list(request.levels), "quantiles": list(request.quantiles)} if request else {}
        try:
            forecasts = self.predict_series(inputs, horizon, **kwargs)
        except DataValidationError as exc:
            raise _in_file_terms(exc, inputs, file, time_col, target_col, set(df.columns)) from None
        integer_steps = continued_steps(inputs, forecasts)
        frames = []
        for f in forecasts:
            n = len(f.values)
            if f.timestamps is not None:
                ds: Any = f.timestamps
            elif f.id in integer_steps:
                ds = integer_steps[f.id]
            else:
                ds = pd.Series([pd.NaT] * n)
            frames.append(
                pd.DataFrame(
                    {
                        id_col: f.id,
                        time_col: ds,
                        "step": np.arange(1, n + 1),
                        "y_hat": f.values,
                        **{f"y_hat-{k}": v for k, v in f.bounds.items()},
                    }
                )
            )
        return pd.concat(frames, ignore_index=True)


def _in_file_terms(
    exc: DataValidationError,
    inputs: Sequence[SeriesInput],
    file: str | None,
    time_col: str,
    target_col: str,
    columns: set[str],
) -> DataValidationError:
    """A request-shaped location (``field='series[3].values'``, what a REST client reads) said
    in the terms of the file the history came from: its name, the column and the series id
    (a wide file's series is its own column)."""
    field = str(exc.where.get("field", ""))
    match = re.fullmatch(r"series\[(\d+)\](?:\.(\w+))?", field)
    if file is None or "file" in exc.where:
        return exc
    if match is None or int(match.group(1)) >= len(inputs):  # still say which file it was
        return DataValidationError(exc.message, file=file, **exc.where)
    sid = inputs[int(match.group(1))].id
    part = match.group(2) or ""
    column = None
    if part == "values":
        column = target_col if target_col in columns else (sid if sid in columns else None)
    elif part == "timestamps" and time_col in columns:
        column = time_col
    return DataValidationError(exc.message, file=file, column=column, series=sid)


def continued_steps(
    inputs: Sequence[SeriesInput], forecasts: Sequence[SeriesForecast]
) -> dict[str, np.ndarray]:
    """The integer time keys of each forecast whose history had an integer step index
    (:attr:`SeriesInput.steps`): the steps after its last one, in its own spacing.

    Why one function: the pyfunc's forecast frame and the service's ``/invocations`` records
    label these forecasts alike.
    """
    steps = {s.id: s.steps for s in inputs if s.steps is not None and s.steps.size}
    out = {}
    for f in forecasts:
        if f.id in steps:
            try:
                out[f.id] = next_integer_steps(steps[f.id], len(f.values))
            except DataValidationError as exc:  # name the series whose steps run out
                raise DataValidationError(exc.message, **{**exc.where, "series": f.id}) from None
    return out


def attach_bounds(
    forecasts: list[SeriesForecast], quantile_values: np.ndarray, request: IntervalRequest
) -> list[SeriesForecast]:
    """Set every forecast's ``bounds`` from ``[n, h, P]`` quantiles at ``request.probs``."""
    for i, f in enumerate(forecasts):
        f.bounds = request.bounds(quantile_values[i])
    return forecasts


class Predictor(FramePredictor):
    """A fitted model ready to forecast any batch of histories."""

    def __init__(
        self, forecaster: Forecaster, scaler: StandardScaler, meta: dict[str, Any] | None = None
    ) -> None:
        self.forecaster = forecaster
        self.scaler = scaler
        self.meta = meta or {}
        self._index = {cid: i for i, cid in enumerate(forecaster.context.channel_ids)}

    @classmethod
    def from_dir(cls, path: str | Path) -> Predictor:
        from tsforge.models.persistence import load_model

        forecaster, scaler, meta = load_model(path)
        return cls(forecaster, scaler, meta)

    # -- properties --------------------------------------------------------------------------
    @property
    def model_name(self) -> str:
        return self.forecaster.name

    @property
    def input_len(self) -> int:
        return self.forecaster.context.input_len

    @property
    def max_horizon(self) -> int:
        return self.forecaster.context.horizon

    @property
    def known_ids(self) -> tuple[str, ...]:
        return self.forecaster.context.channel_ids

    @property
    def takes_coords(self) -> bool:
        return self.forecaster.context.coords is not None

    @property
    def freq(self) -> str | None:
        return self.forecaster.context.freq

    # -- prediction --------------------------------------------------------------------------
    def _forecast(
        self, series: Sequence[SeriesInput], h: int, request: IntervalRequest
    ) -> list[SeriesForecast]:
        """Point forecasts of the whole request as one batch; with a ``request``, conformal bounds."""
        forecasts, mean, std = self._point_forecasts(series, h)
        if not request:
            return forecasts
        histories = [np.asarray(s.values, dtype=np.float64) for s in series]
        scale = self._interval_scales(histories, mean, std)
        return self._calibrated_bounds(forecasts, histories, request, scale)

    def _standardisation(self, s: SeriesInput) -> tuple[float, float]:
        """``(mean, std)`` a series is standardised by: its training channel's, or for a series
        the model never saw, its own history's (a flat one is scaled by its level, as the
        training scaler scales a flat channel: :func:`~tsforge.data.scaling.spread_or_level`)."""
        idx = self._index.get(str(s.id), -1)
        if idx >= 0:
            return float(self.scaler.mean[idx]), float(self.scaler.std[idx])
        vals = np.asarray(s.values, dtype=np.float64).ravel()
        hist = vals[np.isfinite(vals)]
        mean = float(hist.mean())
        return mean, float(spread_or_level(np.array(hist.std()), np.array(mean)))

    def _interval_scales(
        self, histories: Sequence[np.ndarray], mean: np.ndarray, std: np.ndarray
    ) -> np.ndarray:
        """Each series' local scale, in its units, computed as :func:`~tsforge.panels.conformal.calibrate_task`
        computed the calibration's: on the input window (the last ``input_len`` values)
        standardised by the ``mean`` / ``std`` its forecast used, then times ``std``.

        Why not from the raw history: the scale falls back to the window's level where the
        window is flat, and a level is not the same number before and after standardising (a
        constant channel of 3 has level 0 standardised, 3 raw). Served that
        way, a flat window's bounds were scaled by another number than the scores they read:
        an 80 % interval of a constant channel sat off its own forecast.
        """
        assert self.calibration is not None
        windows = [
            (v.ravel()[-self.input_len :] - m) / sd for v, m, sd in zip(histories, mean, std, strict=True)
        ]
        return std * self.calibration.scales(windows)

    def _point_forecasts(
        self, series: Sequence[SeriesInput], h: int
    ) -> tuple[list[SeriesForecast], np.ndarray, np.ndarray]:
        """The point forecasts, and the ``[B]`` mean and std each series was standardised by."""
        L = self.input_len
        B = len(series)
        x = np.zeros((B, L, 1), dtype=np.float32)
        x_mask = np.zeros((B, L, 1), dtype=bool)
        channels = np.full((B, 1), -1, dtype=np.int64)
        mean = np.zeros(B)
        std = np.ones(B)
        note = self.input_note(series)
        if note:
            warnings.warn(note, MissingCalendarWarning, stacklevel=3)
        use_cal = self._reads_calendar() and all(_dated(s) for s in series)
        x_cal = np.zeros((B, L, 4), dtype=np.int64) if use_cal else None
        y_cal = np.zeros((B, self.max_horizon, 4), dtype=np.int64) if use_cal else None
        coords_dim = (
            None if self.forecaster.context.coords is None else self.forecaster.context.coords.shape[1]
        )
        coords = None
        future_ts: list[np.ndarray | None] = []
        for i, s in enumerate(series):
            field = f"series[{i}]"
            vals = np.asarray(s.values, dtype=np.float64).ravel()
            if vals.size < L:
                raise DataValidationError(
                    f"series {s.id!r} has {vals.size} values; the model needs at least {L} (its input length)",
                    field=f"{field}.values",
                )
            if np.isinf(vals).any():
                raise DataValidationError(
                    f"series {s.id!r} contains infinite values", field=f"{field}.values"
                )
            window = vals[-L:]
            observed = np.isfinite(window)
            if not observed.any():
                raise DataValidationError(
                    f"series {s.id!r} has no observed value in its last {L} steps", field=f"{field}.values"
                )
            idx = self._index.get(str(s.id), -1)
            channels[i, 0] = idx
            if idx < 0 and self.forecaster.needs_known_channels and s.coords is None:
                known = ", ".join(list(self.known_ids)[:8])
                raise DataValidationError(
                    f"unknown series id {s.id!r}: this model was trained on [{known}{', ...' if len(self.known_ids) > 8 else ''}]"
                    + (" — send its coordinates to forecast a new station" if coords_dim else ""),
                    field=f"{field}.id",
                )
            if s.coords is not None:
                c = np.asarray(s.coords, dtype=np.float64).ravel()
                if coords_dim is None or c.size != coords_dim or not np.isfinite(c).all():
                    raise DataValidationError(
                        f"coordinates of series {s.id!r} must be {coords_dim or 'not given for this model'} finite numbers",
                        field=f"{field}.coords",
                    )
                if coords is None:
                    coords = np.full((B, 1, coords_dim), np.nan)
                coords[i, 0] = c
            mean[i], std[i] = self._standardisation(s)
            z = (window - mean[i]) / std[i]
            x[i, :, 0] = causal_fill(z[:, None].astype(np.float32))[:, 0]
            x_mask[i, :, 0] = observed
            future = self._future_timestamps(s, self.max_horizon if use_cal else h, field)
            future_ts.append(None if future is None else future[:h])
            if use_cal:
                ts = np.asarray(s.timestamps).astype("datetime64[ns]")[-L:]
                x_cal[i] = calendar_indices(ts)
                y_cal[i] = calendar_indices(future)
        batch: dict[str, torch.Tensor] = {
            "idx": torch.arange(B),
            "x": torch.from_numpy(x),
            "x_mask": torch.from_numpy(x_mask),
            "channels": torch.from_numpy(channels),
        }
        if use_cal:
            batch["x_cal"] = torch.from_numpy(x_cal)
            batch["y_cal"] = torch.from_numpy(y_cal)
        if coords is not None:
            batch["coords"] = torch.from_numpy(coords.astype(np.float32))
        if not self.forecaster.channel_independent:
            self._check_aligned(series)
            batch = _as_one_window(batch)
        with torch.no_grad():
            out = self.forecaster.predict(batch).numpy()
        # a channel-mixing model answers [1, H, B] (every series a channel of one window)
        out = out[:, :, 0] if self.forecaster.channel_independent else out[0].T
        pred = out[:, :h].astype(np.float64)
        pred = pred * std[:, None] + mean[:, None]
        return [SeriesForecast(str(s.id), pred[i], future_ts[i]) for i, s in enumerate(series)], mean, std

    def _reads_calendar(self) -> bool:
        return bool(self.forecaster.uses_calendar and self.forecaster.context.calendar_terms)

    def input_note(self, series: Sequence[SeriesInput]) -> str | None:
        """Says when a model that reads the calendar gets series without dates.

        Why: such a model (STPE-MLP's hour/weekday/month tables, CycleNet's phase, LightGBM's
        calendar features) then forecasts without that input — every series of the batch, since
        one batch has one shape — and was answering undated requests (or integer steps, which
        carry no calendar) silently, up to a season's amplitude off.
        """
        if not self._reads_calendar():
            return None
        undated = sum(not _dated(s) for s in series)
        if not undated:
            return None
        terms = ", ".join(self.forecaster.context.calendar_terms)
        return (
            f"{self.model_name} reads the calendar ({terms}), but {undated} of {len(series)} series came "
            "without dates (no timestamps, or integer steps), so the batch was forecast without it and "
            "less accurately: send ISO-8601 timestamps"
        )

    def _check_aligned(self, series: Sequence[SeriesInput]) -> None:
        """A channel-mixing model forecasts the request's series as the channels of one window,
        so their histories must end at the same time (checked where timestamps are given)."""
        ends = {str(s.id): np.asarray(s.timestamps)[-1] for s in series if s.timestamps is not None}
        if len(set(ends.values())) > 1:
            first = next(iter(ends))
            other = next(k for k, v in ends.items() if v != ends[first])
            raise DataValidationError(
                f"{self.model_name} forecasts all series of a request together as one multichannel "
                f"window, so their histories must end at the same time: series {first!r} ends at "
                f"{ends[first]}, series {other!r} at {ends[other]}",
                field="series",
            )

    def _future_timestamps(self, s: SeriesInput, h: int, field: str) -> np.ndarray | None:
        """The ``h`` timestamps after the history's last one (numpy arithmetic for fixed steps)."""
        if s.timestamps is None:
            return None
        ts = np.asarray(s.timestamps).astype("datetime64[ns]")
        n_values = np.asarray(s.values).size
        if ts.shape != (n_values,):
            raise DataValidationError(
                f"series {s.id!r} has {ts.size} timestamps for {n_values} values", field=f"{field}.timestamps"
            )
        if self.freq:
            check_sampling(ts, self.freq, sid=s.id, model=self.model_name, field=f"{field}.timestamps")
        freq = self.freq or (
            pd.infer_freq(pd.DatetimeIndex(ts[-min(ts.size, 50) :])) if ts.size >= 3 else None
        )
        if freq is None:
            raise DataValidationError(
                f"cannot tell the frequency of series {s.id!r} from its timestamps",
                field=f"{field}.timestamps",
            )
        step = fixed_step(freq)
        if step is not None:
            return ts[-1] + step * np.arange(1, h + 1)
        return pd.date_range(ts[-1], periods=h + 1, freq=freq)[1:].values


def on_step_grid(s: SeriesInput, freq: str, model: str, *, field: str) -> tuple[SeriesInput, int]:
    """``s`` with the steps its timestamps skip inserted as missing values, and how many were
    inserted (``(s, 0)`` when none, or when its times are off the grid of a fixed-length
    ``freq``: then the predictor's own checks speak).

    Steps are counted on the grid a file read with ``--fill-gaps`` is laid on
    (:func:`~tsforge.data.panel.grid_steps`): anchors are ignored, as
    :func:`~tsforge.data.frequency.check_sampling` ignores them (Monday weeks for a Sunday-weekly
    model, month ends for a month-start one are one step apart), and a weekend is no step of a
    business-day model. Cheap (tens of microseconds a series; a few milliseconds for business
    days): the service runs it on every dated series.

    Why one function for every predictor: a panel model dates its forecast by counting steps
    from the history's start and a window model reads its last ``L`` values as ``L`` steps, so
    a history missing a step (a holiday, a lost hour) was forecast from before its own last
    date, or from a shifted window.

    Raises:
        DataValidationError: times that do not increase; a time a business-day model has no
            step for (a Saturday); another sampling rate than ``freq`` (daily data for a weekly
            model); more steps missing than observed (the history would be mostly gaps).
    """
    ts = np.asarray(s.timestamps).astype("datetime64[ns]")
    where = f"{field}.timestamps"
    if ts.size > 1 and not (ts[1:] > ts[:-1]).all():
        bad = int(np.flatnonzero(ts[1:] <= ts[:-1])[0]) + 1
        raise DataValidationError(
            f"series {str(s.id)!r}: timestamps must increase, {pd.Timestamp(ts[bad])} follows "
            f"{pd.Timestamp(ts[bad - 1])}",
            field=where,
        )
    if ts.size < 2:
        return s, 0
    steps, on = grid_steps(ts, freq)
    if not on.all() and _skips_weekends(freq):
        t = pd.Timestamp(ts[int(np.flatnonzero(~on)[0])])
        raise DataValidationError(
            f"series {str(s.id)!r} has a time off the {freq} grid its history starts on "
            f"({pd.Timestamp(ts[0])}): {t} ({t.day_name()}); this model forecasts {freq} steps",
            field=where,
        )
    if not (np.diff(steps) > 1).any():
        return s, 0
    check_sampling(ts, freq, sid=s.id, model=model, field=where)
    if not on.all() and fixed_step(freq) is not None:
        return s, 0
    n = int(steps[-1]) + 1
    if n - ts.size > ts.size:
        raise DataValidationError(
            f"series {s.id!r} skips {n - ts.size} steps of the model's frequency {freq} between "
            f"{pd.Timestamp(ts[0])} and {pd.Timestamp(ts[-1])}, more than its {ts.size} timestamps: "
            "send every step, a missing value as NaN (an empty cell in a file, null in JSON)",
            field=where,
        )
    values = np.full(n, np.nan)
    values[steps] = np.asarray(s.values, dtype=np.float64).ravel()
    if on.all():  # on the model's own grid: its steps, business days included
        stamps = pd.date_range(pd.Timestamp(ts[0]), periods=n, freq=freq).to_numpy().astype("datetime64[ns]")
    else:  # weeks or months on another anchor (Monday weeks for a Sunday model, month ends)
        stamps = _grid_timestamps(ts, n, freq)
    stamps[steps] = ts
    return replace(s, values=values, timestamps=stamps), n - ts.size


def _skips_weekends(freq: str) -> bool:
    """Business days or hours: a weekend time is off their grid, not a step another anchor has."""
    offset = pd.tseries.frequencies.to_offset(freq)
    return isinstance(offset, (pd.offsets.BusinessDay, pd.offsets.CustomBusinessDay, pd.offsets.BusinessHour))


def _months_per_step(freq: str) -> int | None:
    """1, 3 or 12 for monthly, quarterly and yearly frequencies; None for the others."""
    days = nominal_step_days(freq)
    return None if days is None or days < 28 else max(1, round(days / 30.4375))


def _grid_timestamps(ts: np.ndarray, n: int, freq: str) -> np.ndarray:
    """``n`` timestamps one step of ``freq`` apart from ``ts[0]``; month-based steps keep the
    first timestamp's day in the month (a month end stays a month end, from February too) and
    time of day."""
    months = _months_per_step(freq)
    if months is None:
        step = np.timedelta64(int(round(nominal_step_days(freq) * 86_400e9)), "ns")
        return ts[0] + step * np.arange(n)
    first = pd.Timestamp(ts[0])
    starts = pd.DatetimeIndex(
        (ts[0].astype("datetime64[M]") + months * np.arange(n)).astype("datetime64[ns]")
    )
    days_in_month = starts.days_in_month.to_numpy()
    day = (days_in_month if first.is_month_end else np.minimum(first.day, days_in_month)) - 1
    time_of_day = first - first.normalize()
    return (starts + pd.to_timedelta(day, unit="D") + time_of_day).to_numpy().astype("datetime64[ns]")


def _dated(s: SeriesInput) -> bool:
    """Whether a series carries dates (the calendar), not just a step index or nothing."""
    return s.timestamps is not None and np.asarray(s.timestamps).dtype.kind == "M"


def _as_one_window(batch: dict[str, torch.Tensor]) -> dict[str, torch.Tensor]:
    """Per-series rows ``[B, L, 1]`` → one window whose channels are the series ``[1, L, B]``.

    Why: a channel-mixing model (iTransformer) was trained and evaluated on every channel of a
    window at once; forecasting each series alone would attend to that series only and differ
    from the evaluated forecast. Calendar features are shared by aligned series (the first row's).
    """
    joint = {
        "idx": batch["idx"][:1],
        "x": batch["x"][:, :, 0].T.unsqueeze(0),
        "x_mask": batch["x_mask"][:, :, 0].T.unsqueeze(0),
        "channels": batch["channels"][:, 0].unsqueeze(0),
    }
    for key in ("x_cal", "y_cal"):
        if key in batch:
            joint[key] = batch[key][:1]
    if "coords" in batch:
        joint["coords"] = batch["coords"][:, 0].unsqueeze(0)
    return joint
