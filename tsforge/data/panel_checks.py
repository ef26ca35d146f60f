"""What every panel constructor refuses or warns about, with one wording for every reader.

Why its own module: a panel from arrays, from a ``.tsf`` file, from a long frame and from a
wide table (:mod:`~tsforge.data.panel_sources`) must refuse the same things (duplicate ids, a
series with fewer than two values or no observed one) and warn the same way about integer time
without a calendar; keeping the checks in one place keeps their messages alike.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import pandas as pd

from tsforge.data.file_lines import file_line, row_words
from tsforge.errors import DataValidationError, UnknownSeasonWarning, WordedWarning

__all__ = [
    "FilledGapsWarning",
    "FilledValuesWarning",
    "check_series_sizes",
    "check_unique_ids",
    "no_observed_value_message",
    "note_filled_gaps",
    "note_filled_values",
    "warn_no_calendar",
]

#: series named in the note on filled gaps (the rest are counted)
_NAMED_FILLED = 5


class FilledGapsWarning(WordedWarning):
    """``fill_gaps`` / ``--fill-gaps`` inserted missing steps into the user's series as missing
    values: how many, and in which series, so the user can tell a few skipped months from a
    file that is mostly holes before trusting the forecasts."""


def note_filled_gaps(ids: Any, inserted: np.ndarray, where: str) -> None:
    """One note (:class:`FilledGapsWarning`) saying how many steps ``fill_gaps`` inserted and in
    which series (up to five named, most filled first); nothing when none was inserted.

    ``inserted``: the steps inserted into each series, in the order of ``ids``. Why: the fill was
    silent, so a typo'd date that opened a gap of ten years read as ten years of missing values
    without a word.
    """
    inserted = np.asarray(inserted, dtype=np.int64)
    total = int(inserted.sum())
    if total <= 0:
        return
    steps = "1 missing step" if total == 1 else f"{total} missing steps"
    what = f"{steps} as missing values in {_counted_series(ids, inserted)}"
    warnings.warn(
        FilledGapsWarning(
            f"{where}: fill_gaps=True inserted {what}", f"{where}: --fill-gaps inserted {what}"
        ),
        stacklevel=3,
    )


def _counted_series(ids: Any, counts: np.ndarray) -> str:
    """``2 of 4 series: 'a' (2), 'b' (1)``: the series with a positive count (up to five named,
    largest first, the rest counted), out of all of ``ids``."""
    counted = np.flatnonzero(counts > 0)
    order = counted[np.argsort(-counts[counted], kind="stable")]
    shown = ", ".join(f"{str(ids[i])!r} ({int(counts[i])})" for i in order[:_NAMED_FILLED])
    more = f", and {counted.size - _NAMED_FILLED} more" if counted.size > _NAMED_FILLED else ""
    return f"{counted.size} of {len(counts)} series: {shown}{more}"


class FilledValuesWarning(WordedWarning):
    """Missing values inside a history (empty ``y`` cells, or steps ``--fill-gaps`` inserted)
    were filled before a model saw them: how many, in which series, and how."""


def note_filled_values(ids: Any, missing: np.ndarray, where: str, how: tuple[str, str]) -> None:
    """One note (:class:`FilledValuesWarning`) that ``missing`` values (per series, in the order
    of ``ids``) were filled, and ``how``: the words for one value and for several
    (``("naive is fitted with it filled by …", "… with them filled by …")``); nothing when
    none is missing.

    Why: a local model interpolates an empty cell and a window model carries the last value over
    it, silently; a file with a column of typos read as blanks trained as if complete.
    """
    missing = np.asarray(missing, dtype=np.int64)
    total = int(missing.sum())
    if total <= 0:
        return
    values = "1 missing value" if total == 1 else f"{total} missing values"
    said = f"{where}: {values} in {_counted_series(ids, missing)}; {how[0] if total == 1 else how[1]}"
    warnings.warn(FilledValuesWarning(said), stacklevel=3)


def check_unique_ids(ids: np.ndarray, file: str | None = None) -> None:
    """Series are looked up by id (``select``, joins on ``unique_id``): ids must be unique."""
    dup = pd.Index(ids).duplicated()
    if dup.any():
        first = ids[int(np.flatnonzero(dup)[0])]
        raise DataValidationError(
            f"{int(dup.sum())} duplicate series id(s), first {first!r}", file=file, series=first
        )


def check_series_sizes(
    ids: np.ndarray,
    indptr: np.ndarray,
    values: np.ndarray | None,
    column: str | None = None,
    rows: np.ndarray | None = None,
    file: str | None = None,
) -> None:
    """Every series needs two values and (when ``values`` are given) one observation; errors
    name the first offender (and its row when the panel came from a frame: by its line when
    ``file`` is the text table the frame was read from, :mod:`tsforge.data.file_lines`)."""
    lens = np.diff(indptr)
    short = np.flatnonzero(lens < 2)
    if short.size:
        i = int(short[0])
        row = None
        if column is not None and lens[i]:
            row = int(indptr[i]) if rows is None else int(rows[indptr[i]])
        sid = str(ids[i])  # a numpy string's repr would read np.str_('z')
        count = "1 series has" if short.size == 1 else f"{short.size} series have"
        where = "" if row is None else f", {row_words(row, file)}"
        raise DataValidationError(
            f"{count} fewer than 2 values (a series needs two to be forecast or scored), first "
            f"{sid!r} ({lens[i]} value{'s' if lens[i] != 1 else ''}{where})",
            file=file,
            column=column,
            row=row,
            line=None if row is None else file_line(file, row),  # None: no line (not rendered)
            series=sid,
        )
    if values is None:
        return
    n_missing = np.diff(np.searchsorted(np.flatnonzero(np.isnan(values)), indptr))
    empty = np.flatnonzero(lens == n_missing)
    if empty.size:
        i = int(empty[0])
        raise DataValidationError(
            no_observed_value_message(empty.size, ids[i]),
            file=file,
            column=column,
            series=str(ids[i]),
        )


def no_observed_value_message(n: int, first: Any) -> str:
    """The refusal of ``n`` all-missing series in a table the user wrote (long or wide), with
    what to do about it; one wording for both readers."""
    count = "1 series has" if n == 1 else f"{n} series have"
    return (
        f"{count} no observed value (every value missing), first {str(first)!r}: leave "
        f"{'it' if n == 1 else 'them'} out of the data"
    )


def warn_no_calendar(what: str) -> None:
    """Warn (:class:`UnknownSeasonWarning`) that data read without dates get season length 1.

    Why: a monthly panel indexed 1, 2, 3, … trains and scores without error, but seasonal naive,
    the seasonal models and MASE then see no season; one sentence tells the user how to say it.
    """
    warnings.warn(
        f"{what}: no calendar, so the season length is 1 and seasonal models see no season; "
        "give the steps' frequency (freq= / --freq, e.g. MS for months) if they have one",
        UnknownSeasonWarning,
        stacklevel=3,
    )
