"""The notes a forecast's histories get, in the words of whoever gave them.

Why a module of their own: one fact — a history skipped steps, a history ended in missing values
— reaches two kinds of reader. A REST client sent JSON, where a missing value is ``null``; a
``tsforge forecast`` user wrote a CSV or Parquet file, where it is an empty cell and a step is a
row. The CLI printed the service's words ("a missing value as NaN (null in JSON)") to users who
had sent nothing. Each note is made here in one wording or the other: the service's (and the
Python API's, for histories given as frames or series) when no file is named, the file's when
:meth:`~tsforge.inference.FramePredictor.predict_frame` was told the file the frame was read from
(:class:`HistoryFile`). The service never names a file, so its answers keep their words.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from tsforge.data.history import SeriesInput

__all__ = [
    "HistoryFile",
    "trailing_gap_note",
    "scored_trailing_gap_note",
    "skipped_steps_note",
    "every_step_advice",
    "calendar_advice",
]

#: at most this many series named in a note (the count says how many there are)
_NAMED = 5


@dataclass(frozen=True)
class HistoryFile:
    """The file a history frame was read from, and whether it is wide (one column per series):
    what a note needs to speak of the file's rows and empty cells.

    Why the layout: a long file's series that ends in empty cells ends in rows the user can
    delete; a wide file's column that ends earlier than the others shares its rows with them.
    """

    path: str
    wide: bool = False

    @property
    def name(self) -> str:
        """The file's name, as the notes say it (the folder is the user's own)."""
        return Path(self.path).name

    @property
    def is_tsf(self) -> bool:
        """A Monash ``.tsf`` file: one line per series, a missing value written ``?``."""
        return self.path.lower().endswith((".tsf", ".tsf.gz"))

    @property
    def missing(self) -> str:
        """What a missing value is in this file, in the plural."""
        return "missing values ('?')" if self.is_tsf else "empty cells"


def _named(counts: Sequence[str]) -> str:
    """The first :data:`_NAMED` of ``counts`` (``'a' (2)``), and how many more there are."""
    more = len(counts) - _NAMED
    return ", ".join(counts[:_NAMED]) + (f" and {more} more" if more > 0 else "")


def trailing_gap_note(
    sent: Sequence[SeriesInput], trimmed: Sequence[SeriesInput], source: HistoryFile | None = None
) -> str | None:
    """Say which histories lost trailing missing values before the forecast (``sent`` against
    ``trimmed``, in the same order), and how many each; ``None`` when none did. ``source``: the
    file the histories were read from, whose empty cells the note then speaks of.

    Why: a forecast is dated from the step after a history's last observed value, so its first
    steps are times the caller gave as missing. The REST service said so in a note of its own,
    but the CLI, the Python API and the MLflow pyfunc said nothing; one warning reaches all of
    them (the CLI prints it as a ``note:`` line, the service returns it as an answer note).
    """
    found = []
    for s, t in zip(sent, trimmed, strict=True):
        n = np.asarray(s.values).size - np.asarray(t.values).size
        if n > 0:
            found.append(f"{s.id!r} ({n})")
    if not found:
        return None
    shown = _named(found)
    if source is None:
        return (
            f"{len(found)} of {len(sent)} series {'ends' if len(found) == 1 else 'end'} with missing values (null), which are not part of a history: each is forecast from its last "
            "observed value, so its forecast's first steps are times given as missing (series and "
            f"trailing nulls: {shown}); leave the trailing nulls out, or give their values"
        )
    return (
        f"{len(found)} of {len(sent)} series {'ends' if len(found) == 1 else 'end'} with {source.missing} in {source.name}, which are not "
        "part of a history: each is forecast from its last observed value, so its forecast's first "
        f"steps are times the file gives no value for (series and {source.missing} at their end: "
        f"{shown}); {_trailing_advice(source)}"
    )


def scored_trailing_gap_note(
    ends: Mapping[str, int], inserted: int, n_series: int, horizon: int, *, reached: bool, where: str
) -> tuple[str, str]:
    """The note of a holdout score (``evaluate``) on the histories that end, before their test
    window, with missing values (``ends``: series id → how many, only those with some), in the
    Python words and the command line's; ``inserted``: how many of those values are steps
    ``fill_gaps`` inserted; ``reached``: whether the forecast was made long enough (``horizon``
    steps and those missing values) to reach every test step, else the test steps it does not
    reach are left unscored.

    Why not :func:`trailing_gap_note`: that one speaks to whoever sent the history, who can leave
    its trailing nulls out; here the holdout cut the history, so those values are the user's
    empty cells or steps ``--fill-gaps`` inserted in the middle of a series, and what the user
    needs to know is which forecast step is scored against which test step: the forecast starts
    after the last observed value, and was compared position by position with a test window
    that starts that many steps later."""
    found = [f"{sid!r} ({n})" for sid, n in sorted(ends.items(), key=lambda kv: -kv[1]) if n > 0]
    one = len(found) == 1
    said = (
        f"{where}: {len(found)} of {n_series} series {'ends its' if one else 'end their'} history before "
        f"the test window with missing values (series and missing values: {_named(found)})"
    )
    steps = (
        f", {inserted} of them {'is a step' if inserted == 1 else 'are steps'} {{}} inserted"
        if inserted
        else ""
    )
    if reached:
        how = (
            "; the model forecasts each from its last observed value, over those steps and on through "
            "its test window, and each forecast step is scored against the test step of its own time"
        )
    else:
        how = (
            f"; the model forecasts each from its last observed value, {horizon} steps (its horizon), so "
            "its forecast ends before its test window does: each forecast step is scored against the "
            "test step of its own time, and the last test steps, as many as those missing values, "
            "are left unscored"
        )
        beyond = [f"{sid!r}" for sid, n in sorted(ends.items(), key=lambda kv: -kv[1]) if n >= horizon]
        if beyond:  # a forecast that ends before its test window starts scores none of it
            how += (
                f"; {_named(beyond)} {'ends' if len(beyond) == 1 else 'end'} {horizon} or more steps before "
                "the test window, so none of "
                f"{'its' if len(beyond) == 1 else 'their'} test steps is scored (counted as unobserved)"
            )
    return said + steps.format("fill_gaps=True") + how, said + steps.format("--fill-gaps") + how


def _trailing_advice(source: HistoryFile) -> str:
    """What to do about a file's series that end in missing values, as its layout allows."""
    if source.is_tsf:
        return "leave them out of the series, or give their values"
    if source.wide:  # the rows are the other series' too
        return "fill in those cells to forecast every series from the file's last row"
    return "delete those rows, or fill in their values"


def skipped_steps_note(
    what: str, skipped: Mapping[str, int], n_series: int, source: HistoryFile | None = None
) -> str:
    """The note that ``skipped`` (series id → steps inserted) of ``n_series`` histories skipped
    ``what`` and were read with them as missing values; ``source`` as for :func:`trailing_gap_note`
    (a step the file skips is a row it lacks)."""
    names = ", ".join(f"{sid!r} ({n})" for sid, n in list(skipped.items())[:_NAMED])
    shown = names + (", ..." if len(skipped) > _NAMED else "")
    said = (
        f"{len(skipped)} of {n_series} series {'skips' if len(skipped) == 1 else 'skip'} {what} read as missing values (series and steps "
        f"missing: {shown})"
    )
    return f"{said}: {every_step_advice(source)}, to say so yourself"


def every_step_advice(source: HistoryFile | None = None) -> str:
    """How to give a history every step of its grid, a missing value where it has none: in the
    file it was read from (``source``: a row per step, an empty cell), else in the series given
    (a NaN, which a JSON body writes ``null``).

    Why "give" and not "send": these words without a file reach a Python caller of
    ``predict_series`` as well as a REST client, and the Python caller sends nothing."""
    if source is None:
        return "give every step, a missing value as NaN (null in JSON)"
    return f"give every step its row in {source.name}, a missing value as an empty cell"


def calendar_advice(source: HistoryFile | None = None) -> tuple[str, str]:
    """``(what the series lacked, how to give it)`` in a note that a calendar model got histories
    without dates: dated timestamps for the series (ISO-8601 strings in a JSON body), or a time
    column of dates to give the file.

    Why not "send ISO-8601 timestamps" without a file: a Python caller gives its series
    timestamps as datetimes, not ISO-8601 text, and sends nothing."""
    if source is None:
        return "no timestamps, or integer steps", "give the series dates as timestamps (ISO-8601 in JSON)"
    return "no time column, or integer steps", f"give {source.name} a time column of dates"
