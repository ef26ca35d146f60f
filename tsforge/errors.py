"""One exception hierarchy for everything a user can get wrong.

Why: the CLI turns any :class:`TsforgeError` into a one-line message and exit code 2, and the
service turns it into a 4xx JSON body. Library code raises these (never ``SystemExit`` or HTTP
errors), so the same check serves every front end. Each error carries the *where* (file,
column, row, field) so the message can name the problem precisely.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Hashable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

__all__ = [
    "TsforgeError",
    "DataValidationError",
    "ConfigError",
    "ModelNotFoundError",
    "ModelLoadError",
    "DatasetNotAvailableError",
    "ResourceLimitError",
    "TsforgeWarning",
    "FallbackWarning",
    "ShortInputWarning",
    "MissingCalendarWarning",
    "IntervalResolutionWarning",
    "ShortCalibrationWarning",
    "WordedWarning",
    "UnusedColumnsWarning",
    "UnusedCoordinatesWarning",
    "ShortSeriesWarning",
    "NoSkillWarning",
    "FirstUseBuildWarning",
    "add_note",
    "cli_where",
    "located",
    "names_whole",
    "notes_framed",
    "HeldModelNote",
    "model_note",
    "model_notes_held",
]


class TsforgeError(Exception):
    """Base class: a problem the user can fix. ``str(err)`` is a complete one-line message.

    :attr:`kind`: which refusal this is, for code that must tell one from another of the same
    class (the holdout's "series too short for the horizon",
    :data:`tsforge.panels.protocol.TOO_SHORT_FOR_HORIZON`). Why an attribute and not a subclass
    or the message's words: the service's JSON body names the class (``error``), so a subclass
    would change what clients read, and words are for people — a reworded message must not
    change what the code does. It is neither rendered nor in :meth:`to_dict`; the raiser sets it
    on the instance (not a constructor keyword, which every ``**where`` would shadow), and an
    instance's attributes survive pickling (a pool worker's error reaching the driver).
    """

    http_status: int = 400
    #: which refusal this is (None: not told apart from others of its class); see the class doc
    kind: str | None = None

    def __init__(self, message: str, *, cli_message: str | None = None, **where: object) -> None:
        self.where = {k: v for k, v in where.items() if v is not None}
        self.message = message
        self.cli_message = cli_message
        super().__init__(self._render(message))

    def _render(self, message: str) -> str:
        """``message`` with every location key: the Python form (``str(err)``), which keeps
        ``row`` and ``column`` for code that reads them."""
        return located(message, self.where)

    def for_cli(self) -> str:
        """The message in the command line's words where the raiser gave them (``--id-col store``,
        not ``id_col='store'``): advice must name what the reader can type. Its location says only
        the places the sentence does not (:func:`cli_where`)."""
        text = self.cli_message or self.message
        return located(text, cli_where(text, self.where))

    def to_dict(self) -> dict[str, object]:
        """JSON-ready form used by the service's error handler."""
        return {
            "error": type(self).__name__,
            "message": self.message,
            **{k: _jsonable(v) for k, v in self.where.items()},
        }


def located(text: str, where: Mapping[str, object]) -> str:
    """``text (file='a.csv', row=3)``: ``text`` followed by its location keys, if any."""
    if not where:
        return text
    loc = ", ".join(f"{k}={v!r}" if isinstance(v, str) else f"{k}={v}" for k, v in where.items())
    return f"{text} ({loc})"


def cli_where(text: str, where: Mapping[str, object]) -> dict[str, object]:
    """The location keys a command-line line shows after ``text``: ``where`` less each place the
    sentence already says, and less ``row`` beside a ``line``.

    Why: "irregular spacing in series 'S3' on line 199 of demand_missing.csv … (file=
    'demand_missing.csv', column='ds', row=197, line=199, series='S3')" said the file, the line
    and the series twice, and gave two numbers for one place — the 0-based data row the code
    counts next to the line a user opens. ``str(err)`` and the service's fields keep every key
    (programs read ``row``); only the line a person reads is trimmed.

    Why recognised in the text and not flagged by each raiser: the readers build these sentences
    in more than twenty places, each with :func:`tsforge.data.file_lines.row_words` (``on line 3
    of bad.csv``, ``at row 1``), :func:`~tsforge.data.file_lines.rows_words` (``on lines 3 and 7
    of bad.csv``) and ``series {sid!r}`` / ``column {name!r}`` from the same values as their keys,
    so the forms are few and fixed; a flag would be one more thing each new raiser must keep in
    step with its own words. A form not recognised keeps its key: a place may be said twice, never
    lost. The forms are pinned to those helpers' output by the tests.

    Two near misses that would lose a place are not read as saying it: a file said by its name
    only (``row_words`` writes ``of dup.csv`` for ``d/sub/dup.csv``) keeps ``file`` — two files
    of one name (``data/stations.csv``, ``--coords meta/stations.csv``) or a catalogue dataset
    the user never typed the path of would go unnamed —; and a line, row, series or column said
    inside a quoted value (a time ``'line 7'``, a series ``'row 3'``) is the user's text, not
    the place (:func:`_unquoted`).
    """
    said = {k for k, v in where.items() if _says(text, _unquoted(text), k, v)}
    if "line" in where:
        said.add("row")  # the line is the place a user can open; the row is the code's count
    return {k: v for k, v in where.items() if k not in said}


#: a line or lines said as :func:`~tsforge.data.file_lines.row_words` / ``rows_words`` write them
_LINES = re.compile(r"\blines? (\d+(?:(?:, | and )\d+)*)\b")
#: a row or rows said as ``at row 1`` / ``at rows [1, 5]``
_ROWS = re.compile(r"\brows? \[?(\d+(?:(?:, | and )\d+)*)\]?")


#: a quoted value as ``repr`` writes it (``'line 7'``, ``"it's"``): a quote after no word
#: character, to the first same quote before none (an apostrophe, ``model's``, opens nothing)
_QUOTED = re.compile(r"""(?<!\w)(['"])(.*?)\1(?!\w)""")


def _unquoted(text: str) -> str:
    """``text`` with the inside of each quoted value blanked (``'line 7'`` → ``'______'``), each
    character in its place, so the places a sentence says are read outside its users' values."""
    return _QUOTED.sub(lambda m: m[1] + "_" * len(m[2]) + m[1], text)


def _says(text: str, unquoted: str, key: str, value: object) -> bool:
    """Whether ``text`` (``unquoted``: the same with its quoted values blanked, :func:`_unquoted`)
    already says the place ``key=value``: a file by the path as given, a line or row by its
    number outside a quoted value, a series or column by its word outside one."""
    if key == "file" and isinstance(value, str) and value:
        return names_whole(text, value, joined_before=_PATH_JOINERS, joined_after=_PATH_JOINERS)
    if key in ("line", "row") and isinstance(value, int) and not isinstance(value, bool):
        return any(value in _numbers(m[1]) for m in (_LINES if key == "line" else _ROWS).finditer(unquoted))
    if key in ("series", "column"):
        shown = repr(value) if isinstance(value, str) else str(value)
        return any(unquoted.startswith(key, at) for at in _positions(text, f"{key} {shown}"))
    return False


def _positions(text: str, name: str) -> list[int]:
    """Where ``name`` stands in ``text`` as a whole, a path character beside it joining it to a
    longer name (:data:`_PATH_JOINERS`)."""
    pattern = _whole(name, joined_before=_PATH_JOINERS, joined_after=_PATH_JOINERS)
    return [m.start() for m in re.finditer(pattern, text)]


#: characters that join a file name to a longer path on either side (``d/a.csv``, ``a.csv-old``)
_PATH_JOINERS = "/\\-"


def names_whole(text: str, name: str, *, joined_before: str = "", joined_after: str = "") -> bool:
    """Whether ``name`` stands in ``text`` as a whole: ``a.csv`` is not said by ``data.csv`` nor
    by ``a.csv.gz``; a sentence's full stop after it still says it (:func:`_whole`).

    Why one function for every kind of name: a command line's file (:func:`cli_where`) and the
    service's field path (``series[0].timestamps[2]``, not said by ``...timestamps[21]``) are
    the same test, differing only in which characters beside a name continue it.
    """
    return re.search(_whole(name, joined_before=joined_before, joined_after=joined_after), text) is not None


def _whole(name: str, *, joined_before: str = "", joined_after: str = "") -> str:
    """The pattern of ``name`` standing as a whole: no word character or ``.`` just before it, no
    word character nor ``.word`` just after it, and none of ``joined_before`` / ``joined_after``
    (characters that continue a name of its kind: a path's ``/``, a field path's ``]`` before
    and ``[`` after) on that side."""
    before = re.escape(joined_before)
    after = re.escape(joined_after)
    return rf"(?<![\w.{before}]){re.escape(name)}(?![\w{after}]|\.\w)"


def _numbers(listed: str) -> set[int]:
    return {int(n) for n in re.findall(r"\d+", listed)}


def add_note(exc: BaseException, note: str) -> None:
    """Append ``note`` to ``exc.__notes__``, as ``BaseException.add_note`` does on Python 3.11+.

    Why not ``exc.add_note``: the method does not exist on Python 3.10, which tsforge supports;
    there a failing chunk or a dead worker raised ``AttributeError: ... has no attribute
    'add_note'`` instead of its own error. The notes list is the same attribute 3.11 prints
    under a traceback, and it survives pickling (a pool worker's error reaching the driver).
    """
    notes = getattr(exc, "__notes__", None)
    if not isinstance(notes, list):
        notes = []
        # setattr: ``__notes__`` is declared in the 3.11 stubs only (the type check targets 3.10)
        setattr(exc, "__notes__", notes)  # noqa: B010
    notes.append(note)


def _jsonable(v: object) -> object:
    return v if isinstance(v, (str, int, float, bool, list, dict)) or v is None else str(v)


class DataValidationError(TsforgeError):
    """Input data is malformed: missing column, bad dates, duplicates, gaps, too short, ..."""

    http_status = 422


class ConfigError(TsforgeError):
    """A model/training/service configuration that cannot work (names the value to change)."""

    http_status = 422


class ModelNotFoundError(TsforgeError):
    """Unknown model name in the registry, or unknown registered model / alias / version."""

    http_status = 404


class ModelLoadError(TsforgeError):
    """A registered model version whose stored files cannot be read (truncated, edited, written
    by another version): the store's problem, not the request's, hence a 5xx in the service.

    Why its own class: the loaders' own errors (``torch``'s zip reader, ``json``) said nothing
    about which model was broken, and reached the CLI as a traceback and a service client as an
    anonymous "internal server error".
    """

    http_status = 500


class DatasetNotAvailableError(TsforgeError):
    """A catalogue dataset whose files are not present on this machine."""

    http_status = 404


class ResourceLimitError(TsforgeError):
    """A request that would exceed a configured memory / size limit."""

    http_status = 413


#: the frames (:func:`notes_framed`) the tsforge notes made in this context begin with, outermost first
_NOTE_FRAMES: ContextVar[tuple[str, ...]] = ContextVar("tsforge_note_frames", default=())


@contextmanager
def notes_framed(frame: str) -> Iterator[None]:
    """Every :class:`TsforgeWarning` made inside, in this thread (or task), reads
    ``"{frame}: {note}"`` (its :attr:`WordedWarning.cli_message` too); frames nest, outermost first.

    Why at the warning's making and not by catching warnings and re-issuing them: catching swaps
    process-wide state (``warnings.catch_warnings``), and the service answers requests from
    several threads, so a routed ensemble framing its members' notes that way would have taken
    another request's notes as its own, and restored a state another thread had replaced. A
    context variable is seen by the code that makes the warning, in the same thread, whichever
    door called it (CLI, Python, the MLflow pyfunc, the service, one of its worker processes).
    A thread started inside does not inherit the frame: its notes are said unframed.
    """
    token = _NOTE_FRAMES.set((*_NOTE_FRAMES.get(), frame))
    try:
        yield
    finally:
        _NOTE_FRAMES.reset(token)


@dataclass(frozen=True)
class HeldModelNote:
    """A note a model made of its forecast, held by :func:`model_notes_held`: ``model`` made it,
    ``fact`` is what it says but for the model's name (notes of equal facts differ only in the
    model they name), and ``say(names)`` says it of those models at once."""

    model: str
    fact: Hashable
    say: Callable[[Sequence[str]], None]


#: where the model notes made in this context are held instead of said (:func:`model_notes_held`)
_HELD_MODEL_NOTES: ContextVar[list[HeldModelNote] | None] = ContextVar(
    "tsforge_held_model_notes", default=None
)


def model_note(model: str, fact: Hashable, say: Callable[[Sequence[str]], None]) -> None:
    """Say a note that names the model which made it (``say([model])``), or hold it inside
    :func:`model_notes_held`; ``fact``: what it says but for the model's name.

    Why held: a routed ensemble's members each say a fact of the series they forecast, and
    three members that share it said it three times, once per member; held, the ensemble says
    it once, naming them all. A context variable, as :func:`notes_framed`'s, reaches the member
    in this thread only."""
    held = _HELD_MODEL_NOTES.get()
    if held is None:
        say([model])
    else:
        held.append(HeldModelNote(model, fact, say))


@contextmanager
def model_notes_held() -> Iterator[list[HeldModelNote]]:
    """Inside, the notes :func:`model_note` is given are held in the list yielded, not said: the
    caller says them (:meth:`HeldModelNote.say`), those of one fact once."""
    held: list[HeldModelNote] = []
    token = _HELD_MODEL_NOTES.set(held)
    try:
        yield held
    finally:
        _HELD_MODEL_NOTES.reset(token)


def _in_frame(text: object) -> object:
    """``text`` behind the active frames; a text already behind them is left as it is (a warning
    re-made from its own framed text: unpickled, or re-issued)."""
    frames = _NOTE_FRAMES.get()
    if not frames or not isinstance(text, str):
        return text
    prefix = "".join(f"{f}: " for f in frames)
    return text if text.startswith(prefix) else prefix + text


class TsforgeWarning(UserWarning):
    """Base class: an answer was given, but it is less than what was asked for.

    Why a warning and not an error: the result is still useful (and a service must answer), yet
    a user reading it should know its limit. The CLI prints each as one ``note:`` line on stderr.
    Its text begins with the frames of :func:`notes_framed` active where it is made.
    """

    def __init__(self, *args: object) -> None:
        super().__init__(*((_in_frame(args[0]), *args[1:]) if args else ()))


class WordedWarning(TsforgeWarning):
    """A note with a second wording for the command line (:attr:`cli_message`: ``--time-format``
    where ``str()`` says ``time_format=`` in Python), which the CLI prints instead.

    Why a class: a warning carries one message; the notes that tell a user which option to pass
    must name it as the user will type it, and both wordings must survive pickling (a pool
    worker's warning reaching the driver).
    """

    def __init__(self, message: str, cli_message: str | None = None) -> None:
        super().__init__(message)
        self.cli_message = cli_message if cli_message is None else str(_in_frame(cli_message))

    def __reduce__(self) -> tuple[type[WordedWarning], tuple[str, str | None]]:
        return type(self), (str(self), self.cli_message)


class IntervalResolutionWarning(TsforgeWarning):
    """A conformal interval wider than its calibration scores resolve: its bounds are clamped to
    the most extreme scores, so it covers less than its nominal level."""


class ShortCalibrationWarning(TsforgeWarning):
    """A model-selecting local model's conformal intervals were calibrated on refits that saw
    fewer than three seasons, while its forecasts are fitted on histories that see three or more.

    Why: the calibration refits the model on the history before each window, so on a short
    panel those refits may pick a different form than the final fit — AutoETS chose a seasonal
    form on 3 % of 60 M1 monthly series fitted on 24 values, 40 % on 36. The calibration's
    errors are then the season the final model already forecasts: on 20 monthly series of 48
    values with a shared season, the 80 % band lay almost entirely above the point forecast and
    covered 29 % of the test window. ``auto_ets`` and ``auto_arima`` now keep the final fit's
    seasonal form in such refits (:mod:`tsforge.models.local_forms`) and are not named; for the
    other model-selecting models the intervals are still given, but they may describe another
    model, so the user should know.
    """


class UnknownSeasonWarning(TsforgeWarning):
    """The data carry no calendar (an integer time index and no ``freq``), so the season length
    is 1: seasonal models and seasonal scales see no season until a frequency is given."""


class UnusedColumnsWarning(TsforgeWarning):
    """A long file has columns besides the series id, time and target: they are read past (each
    series is forecast from its own past values), so a user who meant them as covariates, or as
    the target, learns it before trusting the scores."""


class UnusedCoordinatesWarning(TsforgeWarning):
    """Station coordinates were given to a model whose forecast does not depend on them: one
    trained without coordinates (they are dropped), a panel model, or one that accepts them
    without a coordinate embedding (DLinear or NLinear trained on stations). It forecast without
    them, and whoever gave them to place a station should know."""


class UnobservedSeriesWarning(TsforgeWarning):
    """Series of a Monash ``.tsf`` collection with nothing to forecast from (no observed value,
    or fewer than two values) were left out: the file is a published collection, not the user's
    table to edit, and one dead series should not make the other thousands unusable."""


class SnappedStartWarning(TsforgeWarning):
    """Series of a Monash ``.tsf`` collection start inside their month / quarter / year (a
    month-end date, a time of day that differs between series): each is read as starting at the
    start of that period, so its dates are period starts, not the file's own."""


class RegularisedTimesWarning(TsforgeWarning):
    """A catalogue dataset kept as its file has it (a duplicated row, a gap: the published
    long-horizon protocols index rows, not times) was put on a regular time grid to be read as a
    panel: exact duplicate rows dropped, missing steps inserted as missing values; or a forecast
    history whose timestamps skip steps of the model's frequency, or whose integer step index
    skips steps of its own grid, had them inserted the same way
    (:func:`tsforge.data.step_grid.on_step_grid`, :func:`~tsforge.data.step_grid.on_integer_grid`)."""


class MissingCalendarWarning(TsforgeWarning):
    """A model that reads the calendar (hour, weekday, month, a cycle's phase) was given series
    without dates, so it forecast them without that input: an answer, but a less accurate one."""


class ShortInputWarning(TsforgeWarning):
    """A model's input window is shorter than its season, so it works on a shortened one
    (seasonal naive repeats the last ``input_len`` steps, not the last season)."""


class SimplerValidationFitWarning(TsforgeWarning):
    """A model-selecting local model's fit before the validation window chose no seasonal form on
    series where its final fit (on the whole training history) chose one, so the validation
    scores are of a simpler model than the one registered.

    Why say it: on 20 monthly series of 48 values, AutoETS fitted on the 24 values before the
    validation window chose ETS(A,N,N) and scored a validation MASE of 2.33 ("0.0 % better than
    Naive2"), while the registered ETS(A,A,A), fitted on 36, scored 0.56 on the test window; the
    validation score was read as the model's. It stays the honest score of a refit on the
    values before the window (a form chosen with the validation window in view would flatter
    it), so the note says which model each score is of.
    """


class NoSkillWarning(TsforgeWarning):
    """A trained model forecasts its validation windows no better than the naive baseline it is
    read against (:mod:`tsforge.evaluation.baseline`): it trained and scored, but repeating the
    last season (or value) would have done as well, and a user about to serve it should know."""


class FallbackWarning(TsforgeWarning):
    """Series too short for a local model (or on which it failed) were forecast by its simpler
    fallback (seasonal naive → naive, AutoETS → ETS without season, …): the forecast is still
    given, but it is not the model the user chose, and the user should know for how many."""


class FirstUseBuildWarning(WordedWarning):
    """Before a long one-off build the answer waits on (the quick recommender, built on first
    use): what is built, that it happens once, and how to build the full one instead.

    Why a warning: it is how the library tells a Python caller what the CLI says as a ``note:``
    line; ``recommend("my_wide.csv", horizon=24)`` on a fresh cache ran three minutes in silence,
    the build's announcement reaching only a logger nobody had configured.
    """


class ShortSeriesWarning(TsforgeWarning):
    """Series too short for the holdout protocol were left out at the user's request
    (``--drop-short``), or too short for some of the cross-validation windows asked for
    (:func:`~tsforge.panels.cv.cross_validation`): the scores cover the others only, or fewer
    windows of them."""
