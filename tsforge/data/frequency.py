"""Frequencies: inference from timestamps, the fixed step of an alias, steps per hour/day, season length.

Why one module: "how long is one step of ``15min`` / ``W-SAT`` / ``MS``?" is asked by the split
protocol, the forecast timestamps and the recommender's features; answering it once keeps
them consistent (a month has no fixed step anywhere, not only in some places).
"""

from __future__ import annotations

import re
import warnings
from functools import lru_cache
from typing import Any, cast

import numpy as np
import pandas as pd

__all__ = [
    "NS_PER_DAY",
    "checked_freq",
    "RenamedFreq",
    "infer_freq",
    "named_freq",
    "modal_step_alias",
    "mid_month_hint",
    "clock_change_hint",
    "season_length",
    "steps_per_hour",
    "steps_per_day",
    "fixed_step",
    "nominal_step_days",
    "check_sampling",
    "rate_words",
    "step_words",
    "grid_words",
    "date_words",
    "off_grid_hint",
    "month_anchor",
]

#: nanoseconds in a day: the unit calendar grids step in (timestamps are int64 nanoseconds)
NS_PER_DAY = 86_400 * 10**9


def checked_freq(freq: str | None) -> str | None:
    """A user-given frequency, refused by name when pandas does not know it, and under its
    current name when pandas has renamed it (``M`` → ``ME``, ``H`` → ``h``, ``T`` → ``min``).

    Why here, at the loader's door: an unknown alias otherwise surfaces deep in the spacing
    check as a pandas ``ValueError`` traceback instead of a one-line error naming the option;
    a renamed one printed pandas' multi-line ``FutureWarning`` (with its source line) at every
    date range built from it, and errors then named a grid (``M``) whose meaning — month
    *ends* — the user had to know.
    """
    if freq is None:
        return None
    from tsforge.errors import ConfigError

    try:
        with warnings.catch_warnings(record=True) as renamed:
            warnings.simplefilter("always", FutureWarning)
            offset = pd.tseries.frequencies.to_offset(freq)
    except (ValueError, TypeError):
        raise ConfigError(
            f"unknown frequency {freq!r}; give a pandas alias such as h, 15min, D, W-SUN, MS, QS or YS",
            field="freq",
        ) from None
    if any(issubclass(w.category, FutureWarning) for w in renamed):
        return RenamedFreq(offset.freqstr, typed=freq)
    return freq


class RenamedFreq(str):
    """A frequency under pandas' current name (``ME``) that remembers the alias the user typed
    (``M``, in :attr:`typed`), for the notes that name the option given.

    Why: :func:`checked_freq` renames at the loader's door, so a note made deep in a reader
    (``--freq M`` on month-start dates) named ``--freq ME``, an alias the user never typed. It
    is a ``str`` everywhere else, and pickles as a plain one (a cached panel keeps no trace).
    """

    typed: str

    def __new__(cls, current: str, *, typed: str) -> RenamedFreq:
        out = super().__new__(cls, current)
        out.typed = typed
        return out

    def __reduce__(self) -> tuple[type, tuple[str]]:
        return (str, (str.__str__(self),))


def infer_freq(timestamps: np.ndarray) -> str | None:
    """Pandas offset alias for regular timestamps (``None`` when fewer than 3 or irregular).

    Falls back to the modal step when pandas cannot name the frequency (e.g. a series with a
    single gap), so the caller can then report where the spacing breaks.
    """
    ts = pd.DatetimeIndex(np.asarray(timestamps).astype("datetime64[ns]"))
    if len(ts) < 3:
        return None
    freq = named_freq(ts)
    if freq is not None:
        return freq
    deltas = np.diff(ts.asi8)
    values, counts = np.unique(deltas, return_counts=True)
    step = int(values[np.argmax(counts)])
    if step <= 0:
        return None
    return modal_step_alias(step, ts.asi8)


def named_freq(index: pd.DatetimeIndex) -> str | None:
    """Pandas' name for the frequency of a regular index (at least 3 times), with steps of several
    quarters named in months: ``6MS`` for half-years dated at their start, not ``2QS-OCT``.

    Why: pandas names a six-month step ``2QS-OCT`` (or ``2QE-DEC``), a quarterly offset taken
    twice, and every rule keyed on the offset's name read it as quarterly (a season of 4 steps, a
    step of 91 days), so half-yearly data got a two-year season; months say what the step is.

    Pandas' notice is silenced by one narrow filter (:func:`_infer_notice_ignored`), not a
    ``catch_warnings`` block: the service names each posted series' rate here from several
    threads, and that block swaps the process-wide filters (and, recording, ``showwarning``), so
    another request's notes were lost or printed to the server's console while one was open.
    """
    _infer_notice_ignored()
    name = pd.infer_freq(index)
    if name is None:
        return None
    offset = pd.tseries.frequencies.to_offset(name)
    edge = offset.name[1] if offset.name[:2] in ("QS", "QE") else None
    if edge is None or offset.n == 1:
        return name
    return f"{3 * offset.n}M{edge}"


#: the filter that ignores pandas' notice that ``infer_freq`` will return an offset (pandas 3.1
#: on): a ``FutureWarning`` pandas attributes to its caller here, whose words name the offset
_INFER_NOTICE = (
    "ignore",
    re.compile(r".*(infer|offset)", re.IGNORECASE),
    FutureWarning,
    re.compile(rf"{re.escape(__name__)}\Z"),
    0,
)


def _infer_notice_ignored() -> None:
    """Put :data:`_INFER_NOTICE` last among the filters, where a ``resetwarnings`` or a
    ``catch_warnings`` block took it out.

    Why last and never removed: it only decides for a warning no other filter matches (a user's
    ``-W error::FutureWarning`` still wins), adding it is one in-place append (no list saved and
    restored over other threads'), and it can match no tsforge warning (a ``UserWarning``).
    No ``warnings._filters_mutated()`` (private): an "ignore" filter writes no registry stale.
    """
    if _INFER_NOTICE not in warnings.filters:
        cast(list[Any], warnings.filters).append(_INFER_NOTICE)


_MONTHS = ("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC")
_DAYS = ("MON", "TUE", "WED", "THU", "FRI", "SAT", "SUN")


def modal_step_alias(step_ns: int, timestamps_ns: np.ndarray) -> str:
    """The alias of a series' most common step when pandas cannot name its frequency (gaps).

    Why not the step's length alone: a month's most common length is 31 days, and calling
    monthly data ``31D`` made every regular 28- or 30-day step look like a gap (the spacing
    check then blamed the wrong row). A step of a month, a quarter or a year whose timestamps
    all sit on the first (or the last) day of a month is named as such (``MS``, ``QS-JAN``,
    ``YE-DEC``, ...), half a year's as ``6MS`` / ``6ME`` (as :func:`named_freq` names it), a 7-day
    step by its weekday (``W-SUN``); anything else by its length.
    """
    ts = pd.DatetimeIndex(np.asarray(timestamps_ns, dtype=np.int64).view("datetime64[ns]"))
    days = step_ns / NS_PER_DAY
    if days == 1 and _business_days(ts):
        return "B"
    if len(ts) and bool((ts == ts.normalize()).all()):
        if days == 7 and ts.dayofweek.nunique() == 1:
            return f"W-{_DAYS[ts.dayofweek[0]]}"
        semi_month = _semi_month_alias(ts)
        if semi_month and 13 <= days <= 17:
            return semi_month
        for width, (lo, hi) in ((1, (28, 31)), (3, (89, 92)), (6, (181, 184)), (12, (365, 366))):
            phase = (ts.month - 1) % width  # a quarter's, a half's or a year's month: the same every step
            if not lo <= days <= hi or np.unique(phase).size != 1:
                continue
            for suffix, on_edge, offset in (("S", ts.is_month_start, 0), ("E", ts.is_month_end, 12 - width)):
                if on_edge.all():
                    return _months_alias(width, suffix, int(phase[0]) + offset)
    return pd.tseries.frequencies.to_offset(pd.Timedelta(step_ns, unit="ns")).freqstr


def _months_alias(width: int, suffix: str, month: int) -> str:
    """The alias of a step of ``width`` months dated at the start (``suffix`` ``S``) or the end
    (``E``) of its months; ``month``: the index of the month that anchors quarters and years.

    ``MS``, ``6ME``; ``QS-JAN`` starts Jan/Apr/Jul/Oct, ``QE-DEC`` ends Mar/Jun/Sep/Dec, ``YS-JUL``
    starts July. Half-years need no anchor: ``6MS`` steps from the series' own first date.
    """
    if width in (1, 6):
        return f"{width if width > 1 else ''}M{suffix}"
    return f"{'Q' if width == 3 else 'Y'}{suffix}-{_MONTHS[month]}"


def _semi_month_alias(ts: pd.DatetimeIndex) -> str | None:
    """``SMS`` for dates on the 1st and 15th of their months, ``SME`` for the 15th and the
    month's last day, ``None`` otherwise (both days must occur).

    Why: pandas names neither from timestamps, and the modal step of such data (14 or 15 days)
    made every month's other half look like a gap, so the file was refused as irregular.
    """
    day = np.asarray(ts.day)
    on_15 = day == 15
    if not on_15.any() or on_15.all():
        return None
    if bool(np.all(on_15 | (day == 1))):
        return "SMS"
    if bool(np.all(on_15 | np.asarray(ts.is_month_end))):
        return "SME"
    return None


def mid_month_hint(timestamps_ns: np.ndarray) -> str:
    """Advice for monthly data dated on one day inside the month (the 15th), else ``""``.

    Why: months are read on a month-start (``MS``) or month-end (``ME``) grid; a file dated on
    the 15th of every month has no other pandas name than a fixed number of days, so it was
    refused as "not one 31D step" — a rate the file does not have — with advice that cannot help.
    """
    ts = pd.DatetimeIndex(np.asarray(timestamps_ns, dtype=np.int64).view("datetime64[ns]"))
    if len(ts) < 3:
        return ""
    steps = np.diff(np.unique(ts.asi8)) / NS_PER_DAY
    if steps.size == 0 or not 28 <= np.median(steps) <= 31 or np.unique(ts.day).size != 1:
        return ""
    if ts.is_month_start.all() or ts.is_month_end.all():  # on the MS / ME grid: a real gap
        return ""
    return (
        f"; the dates fall on day {ts.day[0]} of their months: monthly data are read dated at the start "
        "(or the end) of each month, so give each value its month's first (or last) day"
    )


#: months in which summer time starts or ends somewhere (north: Mar/Apr, Oct/Nov; south: Sep/Oct, Apr)
_CLOCK_CHANGE_MONTHS = (3, 4, 9, 10, 11)
_NS_PER_HOUR = 3600 * 10**9


def clock_change_hint(times_ns: np.ndarray, before_ns: int | None, at_ns: int) -> str:
    """Advice when a duplicate time or a one-hour gap in sub-daily local times sits where summer
    time starts or ends (a Sunday, 00:00–03:59, in March/April or September–November), else ``""``.

    Why: times written on a local wall clock without their UTC offset skip an hour in spring and
    repeat one in autumn; the file was refused as "duplicate timestamp 2024-10-27 02:00:00" or
    "irregular spacing 01:00 → 03:00" with advice (fill gaps, set the frequency) that does not
    say why or cannot help (a repeated hour cannot be filled), while the times with their UTC
    offset (or in UTC) read as a regular series.

    Args:
        times_ns: the series' times (int64 ns, any order): its step is their median difference.
        before_ns: the time before the gap (``None`` for a duplicate).
        at_ns: the duplicated time, or the time after the gap.
    """
    diffs = np.diff(np.unique(np.asarray(times_ns, dtype=np.int64)))
    step_ns = int(np.median(diffs)) if diffs.size else 0
    if step_ns >= NS_PER_DAY and before_ns is not None:
        return _moved_time_of_day_hint(int(before_ns), int(at_ns))
    if not 0 < step_ns <= _NS_PER_HOUR:
        return ""
    if before_ns is None:  # a repeated time: the hour the clock went back over
        hour = pd.Timestamp(int(at_ns))
    else:  # one hour more than a step: the hour the clock jumped over
        if int(at_ns) - int(before_ns) != step_ns + _NS_PER_HOUR:
            return ""
        hour = pd.Timestamp(int(before_ns) + step_ns)
    if hour.dayofweek != 6 or hour.hour > 3 or hour.month not in _CLOCK_CHANGE_MONTHS:
        return ""
    change = "repeats" if before_ns is None else "skips"
    return (
        f"; this looks like a summer-time clock change (local time {change} an hour on {hour:%Y-%m-%d}): "
        f"write the times with their UTC offset (e.g. {pd.Timestamp(int(at_ns)):%Y-%m-%dT%H:%M:%S}+HH:MM) "
        "or in UTC, which read as a regular series"
    )


def _moved_time_of_day_hint(before_ns: int, at_ns: int) -> str:
    """Advice when daily (or coarser) times move by exactly one hour of the day between two
    steps in a month where summer time starts or ends, else ``""``.

    Why: local midnights written in UTC (or UTC midnights written in local time) are 23:00 in
    winter and 22:00 in summer; such a file was told to set the frequency or fill gaps, and
    neither can help.
    """
    half_day = NS_PER_DAY // 2
    shift = ((at_ns % NS_PER_DAY) - (before_ns % NS_PER_DAY) + half_day) % NS_PER_DAY - half_day
    if abs(shift) != _NS_PER_HOUR or pd.Timestamp(at_ns).month not in _CLOCK_CHANGE_MONTHS:
        return ""
    return (
        f"; the time of day moves by an hour here ({pd.Timestamp(before_ns):%H:%M} → "
        f"{pd.Timestamp(at_ns):%H:%M}), as local times written in UTC do at a summer-time clock change: "
        "give the dates without a time of day, or the times with their UTC offset"
    )


def _business_days(ts: pd.DatetimeIndex) -> bool:
    """Daily-stepped times that never fall on a Saturday or Sunday over a span that holds a
    weekend, all at one time of day: business days.

    Why: pandas names a business-day series ``B`` only when no day is missing; one holiday left
    it to the modal step, one day, and the series was then "irregular" at every weekend, or with
    ``--fill-gaps`` became a calendar-daily series with every weekend a missing value.
    """
    if len(ts) < 5 or int(ts.asi8.max() - ts.asi8.min()) < 7 * NS_PER_DAY:
        return False
    time_of_day = ts.asi8 % NS_PER_DAY
    return bool((ts.dayofweek < 5).all() and (time_of_day == time_of_day[0]).all())


@lru_cache(maxsize=64)
def _fixed_timedelta(freq: str) -> pd.Timedelta | None:
    """The length of one step when it is fixed (h, 15min, D); ``None`` for calendar offsets.

    Anchored offsets (``W-SAT``, ``MS``, ``QS``, ``B``) have no single length, and an unknown
    alias has none either; cached because forecasting asks once per series.
    """
    try:
        return pd.Timedelta(pd.tseries.frequencies.to_offset(freq))
    except (ValueError, TypeError):
        return None


def _step_seconds(freq: str) -> float | None:
    step = _fixed_timedelta(freq)
    return None if step is None else step.total_seconds()


def fixed_step(freq: str | None) -> np.timedelta64 | None:
    """One step as ``timedelta64[ns]`` for fixed-length frequencies; ``None`` for months, weeks anchored
    on a weekday, quarters, years, business days and unknown aliases (use ``pd.date_range`` then)."""
    if not freq:
        return None
    step = _fixed_timedelta(freq)
    return None if step is None else np.timedelta64(step.value, "ns")


def steps_per_day(freq: str | None) -> float:
    """24 for hourly data, 1/30.4 for monthly, ...; NaN when unknown (a feature value, not an error).

    Calendar offsets get their average length (month 30.4 days, quarter 91.3, year 365.25), times
    their multiple (``6MS``: half a year); anchored weeks and business days are NaN, as the
    recommender's knowledge base was built.
    """
    if not freq:
        return float("nan")
    sec = _step_seconds(freq)
    if sec is None or sec <= 0:
        n, f = _multiple(freq)
        for prefixes, days in (
            (("SM",), 15.2),  # semi-month
            (("MS", "ME", "M", "BM"), 30.4),
            (("Q", "BQ"), 91.3),
            (("Y", "A", "BY", "BA"), 365.25),
        ):
            if f.upper().startswith(prefixes):
                return 1 / (n * days)
        return float("nan")
    return 86400.0 / sec


def _multiple(freq: str) -> tuple[int, str]:
    """An alias's multiple and the rest: ``6MS`` → ``(6, "MS")``, ``QS`` → ``(1, "QS")``.

    Why: a step of six months is not a month; rules keyed on the alias's letters alone gave
    half-yearly data a monthly rate and season.
    """
    digits = len(freq) - len(freq.lstrip("0123456789"))
    return (int(freq[:digits]) if digits and int(freq[:digits]) > 0 else 1), freq[digits:]


def steps_per_hour(freq: str | None) -> float | None:
    """1 for hourly, 4 for 15-minute data, ...; ``None`` for daily or coarser."""
    if not freq:
        return None
    sec = _step_seconds(freq)
    if sec is None or sec > 3600:
        return None
    return 3600.0 / sec


def season_length(freq: str | None) -> int:
    """Dominant seasonal period in steps: a day for sub-daily data, a week for daily data,
    a year for weekly/semi-monthly/monthly/quarterly data (2 for half-years: ``6MS``, ``2QS``),
    1 when unknown or when the steps do not divide the period (``5MS``)."""
    if not freq:
        return 1
    sec = _step_seconds(freq)
    if sec is not None:
        if sec < 86_400:
            return max(1, int(round(86_400 / sec)))
        if sec == 86_400:
            return 7
        if sec == 7 * 86_400:
            return 52
        return 1
    offset = pd.tseries.frequencies.to_offset(freq)
    period = _calendar_period(offset.name.upper())
    n = max(1, abs(int(offset.n)))
    return period // n if period % n == 0 and period > n else 1


def _calendar_period(name: str) -> int:
    """Steps of one (``n = 1``) calendar offset per season: a year of weeks, semi-months, months
    or quarters, a week of business days; 1 for the rest."""
    for prefixes, period in (
        (("W",), 52),
        (("SM",), 24),  # semi-month (SMS, SME): two steps a month
        (("ME", "MS", "M", "BM"), 12),
        (("QE", "QS", "Q", "BQ"), 4),
        (("B",), 5),
    ):
        if name.startswith(prefixes):
            return period
    return 1


def nominal_step_days(freq: str | None) -> float | None:
    """The length of one step in days, anchors ignored: 7 for ``W-SUN`` and ``W-MON`` alike,
    about 30.4 for ``MS`` and ``ME``; ``None`` when unknown.

    Why: two frequencies that differ only in their anchor sample at the same rate (a weekly
    model forecasts a Monday-weekly series as well as a Sunday-weekly one), while daily against
    weekly is another sampling altogether; this is the number that tells them apart.
    """
    if not freq:
        return None
    sec = _step_seconds(freq)
    if sec is not None and sec > 0:
        return sec / 86_400
    try:
        offset = pd.tseries.frequencies.to_offset(freq)
    except (ValueError, TypeError):
        return None
    name = offset.name.upper()
    if name.startswith("CB"):  # custom business month / hour: sampled as the business ones
        name = name[1:]
    for prefixes, days in (
        (("WOM", "LWOM"), 30.4),  # the n-th / last weekday of each month: monthly
        (("W",), 7.0),
        (("SM",), 15.2),
        (("ME", "MS", "M", "BM"), 30.4),
        (("QE", "QS", "Q", "BQ"), 91.3),
        (("YE", "YS", "Y", "A", "BY", "BA"), 365.25),
        (("BH",), 1 / 24),  # business hours: an hour apart within the day
        (("B", "C"), 1.0),  # business days: one day apart but over weekends (the median step)
    ):
        if name.startswith(prefixes):
            return days * max(1, abs(int(offset.n)))  # 6MS: six months
    return None


def check_sampling(timestamps: np.ndarray, freq: str, *, sid: Any, model: str, field: str) -> None:
    """Refuse a history sampled at another rate than ``freq``, the model's (daily data for an
    hourly model), naming the series, both rates and ``field``.

    Cheap on purpose (a median of the last ≤ 50 steps; pandas' inference only for the message):
    a service runs it on every series of every request. Anchors are ignored (W-MON data for a
    W-SUN model samples at the model's rate); 10 % tolerance covers 28–31-day months. A history
    whose shortest step is the model's and whose steps are uneven is at its rate however many
    steps it skips (the median step of months kept unevenly is several months): the step grid
    fills those steps as missing values or refuses a history mostly of them
    (:mod:`tsforge.data.step_grid`), where this check had said "sampled monthly (MS) …, but this
    model forecasts monthly (MS) series". Steps mostly at their median are another rate (a
    quarterly series with one monthly step), and times off the model's grid cannot be placed on
    its steps (readings at 09:00, one at 09:30): both refused as before.
    """
    expected = nominal_step_days(freq)
    ts = np.asarray(timestamps, dtype="datetime64[ns]")[-51:].view(np.int64)
    if expected is None or ts.size < 2:
        return
    steps = np.diff(ts)
    step_days = float(np.median(steps)) / NS_PER_DAY
    if abs(step_days - expected) <= 0.1 * expected:
        return
    at_median = np.abs(steps - np.median(steps)) <= 0.1 * np.median(steps)
    if abs(float(steps.min()) / NS_PER_DAY - expected) <= 0.1 * expected and at_median.mean() < 0.5:
        from tsforge.data.calendar_grid import grid_steps  # it imports this module

        on = grid_steps(ts.view("datetime64[ns]"), freq)[1]
        if on.all():
            return  # the model's rate, steps skipped unevenly (not another rate with one short step)
        raise off_grid_error(sid, freq, ts[0], ts[int(np.flatnonzero(~on)[0])], field=field)
    from tsforge.errors import DataValidationError

    seen = infer_freq(ts.view("datetime64[ns]")) if ts.size >= 3 else None
    rate = rate_words(seen, int(round(step_days * NS_PER_DAY)))
    word = _rate_word(freq)
    model_rate = f"{word} ({freq}) series" if word else f"series sampled {_every(freq)} ({freq})"
    raise DataValidationError(
        f"series {str(sid)!r} is sampled {rate} according to its timestamps, but this {model} model "
        f"forecasts {model_rate}",
        field=field,
    )


def off_grid_error(sid: Any, freq: str, first: Any, t: Any, *, field: str) -> Exception:
    """The refusal of a history at the model's rate that skips steps and has a time ``t`` off the
    ``freq`` grid its first time ``first`` starts (readings at 09:00, one at 09:30): its values
    cannot be placed on their steps, and read as consecutive steps they were forecast from before
    the history's own end."""
    from tsforge.errors import DataValidationError

    return DataValidationError(
        f"series {str(sid)!r} skips steps and has a time off {grid_words(freq)} its history starts "
        f"on ({date_words(first)}): {date_words(t)}, so the steps it skips cannot be placed; give "
        "its times on that grid",
        field=field,
    )


#: the adjective of one step of a calendar offset (``n = 1``), by the offset's name prefix
_CALENDAR_WORDS = (
    (("B",), "business-daily"),
    (("W",), "weekly"),
    (("SM",), "semi-monthly"),
    (("ME", "MS", "BM", "CBM"), "monthly"),
    (("QE", "QS", "BQ"), "quarterly"),
    (("YE", "YS", "BY", "A"), "yearly"),
)
#: the adjective of a fixed step, by its length in seconds
_FIXED_WORDS = {3600: "hourly", 86_400: "daily", 7 * 86_400: "weekly"}


def _rate_word(freq: str) -> str | None:
    """``hourly`` for ``h``, ``weekly`` for ``W-SUN``, ``half-yearly`` for ``6MS``; ``None`` when no
    common word fits (``15min``, ``2MS``).

    Why words: the sampling-mismatch error said a model "forecasts h series", which reads as
    series named h; a user knows "hourly" without knowing pandas' aliases.
    """
    sec = _step_seconds(freq)
    if sec is not None:
        return _FIXED_WORDS.get(int(sec)) if sec == int(sec) else None
    try:
        offset = pd.tseries.frequencies.to_offset(freq)
    except (ValueError, TypeError):
        return None
    name, n = offset.name.upper(), abs(int(offset.n))
    if n == 6 and name.startswith(("MS", "ME")):
        return "half-yearly"
    if n != 1:
        return None
    return next((word for prefixes, word in _CALENDAR_WORDS if name.startswith(prefixes)), None)


def _every(freq: str) -> str:
    """``every 15 minutes`` for ``15min``, ``every 2 months`` for ``2MS``: a step in words when
    :func:`_rate_word` has no adjective for it."""
    step = _fixed_timedelta(freq)
    if step is not None:
        return f"every {_duration_words(int(step.value))}"
    days = nominal_step_days(freq)
    if days is None:
        return f"every {freq} step"
    for unit, length in (("year", 365.25), ("quarter", 91.3), ("month", 30.4), ("week", 7.0)):
        count = days / length
        if count >= 1 and abs(count - round(count)) < 0.01:
            return f"every {_plural(round(count), unit)}"
    return f"every {days:g} days"


def rate_words(alias: str | None, step_ns: int = 0) -> str:
    """A sampling rate in words, its alias beside them for ``--freq``: ``monthly (MS)``, ``weekly
    (W-SUN)``, ``every 15 minutes (15min)``; without an alias (fewer than 3 timestamps, irregular
    ones), from the step alone: ``weekly (every 7 days)`` / ``every 90 minutes`` — never a raw
    ``Timedelta`` such as ``7 days 00:00:00``.

    Why one helper: every message that names a rate (the spacing errors of the readers, the
    sampling-mismatch error of a model) says it alike; ``the inferred step is MS`` asked the user
    to know pandas' aliases.
    """
    if alias:
        word = _rate_word(alias)
        return f"{word} ({alias})" if word else f"{_every(alias)} ({alias})"
    every = f"every {_duration_words(step_ns)}"
    word = _FIXED_WORDS.get(step_ns // 10**9) if step_ns % 10**9 == 0 else None
    return f"{word} ({every})" if word else every


def step_words(freq: str) -> str:
    """One step of ``freq`` in words: ``one monthly (MS) step``, ``one step of 15 minutes (15min)``."""
    word = _rate_word(freq)
    return (
        f"one {word} ({freq}) step" if word else f"one step of {_every(freq).removeprefix('every ')} ({freq})"
    )


def grid_words(freq: str) -> str:
    """The grid of ``freq`` in words: ``the monthly (MS) grid``, ``the grid of steps of 15 minutes
    (15min)`` — never "the every 15 minutes grid"."""
    word = _rate_word(freq)
    return (
        f"the {word} ({freq}) grid"
        if word
        else f"the grid of steps of {_every(freq).removeprefix('every ')} ({freq})"
    )


def date_words(moment: Any) -> str:
    """A time as a person writes it: ``2020-02-15`` at midnight, ``2020-02-15 10:30:00`` otherwise
    (a ``datetime64``, a ``Timestamp`` or int64 nanoseconds)."""
    ts = pd.Timestamp(int(moment)) if isinstance(moment, (int, np.integer)) else pd.Timestamp(moment)
    return str(ts.date()) if ts == ts.normalize() else str(ts)


def off_grid_hint(at: Any, freq: str, start: Any, *, named: bool = True) -> str:
    """Advice when time ``at`` lies off the ``freq`` grid its series starts on (``start``): a month
    start series with one date on the 15th, an hourly one with one time at 10:30; else ``""``.

    ``named``: the advice names the date and the grid (``; 2020-02-15 is off the monthly (MS)
    grid …``), for a message that has not said so; else only the grid's nearest dates and what
    to do (``: the nearest dates on that grid are …; correct that date``).

    Why: such a date was refused as "irregular spacing" with the advice to fill gaps, which
    cannot place it (filling then failed with another error); what helps is the date to correct
    and the dates of the grid beside it.
    """
    at_ts, start_ts = pd.Timestamp(at), pd.Timestamp(start)
    step = _fixed_timedelta(freq)
    if step is not None:
        if step.value <= 0 or (at_ts.value - start_ts.value) % step.value == 0:
            return ""
        before = pd.Timestamp(start_ts.value + (at_ts.value - start_ts.value) // step.value * step.value)
        after = before + step
    else:
        try:
            base = pd.tseries.frequencies.to_offset(freq).base  # one step: MS for 6MS
        except (ValueError, TypeError):
            return ""
        if base.is_on_offset(at_ts):
            return ""
        before, after = base.rollback(at_ts), base.rollforward(at_ts)
    nearest = f"the nearest dates on that grid are {date_words(before)} and {date_words(after)}"
    if not named:
        return f": {nearest}; correct that date"
    return (
        f"; {date_words(at_ts)} is off {grid_words(freq)} of the other dates ({nearest}): "
        "correct that date, as filling gaps cannot place it"
    )


def month_anchor(timestamps_ns: np.ndarray) -> str | None:
    """``MS`` (``ME``) when most steps of sorted times go from one month start (end) to the next,
    else ``None``.

    Why: month lengths vary, so the most common step of monthly data with one odd date is 30 or
    31 days, and the data were read as ``30D`` — a grid on which every other month is a gap, and
    a rate the user never wrote. Most steps following month starts says what the data are.
    """
    idx = pd.DatetimeIndex(np.asarray(timestamps_ns, dtype=np.int64).view("datetime64[ns]"))
    if len(idx) < 3:
        return None
    for alias in ("MS", "ME"):
        off = pd.tseries.frequencies.to_offset(alias)
        if (idx[:-1] + off == idx[1:]).mean() > 0.5:
            return alias
    return None


def _duration_words(ns: int) -> str:
    """``7 days``, ``1 day 12 hours``, ``15 minutes``: a step's length as a person writes it."""
    if ns <= 0 or ns % 10**9:
        return str(pd.Timedelta(ns, unit="ns"))
    seconds = ns // 10**9
    parts = []
    for unit, length in (("day", 86_400), ("hour", 3600), ("minute", 60), ("second", 1)):
        count, seconds = divmod(seconds, length)
        if count:
            parts.append(_plural(count, unit))
    return " ".join(parts)


def _plural(count: int, unit: str) -> str:
    return f"{count} {unit}{'' if count == 1 else 's'}"
