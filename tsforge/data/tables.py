"""Table files and in-memory frames → a polars frame, nothing more.

Why a module of its own: every reader (layouts, coordinates, the catalogue, the forecast
history parser) starts from "give me a polars frame of this file or this DataFrame", and the
rules for that — which suffixes mean what, re-reading as text when type inference trips on a
bad cell so validation can name it — must be the same everywhere.
"""

from __future__ import annotations

import gzip
import os
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pandas as pd
import polars as pl

from tsforge.errors import DataValidationError

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
    path: str | os.PathLike[str], *, categorical: Sequence[str] = (), **csv_options: Any
) -> pl.DataFrame:
    """Read a CSV (``.csv``/``.csv.gz``/``.tsv``) or Parquet file into a polars frame.

    Values are read with type inference; if inference fails on a bad cell deep in the file, the
    file is re-read as text so that validation can point at the exact cell instead of surfacing
    a polars parse error.

    ``categorical``: Parquet text columns (where present) read as polars ``Categorical``. Why: a
    panel's id column repeats each series id once per value; as plain strings 100 M rows of ids
    cost ~1 GB more than as 4-byte codes, and the file is cast in streaming batches, so the full
    string column never exists. (CSV is left as inferred: numeric ids there must stay numbers.)
    """
    p = Path(path)
    if not p.exists():
        raise DataValidationError("file not found", file=str(p))
    if p.is_dir():
        raise DataValidationError("expected a file, got a directory", file=str(p))
    suffix = _suffix(p)
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
                    frame = alt
            return drop_pandas_index(frame)
    except pl.exceptions.NoDataError:
        raise DataValidationError("file is empty", file=str(p)) from None
    except (pl.exceptions.PolarsError, OSError) as exc:
        raise DataValidationError(f"could not read file: {exc}", file=str(p)) from None
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
    holding consecutive integers).

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
        if not bool((first.diff().drop_nulls() == 1).all()):
            break
        frame = frame.drop(frame.columns[0])
    return frame


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


def _read_csv(path: Path, opts: dict[str, Any]) -> pl.DataFrame:
    try:
        return pl.read_csv(path, **opts)
    except pl.exceptions.ComputeError:
        # A cell that breaks the inferred dtype beyond the inference window: read as text.
        return pl.read_csv(path, **{**opts, "infer_schema": False})


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
        if isinstance(frame.index, pd.DatetimeIndex) or (
            frame.index.name is not None and frame.index.name not in frame.columns
        ):
            frame = frame.reset_index(names=frame.index.name or "ds")
        frame = frame.rename(columns=str)
        return pl.from_pandas(frame)
    raise DataValidationError(f"expected a pandas or polars DataFrame, got {type(df).__name__}")


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
