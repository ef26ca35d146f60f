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
for wall-clock dates).
"""

from __future__ import annotations

import datetime as dt
import re
import warnings
from dataclasses import dataclass, field
from typing import Any

__all__ = ["HistoryZone", "history_zone", "in_history_zone"]

#: a time of day followed by its UTC offset (``…T10:00:00+02:00``, ``… 10:00Z``)
_OFFSET = re.compile(r"\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?\s?(Z|UTC|[+-]\d{2}:?\d{2})$")


@dataclass(frozen=True)
class HistoryZone:
    """Where a history's times were written: ``zone`` (a named zone, or the offset of the last
    row), ``by_series`` (each series' last offset, where a text column mixes offsets; else empty),
    and whether the reader took the times as UTC instants (``read_in_utc``) or at their wall-clock
    time."""

    zone: dt.tzinfo
    read_in_utc: bool
    by_series: dict[str, dt.tzinfo] = field(default_factory=dict)


def history_zone(
    frame: Any, time_col: str, id_col: str | None = None, file: str | None = None
) -> HistoryZone | None:
    """The zone of ``frame``'s (a polars table as read) time column; ``None`` when its times
    carry no zone or offset (the forecast is then written as it comes). ``id_col``: the series
    column of a long table, for each series' own last offset."""
    import polars as pl

    if not isinstance(frame, pl.DataFrame) or time_col not in frame.columns:
        return None  # a .tsf file's history (pandas, dated by its header): no zone
    rows = frame.filter(pl.col(time_col).is_not_null())
    col = rows[time_col]
    if not len(col):
        return None
    if isinstance(col.dtype, pl.Datetime) and col.dtype.time_zone:
        from zoneinfo import ZoneInfo

        utc = col.dt.convert_time_zone("UTC").dt.replace_time_zone(None)
        return HistoryZone(ZoneInfo(col.dtype.time_zone), _read_as(col, utc, time_col, file))
    if col.dtype != pl.String:
        return None
    text = [str(v).strip() for v in col.to_list()]
    offsets = [m.group(1) if (m := _OFFSET.search(t)) else None for t in text]
    if any(o is None for o in offsets):  # no offsets, or some rows without one: as it comes
        return None
    import pandas as pd

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        utc = pl.Series(pd.to_datetime(pd.Series(text), utc=True).dt.tz_localize(None).to_numpy())
    zones = [_offset_zone(str(o)) for o in offsets]
    by_series: dict[str, dt.tzinfo] = {}
    if len(set(zones)) > 1 and id_col is not None and id_col in rows.columns:
        by_series = {str(sid): zone for sid, zone in zip(rows[id_col].to_list(), zones, strict=True)}
    return HistoryZone(zones[-1], _read_as(col, utc, time_col, file), by_series)


def _read_as(col: Any, utc: Any, time_col: str, file: str | None) -> bool:
    """Whether the history reader takes ``col`` as UTC instants (``utc``): asked of the reader
    itself, so this module never keeps a copy of its rule."""
    import numpy as np

    from tsforge.data.validation import parse_timestamps

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # its note is issued when the forecast reads the history
        read = parse_timestamps(col, column=time_col, file=file)
    return bool(np.array_equal(read.astype("datetime64[ns]"), utc.to_numpy().astype("datetime64[ns]")))


def _offset_zone(offset: str) -> dt.tzinfo:
    """``+02:00`` / ``-0530`` / ``Z`` as a fixed-offset zone."""
    if offset in ("Z", "UTC"):
        return dt.timezone.utc
    sign = -1 if offset[0] == "-" else 1
    digits = offset[1:].replace(":", "")
    return dt.timezone(sign * dt.timedelta(hours=int(digits[:2]), minutes=int(digits[2:4])))


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


def _restated(times: Any, zone: dt.tzinfo, read_in_utc: bool) -> Any:
    if read_in_utc:
        return times.dt.tz_localize("UTC").dt.tz_convert(zone)
    return times.dt.tz_localize(zone, ambiguous="NaT", nonexistent="shift_forward")
