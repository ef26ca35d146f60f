"""The rules a Monash ``.tsf`` collection is read into a panel with (used by
:meth:`Panel.from_tsf <tsforge.data.panel.Panel.from_tsf>`).

Why its own module: a ``.tsf`` file is a published collection, not a table the user wrote, so it
is read more leniently than a long or wide table: series that cannot be forecast are left out
with a warning rather than refused, monthly / quarterly / yearly starts off one calendar grid are
moved to their period's start, and a weekly collection is anchored on its start weekday. The
file format itself is read by :mod:`~tsforge.data.tsf`.
"""

from __future__ import annotations

import warnings
from dataclasses import replace
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from tsforge.data.calendar_grid import on_grid
from tsforge.data.frequency import date_words, grid_words
from tsforge.data.ragged import series_index
from tsforge.errors import DataValidationError, SnappedStartWarning, UnobservedSeriesWarning

if TYPE_CHECKING:
    from tsforge.data.panel import Panel

__all__ = ["check_starts_on_grid", "starts_snapped_to_periods", "weekly_alias", "without_unobserved"]


def weekly_alias(starts: np.ndarray) -> str:
    """``W-MON`` style alias when all series start on the same weekday, else ``7D``."""
    wd = np.unique(pd.DatetimeIndex(starts).dayofweek)
    if wd.size != 1:
        return "7D"
    return "W-" + ["MON", "TUE", "WED", "THU", "FRI", "SAT", "SUN"][int(wd[0])]


def without_unobserved(panel: Panel, file: str | None) -> Panel:
    """A ``.tsf`` collection without its series that cannot be forecast (fewer than two values,
    or no observed one), with an :class:`UnobservedSeriesWarning` naming how many and the first
    ids, and ``meta["left_out_series"]`` saying the same to whatever reads the panel later.

    Why leave out rather than refuse (as a long or wide table does): a ``.tsf`` file is a
    published collection (a ``*_with_missing`` one may hold a series that was never observed),
    not a table the user wrote; refusing it would make its other series unusable. Missing values
    at a series' ends are kept: its official test window is its last ``H`` values, as published.
    """
    lens = panel.lengths
    observed = np.bincount(series_index(panel.indptr), weights=~np.isnan(panel.values), minlength=len(panel))
    bad = np.flatnonzero((lens < 2) | (observed == 0))
    if not bad.size:
        return panel
    where = f" of {file}" if file else ""
    if bad.size == len(panel):
        raise DataValidationError(
            f"no series{where} has two values with an observed one: nothing to forecast", file=file
        )
    first = ", ".join(repr(str(x)) for x in panel.ids[bad[:3]]) + (", …" if bad.size > 3 else "")
    note = (
        f"left out {bad.size} of {len(panel)} series{where} with fewer than two values or no observed "
        f"value ({first}): the collection is the other {len(panel) - bad.size}"
    )
    warnings.warn(note, UnobservedSeriesWarning, stacklevel=3)
    kept = panel.take(np.setdiff1d(np.arange(len(panel)), bad))
    return replace(kept, meta={**kept.meta, "left_out_series": note})


#: calendar frequencies of ``.tsf`` files (``MONASH_FREQS``) → the pandas period a start lies in
_PERIOD_OF = {"MS": ("M", "month"), "QS": ("Q", "quarter"), "YS": ("Y", "year")}


def starts_snapped_to_periods(panel: Panel, file: str | None) -> Panel:
    """A monthly / quarterly / yearly ``.tsf`` collection whose starts are not on one calendar
    grid, with every start moved to the start of the period it lies in, and a
    :class:`SnappedStartWarning` saying how many moved.

    Why: a monthly value belongs to its month, whatever instant the file stamps it with. Monash
    files copy their sources' dates: month ends, or the M4 competition's ``12:00`` time of day.
    One grid needs one convention. Refusing would lose a whole published collection over how it
    writes its dates. Starts already on one grid (month starts at midnight, or every series at
    the same time of day) are kept as they are.
    """
    if panel.starts is None or panel.freq not in _PERIOD_OF or on_grid(panel.starts, panel.freq).all():
        return panel  # no dates (integer time), or not a calendar a start can lie inside of
    period, word = _PERIOD_OF[panel.freq]
    starts = pd.DatetimeIndex(panel.starts)
    snapped = starts.to_period(period).to_timestamp(how="start").to_numpy("datetime64[ns]")
    moved = np.flatnonzero(snapped != starts.to_numpy("datetime64[ns]"))
    i = int(moved[0])
    where = f" of {file}" if file else ""
    note = (
        f"{moved.size} of {len(panel)} series{where} start inside their {word} rather than at its start "
        f"(first {str(panel.ids[i])!r}: {starts[i]}): each is read as starting at the start of that {word}"
    )
    warnings.warn(note, SnappedStartWarning, stacklevel=3)
    return replace(panel, starts=snapped, meta={**panel.meta, "snapped_starts": note})


def check_starts_on_grid(panel: Panel, file: str | None) -> None:
    """Refuse a dated collection with a series start off its ``freq`` grid, naming the series
    (the ``start_timestamp`` field), after :func:`starts_snapped_to_periods` moved what it can."""
    if panel.freq is None or panel.starts is None:
        return
    on = on_grid(panel.starts, panel.freq)
    if not on.all():
        i = int(np.flatnonzero(~on)[0])
        raise DataValidationError(
            f"series {str(panel.ids[i])!r} starts at {date_words(panel.starts[i])}, "
            f"not on {grid_words(panel.freq)}",
            file=file,
            field="start_timestamp",
        )
