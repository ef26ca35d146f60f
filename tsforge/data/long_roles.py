"""A long table whose columns are not named ``unique_id, ds, y``: its roles, when they are certain.

Why: ``Store, Week, Sales`` (a text id, dates, one number per row) is the most common file a
user brings, and it was refused with "non-numeric value 'store 11' in column 'Store' … give its
column names: --id-col Store --time-col Week --target-col Sales": the reader had guessed the
roles right and still asked the user to type them. When the table allows no other reading, it
is now read as long with those roles, and the user is told once (a :class:`GuessedRolesWarning`,
a ``note:`` line on the command line) which column plays which part.

"No other reading" is strict, so nothing that reads today reads differently and no ambiguous
table is guessed at: not all three roles named (that is long by name; two named, ``store, ds,
y``, are guessed at by the same rules, and where those fail the error names the closest column
for the third); one time column (the one given, or the one the wide reader detects); exactly one
text column, and numeric columns beside it of which the target is certain: the one named as the
target, the only one, or the only one that is not a 0/1 flag (``store, date, sales, promo``: a
flag is never the column forecast, and is noted as not used; ``sales`` beside a ``price`` is not
guessed at); no column given by name that is absent or plays another part; the text column has
no blank cell; and the time column repeats (several series share dates) or, in a table of three
columns, the text column holds a single value. Each of these tables failed as wide before (a
text column is not a series), so the guess only ever replaces an error. A wide file with a
comment/flag column and several numeric columns keeps its error and its advice (its times do
not repeat); a time column and one numeric column (one series) is wide as before.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import polars as pl

from tsforge.data import validation as V
from tsforge.data.timeaxis import detect_time_column
from tsforge.data.validation import check_unique_times, shell_word
from tsforge.errors import ConfigError, DataValidationError, TsforgeWarning

__all__ = [
    "LongRoles",
    "GuessedRolesWarning",
    "guess_long_roles",
    "note_guessed_roles",
    "numeric_id_column",
    "check_unique_wide_times",
    "refuse_absent_named_columns",
    "refuse_shared_columns",
    "time_fit",
    "flag_columns",
    "target_choices",
]

#: the reader's default names of the three roles (the time column's default ``None`` is also "not given")
DEFAULT_ROLES = ("unique_id", "ds", "y")
_TEXT_TYPES = (pl.String, pl.Categorical)


class GuessedRolesWarning(TsforgeWarning):
    """A table without ``unique_id, ds, y`` was read as long with roles taken from its column
    types: the user learns which column became the series id, the time and the target, and how
    to choose others, before trusting the results."""


@dataclass(frozen=True)
class LongRoles:
    """The id, time and target columns of a long table."""

    id_col: str
    time_col: str
    target_col: str


def guess_long_roles(
    frame: pl.DataFrame,
    id_col: str = "unique_id",
    time_col: str | None = None,
    target_col: str = "y",
    *,
    time_format: str | None = None,
) -> LongRoles | None:
    """The roles of ``frame`` read as a long table, or ``None`` unless they are certain (see the
    module docstring for the rules and why each one).

    Args:
        id_col, time_col, target_col: the names the caller was given (defaults: not given). A
            table holding all three is ``None``: long by name. One holding two (``store, ds, y``)
            is guessed at like any other; where no guess is certain the layout check reports the
            third column with the closest name (:func:`~tsforge.data.layouts.detect_layout`).
            Why two are guessed at: ``store`` beside ``ds`` and ``y`` is the id as surely as
            ``Store`` beside ``Week`` and ``Sales``, and was refused while ``store, date, sales``
            was read. A name given and absent, or present in another role, is also ``None``:
            the table is left to the caller's own error.
        time_format: the time column's strftime format, when given: a column it reads is a time
            column (:func:`~tsforge.data.timeaxis.detect_time_column`).
    """
    columns = [str(c) for c in frame.columns]
    named = sum(name in columns for name in (id_col, time_col or DEFAULT_ROLES[1], target_col))
    if named == 3 or len(columns) < 3:  # three named: long by name
        return None
    found_time = time_col if time_col in columns else detect_time_column(frame, time_format=time_format)
    if found_time is None:
        return None
    rest = [c for c in columns if c != found_time]
    text = [c for c in rest if frame.schema[c] in _TEXT_TYPES]
    numeric = [c for c in rest if frame.schema[c].is_numeric()]
    if len(text) != 1 or len(text) + len(numeric) != len(rest):
        return None
    target = _sole_target(frame, numeric, target_col)
    if target is None:
        return None
    roles = LongRoles(text[0], found_time, target)
    if not _agrees(roles, (id_col, time_col, target_col), columns):
        return None
    ids = frame.get_column(roles.id_col)
    several_series_share_dates = frame.get_column(found_time).n_unique() < frame.height
    one_series = ids.n_unique() == 1 and len(columns) == 3  # beside other columns: a wide file's note
    if ids.null_count() or not (several_series_share_dates or one_series):
        return None
    return roles


def _sole_target(frame: pl.DataFrame, numeric: list[str], target_col: str) -> str | None:
    """The one numeric column that can be the target, or ``None`` when there is none or the
    choice is not certain.

    The column named ``target_col`` when it is one of ``numeric``; else the only one, or the only
    one that is not a 0/1 flag (:func:`flag_columns`): ``store, date, sales, promo`` was read as
    wide and refused although the README says a ``promo`` beside the target is noted and left
    out. Two real-valued columns (``sales, price``) are not guessed at: forecasting the wrong
    one would look like a result; the error then names the flags to give.
    """
    if target_col in numeric:
        return target_col
    if len(numeric) == 1:
        return numeric[0]
    flags = set(flag_columns(frame, numeric))
    real = [c for c in numeric if c not in flags]
    return real[0] if len(real) == 1 else None


def flag_columns(frame: pl.DataFrame, columns: Sequence[str]) -> list[str]:
    """Those of ``columns`` (numeric) whose observed values are 0 and 1, both present: a promo
    or holiday flag, which a table carries beside its target and is never the one forecast."""
    flags = []
    for c in columns:
        seen = frame.get_column(c).drop_nulls()
        seen = seen.drop_nans() if seen.dtype.is_float() else seen
        if set(seen.unique().to_list()) == {0, 1}:
            flags.append(c)
    return flags


def target_choices(frame: pl.DataFrame, id_column: str, time_col: str | None) -> list[str]:
    """The numeric columns of a long table read as wide that could be its target, the likeliest
    first: real-valued ones in table order, then 0/1 flags (:func:`flag_columns`).

    Why: the advice for ``store, date, sales, promo`` ended in ``--target-col ...``, and the flags
    it named without a target were refused again ("column 'y' (target_col) not found"); the first
    choice makes the advice work as written, the others are named beside it.
    """
    numeric = [c for c in frame.columns if c not in (id_column, time_col) and frame.schema[c].is_numeric()]
    flags = set(flag_columns(frame, numeric))
    return [c for c in numeric if c not in flags] + [c for c in numeric if c in flags]


def _agrees(roles: LongRoles, given: tuple[str, str | None, str], columns: list[str]) -> bool:
    """Whether every name the caller gave is the column guessed for its role.

    Why: ``--target-col Sales`` on a file whose only numeric column is ``Units`` is a typo or a
    wrong file; reading ``Units`` instead would forecast what was not asked for.
    """
    guessed = (roles.id_col, roles.time_col, roles.target_col)
    for name, guess, default in zip(given, guessed, DEFAULT_ROLES, strict=True):
        if name is None or name == guess:
            continue
        if name in columns or name != default:
            return False
    return True


def time_fit(
    frame: pl.DataFrame,
    time_col: str | None,
    value_cols: Sequence[str] | None = None,
    *,
    time_format: str | None = None,
) -> dict[str, str | None]:
    """``fitting`` for :func:`~tsforge.data.validation.require_columns`: when ``time_col`` is
    absent, the column that reads as dates is the one to suggest for it, not the closest spelling
    (``--time-col day`` on ``store, ds, y`` was told "Did you mean 'y'?")."""
    if time_col is None or time_col in frame.columns:
        return {}
    return {"time_col": detect_time_column(frame, value_cols, time_format=time_format)}


def refuse_absent_named_columns(
    frame: pl.DataFrame,
    id_col: str,
    time_col: str | None,
    target_col: str,
    *,
    file: str | None,
    time_format: str | None = None,
) -> None:
    """Fail, naming the column, when a role was given a name (not its default) that is no column
    of ``frame``: "column 'units' (target_col) not found; columns found: …. Did you mean 'y'?".

    Why first: with the default id column also absent, the table was read as wide and the user
    was told "non-numeric value 'store 00' in column 'store' … the table was read as wide", which
    hid the typo the user made in the name they typed. A default name that is absent says nothing
    (the table may be wide, or long under other names: :func:`guess_long_roles`).
    """
    given = {"id_col": id_col, "time_col": time_col, "target_col": target_col}
    defaults = dict(zip(given, DEFAULT_ROLES, strict=True))
    columns = [str(c) for c in frame.columns]
    absent = {r: n for r, n in given.items() if n is not None and n != defaults[r] and n not in columns}
    if not absent:
        return
    # the absent names first (the error names the first); then the roles whose columns are
    # there, so that the suggestion is not a column already playing another part
    present = {r: n for r, n in given.items() if r not in absent and (n or defaults[r]) in columns}
    required = {**absent, **{r: n or defaults[r] for r, n in present.items()}}
    fitting = time_fit(frame, time_col, time_format=time_format)
    if "id_col" in absent:  # the one text column no other role holds is the series id
        taken = {
            *required.values(),
            fitting.get("time_col") or detect_time_column(frame, time_format=time_format),
        }
        text = [c for c in columns if c not in taken and frame.schema[c] in _TEXT_TYPES]
        fitting["id_col"] = text[0] if len(text) == 1 else None
    V.require_columns(columns, required, file=file, fitting=fitting)


def refuse_shared_columns(
    id_col: str, time_col: str, target_col: str, columns: Sequence[str], *, file: str | None = None
) -> None:
    """Fail, naming both options, when two roles of a long table name one of its columns
    (``id_col="y"`` beside the default ``target_col="y"``).

    Why: the reader selected the column twice and polars raised its ``DuplicateError``
    ("projections contained duplicate output name 'y'"), after a note that the real id column
    was not used; the multichannel reader read the values as series ids without a word. A name
    no column has is left to the missing-column check, which names it.
    """
    roles = {"id_col": id_col, "time_col": time_col, "target_col": target_col}
    names = list(roles)
    for i, first in enumerate(names):
        for second in names[i + 1 :]:
            if roles[first] == roles[second] and roles[first] in columns:
                raise _shared_column_error(first, second, roles[first], file)


def _shared_column_error(first: str, second: str, column: str, file: str | None) -> ConfigError:
    """The refusal of two roles naming ``column``, in Python's words and the command line's; a
    role left at its default is said to be so (the user typed only the other)."""
    defaults = dict(zip(("id_col", "time_col", "target_col"), DEFAULT_ROLES, strict=True))
    typed = [r for r in (first, second) if column != defaults[r]]
    by_default = [r for r in (first, second) if r not in typed]

    def said(word: dict[str, str]) -> str:
        default = f" ({column!r} is {word[by_default[0]]}'s default)" if len(by_default) == 1 else ""
        return (
            f"{word[first]} and {word[second]} both name column {column!r}{default}; "
            "the series id, the time and the target each need a column of their own"
        )

    flags = {r: f"--{r.replace('_col', '')}-col" for r in (first, second)}
    return ConfigError(
        said({r: r for r in (first, second)}),
        cli_message=said(flags),
        field=(typed or [first])[0],
        file=file,
    )


def note_guessed_roles(roles: LongRoles, where: str, *, stacklevel: int = 2) -> None:
    """Tell the user (one :class:`GuessedRolesWarning`) which columns were read in which role.

    ``where``: the file, or the frame's name. ``stacklevel``: as for :func:`warnings.warn`, counted
    from this function's caller (2: the caller's line). Why the caller's line and not the user's:
    Python shows a warning once per message and code line, and ``profile`` reads a file twice
    (as series, then as a panel) from two lines of its own: the note was printed twice.
    """
    warnings.warn(
        f"read {where} as long: id {roles.id_col!r}, time {roles.time_col!r}, target {roles.target_col!r} "
        "(give --id-col/--time-col/--target-col, or id_col/time_col/target_col in Python, to choose others)",
        GuessedRolesWarning,
        stacklevel=stacklevel,
    )


def numeric_id_column(frame: pl.DataFrame, time_col: str, times: np.ndarray) -> LongRoles | None:
    """The roles of a long table with *integer* series ids that was read as wide and failed on
    its repeated timestamps, or ``None`` when the table does not look like one.

    Why: ``store_id, date, sales`` (ids 100, 101, …) has no text column, so it is read as wide, and
    the error was only "duplicate timestamp 2021-01-01 in column 'date' at rows [0, 120, 240, …]",
    which says nothing of the layout; the advice now names the columns to pass. Not a guess to read
    by: two numeric columns beside the time could be two series as well as an id and a target.

    Looks long when one integer column tells apart the rows that share a time, each time comes
    back often (at most 3 distinct times per 4 rows) and each id often (at most 1 per 2 rows):
    a wide file with one clock-change hour twice keeps its plain duplicate-time error.
    ``times``: the parsed time column (``datetime64`` or integer keys).
    """
    n = frame.height
    if n == 0 or len(np.unique(times)) > 0.75 * n:
        return None
    numeric = [c for c in frame.columns if c != time_col and frame.schema[c].is_numeric()]
    ids = [c for c in numeric if frame.schema[c].is_integer() and _tells_apart(frame[c], times)]
    if len(ids) != 1 or frame[ids[0]].n_unique() > n / 2:
        return None
    rest = [c for c in numeric if c != ids[0]]
    return LongRoles(ids[0], time_col, rest[0] if len(rest) == 1 else "...")


def _tells_apart(ids: pl.Series, times: np.ndarray) -> bool:
    """Whether every ``(id, time)`` pair occurs once (no id missing)."""
    if ids.null_count():
        return False
    pairs = pl.DataFrame({"id": ids, "t": pl.Series(times)})
    return not bool(pairs.is_duplicated().any())


def check_unique_wide_times(
    frame: pl.DataFrame,
    keys: np.ndarray,
    time_col: str,
    *,
    file: str | None = None,
    read_as: str,
    python_apart: bool,
) -> None:
    """Each time once in a table read as wide, with the long table's column names to pass when an
    integer column looks like series ids (:func:`numeric_id_column`).

    Why: ``store_id, date, sales`` with ids 100, 101, … was told only "duplicate timestamp … in
    column 'date'", which did not say that the table was read as wide nor how to read it as long.
    One function for the file readers and the forecast-history parser, so the two cannot drift
    apart; they differ only in the words below.

    Args:
        keys: the parsed time column (``datetime64`` or integer keys).
        read_as: the words between the duplicate-time error and "give its column names:", saying
            how the table was read and when to read it otherwise.
        python_apart: the message names the Python arguments (``id_col='store_id'``) and the
            command line's message the flags (a forecast history, sent from Python or from the
            command line); else one message names the flags, then "(id_col/time_col/target_col in
            Python)" (a file).
    """
    try:
        check_unique_times(keys, column=time_col, file=file, written=frame[time_col])
    except DataValidationError as err:
        roles = numeric_id_column(frame, time_col, keys)
        if roles is None:
            raise
        why = f"{err.message}; {read_as}, give its column names: "
        flags = (
            f"--id-col {shell_word(roles.id_col)} --time-col {shell_word(roles.time_col)} "
            f"--target-col {shell_word(roles.target_col)}"
        )
        if python_apart:
            names = f"id_col={roles.id_col!r}, time_col={roles.time_col!r}, target_col={roles.target_col!r}"
            message, cli_message = why + names, why + flags
        else:  # the message gives the flags and the Python arguments alike
            message, cli_message = f"{why}{flags} (id_col/time_col/target_col in Python)", None
        raise DataValidationError(message, cli_message=cli_message, **err.where) from None
