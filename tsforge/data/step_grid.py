"""A history laid on its step grid: skipped steps become missing values.

Why its own module: every predictor (window and panel models alike) and every door (CLI, pyfunc,
REST) reads a history's last values as consecutive steps, so one rule decides which steps a
history skipped, on the grid a file read with ``--fill-gaps`` is laid on: the model's frequency
for a dated history (:func:`on_step_grid`), the gcd of its own steps for an integer step index
(:func:`on_integer_grid`).
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd

from tsforge.data.calendar_grid import grid_steps
from tsforge.data.frequency import (
    check_sampling,
    date_words,
    fixed_step,
    grid_words,
    nominal_step_days,
    off_grid_error,
    rate_words,
)
from tsforge.data.history import SeriesInput
from tsforge.data.timeaxis import integer_step, regularise_steps
from tsforge.errors import DataValidationError

#: how to give every step, where the caller does not say it in its own words (a file's rows)
EVERY_STEP = "give every step, a missing value as NaN (an empty cell in a file, null in JSON)"


def on_step_grid(
    s: SeriesInput, freq: str, model: str, *, field: str, every_step: str = EVERY_STEP
) -> tuple[SeriesInput, int]:
    """``s`` with the steps its timestamps skip inserted as missing values, and how many were
    inserted (``(s, 0)`` when none).

    Steps are counted on the grid a file read with ``--fill-gaps`` is laid on
    (:func:`~tsforge.data.calendar_grid.grid_steps`): anchors are ignored, as
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
            step for (a Saturday); two times on one step (a daily history with one reading at
            noon); another sampling rate than ``freq`` (daily data for a weekly model); steps
            skipped by a history with a time off a fixed-length grid (readings at 09:00, one
            at 09:30), whose values cannot be placed on their steps; more steps missing than
            observed (the history would be mostly gaps). The last three were read as
            consecutive steps: a panel model dated its forecast before the history's end.
    """
    ts = np.asarray(s.timestamps).astype("datetime64[ns]")
    where = f"{field}.timestamps"
    if ts.size > 1 and not (ts[1:] > ts[:-1]).all():
        bad = int(np.flatnonzero(ts[1:] <= ts[:-1])[0]) + 1
        raise DataValidationError(
            f"series {str(s.id)!r}: timestamps must increase, {date_words(ts[bad])} follows "
            f"{date_words(ts[bad - 1])}",
            field=where,
        )
    if ts.size < 2:
        return s, 0
    steps, on = grid_steps(ts, freq)
    if not on.all() and _skips_weekends(freq):
        t = pd.Timestamp(ts[int(np.flatnonzero(~on)[0])])
        raise DataValidationError(
            f"series {str(s.id)!r} has a time off {grid_words(freq)} its history starts on "
            f"({date_words(ts[0])}): {date_words(t)} ({t.day_name()}); this model forecasts {rate_words(freq)} steps",
            field=where,
        )
    if (np.diff(steps) == 0).any():
        check_sampling(ts, freq, sid=s.id, model=model, field=where)  # daily data, a weekly model
        k = int(np.flatnonzero(np.diff(steps) == 0)[0])
        raise DataValidationError(
            f"series {str(s.id)!r} has two times on one {rate_words(freq)} step of the model: "
            f"{date_words(ts[k])} and {date_words(ts[k + 1])}; give one value per step",
            field=where,
        )
    if not (np.diff(steps) > 1).any():
        return s, 0
    check_sampling(ts, freq, sid=s.id, model=model, field=where)
    if not on.all() and fixed_step(freq) is not None:
        raise off_grid_error(s.id, freq, ts[0], ts[int(np.flatnonzero(~on)[0])], field=where)
    n = int(steps[-1]) + 1
    if n - ts.size > ts.size:
        raise DataValidationError(
            f"series {s.id!r} skips {n - ts.size} steps of the model's frequency, {rate_words(freq)}, between "
            f"{date_words(ts[0])} and {date_words(ts[-1])}, more than its {ts.size} timestamps: {every_step}",
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


def on_integer_grid(s: SeriesInput, *, field: str, every_step: str = EVERY_STEP) -> tuple[SeriesInput, int]:
    """``s`` with the steps its integer step index (:attr:`SeriesInput.steps`) skips inserted as
    missing values, and how many were inserted (``(s, 0)`` when none, or when there are not as
    many steps as values: then the predictor's own checks speak).

    The grid is the one a training file with integer times is read on
    (:func:`~tsforge.data.timeaxis.regularise_steps`, ``--fill-gaps``): the gcd of the history's
    steps (steps 0..29, 35..64: step 1, five missing; years 1980, 1985, 1995: step 5, one missing).

    Why: the integer counterpart of :func:`on_step_grid`. A step index is read as consecutive
    values like dates are, so ``0..29, 35..64`` was forecast as if step 35 followed step 29 and
    labelled 65, 66, silently, behind every door; and epoch milliseconds of month starts (pandas'
    ``to_json()`` default for dates) were forecast as months and labelled one and two *days* after
    the last, their gcd step. Such a history is now mostly skipped steps, so it is refused, as a
    dated one mostly of skipped steps is, with a word on sending dates as dates.

    Raises:
        DataValidationError: steps that do not increase; more steps missing than present.
    """
    keys = np.asarray(s.steps, dtype=np.int64).ravel()
    where = f"{field}.timestamps"
    if keys.size != np.asarray(s.values).size or keys.size < 2:
        return s, 0
    if not (keys[1:] > keys[:-1]).all():
        bad = int(np.flatnonzero(keys[1:] <= keys[:-1])[0]) + 1
        raise DataValidationError(
            f"series {str(s.id)!r}: its integer steps must increase, {keys[bad]} follows {keys[bad - 1]}",
            field=where,
        )
    step = integer_step(keys)
    n = (int(keys[-1]) - int(keys[0])) // step + 1  # Python integers: no int64 wrap-around
    if n == keys.size:
        return s, 0
    if n - keys.size > keys.size:
        raise DataValidationError(
            f"series {str(s.id)!r} skips {n - keys.size} steps of its integer step index (step {step}) between "
            f"{keys[0]} and {keys[-1]}, more than its {keys.size} steps: {every_step}" + _epoch_hint(step),
            field=where,
        )
    values = np.asarray(s.values, dtype=np.float64).reshape(-1, 1)
    filled = regularise_steps(keys, values, time_col="ds", file=None, fill_gaps=True)[:, 0]
    grid = keys[0] + step * np.arange(n, dtype=np.int64)
    return replace(s, values=filled, steps=grid), n - keys.size


def _epoch_hint(step: int) -> str:
    """Where the step is a whole number of days in seconds or milliseconds, the words that say
    such integers are read as a step index, not as dates (epoch times of months or years have a
    gcd step of one day, so they are mostly skipped steps)."""
    if step % 86_400:
        return ""
    return (
        f". Integer times are read as a step index: if these are epoch times (step {step} is a whole "
        "number of days in seconds or milliseconds; pandas' to_json() writes dates so), give them as "
        "dates (ISO-8601 in JSON: to_json(date_format='iso'))"
    )


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
        days = nominal_step_days(freq)
        if days is None:  # no alias a model is trained at: each has a nominal step length
            raise DataValidationError(f"frequency {freq!r} has no step length to count missing steps in")
        step = np.timedelta64(int(round(days * 86_400e9)), "ns")
        return ts[0] + step * np.arange(n)
    first = pd.Timestamp(ts[0])
    starts = pd.DatetimeIndex(
        (ts[0].astype("datetime64[M]") + months * np.arange(n)).astype("datetime64[ns]")
    )
    days_in_month = starts.days_in_month.to_numpy()
    day = (days_in_month if first.is_month_end else np.minimum(first.day, days_in_month)) - 1
    time_of_day = first - first.normalize()
    return (starts + pd.to_timedelta(day, unit="D") + time_of_day).to_numpy().astype("datetime64[ns]")
