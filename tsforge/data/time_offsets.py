"""The zone or UTC offsets a table's times were written in, kept for outputs dated alike.

Why: the readers take times with offsets as naive times (in UTC, or at their wall-clock time:
:func:`tsforge.data.validation.parse_timestamps`), so a panel keeps no offsets; a command that
writes times (``tsforge forecast``, ``cv --output``) restates them in the input's offsets
(:mod:`tsforge.cli.zoned_times`). It learns them here, from the table as read, before the panel is
made: ``cv`` looked at its file's first row again to learn them, and read the id and time columns
a third time where they had offsets.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

import polars as pl

__all__ = ["TimeOffsets", "time_offsets", "written_with_offset", "repeated_time_words"]

#: a time of day followed by its UTC offset (``…T10:00:00+02:00``, ``… 10:00Z``)
_OFFSET = re.compile(r"\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?\s?(Z|UTC|[+-]\d{2}:?\d{2})$")
#: the rows whose first time decides whether a column carries offsets (as a file's first row did)
_FIRST_ROWS = 100


@dataclass(frozen=True)
class TimeOffsets:
    """Where a table's times were written: ``zone`` (a named zone, or the offset of the last
    row) and ``by_series`` (each series' last offset, where a text column mixes offsets; else
    empty)."""

    zone: dt.tzinfo
    by_series: dict[str, dt.tzinfo] = field(default_factory=dict)


def time_offsets(frame: pl.DataFrame, time_col: str | None, id_col: str | None = None) -> TimeOffsets | None:
    """The zone of ``frame``'s ``time_col`` (a Parquet column's named zone, or the UTC offsets of
    a text column: a regex finds them, the column is not parsed again); ``None`` where its first
    time carries no zone or offset, where some row has none, or where there is no such column.
    ``id_col``: the series column of a long table, for each series' own last offset.

    Why the first time decides: most time columns carry none, and looking at every row of a
    long table to learn so costs a pass over it; only a column that starts with an offset is
    looked at whole (its id and time columns alone).
    """
    if time_col is None or time_col not in frame.columns:
        return None
    first = frame[time_col].head(_FIRST_ROWS).drop_nulls()
    if not len(first) or not _zoned(first):
        return None
    col = frame[time_col]
    if isinstance(col.dtype, pl.Datetime) and col.dtype.time_zone:
        from zoneinfo import ZoneInfo

        return TimeOffsets(ZoneInfo(col.dtype.time_zone))
    names = [c for c in dict.fromkeys((id_col, time_col)) if c is not None and c in frame.columns]
    rows = frame.select(names).filter(pl.col(time_col).is_not_null())
    offsets = rows[time_col].str.strip_chars().str.extract(_OFFSET.pattern, 1)
    if offsets.null_count():  # some rows without an offset: as it comes
        return None
    by_series: dict[str, dt.tzinfo] = {}
    if offsets.n_unique() > 1 and id_col is not None and id_col in rows.columns:
        last = pl.DataFrame({"id": rows[id_col].cast(pl.String), "offset": offsets})
        last = last.group_by("id", maintain_order=True).last()  # each series' last row, in file order
        by_series = dict(zip(last["id"].to_list(), map(_offset_zone, last["offset"].to_list()), strict=True))
    return TimeOffsets(_offset_zone(str(offsets[-1])), by_series)


def _zoned(col: pl.Series) -> bool:
    """Whether ``col``'s first time carries a named zone or a UTC offset."""
    if isinstance(col.dtype, pl.Datetime):
        return bool(col.dtype.time_zone)
    return col.dtype == pl.String and _OFFSET.search(str(col[0]).strip()) is not None


def _offset_zone(offset: str) -> dt.tzinfo:
    """``+02:00`` / ``-0530`` / ``Z`` as a fixed-offset zone."""
    if offset in ("Z", "UTC"):
        return dt.timezone.utc
    sign = -1 if offset[0] == "-" else 1
    digits = offset[1:].replace(":", "")
    return dt.timezone(sign * dt.timedelta(hours=int(digits[:2]), minutes=int(digits[2:4])))


def written_with_offset(column: pl.Series, row: int) -> str | None:
    """Cell ``row`` of a time column as written, when it carries a UTC offset or zone (text such as
    ``2024-03-31T03:00:00+02:00``, or a zoned Parquet datetime), else ``None``.

    Why: times with offsets are read in UTC, so an error about one named ``2024-03-31 01:00:00``,
    a time the file does not hold and the user cannot search for.
    """
    cell = column[row]
    if cell is None:
        return None
    if isinstance(column.dtype, pl.Datetime):
        return str(cell) if column.dtype.time_zone else None
    text = str(cell).strip()
    return text if column.dtype == pl.String and _OFFSET.search(text) else None


def repeated_time_words(column: pl.Series, first_row: int, row: int) -> str | None:
    """A repeated time (rows ``first_row`` and ``row`` of ``column``) in the file's own words, or
    ``None`` when the second carries no offset (the caller then names it as read, with its
    summer-time advice).

    Why: ``A,2024-03-31T03:00:00+02:00`` written twice was refused as "duplicate timestamp
    2024-03-31 01:00:00 … this looks like a summer-time clock change: write the times with their
    UTC offset", advice the file already follows. Two cells that write one instant differently
    (``+02:00`` and ``Z``) are both quoted, as neither alone shows the repeat.
    """
    at = written_with_offset(column, row)
    if at is None:
        return None
    before = written_with_offset(column, first_row)
    return at if before in (None, at) else f"{at} (the same time as {before})"
