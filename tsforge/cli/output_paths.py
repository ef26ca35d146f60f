"""Checks on the paths a command will write, made before the command does its work.

Why: ``forecast --output nodir/f.csv`` forecast every series and then failed with pandas'
``OSError`` traceback; ``--output t/`` with ``IsADirectoryError``. A user should learn that the
path is wrong in the first second, in one line naming the option and the path.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from tsforge.errors import ConfigError

__all__ = ["check_output_file", "check_output_folder", "check_table_file", "write_frame", "looks_like_file"]

#: names a table is written as Parquet under (any case: ``forecast.PARQUET`` too)
_PARQUET_SUFFIXES = (".parquet", ".pq")
#: formats a user may expect from the name that ``write_frame`` does not write: refused up front,
#: since any other name is CSV text and ``forecast.xlsx`` was a CSV file Excel would not open
_OTHER_FORMATS = (".xlsx", ".xls", ".json", ".jsonl", ".feather", ".arrow", ".h5", ".hdf5", ".pkl", ".pickle")
#: suffixes of the files tsforge's commands write (tables, summaries, plots)
_WRITTEN_SUFFIXES = (".csv", ".parquet", ".json", ".png", ".txt")


def looks_like_file(name: str | Path, *more: str) -> bool:
    """Whether ``name`` ends like a file tsforge writes (``more``: other suffixes that count).

    Why one rule: a value given where a folder (``profile --out``) or a ``key=value`` option
    (``train -o``) belongs is recognised as a file name the same way in both places.
    """
    return Path(name).suffix.lower() in (*_WRITTEN_SUFFIXES, *more)


def check_output_file(path: Path | None, option: str) -> None:
    """Refuse a file target that cannot be written: a folder, a missing or read-only folder, or
    a parent that is a file. An existing file is fine (it is overwritten, as a user asked)."""
    if path is None:
        return
    field = option.lstrip("-").replace("-", "_")
    if path.is_dir():
        raise ConfigError(f"{option} {str(path)!r} is a folder; give a file name in it", field=field)
    _check_parent(path, option, field)


def check_table_file(path: Path | None, option: str) -> None:
    """:func:`check_output_file`, and refuse a name whose suffix promises a format
    :func:`write_frame` does not write (``.xlsx``, ``.json``, …), naming the ones it does."""
    check_output_file(path, option)
    if path is None:
        return
    suffix = path.suffix.lower()
    if suffix in _OTHER_FORMATS:
        raise ConfigError(
            f"{option} {str(path)!r}: {suffix} is not a format tsforge writes; name a .csv file "
            "(.csv.gz compressed) or a .parquet file",
            field=option.lstrip("-").replace("-", "_"),
        )


def write_frame(frame: Any, path: Path) -> None:
    """Write a pandas frame to the file an ``--output`` names: Parquet for a ``.parquet`` (or
    ``.pq``) name in any case, else CSV, compressed where the name says so (``.csv.gz``,
    ``.zip``, …) — one rule for every command that writes a table (``forecast``, ``cv``).

    The table is written to a hidden file next to ``path`` and renamed over it once complete, so
    a Ctrl-C, a ``kill`` or a full disk half way leaves ``path`` as it was (absent, or the
    previous run's whole file), never a truncated table a later step would read as the answer.
    The hidden file ends in ``path``'s suffix: pandas picks the compression from the name it
    writes, and ``forecast.csv.gz`` was plain text (written as ``….partial``).
    """
    if path.exists() and not path.is_file():
        # /dev/null, /dev/stdout, a named pipe: written into, not renamed over. Renaming the
        # hidden file over such a path replaced the device itself: `-o /dev/null` run as root
        # left /dev/null a regular file, and every later `> /dev/null` of another user failed.
        _write_table(frame, path)
        return
    partial = path.with_name(f".{path.name}.{os.getpid()}.partial{path.suffix}")
    try:
        _write_table(frame, partial)
        os.replace(partial, path)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise


def _write_table(frame: Any, path: Path) -> None:
    """``frame`` as Parquet (a ``.parquet`` / ``.pq`` name) or CSV (compressed by the name) at ``path``."""
    if path.suffix.lower() in _PARQUET_SUFFIXES:
        frame.to_parquet(path, index=False)
    else:
        frame.to_csv(path, index=False)


def check_output_folder(path: Path | None, option: str) -> None:
    """Refuse a folder target that is an existing file, or that cannot be created or written
    (the folder and any missing parents are created, so it is the nearest existing one that
    must be a writable folder)."""
    if path is None:
        return
    field = option.lstrip("-").replace("-", "_")
    if path.exists() and not path.is_dir():
        raise ConfigError(f"{option} {str(path)!r} is a file; give a folder", field=field)
    existing = _nearest(path)
    if not existing.is_dir():
        raise ConfigError(f"{option} {str(path)!r}: {str(existing)!r} is a file, not a folder", field=field)
    if not os.access(existing, os.W_OK):
        raise ConfigError(f"{option} {str(path)!r}: folder {str(existing)!r} is not writable", field=field)


def _nearest(path: Path) -> Path:
    """The nearest of ``path`` and its parents that exists (at worst ``.`` or ``/``)."""
    return next((p for p in (path, *path.parents) if str(p) and p.exists()), Path("."))


def _check_parent(path: Path, option: str, field: str) -> None:
    parent = path.parent if str(path.parent) else Path(".")
    if not parent.exists():
        raise ConfigError(f"{option} {str(path)!r}: folder {str(parent)!r} does not exist", field=field)
    if not parent.is_dir():
        raise ConfigError(f"{option} {str(path)!r}: {str(parent)!r} is a file, not a folder", field=field)
    if not os.access(parent, os.W_OK):
        raise ConfigError(f"{option} {str(path)!r}: folder {str(parent)!r} is not writable", field=field)
