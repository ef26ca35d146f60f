"""Table files and in-memory frames → a polars frame, nothing more.

Why a module of its own: every reader (layouts, coordinates, the catalogue, the forecast
history parser) starts from "give me a polars frame of this file or this DataFrame", and the
rules for that — which suffixes mean what, re-reading as text when type inference trips on a
bad cell so validation can name it — must be the same everywhere.
"""

from __future__ import annotations

import csv
import datetime
import gzip
import io
import os
import re
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import polars as pl

from tsforge.errors import DataValidationError, TsforgeWarning

__all__ = [
    "drop_pandas_index",
    "read_table",
    "sniff_separator",
    "to_polars",
    "looks_like_path",
    "CSV_SUFFIXES",
    "PARQUET_SUFFIXES",
]

CSV_SUFFIXES = (".csv", ".csv.gz", ".txt", ".txt.gz", ".tsv", ".tsv.gz")
PARQUET_SUFFIXES = (".parquet", ".pq", ".parq")


def _suffix(path: Path) -> str:
    name = path.name.lower()
    for s in CSV_SUFFIXES + PARQUET_SUFFIXES:
        if name.endswith(s):
            return s
    return path.suffix.lower()


def looks_like_path(text: str) -> bool:
    """A folder separator or a table suffix: the user meant a file, never a dataset name."""
    lowered = text.lower()
    return os.sep in text or "/" in text or any(lowered.endswith(x) for x in CSV_SUFFIXES + PARQUET_SUFFIXES)


def read_table(
    path: str | os.PathLike[str],
    *,
    categorical: Sequence[str] = (),
    id_columns: Sequence[str] = (),
    **csv_options: Any,
) -> pl.DataFrame:
    """Read a CSV (``.csv``/``.csv.gz``/``.tsv``) or Parquet file into a polars frame.

    Values are read with type inference; if inference fails on a bad cell deep in the file, the
    file is re-read as text so that validation can point at the exact cell instead of surfacing
    a polars parse error.

    ``categorical``: Parquet text columns (where present) read as polars ``Categorical``. Why: a
    panel's id column repeats each series id once per value; as plain strings 100 M rows of ids
    cost ~1 GB more than as 4-byte codes, and the file is cast in streaming batches, so the full
    string column never exists. (CSV is left as inferred: numeric ids there must stay numbers.)

    ``id_columns``: CSV series-id columns that stay text when reading them as numbers would change
    them (``007`` → 7, ``1`` and ``01`` → one series); see :func:`_ids_as_written`.
    """
    p = Path(path)
    if not p.exists():
        raise DataValidationError("file not found", file=str(p))
    if p.is_dir():
        raise DataValidationError("expected a file, got a directory", file=str(p))
    suffix = _suffix(p)
    sep = ","
    try:
        if suffix in PARQUET_SUFFIXES:
            return drop_pandas_index(_read_parquet(p, categorical))
        if suffix in CSV_SUFFIXES:
            sep = "\t" if suffix.startswith(".tsv") else sniff_separator(p)
            opts = {"separator": sep, "encoding": "utf8-lossy", "infer_schema_length": 10_000, **csv_options}
            frame = _read_csv(p, opts)
            if opts["separator"] == ";" and "decimal_comma" not in opts:
                # a semicolon file is usually a spreadsheet export with decimal commas (1,5)
                try:
                    alt = _read_csv(p, {**opts, "decimal_comma": True})
                except pl.exceptions.PolarsError:
                    alt = frame
                if _numeric_columns(alt) > _numeric_columns(frame):
                    frame, opts = alt, {**opts, "decimal_comma": True}
            if opts["separator"] == ";":
                frame = _grouped_decimal_commas(frame, p, id_columns)
            frame = _without_padding(_redecoded(p, frame, opts))
            _refuse_repeated_names(frame.columns, p)
            frame = _ids_as_written(p, frame, opts, id_columns)
            if "n_rows" not in csv_options:  # the last rows read are the file's last only when all are
                frame = _without_trailing_empty_rows(frame)
            return drop_pandas_index(frame)
    except pl.exceptions.NoDataError:
        raise DataValidationError(
            "file is empty (no header line, no rows): check that it is the file you meant and that it "
            "was written completely",
            file=str(p),
        ) from None
    except (pl.exceptions.PolarsError, OSError) as exc:
        ragged = _ragged_row(p, sep) if suffix in CSV_SUFFIXES and "fields" in str(exc) else None
        if ragged is not None:
            from tsforge.data.file_lines import row_where, row_words  # it reads tables' suffixes

            row, found, expected = ragged
            raise DataValidationError(
                f"the row {row_words(row, str(p))} has {found} fields but the header has {expected}; "
                "a stray separator or an unquoted text with one in it?",
                file=str(p),
                **row_where(row, str(p)),
            ) from None
        # polars' own text spans lines and names its options; the CLI prints one line
        raise DataValidationError(f"could not read file: {_one_line(str(exc))}", file=str(p)) from None
    hint = " (save the sheet as CSV)" if suffix in (".xlsx", ".xls", ".xlsm", ".ods") else ""
    raise DataValidationError(
        f"unsupported file type {suffix!r}; use .csv, .csv.gz, .tsv or .parquet{hint}",
        file=str(p),
    )


_SEPARATORS = (",", ";", "\t", "|")
#: the header pandas gives its row index in a CSV (``df.to_csv(path)``: empty; read back with
#: pandas and written again: ``Unnamed: 0``)
_PANDAS_INDEX_NAMES = ("", "Unnamed: 0")
#: the columns pandas stores a non-range index in when it writes Parquet (last, not first)
_PARQUET_INDEX = re.compile(r"__index_level_\d+__")


def drop_pandas_index(frame: pl.DataFrame) -> pl.DataFrame:
    """``frame`` without a leading row-number column that pandas wrote (an unnamed first column
    holding consecutive integers, or runs of them each restarting at 0: :func:`_counts_rows`).

    Why: ``df.to_csv(path)`` writes the row index by default; a wide file saved that way was read
    as one more series (``0, 1, 2, …``), trained on and forecast without a word. A column with a
    name, or with anything but consecutive integers (an unnamed date index), is kept. Parquet:
    pandas' integer index columns (``__index_level_0__``, written after the data, e.g. for a
    frame built by concatenation) are dropped wherever they are; a date index there is kept.
    """
    index_cols = [c for c in frame.columns if _PARQUET_INDEX.fullmatch(c) and frame.schema[c].is_integer()]
    if index_cols and len(index_cols) < frame.width:
        frame = frame.drop(index_cols)
    while frame.width > 1 and frame.columns[0] in _PANDAS_INDEX_NAMES:  # read and saved again: two
        first = frame.get_column(frame.columns[0])
        if not first.dtype.is_integer() or first.null_count() or first.len() < 2:
            break
        if not _counts_rows(first):
            break
        frame = frame.drop(frame.columns[0])
    return frame


def _counts_rows(column: pl.Series) -> bool:
    """Whether ``column`` (integers, none missing) counts rows as a pandas index does: each value
    one more than the one before, or 0 where a new run starts (every run then from 0).

    Why the runs: a long table is most often built by ``pd.concat`` of one frame per series, whose
    index restarts at 0 for each; written with ``df.to_csv(path)`` its unnamed index column
    (0…39, 0…39) was kept and reported as an unused column ``''`` inviting ``--target-col``,
    while the README says it is dropped. The same frame written to Parquet already lost it.
    """
    steps = (column.diff().drop_nulls() == 1).to_numpy()
    if steps.all():  # one run, from any start (a slice of a frame keeps its row numbers)
        return True
    values = column.to_numpy()
    restarts = (values[1:] == 0) & (values[:-1] > 0)  # a run of at least two rows ends
    return bool(values[0] == 0 and (steps | restarts).all())


def sniff_separator(path: Path) -> str:
    """The field separator of a delimited text file: the candidate the header line holds most of.

    Why: spreadsheets in much of Europe export ``;``-separated CSV (the comma is their decimal
    mark); read with ``,`` such a file is one column and fails with a parser message about
    ragged lines that names nothing the user can act on.
    """
    opener = gzip.open if path.name.lower().endswith(".gz") else open
    try:
        with opener(path, "rt", encoding="utf-8", errors="replace") as fh:
            header = fh.readline()
    except (OSError, EOFError):  # unreadable here: let the CSV reader report it
        return ","
    counts = {sep: header.count(sep) for sep in _SEPARATORS}
    best = max(counts, key=lambda sep: counts[sep])
    return best if counts[best] else ","


_DUPLICATED = re.compile(r"(.*)_duplicated_(\d+)")


def _refuse_repeated_names(columns: Sequence[str], path: Path) -> None:
    """Refuse a header that names one column twice, naming it and its positions.

    Why: polars renames the second ``y`` to ``y_duplicated_0``; the first was then read as the
    target without a word, and the only trace was a note about a column the file does not have.
    Which of the two the user meant cannot be known.
    """
    names = set(columns)
    for position, column in enumerate(columns):
        match = _DUPLICATED.fullmatch(column)
        if match and match.group(1) in names:
            name = match.group(1)
            first = list(columns).index(name)
            raise DataValidationError(
                f"the header names column {name!r} more than once (columns {first + 1} and {position + 1}): "
                "give every column its own name",
                file=str(path),
                column=name,
            )


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _open_text(path: Path, encoding: str = "utf-8", errors: str = "strict") -> Any:
    opener = gzip.open if path.name.lower().endswith(".gz") else open
    return opener(path, "rt", encoding=encoding, errors=errors, newline="")


def _ragged_row(path: Path, sep: str) -> tuple[int, int, int] | None:
    """``(data row, fields found, fields in the header)`` of the first row whose number of
    fields differs from the header's, or ``None`` when none does (or the file cannot be read).

    Why: polars reports such a file as "found more fields than defined in 'Schema'", over
    several lines and with no row, so the user cannot find the line to fix.
    """
    try:
        with _open_text(path, errors="replace") as fh:
            reader = csv.reader(fh, delimiter=sep)
            header = next(reader, None)
            if header is None:
                return None
            for row, fields in enumerate(reader):
                if fields and len(fields) != len(header):
                    return row, len(fields), len(header)
    except (OSError, EOFError, csv.Error):
        return None
    return None


def _redecoded(path: Path, frame: pl.DataFrame, opts: dict[str, Any]) -> pl.DataFrame:
    """``frame`` re-read as Windows-1252 when the file is not UTF-8 at all.

    Why: spreadsheets on Windows save CSV in the ANSI code page; read as UTF-8 with replacement,
    ``Köln`` became ``K�ln`` — series ids and column names the user never wrote, in every
    forecast and registered model. Only a file that holds a replacement character after reading
    and does not decode as UTF-8 is read again (a UTF-8 file that contains U+FFFD itself, like
    the Weather benchmark's header, is left as it is). A note says which encoding was used.
    """
    marker = "\ufffd"
    text_cols = [c for c in frame.columns if frame.schema[c] == pl.String]
    if not (
        any(marker in c for c in frame.columns)
        or any(frame[c].str.contains(marker, literal=True).any() for c in text_cols)
    ):
        return frame
    try:
        with _open_text(path) as fh:
            while fh.read(1 << 20):
                pass
        return frame  # valid UTF-8 that spells U+FFFD itself
    except UnicodeDecodeError:
        pass
    except (OSError, EOFError):
        return frame
    try:
        with _open_text(path, encoding="cp1252") as fh:
            text, encoding = fh.read(), "Windows-1252"
    except UnicodeDecodeError:  # bytes cp1252 leaves undefined: latin-1 maps every byte
        with _open_text(path, encoding="latin-1") as fh:
            text, encoding = fh.read(), "Latin-1"
    warnings.warn(
        f"{path}: not UTF-8; read as {encoding} (save it as UTF-8 to silence this note)",
        TsforgeWarning,
        stacklevel=4,
    )
    return _read_csv(io.BytesIO(text.encode("utf-8")), {**opts, "encoding": "utf8"})


def _without_padding(frame: pl.DataFrame) -> pl.DataFrame:
    """A CSV written with a space after each separator (``ds, unique_id, y``), read as meant:
    header names and text cells without their surrounding spaces.

    Why: the names were kept as `` unique_id`` and `` BASEL``, so a long file was read as wide
    and refused for its "non-numeric" id column, and a wide file's stations were called
    `` BASEL``, matching no row of a coordinate table (``--coords``) and no id a user would type.
    Only when a header name is padded, and not when stripping would make two names equal.
    """
    names = [str(c) for c in frame.columns]
    stripped = [c.strip() for c in names]
    if stripped == names or len(set(stripped)) != len(stripped):
        return frame
    frame = frame.rename(dict(zip(names, stripped, strict=True)))
    text = [c for c, dtype in frame.schema.items() if dtype == pl.String]
    return frame.with_columns(pl.col(text).str.strip_chars()) if text else frame


def _without_trailing_empty_rows(frame: pl.DataFrame) -> pl.DataFrame:
    """``frame`` without the rows after its last row that holds a value.

    Why: an editor or a spreadsheet export often ends a CSV with blank lines (or lines of
    separators only, ``,,``); each was read as a row of missing fields and refused as "missing
    series id" on a line after the data. Nothing follows them, so nothing is lost or moved by
    leaving them out, and trailing missing values are no part of a series anyway. A blank line
    between rows is reported by its line instead
    (:func:`tsforge.data.file_lines.refuse_empty_line`): a wide table without a time column
    reads a line of separators there as a step whose every value is missing.
    """
    end = frame.height
    while end > 0 and all(v is None or (isinstance(v, str) and not v.strip()) for v in frame.row(end - 1)):
        end -= 1
    return frame if end == frame.height else frame.head(end)


def _ids_as_written(
    path: Path, frame: pl.DataFrame, opts: dict[str, Any], id_columns: Sequence[str]
) -> pl.DataFrame:
    """``frame`` with each of its ``id_columns`` that was inferred as numbers read again as text,
    where the numbers do not spell the text back (leading zeros, ``1.0``, ``+1``).

    Why: series ids are names, not quantities. Read as integers, ``001`` and ``002`` became ``1``
    and ``2`` in every forecast and score — ids the user cannot join back to their data — and
    ``1`` and ``01``, two series, were merged into one and refused for duplicate timestamps
    they do not have. Ids that are plain numbers (``1, 2, 3``) stay numbers.
    """
    for column in id_columns:
        if column not in frame.columns or not frame.schema[column].is_numeric():
            continue
        try:
            text = pl.read_csv(
                path, **{**opts, "columns": [column], "schema_overrides": {column: pl.String}}
            )[column]
        except pl.exceptions.PolarsError:
            continue
        if text.len() != frame.height:
            continue
        spelt = frame[column].cast(pl.String)
        if bool((text.str.strip_chars().fill_null("") != spelt.fill_null("")).any()):
            frame = frame.with_columns(text.str.strip_chars().alias(column))
    return frame


def _read_csv(path: Path | io.BytesIO, opts: dict[str, Any]) -> pl.DataFrame:
    try:
        return pl.read_csv(path, **opts)
    except pl.exceptions.ComputeError:
        # A cell that breaks the inferred dtype beyond the inference window: read as text.
        if isinstance(path, io.BytesIO):
            path.seek(0)
        return pl.read_csv(path, **{**opts, "infer_schema": False})


#: a number as a German or French spreadsheet writes it: ``.`` between groups of three digits, a
#: decimal comma (``1.234,5``, ``-12.345``, ``7,25``, ``1234,5``, ``12``)
_DECIMAL_COMMA = r"^-?(\d{1,3}(\.\d{3})*|\d+)(,\d+)?$"
#: such a number whose ``.`` can only be a thousands separator: one beside a decimal comma
_GROUPED_FOR_SURE = r"^-?\d{1,3}(\.\d{3})+,\d+$"


def _grouped_decimal_commas(frame: pl.DataFrame, path: Path, id_columns: Sequence[str]) -> pl.DataFrame:
    """``frame`` (a ``;`` file) with the text columns written with ``.`` thousands separators and
    decimal commas read as numbers, with one note naming them.

    Why: Excel's "CSV (semicolon)" export in German or French writes 1234.5 as ``1.234,5``;
    such a file was refused as soon as a value passed 999, with advice to export it again. A
    column is read so where most of its cells have that form and one at least cannot mean
    anything else (``1.234,5``: a column of only ``1.234`` may be 1.234 written with a decimal
    point, and one of only ``1.234.567`` may hold codes). A cell of another form is left as
    written, so the value check names it by its line; series-id columns stay text.
    """
    read = []
    for c in frame.columns:
        col = frame.get_column(c)
        if c in id_columns or col.dtype != pl.String:
            continue
        cells = col.str.strip_chars()
        fits = cells.str.contains(_DECIMAL_COMMA).fill_null(False)
        if not bool(cells.str.contains(_GROUPED_FOR_SURE).fill_null(False).any()):
            continue
        if 2 * int(fits.sum()) <= int(cells.is_not_null().sum()):
            continue
        plain = cells.str.replace_all(".", "", literal=True).str.replace(",", ".", literal=True)
        col = pl.select(pl.when(fits).then(plain).otherwise(col)).to_series().alias(c)
        as_numbers = col.cast(pl.Float64, strict=False)
        # the cells of that form as plain numbers; any other (``NA``, a typo) as written, for the
        # value check to read as missing or to name
        frame = frame.with_columns(as_numbers if as_numbers.null_count() == col.null_count() else col)
        read.append(c)
    if read:
        shown = ", ".join(repr(c) for c in read)
        warnings.warn(
            f"{path}: column(s) {shown} read as numbers written with '.' between thousands and a decimal "
            "comma (1.234,5 = 1234.5)",
            TsforgeWarning,
            stacklevel=4,
        )
    return frame


def _numeric_columns(frame: pl.DataFrame) -> int:
    return sum(dtype.is_numeric() for dtype in frame.dtypes)


def to_polars(df: Any) -> pl.DataFrame:
    """pandas or polars frame → polars frame (a pandas index with a name becomes a column)."""
    if isinstance(df, pl.LazyFrame):
        return df.collect()
    if isinstance(df, pl.DataFrame):
        return df
    if isinstance(df, pd.Series):
        df = df.to_frame()
    if isinstance(df, pd.DataFrame):
        frame = df
        if isinstance(frame.index, (pd.DatetimeIndex, pd.PeriodIndex)) or (
            frame.index.name is not None and frame.index.name not in frame.columns
        ):
            frame = frame.reset_index(names=frame.index.name or "ds")
        frame = _mixed_cells_as_text(_periods_as_timestamps(frame.rename(columns=str)))
        return pl.from_pandas(frame)
    raise DataValidationError(f"expected a pandas or polars DataFrame, got {type(df).__name__}")


#: what :func:`pandas.api.types.infer_dtype` calls an object column whose cells are of more than
#: one kind that Arrow cannot hold in one column (numbers and text, dates and text)
_MIXED_KINDS = ("mixed", "mixed-integer")


def _mixed_cells_as_text(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with each object column that Arrow would refuse or alter written as text (its
    missing cells left missing), so the readers check it as they check a text column; a column
    of naive times of several Python types (pandas Timestamps, datetimes, NumPy datetime64s),
    which Arrow refuses too, as the times they are.

    Why: a float column with one text cell (``"n/a"``) failed inside ``pl.from_pandas`` with
    pyarrow's "Could not convert 'n/a' with type str", naming no column, row or series; as text
    the value check names the cell (``non-numeric value 'abc' in series 'T1' at row 5``) and
    reads the missing-value markers a CSV file may hold, as it does for that file. And a column
    of naive and tz-aware timestamps was converted silently, the aware ones to UTC without their
    zone (a monthly series then "irregular" at a time the user never wrote, an hourly one
    shifted without a word); as text it is refused as the same times written as text are: "the
    column's dates are written in more than one way".
    """
    changed: dict[str, pd.Series] = {}
    for c in frame.columns:
        if frame[c].dtype != object:
            continue
        how = _arrow_reading(frame[c])
        if how == "text":
            changed[c] = frame[c].astype(str).where(frame[c].notna(), None)
        elif how == "times":
            changed[c] = pd.to_datetime(frame[c])
    return frame.assign(**changed) if changed else frame


def _arrow_reading(column: pd.Series) -> str | None:
    """How an object column must reach Arrow: ``"text"`` where Arrow cannot convert its cells to
    one type (numbers and text) or would alter them (times with and without a zone: it drops the
    zone; times in several zones: it restates every cell in the first one's zone, so a series of
    local midnights in Kolkata became 19:30 or 20:30 in Berlin and was refused for training while
    the same times written as text, each with its offset, trained), ``"times"`` for naive times
    of several types (it refuses a Timestamp beside a NumPy datetime64), ``None`` as it is."""
    kind = pd.api.types.infer_dtype(column, skipna=True)
    if kind not in (*_MIXED_KINDS, "datetime", "datetime64"):
        return None
    cells = column[column.notna()]
    if not all(isinstance(c, (datetime.datetime, np.datetime64)) for c in cells):
        return "text" if kind in _MIXED_KINDS else None
    if len({getattr(c, "tzinfo", None) is not None for c in cells}) > 1:
        return "text"
    if len({str(c.tzinfo) for c in cells if getattr(c, "tzinfo", None) is not None}) > 1:
        return "text"  # several zones: Arrow puts every cell in the first one's
    return "times" if kind in _MIXED_KINDS else None


def _periods_as_timestamps(frame: pd.DataFrame) -> pd.DataFrame:
    """pandas ``Period`` columns (``2020-01``, ``2020Q1``) as the timestamps their periods start at.

    Why: polars has no period type, and a frame with a ``PeriodIndex`` or a period column (what
    ``to_period`` and ``resample(kind="period")`` give) failed with polars' "cannot cast
    extension types to String"; a period's start is the date a month-start or quarter-start
    series is dated with.
    """
    periods = [c for c in frame.columns if isinstance(frame[c].dtype, pd.PeriodDtype)]
    if not periods:
        return frame
    return frame.assign(**{c: frame[c].dt.to_timestamp(how="start") for c in periods})


def _read_parquet(path: Path, categorical: Sequence[str]) -> pl.DataFrame:
    """A Parquet file, its ``categorical`` text columns cast batch by batch while streaming."""
    if not categorical:
        return pl.read_parquet(path)
    lazy = pl.scan_parquet(path)
    schema = lazy.collect_schema()
    cast = [c for c in categorical if schema.get(c) == pl.String]
    if not cast:
        return lazy.collect()
    return lazy.with_columns(pl.col(cast).cast(pl.Categorical)).collect(engine="streaming")
