"""What every panel constructor refuses or warns about, with one wording for every reader.

Why its own module: a panel from arrays, from a ``.tsf`` file, from a long frame and from a
wide table (:mod:`~tsforge.data.panel_sources`) must refuse the same things (duplicate ids, a
series with fewer than two values or no observed one) and warn the same way about integer time
without a calendar; keeping the checks in one place keeps their messages alike.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from tsforge.data.file_lines import file_line, row_words
from tsforge.errors import DataValidationError, ShortSeriesWarning, UnknownSeasonWarning, WordedWarning

__all__ = [
    "TOO_FEW_VALUES",
    "FilledGapsWarning",
    "FilledValuesWarning",
    "HeldFilledNote",
    "InsertedSteps",
    "NoCalendarWarning",
    "check_series_sizes",
    "check_unique_ids",
    "leave_out_advice",
    "left_out_too_few",
    "no_observed_sentence",
    "too_few_observed",
    "too_few_values_error",
    "inserted_positions",
    "inserted_steps",
    "inserted_steps_said",
    "note_filled_gaps",
    "note_unread_gaps",
    "note_filled_values",
    "models_fill_words",
    "filled_value_words",
    "warn_no_calendar",
]

#: series named in the note on filled gaps (the rest are counted)
_NAMED_FILLED = 5

#: :attr:`~tsforge.errors.TsforgeError.kind` of the refusal of a series with fewer than two
#: (observed) values, so that a caller can tell it from the file's other faults
TOO_FEW_VALUES = "too_few_values"

#: series named in the note on series left out for too few values (the rest are counted)
_NAMED_LEFT_OUT = 5

#: why the refusal of such series advises no way round when no series has two observed values
_NONE_LEFT = "no series has two observed values, so leaving out those with fewer would leave none"

#: the command line's words for leaving such a series out, where the running command has a way
#: (``pass --drop-short to leave it out``); None: editing the file is the only way
_CLI_LEAVE_OUT: ContextVar[str | None] = ContextVar("tsforge_cli_leave_out", default=None)


@contextmanager
def leave_out_advice(words: str) -> Iterator[None]:
    """Inside, the refusal of a series with fewer than two values ends, in the command line's
    words, with ``words`` (the command's flag) before "or remove its rows".

    Why a context and not a parameter: the refusal is raised deep inside the readers, which do
    not know which command runs them; the command knows its own flag, and words are for people
    (code tells the refusal apart by :data:`TOO_FEW_VALUES`)."""
    token = _CLI_LEAVE_OUT.set(words)
    try:
        yield
    finally:
        _CLI_LEAVE_OUT.reset(token)


def too_few_values_error(
    sentence: str, n: int, *, library_way: bool = True, some_left: bool = True, **where: Any
) -> DataValidationError:
    """The refusal of ``n`` series with fewer than two (observed) values, of kind
    :data:`TOO_FEW_VALUES`, ending with the way round: in the library's words the loader's
    ``drop_too_few=True``, in the command line's the running command's flag
    (:func:`leave_out_advice`) or, where it has none, removing the rows.

    Why say the way round: a new product with its first sale is routine, and a refusal that only
    names it left the user editing the file to forecast every other series. ``library_way``:
    whether the library's words name ``drop_too_few=True`` (a reader that has it).

    ``some_left``: whether any series has two observed values. Without one, leaving out (or
    removing) the others would leave nothing, so no way round is advised, only why: ``evaluate``
    on histories each observed once advised ``--drop-short``, which then refused the empty
    holdout, and a table of single rows read with ``drop_too_few=True`` advised that option."""
    if not some_left:
        exc = DataValidationError(f"{sentence}; {_NONE_LEFT}", **where)
        exc.kind = TOO_FEW_VALUES
        return exc
    it = "it" if n == 1 else "them"
    rows = f"remove {'its' if n == 1 else 'their'} rows"
    flag = _CLI_LEAVE_OUT.get()
    cli = f"{flag.replace('{it}', it)}, or {rows}" if flag else rows
    exc = DataValidationError(
        f"{sentence}: leave {it} out with drop_too_few=True, or {rows}"
        if library_way
        else f"{sentence}: {rows}",
        cli_message=f"{sentence}: {cli}",
        **where,
    )
    exc.kind = TOO_FEW_VALUES
    return exc


def too_few_observed(indptr: np.ndarray, values: np.ndarray) -> np.ndarray:
    """Positions of the series with fewer than two observed (not missing) values: nothing to
    forecast from, whether the file gave them one row, or rows that are all but one empty."""
    observed = np.add.reduceat(~np.isnan(values), indptr[:-1]) if values.size else np.zeros(0)
    observed = np.where(np.diff(indptr) > 0, observed, 0)  # reduceat repeats a neighbour for an empty one
    return np.flatnonzero(observed < 2)


def left_out_too_few(ids: Any, bad: np.ndarray, where: str) -> None:
    """One :class:`~tsforge.errors.ShortSeriesWarning` saying that the series at ``bad`` (fewer
    than two observed values) were left out of ``where``: how many and which (up to five named).

    Why one note and not silence: the user asked for every series, so the output must say which
    ones it does not hold."""
    named = ", ".join(repr(str(ids[i])) for i in bad[:_NAMED_LEFT_OUT])
    more = f", and {bad.size - _NAMED_LEFT_OUT} more" if bad.size > _NAMED_LEFT_OUT else ""
    count = "1 series" if bad.size == 1 else f"{bad.size} series"
    has = "has" if bad.size == 1 else "have"
    warnings.warn(
        ShortSeriesWarning(
            f"{where}: left out {count} of {len(ids)} that {has} fewer than two observed values "
            f"(nothing to forecast from): {named}{more}"
        ),
        stacklevel=3,
    )


class FilledGapsWarning(WordedWarning):
    """``fill_gaps`` / ``--fill-gaps`` inserted missing steps into the user's series as missing
    values: how many, and in which series, so the user can tell a few skipped months from a
    file that is mostly holes before trusting the forecasts.

    :attr:`inserted` keeps the count per series id and :attr:`inserted_at` where they lie, so
    that a command which says how it fills missing values (``train``:
    :func:`note_filled_values`; ``evaluate``: the forecast's note, :class:`InsertedSteps`) can
    say the inserted steps there, in one note, instead of counting the same steps twice."""

    #: steps inserted per series id (only the series with some), set by :func:`note_filled_gaps`
    inserted: dict[str, int]
    #: per series id (only the series with some): the positions of its inserted steps, counted
    #: from its first observed value (position 0 of the series a panel holds, which starts there)
    inserted_at: dict[str, np.ndarray]


def note_filled_gaps(ids: Any, at: Sequence[np.ndarray], where: str) -> None:
    """One note (:class:`FilledGapsWarning`) saying how many steps ``fill_gaps`` inserted and in
    which series (up to five named, most filled first); nothing when none was inserted.

    ``at``: for each series, in the order of ``ids``, the positions of the steps inserted into
    it within its observed span (:func:`inserted_positions`). Why: the fill was silent, so a
    typo'd date that opened a gap of ten years read as ten years of missing values without a
    word.
    """
    inserted = np.array([len(a) for a in at], dtype=np.int64)
    total = int(inserted.sum())
    if total <= 0:
        return
    steps = "1 missing step" if total == 1 else f"{total} missing steps"
    what = f"{steps} as missing values in {_counted_series(ids, inserted)}"
    note = FilledGapsWarning(
        f"{where}: fill_gaps=True inserted {what}", f"{where}: --fill-gaps inserted {what}"
    )
    filled = np.flatnonzero(inserted > 0)
    note.inserted = {str(ids[i]): int(inserted[i]) for i in filled}
    note.inserted_at = {str(ids[i]): np.asarray(at[int(i)], dtype=np.int64) for i in filled}
    warnings.warn(note, stacklevel=3)


def inserted_positions(values: np.ndarray, indptr: np.ndarray, inserted: np.ndarray) -> list[np.ndarray]:
    """For each series of the flat ``values`` (``indptr``), the positions of its ``inserted``
    values (a mask over ``values``) between its first and last observed value, counted from the
    first: where they lie in the series a panel keeps (:meth:`~tsforge.data.panel.Panel.trim_missing`).

    Why not the positions as read: a panel cuts each series to its observed span, so a step
    inserted between two empty cells at a series' start is no value of it, and the note must
    not count it nor place the others off by the cells cut."""
    n = len(indptr) - 1
    if n <= 0 or not inserted.any():
        return [np.empty(0, dtype=np.int64) for _ in range(n)]
    sid = np.repeat(np.arange(n), np.diff(indptr))
    pos = np.arange(values.size, dtype=np.int64) - indptr[:-1][sid]
    observed = ~np.isnan(values)
    first = np.full(n, np.iinfo(np.int64).max)
    last = np.full(n, -1)
    np.minimum.at(first, sid[observed], pos[observed])
    np.maximum.at(last, sid[observed], pos[observed])
    kept = inserted & (pos >= first[sid]) & (pos <= last[sid])
    rel = pos[kept] - first[sid[kept]]
    return np.split(rel, np.cumsum(np.bincount(sid[kept], minlength=n))[:-1])


@dataclass(frozen=True)
class InsertedSteps:
    """Where ``fill_gaps`` inserted steps into the histories about to be forecast, and what lies
    in the windows the forecasts are scored on: what the forecast's note on the missing values
    it fills (:meth:`~tsforge.inference.predictor.FramePredictor.predict_series`) needs to say the
    inserted steps in that one note, where an evaluation held back the reader's own note.

    ``where``: the data, as the note names it; ``at``: per series id, the positions of its
    inserted steps in its history (:attr:`FilledGapsWarning.inserted_at`); ``scored``: per
    series id, the missing values of its scored window and how many of them were inserted;
    ``said``: filled in by the forecast, per series id, how many of ``at`` its note counted (those
    the model reads; the most any member of a routed ensemble read), so that the caller can say
    the others (:func:`note_unread_gaps`); ``held``: the forecast's notes on filled values
    (:meth:`hold`), said as one when the forecast is done (:meth:`say`).
    """

    where: str
    at: Mapping[str, np.ndarray]
    scored: Mapping[str, tuple[int, int]]
    said: dict[str, int] = field(default_factory=dict)
    held: list[HeldFilledNote] = field(default_factory=list)

    def hold(self, note: HeldFilledNote) -> None:
        """Keep a forecast's note on the missing values it fills, to be said by :meth:`say`.

        Why held and not said: a routed ensemble in ``weights`` mode forecasts a series with
        every member weighted into it, and each member's note repeated the same inserted steps
        and test-window values (three members, three identical counts)."""
        self.held.append(note)

    def say(self) -> None:
        """One note (:class:`FilledValuesWarning`) for the notes held (:meth:`hold`): each
        series' missing values, inserted steps and test-window values counted once (the most any
        model read of it; the test window's are the same for all), and how each model fills
        them; nothing when none was held."""
        if not self.held:
            return
        ids: dict[str, Any] = {}
        missing: dict[str, int] = {}
        inserted: dict[str, int] = {}
        for note in self.held:
            for sid, n, k in zip(note.ids, note.missing, note.inserted, strict=True):
                key = str(sid)
                ids.setdefault(key, sid)
                missing[key] = max(missing.get(key, 0), int(n))
                inserted[key] = max(inserted.get(key, 0), int(k))
        # the models that filled a value (those that read none fill nothing; all when none did:
        # the test window's values only, said as before)
        filling = [note for note in self.held if sum(note.missing)] or self.held
        order = [key for key in self.at if key in ids] + [key for key in ids if key not in self.at]
        test = np.array([self.scored.get(key, (0, 0)) for key in order], dtype=np.int64).reshape(-1, 2)
        note_filled_values(
            [ids[key] for key in order],
            np.array([missing[key] for key in order], dtype=np.int64) + test[:, 0],
            self.held[0].where or self.where,
            models_fill_words([(note.model, note.how) for note in filling]),
            inserted=sum(inserted.values()) + int(test[:, 1].sum()),
            unscored=int(test[:, 0].sum()),
        )
        self.held.clear()


@dataclass(frozen=True)
class HeldFilledNote:
    """One model's note on the missing values it fills in the histories it forecast, held by
    :meth:`InsertedSteps.hold`: per series (``ids``), the missing values inside the span it reads
    (``missing``) and how many of them are inserted steps (``inserted``), both without the test
    window's; ``model`` and ``how`` (:func:`filled_value_words`); ``where``: the data named."""

    ids: Sequence[Any]
    missing: Sequence[int]
    inserted: Sequence[int]
    model: str
    how: tuple[str, str]
    where: str | None


def models_fill_words(models: Sequence[tuple[str, tuple[str, str]]]) -> tuple[str, str]:
    """How the ``models`` (name, :func:`filled_value_words`) fill missing values, in one
    phrase for one value and one for several: models that fill alike are named together
    (``naive and auto_ets are fitted with them filled by …``), the others follow after ``;``.

    Why: a routed ensemble's members each fill a series weighted into their forecasts; one note
    names them all, readable, instead of repeating the same words per member."""
    groups: dict[tuple[str, str], list[str]] = {}
    for model, (one, several) in models:
        if not (one.startswith(model) and several.startswith(model)):  # words not of that form
            model, one, several = "", one, several
        names = groups.setdefault((one[len(model) :], several[len(model) :]), [])
        if model not in names:
            names.append(model)
    return (
        "; ".join(_named_together(names, tails[0]) for tails, names in groups.items()),
        "; ".join(_named_together(names, tails[1]) for tails, names in groups.items()),
    )


def _named_together(names: list[str], tail: str) -> str:
    """The words ``name + tail`` (``"naive" + " is fitted with …"``, from
    :func:`filled_value_words`) said of every model in ``names`` at once; a wording it does not
    know is said per model."""
    if len(names) == 1:
        return names[0] + tail
    joined = ", ".join(names[:-1]) + f" and {names[-1]}"
    for single, plural in _PLURAL_WORDS:
        if tail.startswith(single):
            return plural.format(joined) + tail[len(single) :]
    return "; ".join(name + tail for name in names)


#: the openings of :func:`filled_value_words` after the model's name, said of one model and of
#: several (``{}``: the names)
_PLURAL_WORDS = (
    (" is ", "{} are "),
    ("'s input window carries ", "the input windows of {} carry "),
    ("'s input windows carry ", "the input windows of {} carry "),
)


_INSERTED_STEPS: ContextVar[InsertedSteps | None] = ContextVar("tsforge_inserted_steps", default=None)


@contextmanager
def inserted_steps_said(steps: InsertedSteps) -> Iterator[None]:
    """Inside, a forecast's note on filled values counts ``steps``' inserted steps as such, and
    the missing values of the scored windows (:func:`inserted_steps`).

    Why a context and not a parameter: a routed ensemble forecasts through its members'
    ``predict_series``, and each member makes the note for the series it forecasts; a context
    reaches them all, in this thread only (:func:`~tsforge.errors.notes_framed`'s reason). The
    notes are held (:meth:`InsertedSteps.hold`) and said as one when the forecast is done, so a
    series weighted into several members' forecasts has its counts said once."""
    token = _INSERTED_STEPS.set(steps)
    try:
        yield
    finally:
        _INSERTED_STEPS.reset(token)
    steps.say()  # the forecast's notes on filled values, as one (not said when it was refused)


def note_unread_gaps(ids: Any, unread: np.ndarray, where: str) -> None:
    """One note (:class:`FilledGapsWarning`) on the steps ``fill_gaps`` inserted that a forecast
    did not read (``unread`` per series, in the order of ``ids``): those before the input window
    of a model that reads the last values of a history only; nothing when there are none.

    Why: the forecast's note counts the inserted steps the model fills (:class:`InsertedSteps`),
    and the reader's note on all of them is held back so as not to count those twice; the
    others would otherwise be said nowhere."""
    unread = np.asarray(unread, dtype=np.int64)
    total = int(unread.sum())
    if total <= 0:
        return
    steps = "1 missing step" if total == 1 else f"{total} missing steps"
    them = "it" if total == 1 else "them"
    what = (
        f"{steps} as missing values in {_counted_series(ids, unread)}; the model does not read "
        f"{them} (before its input window, the last values of a history it reads)"
    )
    warnings.warn(
        FilledGapsWarning(
            f"{where}: fill_gaps=True inserted {what}", f"{where}: --fill-gaps inserted {what}"
        ),
        stacklevel=3,
    )


def inserted_steps() -> InsertedSteps | None:
    """The :class:`InsertedSteps` of the forecast being made (:func:`inserted_steps_said`), if any."""
    return _INSERTED_STEPS.get()


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


def filled_value_words(model: str, local: bool, *, training: bool, trailing: bool = False) -> tuple[str, str]:
    """How ``model`` reads a missing value inside a history, for one value and for several: the
    ``how`` of :func:`note_filled_values`.

    A local model is fitted on its series with each gap interpolated
    (:func:`~tsforge.data.ragged.fill_missing_ragged`), when it is trained and when a forecast
    refits it on the history given; a global or window model's input window carries the last
    observed value over the gap (:mod:`tsforge.panels.windows`,
    :func:`~tsforge.data.task.causal_fill`), and in training its loss leaves such values out as
    targets. One function, so that ``train`` and a forecast say it alike. ``trailing``: some
    history ends with missing values (``train``'s history before a test window that starts after
    a gap); a local model's fill gives them the last observed value, not an interpolation
    between neighbours they do not have, and the words say so there.
    """
    if local:
        how = f"{model} is fitted with {{0}} filled by linear interpolation between the observed values around {{0}}"
        if trailing:
            how += " (those after a history's last observed value take that value)"
    elif training:
        how = f"{model}'s input windows carry the last observed value over {{0}}, and its loss leaves {{0}} out as targets"
    else:
        how = f"{model}'s input window carries the last observed value over {{0}}"
    return how.format("it"), how.format("them")


def note_filled_values(
    ids: Any,
    missing: np.ndarray,
    where: str | None,
    how: tuple[str, str],
    *,
    inserted: int = 0,
    unscored: int = 0,
) -> None:
    """One note (:class:`FilledValuesWarning`) that ``missing`` values (per series, in the order
    of ``ids``) were filled, and ``how``: the words for one value and for several
    (``("naive is fitted with it filled by …", "… with them filled by …")``); nothing when
    none is missing.

    ``inserted``: how many of them are steps ``fill_gaps`` inserted, said here instead of in a
    :class:`FilledGapsWarning` of their own (``train`` counted them in both); ``unscored``: how
    many of them lie in a test window, which is scored without them rather than filled.

    Why: a local model interpolates an empty cell and a window model carries the last value over
    it, silently; a file with a column of typos read as blanks trained as if complete.
    """
    missing = np.asarray(missing, dtype=np.int64)
    total = int(missing.sum())
    if total <= 0:
        return
    values = "1 missing value" if total == 1 else f"{total} missing values"
    counted = f"{values} in {_counted_series(ids, missing)}"
    filled = how[0] if total == 1 else how[1]
    if unscored:
        filled += (
            f"; {unscored} of them {'lies' if unscored == 1 else 'lie'} in the test window, which is "
            f"scored without {'it' if unscored == 1 else 'them'}"
        )
    steps = f"{inserted} of them {'is a step' if inserted == 1 else 'are steps'}"
    said, cli = (
        (
            f"{counted}, {steps} fill_gaps=True inserted; {filled}",
            f"{counted}, {steps} --fill-gaps inserted; {filled}",
        )
        if inserted
        else (f"{counted}; {filled}", None)
    )
    if where:
        said, cli = f"{where}: {said}", None if cli is None else f"{where}: {cli}"
    warnings.warn(FilledValuesWarning(said, cli), stacklevel=3)


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
    # whether leaving out the series with fewer than two observed values leaves any
    some_left = (
        bool((lens >= 2).any()) if values is None else too_few_observed(indptr, values).size < lens.size
    )
    if short.size:
        i = int(short[0])
        row = None
        if column is not None and lens[i]:
            row = int(indptr[i]) if rows is None else int(rows[indptr[i]])
        sid = str(ids[i])  # a numpy string's repr would read np.str_('z')
        count = "1 series has" if short.size == 1 else f"{short.size} series have"
        where = "" if row is None else f", {row_words(row, file)}"
        raise too_few_values_error(
            f"{count} fewer than 2 values (a series needs two to be forecast or scored), first "
            f"{sid!r} ({lens[i]} value{'s' if lens[i] != 1 else ''}{where})",
            short.size,
            some_left=some_left,
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
        raise too_few_values_error(
            no_observed_sentence(empty.size, ids[i]),
            empty.size,
            some_left=some_left,
            file=file,
            column=column,
            series=str(ids[i]),
        )


def no_observed_sentence(n: int, first: Any) -> str:
    """What is wrong with ``n`` all-missing series in a table the user wrote (long or wide),
    first ``first``; one wording for both readers, the way round added by
    :func:`too_few_values_error`."""
    count = "1 series has" if n == 1 else f"{n} series have"
    return f"{count} no observed value (every value missing), first {str(first)!r}"


class NoCalendarWarning(UnknownSeasonWarning, WordedWarning):
    """:class:`UnknownSeasonWarning` with the frequency's option in Python's words
    (``freq="MS"``) and, for the command line, in its own (``--freq MS``)."""


def warn_no_calendar(what: str) -> None:
    """Warn (:class:`NoCalendarWarning`) that data read without dates get season length 1.

    Why: a monthly panel indexed 1, 2, 3, … trains and scores without error, but seasonal naive,
    the seasonal models and MASE then see no season; one sentence tells the user how to say it,
    in the words of the door they came by (it said "freq= / --freq" to both).
    """

    def said(option: str) -> str:
        return (
            f"{what}: no calendar, so the season length is 1 and seasonal models see no season; "
            f"give the steps' frequency ({option} for months) if they have one"
        )

    warnings.warn(NoCalendarWarning(said('freq="MS"'), cli_message=said("--freq MS")), stacklevel=3)
