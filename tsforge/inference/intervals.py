"""What a caller asks of a forecast's uncertainty, and the bounds that answer it.

:class:`IntervalRequest` turns levels (in %) and quantiles into one sorted set of probabilities,
the column names every door (CLI, Python API, pyfunc, REST) writes; the helpers here keep the
answers coherent (quantiles sorted so that bands never cross, the point inside its band, a
non-negative floor) and say in words when a request is probably not what the caller meant.
Every predictor (:mod:`tsforge.inference.predictor`, the panel predictors) shares them.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from tsforge.arguments import number_list
from tsforge.errors import ConfigError

#: Most levels (and, separately, quantiles) one request may ask for: each adds two (one) output
#: columns per step, and more than a handful is a distribution, not a set of intervals.
MAX_LEVELS = 20


@dataclass
class SeriesForecast:
    """One series' forecast: point ``values`` and, when asked for, ``bounds``.

    ``bounds`` maps ``"lo-80"``, ``"hi-80"``, ``"q-0.1"`` ... to ``[h]`` arrays; in a frame they
    become the columns ``y_hat-lo-80``, ``y_hat-hi-80``, ``y_hat-q-0.1`` (Nixtla's naming).

    ``trimmed``: how many of the history's last steps (as sent) the forecast does not follow —
    trailing missing values the predictor dropped — so it starts after the step before them;
    ``None`` where unknown (a forecast not made by ``predict_series``). Why it travels with the
    forecast: how many steps are dropped depends on the model kind (a channel-mixing model keeps
    a series' trailing nulls that other series observed), and the labels of an integer-indexed
    forecast (:func:`~tsforge.inference.predictor.continued_steps`, the service's answers) are
    made after the forecast, from the history as sent.

    ``raised``: what the floor raised at some step (:func:`floor_points`: a model whose
    training data were non-negative, forecasting a history that is too): keys of ``bounds``,
    and ``"point"`` for the point forecast. Why it travels with the forecast: a band at 0 is
    either a band the floor stopped there or one the model fitted without error (an all-zero
    history), and the note that says why it has no width (:func:`zero_width_note`, made by the
    library and again by the service from the answer) must tell the two apart. Every model
    trained on non-negative data has a floor of 0, so an all-zero history's native band is
    [0, 0] before any clipping — an error-free fit the floor held but did not move — and only
    a band the floor raised "stops at 0". Why not the floor itself: what it raised sits at the
    floor where it was raised (its least value), so the band says which floor that was
    (:func:`_raised_to_zero`). Why the point: a panel model's native bounds reach
    :func:`floor_points` already clipped (its quantiles are floored as they are made), but the
    point they lie around is not, so a point raised is a band that reached below 0.
    """

    id: str
    values: np.ndarray
    timestamps: np.ndarray | None = None
    bounds: dict[str, np.ndarray] = field(default_factory=dict)
    trimmed: int | None = None
    raised: frozenset[str] = frozenset()


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


def _check_range(x: float, top: float, position: int, name: str) -> None:
    """Refuse ``x`` outside ``(0, top)``, naming its ``position`` in the caller's list as
    :func:`~tsforge.arguments.number_list` names a non-finite one: ``level=[80, 150]`` said
    "got 150" with no index where ``level=[80, nan]`` said "got nan at position 1" (the CLI
    turns either into "the 2nd --level value")."""
    if not 0 < x < top:
        raise ConfigError(
            f"{name} must be between 0 and {top:g} (exclusive), got {x:g} at position {position}", field=name
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
        for i, lv in enumerate(levels):
            _check_range(lv, 100, i, "level")
            _check_spelling(lv, "level")
        for i, q in enumerate(qs):
            _check_range(q, 1, i, "quantiles")
            _check_spelling(q, "quantiles")
        if len(set(levels)) > MAX_LEVELS or len(set(qs)) > MAX_LEVELS:
            raise ConfigError(
                f"at most {MAX_LEVELS} levels and {MAX_LEVELS} quantiles per forecast",
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
    #: lower bound of the quantiles (and points) of a history that does not go below it, or None
    floor: float | None

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

    def save(self, folder: str | Path) -> Path:
        """Write the calibration into ``folder`` (a model bundle); the file written."""
        ...


def level_note(level: Any, *, flags: bool = False) -> str | None:
    """One sentence when a requested level is below 1 (a 0.5 % interval, next to no width), which
    is far more often a fraction meant as a percentage (0.5 for 50, 0.95 for 95) or a quantile
    than a real request; else None. Levels are in %; such a level is still answered as asked.
    ``flags``: name the command line's options (``--level 50``, ``--quantiles``), not the
    request's fields (``level 50``, ``quantiles``).

    Why a note and not an error: a 0.5 % interval is a valid request, but silently answering it
    gave a band of next to no width to a caller who meant 50 %.
    """
    small = sorted({v for v in (number_list(level, "level") or []) if 0 < v < 1})
    if not small:
        return None
    names = ", ".join(f"{v:g}" for v in small)
    meant = ", ".join(f"{100 * v:g}" for v in small)
    if flags:  # one shell word: "--level 50, 95" would be two arguments
        flag = ",".join(f"{100 * v:g}" for v in small)
        return (
            f"--level is in % and --level {names} asks for a {names} % central interval (next to no "
            f"width): for the {meant} % interval give --level {flag}; for a quantile use --quantiles"
        )
    return (
        f"level is in % and level {names} asks for a {names} % central interval (next to no width): "
        f"for the {meant} % interval ask for level {meant}; for a quantile use quantiles"
    )


#: Widths up to this fraction of the values' magnitude count as zero: a flat history's native
#: interval came back 8.9e-16 wide at one step of a level of 5 (one ulp, the residue of widening
#: a band to contain its point), and an exact ``<= 0`` test never said it.
ZERO_WIDTH_RTOL = 1e-12


def _zero_width(lo: Any, hi: Any, point: Any) -> bool:
    """Whether the interval ``[lo, hi]`` has no width at any step beyond floating-point residue
    (:data:`ZERO_WIDTH_RTOL` of the largest of ``|lo|``, ``|hi|``, ``|point|`` at that step)."""
    lo, hi = np.asarray(lo, dtype=np.float64), np.asarray(hi, dtype=np.float64)
    scale = np.maximum(np.maximum(np.abs(lo), np.abs(hi)), np.abs(np.asarray(point, dtype=np.float64)))
    return bool(np.all(hi - lo <= ZERO_WIDTH_RTOL * scale))


def zero_width_note(forecasts: Sequence[SeriesForecast], method: str | None = None) -> str | None:
    """One sentence when a central interval of some forecasts has zero width at every step (the
    levels and series, a few by name), else None. ``method``: how the bounds were made
    (``"native"`` says why and what gives such a series a width).

    Why: statsforecast's own intervals come from a model's errors on the history, so a history
    it fits without error (a flat series) gets a 95 % "interval" that is the point itself, and
    it was returned without a word. Native intervals stopped at 0 (non-negative data, the whole
    band below 0) are said as that, not as an error-free fit — only where a floor of 0 raised
    the band (:attr:`SeriesForecast.raised`): an all-zero history has a native band at 0 because
    the model fits it without error, with or without a floor, and was told its forecasts "stop
    at 0". A width of floating-point residue counts as zero (:func:`_zero_width`).
    """
    flat: dict[str, list[str]] = {}
    at_zero = True  # every such interval is a band a floor of 0 raised to 0
    for f in forecasts:
        for key, lo in f.bounds.items():
            hi = f.bounds.get(f"hi-{key[3:]}") if key.startswith("lo-") else None
            if hi is not None and np.size(lo) and _zero_width(lo, hi, f.values):
                flat.setdefault(key[3:], []).append(str(f.id))
                at_zero = at_zero and _stopped_at_zero(f, key, f"hi-{key[3:]}")
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
    if method == "native" and at_zero:  # not (only) an error-free fit: a band stopped at the floor
        note += (
            f": the model's own {'bands lie' if plural else 'band lies'} at or below 0 at every "
            "step, and the forecasts of non-negative data stop at 0"
        )
    elif method == "native":
        note += (
            f": the model's own intervals have no spread here: it fits {'these histories' if many else 'this history'} "
            "without error (e.g. a flat series) or, a global model, holds an input window of one "
            "constant value at that value; "
            "conformal intervals (a model trained with its interval calibration) give "
            f"{'them' if many else 'it'} a width"
        )
    return note


def _stopped_at_zero(forecast: SeriesForecast, lo_key: str, hi_key: str) -> bool:
    """Whether the band ``lo_key``..``hi_key`` of ``forecast`` is at a floor of 0 at every step
    and that floor raised it (one of its bounds, or the point inside it: the model's own band
    reached below 0): a band that was [0, 0] before the floor is an error-free fit, not one the
    floor stopped."""
    hi = np.asarray(forecast.bounds[hi_key], dtype=np.float64)
    return _raised_to_zero(forecast, (lo_key, hi_key, "point")) and not np.any(hi)


def _raised_to_zero(forecast: SeriesForecast, keys: Sequence[str]) -> bool:
    """Whether a floor of 0 raised one of ``keys`` of ``forecast`` (bounds, or ``"point"``).

    Why the least value says the floor: :func:`floor_points` holds what it raised at the floor,
    where it was below it, so that array's least value is the floor; only a floor of 0 makes
    forecasts of non-negative data "stop at 0".
    """
    arrays = {"point": forecast.values, **forecast.bounds}
    return any(k in forecast.raised and np.size(arrays[k]) and float(np.min(arrays[k])) == 0.0 for k in keys)


def floor_points(
    forecasts: Sequence[SeriesForecast], histories: Sequence[Any], floor: float | None
) -> Sequence[SeriesForecast]:
    """Clip the point forecast and every bound of each forecast whose history (one per forecast,
    the values it was made from) is all ``>= floor`` at ``floor``, and record what it raised
    as the forecast's :attr:`~SeriesForecast.raised` (in place; returned).

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
        point = np.asarray(f.values, dtype=np.float64)
        below = {k for k, b in f.bounds.items() if np.any(np.asarray(b, dtype=np.float64) < floor)}
        f.raised = f.raised | below | ({"point"} if np.any(point < floor) else set())
        f.values = np.maximum(point, floor)
        f.bounds = {k: np.maximum(b, floor) for k, b in f.bounds.items()}
    return forecasts


def sorted_quantiles(values: np.ndarray) -> np.ndarray:
    """Monotone rearrangement along the last axis (Chernozhukov et al. 2010): sorting quantile
    forecasts never increases any pinball loss, and makes crossing impossible."""
    return np.sort(np.asarray(values, dtype=np.float64), axis=-1)


def attach_bounds(
    forecasts: list[SeriesForecast], quantile_values: np.ndarray, request: IntervalRequest
) -> list[SeriesForecast]:
    """Set every forecast's ``bounds`` from ``[n, h, P]`` quantiles at ``request.probs``."""
    for i, f in enumerate(forecasts):
        f.bounds = request.bounds(quantile_values[i])
    return forecasts
