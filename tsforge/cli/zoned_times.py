"""A forecast dated in the zone its history was written in (``tsforge forecast``).

Why: the history reader takes times with UTC offsets as naive times — sub-daily ones as UTC
instants (regular across clock changes), daily and longer ones at their wall-clock time (see
:func:`tsforge.data.validation.parse_timestamps`) — and the forecast came back without an offset:
an hourly file written at ``+02:00`` got forecasts dated in UTC, two hours off every time the user
wrote, its first ``ds`` before the history's last one as the user reads it. The forecast's times
are now restated in the history's zone: a Parquet column's named zone, or the UTC offset of a
text column — each series at the offset of its own last time, as the REST service answers
(where a column mixes offsets, a later date across a clock change is then written at the offset
of the history's end: the same instant for times read in UTC, an hour off the zone's own offset
for wall-clock dates). The offsets are learned by the data layer
(:func:`tsforge.data.time_offsets.time_offsets`), from the table as read.
"""

from __future__ import annotations

import datetime as dt
import re
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from tsforge.data.time_offsets import TimeOffsets

__all__ = [
    "HistoryZone",
    "HeldNotes",
    "notes_held",
    "history_zone",
    "zone_of",
    "in_history_zone",
    "in_file_zone",
    "READ_IN_UTC_NOTE",
]

#: the reader's note that sub-daily times with offsets were read, "and forecasts dated", in UTC
#: (:func:`tsforge.data.validation.parse_timestamps`): untrue of an output restated here
READ_IN_UTC_NOTE = r"the times in column .* carry UTC offsets"


@dataclass(frozen=True)
class HistoryZone:
    """Where a history's times were written: ``zone`` (a named zone, or the offset of the last
    row), ``by_series`` (each series' last offset, where a text column mixes offsets; else empty),
    and whether the reader took the times as UTC instants (``read_in_utc``) or at their wall-clock
    time."""

    zone: dt.tzinfo
    read_in_utc: bool
    by_series: dict[str, dt.tzinfo] = field(default_factory=dict)


class HeldNotes:
    """The notes of reading a history, held until the command knows where its output is dated.

    Why: the reader says when it read sub-daily times with offsets in UTC, "and outputs dated in
    UTC" (:data:`READ_IN_UTC_NOTE`); that is how a command learns the reading without parsing the
    column again (:func:`history_zone`), and where the output is restated in the file's offsets
    the note's second half is untrue of it, so it is then not said.
    """

    def __init__(self) -> None:
        self.caught: list[warnings.WarningMessage] = []

    def said_in_utc(self) -> bool:
        """Whether the reader said it read the times in UTC."""
        return any(re.match(READ_IN_UTC_NOTE, str(w.message)) for w in self.caught)

    def release(self, zone: HistoryZone | None) -> None:
        """Issue the held notes, but the reader's "read in UTC" where the output is restated in
        ``zone`` read in UTC."""
        caught, self.caught = self.caught, []
        for w in caught:
            if zone is not None and zone.read_in_utc and re.match(READ_IN_UTC_NOTE, str(w.message)):
                continue
            warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)


@contextmanager
def notes_held(hold: bool = True) -> Iterator[HeldNotes]:
    """Hold the warnings made inside (where ``hold``) for :meth:`HeldNotes.release`; those of a
    read that fails are issued at once (they may say why). The CLI runs one command in one
    thread, so catching warnings here takes no one else's."""
    held = HeldNotes()
    if not hold:
        yield held
        return
    failed = False
    try:
        with warnings.catch_warnings(record=True) as caught:
            try:
                yield held
            except BaseException:
                failed = True
                raise
            finally:
                held.caught = list(caught)
    finally:
        if failed:
            held.release(None)


def history_zone(
    frame: Any, time_col: str | None, id_col: str | None = None, *, read_in_utc: bool
) -> HistoryZone | None:
    """The zone of ``frame``'s (a polars table as read) time column ``time_col`` (as written: a
    wide file's ``time``, not the forecast's ``ds``); ``None`` when its times carry no zone or
    offset, or there is no such column (the output is then written as it comes). ``id_col``: the series
    column of a long table, for each series' own last offset. ``read_in_utc``: whether the
    history reader took the times in UTC — it says so (:data:`READ_IN_UTC_NOTE`, caught by
    :func:`notes_held`), so the column is never parsed again here: a regex finds the offsets
    (:func:`tsforge.data.time_offsets.time_offsets`).

    Why not ask the reader again: ``forecast`` parsed a file's time column three times where it
    carries offsets (twice here, once to forecast): seconds on a million rows."""
    import polars as pl

    from tsforge.data.time_offsets import time_offsets

    if not isinstance(frame, pl.DataFrame):
        return None  # a .tsf file's history (pandas, dated by its header): no zone
    return zone_of(time_offsets(frame, time_col, id_col), read_in_utc=read_in_utc)


def zone_of(offsets: TimeOffsets | None, *, read_in_utc: bool) -> HistoryZone | None:
    """The :class:`HistoryZone` of the offsets a loader kept
    (:attr:`tsforge.data.load.LoadedPanel.time_offsets`), with the reader's word on whether it
    read them in UTC; ``None`` without offsets."""
    if offsets is None:
        return None
    return HistoryZone(offsets.zone, read_in_utc, offsets.by_series)


def in_history_zone(result: Any, time_col: str, id_col: str, zone: HistoryZone) -> Any:
    """``result`` (a pandas forecast) with its ``time_col`` restated in ``zone``: each series in
    its own last offset where the history mixed offsets (the column then holds times at several
    offsets, written each with its own)."""
    import pandas as pd

    if time_col not in result.columns:
        return result
    times = pd.to_datetime(result[time_col])
    if not zone.by_series or id_col not in result.columns:
        return result.assign(**{time_col: _restated(times, zone.zone, zone.read_in_utc)})
    restated = pd.Series(index=result.index, dtype=object)
    for sid, rows in result.groupby(id_col, sort=False).groups.items():
        at = zone.by_series.get(str(sid), zone.zone)
        restated[rows] = list(_restated(times[rows], at, zone.read_in_utc))
    return result.assign(**{time_col: restated})


def in_file_zone(frame: Any, time_cols: Any, id_col: str, zone: HistoryZone | None) -> Any:
    """``frame`` with each of its ``time_cols`` restated by :func:`in_history_zone` (a
    cross-validation frame's ``ds`` and ``cutoff``); ``frame`` itself when ``zone`` is ``None``."""
    if zone is None:
        return frame
    for col in time_cols:
        frame = in_history_zone(frame, col, id_col, zone)
    return frame


def _restated(times: Any, zone: dt.tzinfo, read_in_utc: bool) -> Any:
    if read_in_utc:
        return times.dt.tz_localize("UTC").dt.tz_convert(zone)
    return times.dt.tz_localize(zone, ambiguous="NaT", nonexistent="shift_forward")
