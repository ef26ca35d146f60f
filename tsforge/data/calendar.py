"""Calendar features as integer table indices, and which of them a frequency can resolve.

Why integers: models embed them with lookup tables (STPE-MLP, HUTFormer), so an index per
term is the natural form. Columns are fixed: ``hour`` 0..23, ``dow`` 0..6 (Monday=0),
``dom`` 0..30 (day-of-month minus one), ``month`` 0..11.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from tsforge.data.frequency import NS_PER_DAY

__all__ = ["CALENDAR_TERMS", "CALENDAR_SIZES", "calendar_indices", "resolvable_terms"]

CALENDAR_TERMS: tuple[str, ...] = ("hour", "dow", "dom", "month")
CALENDAR_SIZES: dict[str, int] = {"hour": 24, "dow": 7, "dom": 31, "month": 12}


def calendar_indices(timestamps: np.ndarray) -> np.ndarray:
    """``[T]`` datetime64 → ``[T, 4]`` int64 with columns (hour, dow, dom, month).

    Read in microseconds, not nanoseconds: a model that reads the calendar reads it for its whole
    trained horizon, and near the end of what ``datetime64[ns]`` holds (2262-04-11) those dates
    wrapped round to 1677; a microsecond loses nothing an hour, a day or a month needs."""
    idx = pd.DatetimeIndex(np.asarray(timestamps).astype("datetime64[us]"))
    return np.stack(
        [idx.hour.to_numpy(), idx.dayofweek.to_numpy(), idx.day.to_numpy() - 1, idx.month.to_numpy() - 1],
        axis=1,
    ).astype(np.int64)


def resolvable_terms(freq: str | None) -> tuple[str, ...]:
    """Calendar terms that vary at this frequency (a term that is constant carries no signal).

    Sub-daily → all four; daily / business-daily → dow, dom, month; weekly → dom, month;
    monthly / quarterly → month; yearly or unknown → none.
    """
    if not freq:
        return ()
    try:
        offset = pd.tseries.frequencies.to_offset(freq)
    except ValueError:
        return ()
    nanos = _approx_nanos(offset)
    day = NS_PER_DAY
    if nanos < day:
        return CALENDAR_TERMS
    if nanos < 7 * day:
        return ("dow", "dom", "month")
    if nanos < 28 * day:
        return ("dom", "month")
    if nanos < 365 * day:
        return ("month",)
    return ()


def _approx_nanos(offset: pd.DateOffset) -> int:
    """The rough length of one step of ``offset`` (calendar offsets have none of their own).

    Year-like names are tested first: business years (``BYS``, ``BYE``, ``BA``) start with the
    ``B`` of business days and were read as one day, so yearly data got weekday and day-of-month
    terms that never change there.
    """
    try:
        return int(pd.Timedelta(offset).value)
    except (ValueError, TypeError):
        name = offset.name.upper()
        n = max(1, abs(int(getattr(offset, "n", 1))))
        if name.startswith(("Y", "A", "BY", "BA")):
            return n * 366 * NS_PER_DAY
        if name.startswith("SM"):  # semi-month: the 1st/15th or 15th/month end
            return n * 15 * NS_PER_DAY
        if name.startswith(("ME", "MS", "M", "BM", "BMS", "CBM")):
            return n * 30 * NS_PER_DAY
        if name.startswith(("QE", "QS", "Q", "BQ")):
            return n * 91 * NS_PER_DAY
        if name.startswith("W"):  # anchored weeks (W-SUN, W-TUE) have no fixed Timedelta
            return n * 7 * NS_PER_DAY
        if name.startswith(("B", "C")):  # business / custom business days
            return n * NS_PER_DAY
        return 366 * NS_PER_DAY
