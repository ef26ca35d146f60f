"""Where a row of a read file is, in the words of someone who opens the file: its line.

Why: the readers count data rows from 0 below the header (what ``df.iloc`` and polars index),
so an error said "row 1" for the value a text editor shows on line 3 of the file. One
convention for every reader of a table:

* the error's ``row`` field: the 0-based data row, header excluded — for programs, as before;
* its ``line`` field: the 1-based line of a text table (CSV/TSV, gzipped or not) where that
  row starts, the header being line 1 — only when the rows are a text file's rows;
* the message's words: ``on line 3 of bad.csv`` for a text file, ``at row 1`` otherwise (a
  frame or a Parquet file, whose rows a user indexes from 0 as ``iloc`` does);
* a caller whose values are no table's rows (a list in a request) gives a :class:`ListPlace`,
  and the words name the value by its path there: ``at series[0].timestamps[3]``.

The line is found on the error path only, by counting the file's newlines up to the row (a
scan at the speed of ``bytes.count``); a file that quotes fields before that row is read with
the ``csv`` module instead, since a quoted field may hold a line break.
"""

from __future__ import annotations

import csv
import functools
import gzip
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO, TypedDict

from tsforge.data.tables import CSV_SUFFIXES, sniff_separator
from tsforge.errors import DataValidationError

__all__ = [
    "ListPlace",
    "file_line",
    "is_text_table",
    "refuse_empty_line",
    "row_where",
    "row_words",
    "rows_words",
    "time_column_words",
    "in_time_column_words",
    "with_lines",
    "adding_lines",
]

_CHUNK = 1 << 20


def is_text_table(file: str | None) -> bool:
    """Whether ``file`` names a CSV/TSV table (its rows are lines a user can open)."""
    return file is not None and str(file).lower().endswith(CSV_SUFFIXES)


def _open(path: Path) -> IO[bytes]:
    if path.name.lower().endswith(".gz"):
        return gzip.open(path, "rb")  # type: ignore[return-value]  # a GzipFile reads bytes as IO does
    return open(path, "rb")


def file_line(file: str | None, row: int) -> int | None:
    """The 1-based line of ``file`` where 0-based data row ``row`` starts (header: line 1);
    ``None`` when ``file`` is no text table or cannot be read (or has fewer rows)."""
    if not is_text_table(file) or row < 0:
        return None
    try:
        stat = Path(str(file)).stat()
    except OSError:
        return None
    return _cached_line(str(file), row, stat.st_mtime_ns, stat.st_size)


@functools.lru_cache(maxsize=64)
def _cached_line(file: str, row: int, mtime_ns: int, size: int) -> int | None:
    """:func:`file_line` for one version of a file (its time and size are part of the key).

    Why cached: one error names its row in its words and in its fields, a spacing error up to
    five breaks; each would scan the file up to the row again.
    """
    path = Path(file)
    try:
        with _open(path) as fh:
            quoted = _quote_before_row(fh, row)
        if quoted is None:
            return None
        return row + 2 if not quoted else _csv_line(path, row)
    except (OSError, EOFError, csv.Error, UnicodeDecodeError):
        return None


def _quote_before_row(fh: IO[bytes], row: int) -> bool | None:
    """Whether a ``"`` comes before data row ``row`` starts (``None``: the file ends first).

    Counts newlines chunk by chunk: row ``row`` starts after the ``row + 1``-th one."""
    needed, quoted = row + 1, False
    while needed > 0:
        chunk = fh.read(_CHUNK)
        if not chunk:
            return None
        count = chunk.count(b"\n")
        if count >= needed:
            end = _nth_newline(chunk, needed)
            return quoted or b'"' in chunk[:end]
        needed -= count
        quoted = quoted or b'"' in chunk
    return quoted


def _nth_newline(chunk: bytes, n: int) -> int:
    """The position just after the ``n``-th newline of ``chunk`` (which holds at least ``n``)."""
    pos = -1
    for _ in range(n):
        pos = chunk.index(b"\n", pos + 1)
    return pos + 1


def _csv_line(path: Path, row: int) -> int | None:
    """The start line of data row ``row`` read record by record (quoted fields may span lines)."""
    sep = sniff_separator(path)
    opener = gzip.open if path.name.lower().endswith(".gz") else open
    with opener(path, "rt", encoding="utf-8", errors="replace", newline="") as fh:
        reader = csv.reader(fh, delimiter=sep)
        if next(reader, None) is None:
            return None
        start = reader.line_num + 1
        for i, _ in enumerate(reader):
            if i == row:
                return start
            start = reader.line_num + 1
    return None


@dataclass(frozen=True)
class ListPlace:
    """Values a reader reads as a table's column that are a list in its caller's input: the
    reader's refusals name the list by its ``path`` there (``series[0].timestamps``), a value by
    its index in it (``at series[0].timestamps[3]``), and count the values as ``noun``
    (``2 unparsable timestamps in total``).

    Why: the service reads a series' timestamps with the reader ``tsforge forecast`` runs on a
    file, whose words name a row of a time column; a request has neither, and the service
    rewrote the reader's sentences with a regular expression after the fact, which also
    rewrote a time whose text looked like those words. Told the place, the reader says it once.
    """

    path: str
    noun: str


def row_words(row: int, file: str | None, place: ListPlace | None = None) -> str:
    """``on line 3 of bad.csv`` for a row of a text table, ``at series[0].timestamps[3]`` for a
    value of a list a caller names (``place``), ``at row 1`` otherwise."""
    if place is not None:
        return f"at {place.path}[{row}]"
    line = file_line(file, row)
    if line is None:
        return f"at row {row}"
    return f"on line {line} of {Path(str(file)).name}"


def rows_words(rows: Sequence[int], file: str | None) -> str:
    """``on lines 3 and 7 of bad.csv`` for rows of a text table, ``at rows [1, 5]`` otherwise."""
    lines = [file_line(file, int(r)) for r in rows]
    if not rows or any(line is None for line in lines):
        return f"at rows {[int(r) for r in rows]}"
    shown = [str(line) for line in lines]
    joined = shown[0] if len(shown) == 1 else ", ".join(shown[:-1]) + f" and {shown[-1]}"
    return f"on line{'s' if len(shown) > 1 else ''} {joined} of {Path(str(file)).name}"


def time_column_words(column: str, place: ListPlace | None = None) -> str:
    """``time column 'ds'``, or the path of the list a caller names (``series[0].timestamps``)."""
    return f"time column {column!r}" if place is None else place.path


def in_time_column_words(column: str, row: int, file: str | None, place: ListPlace | None = None) -> str:
    """``in time column 'ds' on line 3 of bad.csv`` (``at row 1`` outside a text table), or
    ``at series[0].timestamps[3]`` for a value of a list a caller names (``place``): the path
    says the list and the index at once."""
    if place is not None:
        return row_words(row, file, place)
    return f"in {time_column_words(column)} {row_words(row, file)}"


#: what a line holds when it holds no value: blanks and the separators :func:`sniff_separator` knows
_NOTHING = " \t\r\n,;|"


def refuse_empty_line(row: int, file: str | None) -> None:
    """Raise where data row ``row`` of ``file`` is a line with no value (blank, or separators
    only: ``,,``), saying so; return otherwise (the caller then reports what is missing).

    Why: a blank line between data rows is read as a row whose every field is missing, and was
    reported as "missing series id in column 'unique_id' on line 6": the right line, but words
    that sent the user looking for an id the line never had. Called on the error path only.
    Lines after the last row are no rows (:func:`tsforge.data.tables.read_table` drops them).
    """
    line = file_line(file, row)
    if line is None:
        return
    text = _line_text(str(file), line)
    if text is None or text.strip(_NOTHING):
        return
    name = Path(str(file)).name
    blank = not text.strip()
    said = (
        f"line {line} of {name} is blank"
        if blank
        else f"line {line} of {name} holds only separators ({text.strip()!r}), no value"
    )
    raise DataValidationError(
        f"{said}: delete it (each line below the header is read as a row)",
        file=str(file),
        row=row,
        line=line,
    )


def _line_text(file: str, line: int) -> str | None:
    """The text of 1-based ``line`` of ``file`` (``None`` if it cannot be read)."""
    try:
        with _open(Path(file)) as fh:
            for number, raw in enumerate(fh, start=1):
                if number == line:
                    return raw.decode("utf-8", errors="replace")
    except (OSError, EOFError):
        return None
    return None


class _Row(TypedDict):
    row: int


class RowWhere(_Row, total=False):
    """The fields that locate a row in an error: ``row``, and ``line`` for a text table."""

    line: int


def row_where(row: int, file: str | None) -> RowWhere:
    """The error fields of a row: ``{"row": 1, "line": 3}`` (no ``line`` outside text tables)."""
    line = file_line(file, row)
    return RowWhere(row=row) if line is None else RowWhere(row=row, line=line)


def with_lines(exc: DataValidationError, file: str | None) -> DataValidationError:
    """``exc`` with its file (when it names none) and, for a row of a text table, the ``line``
    of that row — for errors raised by readers that only know the frame's rows."""
    where = dict(exc.where)
    if file is not None and "file" not in where:
        where = {"file": file, **where}  # first, as the readers that know it name it
    row = where.get("row")
    if isinstance(row, int) and "line" not in where:
        line = file_line(str(where.get("file")) if where.get("file") else None, row)
        if line is not None:  # right after the row it locates
            where = {k: v for key, value in where.items() for k, v in _after_row(key, value, line)}
    if where == exc.where:
        return exc
    out = DataValidationError(exc.message, cli_message=exc.cli_message, **where)
    out.kind = exc.kind
    return out


def _after_row(key: str, value: object, line: int) -> list[tuple[str, object]]:
    return [(key, value), ("line", line)] if key == "row" else [(key, value)]


@contextmanager
def adding_lines(file: str | None) -> Iterator[None]:
    """Raise every :class:`DataValidationError` from inside as :func:`with_lines` says it."""
    try:
        yield
    except DataValidationError as exc:
        out = with_lines(exc, file)
        if out is exc:
            raise
        raise out from None
