"""Period labels of statistics offices and spreadsheets (``Q1 2010``, ``2010M01``) as dates.

Why a module of its own: these labels name a period, not a day, and neither polars nor pandas
reads most of them (``Q1 2010``, ``2010 Q1``, ``2010M01`` were "unparsable dates", and no
strftime format expresses a quarter), while pandas reads ``2010-M01`` as one second past
midnight, so a monthly file became a secondly one. Every reader dates a period by the day it
starts — what pandas ``Period`` columns already get (:func:`tsforge.data.tables.to_polars`) and
what a quarter-start or month-start series is dated with — so one recogniser here keeps a file of
labels, a frame of periods and a file of dates reading alike.

The form is decided by the column's first value and applied to every row: a row written
otherwise (``Q5 2010``, ``2010M13``, a blank) is left undated, so the caller's error names that
row, as it does for a date column whose formats are mixed. A form that could be read two ways
is read only where the other reading cannot date the column (``Jan-10`` over several months:
January 2010, with a note, since January 10 has no year); otherwise (``10-Jan``, one month's
name) it is refused, and :func:`label_hint` says how to write it.
"""

from __future__ import annotations

import datetime
import re
import shlex
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

import polars as pl

from tsforge.errors import WordedWarning

__all__ = [
    "GuessedLabelsWarning",
    "PeriodLabels",
    "period_label_starts",
    "read_period_labels",
    "guessed_labels_refused",
    "label_hint",
    "looks_like_period_labels",
]


class GuessedLabelsWarning(WordedWarning):
    """Labels such as ``Jan-10`` were read as a month and a two-digit year (January 2010): the
    user learns the reading and the dates it gave, and how to say otherwise, before trusting it.

    Its :attr:`~tsforge.errors.WordedWarning.cli_message` names ``--time-format``.
    """


_MONTH_WORD = r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*"
#: a month's first three letters → its number
_MONTH_KEYS = {m: i for i, m in enumerate("jan feb mar apr may jun jul aug sep oct nov dec".split(), start=1)}


@dataclass(frozen=True)
class _Form:
    """A label form: its pattern (named groups ``year`` and ``number``: a period's number or a
    month's name), the months per period, and whether the year has two digits (a reading to tell)."""

    pattern: str
    months: int
    two_digit_year: bool = False

    def matches(self, text: str) -> bool:
        return re.fullmatch(self.pattern, text) is not None


#: quarters, half-years (H, or S for a semester as Eurostat writes it) and months, year first or
#: last; case and blanks around the separator do not matter
_FORMS = (
    _Form(r"(?i)(?P<year>\d{4})\s*[-/ ]?\s*Q(?P<number>[1-4])", 3),  # 2010Q1, 2010-Q1, 2010 Q1, 2010q1
    _Form(r"(?i)Q(?P<number>[1-4])\s*[-/ ]?\s*(?P<year>\d{4})", 3),  # Q1 2010, Q1-2010, Q1/2010
    _Form(r"(?i)(?P<number>[1-4])Q\s*[-/ ]?\s*(?P<year>\d{4})", 3),  # 1Q2010, 1Q 2010
    _Form(r"(?i)(?P<year>\d{4})\s*[-/ ]?\s*[HS](?P<number>[12])", 6),  # 2010H1, 2010-H1, 2010 H2, 2010-S1
    # H first only with a separator: H12010 reads as well as a part code (H12010, S12010) as a half-year
    _Form(r"(?i)H(?P<number>[12])(?:\s*[-/]\s*|\s+)(?P<year>\d{4})", 6),  # H1 2010, H2-2010, H1/2010
    _Form(r"(?i)(?P<number>[12])H\s*[-/ ]?\s*(?P<year>\d{4})", 6),  # 1H2010, 2H 2010
    _Form(r"(?i)(?P<year>\d{4})\s*[-/ ]?\s*M(?P<number>\d{1,2})", 1),  # 2010M01, 2010M1, 2010-M01
    # Excel's mmm-yy: Jan-10, Jan 10, January-10 (told in a note: see read_period_labels)
    _Form(rf"(?i)(?P<number>{_MONTH_WORD})\.?[-/ .']?(?P<year>\d{{2}})", 1, two_digit_year=True),
)


@dataclass(frozen=True)
class PeriodLabels:
    """A column of period labels read as the days their periods start.

    Attributes:
        starts: a ``Datetime("us")`` series; null where a row is missing or in another form.
        note: the reading to tell the user (two-digit years), else ``None``.
        cli_note: ``note`` in the command line's words (``--time-format``).
    """

    starts: pl.Series
    note: str | None = None
    cli_note: str | None = None


def period_label_starts(series: pl.Series, *, column: str) -> PeriodLabels | None:
    """The day each label's period starts, or ``None`` when the column's first value is no
    quarter or month label of a known form.

    ``Q1 2010`` → 2010-01-01, ``2010 Q3`` → 2010-07-01, ``2010M02`` → 2010-02-01. Rows that are
    missing or written in another form (or name no period: ``2010M13``) are null for the caller
    to report by row. Microseconds, not nanoseconds: the caller checks that the years fit its
    time axis (``Q1 1500`` does not) before converting. Text only: numbers are left to the
    integer rules of :func:`tsforge.data.timeaxis.parse_time_column`.

    ``Jan-10`` is read as January 2010 with a note, and only when the column names more than one
    month: the other reading (January 10) has no year, so it cannot date a series that runs past
    a year, while a column of one month's name (``Jan-01`` … ``Jan-31``) is more likely the days
    of a January, and is left to the caller's error and :func:`label_hint`.
    """
    if series.dtype == pl.Categorical:
        series = series.cast(pl.String)
    if series.dtype != pl.String:
        return None
    # the first value decides, before any work on the whole column: most time columns are dates
    first = next((v for v in series.head(1000).to_list() if v is not None), None)
    if first is not None and _ISO_WEEK.fullmatch(first.strip()):
        return PeriodLabels(_iso_week_starts(series.str.strip_chars()).alias(series.name))
    form = None if first is None else next((f for f in _FORMS if f.matches(first.strip())), None)
    if form is None:
        return None
    text = series.str.strip_chars()
    parts = text.str.extract_groups(f"^(?:{form.pattern})$").struct.unnest()
    if form.two_digit_year:
        months = parts["number"].str.to_lowercase().str.slice(0, 3)
        if months.drop_nulls().n_unique() < 2:
            return None
        number = months.replace_strict(_MONTH_KEYS, default=None, return_dtype=pl.Int32)
        two = parts["year"].cast(pl.Int32)
        year = two + 2000 - 100 * (two >= 69).cast(pl.Int32)  # strptime's %y: 69–99 are the 1900s
    else:
        year = parts["year"].cast(pl.Int32)
        number = parts["number"].cast(pl.Int32)
    number = number.set(number > 12 // form.months, None).set(number < 1, None)
    month = (number - 1) * form.months + 1
    starts = pl.select(pl.date(year, month, 1).cast(pl.Datetime("us")).alias(series.name)).to_series()
    if not form.two_digit_year:
        return PeriodLabels(starts)
    return PeriodLabels(
        starts, _two_digit_note(text, starts, column), _two_digit_note(text, starts, column, cli=True)
    )


def _iso_week_starts(text: pl.Series) -> pl.Series:
    """The Monday each ISO week label (``2020-W05``, ``2020W5``) starts on; null for a row in
    another form or a week its year does not have (``2021-W53``).

    Why Mondays: an ISO week runs Monday to Sunday, and every period label is dated by the day
    its period starts (a quarter by its first day), so a weekly export reads as the ``W-MON``
    series that its weeks are — where it was refused with advice to rewrite every label.
    """
    parts = text.str.extract_groups(f"^(?:{_ISO_WEEK.pattern})$").struct.unnest()
    year, week = parts["year"].cast(pl.Int32), parts["week"].cast(pl.Int32)
    frame = pl.DataFrame({"year": year, "week": week})
    jan4 = pl.date(pl.col("year"), 1, 4)  # always in week 1 of its ISO year
    weeks_in_year = pl.date(pl.col("year"), 12, 28).dt.week()  # 52 or 53: Dec 28 is in the last week
    monday = jan4 - pl.duration(days=jan4.dt.weekday() - 1) + pl.duration(weeks=pl.col("week") - 1)
    valid = (pl.col("week") >= 1) & (pl.col("week") <= weeks_in_year)
    return frame.select(
        pl.when(valid).then(monday).otherwise(None).cast(pl.Datetime("us")).alias(text.name)
    ).to_series()


#: Set where a guessed reading must be refused rather than noted (:func:`guessed_labels_refused`).
_GUESSES_REFUSED: ContextVar[bool] = ContextVar("tsforge_guessed_labels_refused", default=False)


@contextmanager
def guessed_labels_refused() -> Iterator[None]:
    """Inside the block, :func:`read_period_labels` raises its :class:`GuessedLabelsWarning` as
    an exception instead of warning it, in this thread (or task) only.

    Why not ``warnings.simplefilter("error", GuessedLabelsWarning)``: that swaps the process's
    filter list, which the service shares between the threads answering requests; another
    request's labels then raised in a thread that was only to be told, and two overlapping
    blocks could leave the "error" filter in place for good. A request has no place for a note
    before its times are validated, so it refuses the guess and says how to send the format.
    """
    token = _GUESSES_REFUSED.set(True)
    try:
        yield
    finally:
        _GUESSES_REFUSED.reset(token)


def read_period_labels(series: pl.Series, *, column: str) -> pl.Series | None:
    """:func:`period_label_starts`'s dates, its note issued (a :class:`GuessedLabelsWarning`, one
    ``note:`` line on the command line; raised instead inside :func:`guessed_labels_refused`)
    when every row was read: an unread row is the error to report, not this."""
    labels = period_label_starts(series, column=column)
    if labels is None:
        return None
    if labels.note is not None and not labels.starts.null_count():
        guess = GuessedLabelsWarning(labels.note, labels.cli_note)
        if _GUESSES_REFUSED.get():
            raise guess
        warnings.warn(guess, stacklevel=3)
    return labels.starts


def _two_digit_note(text: pl.Series, starts: pl.Series, column: str, *, cli: bool = False) -> str:
    """The note for ``Jan-10`` labels: the reading, the dates it gave, how to say otherwise (``cli``:
    in the command line's words)."""
    first, last = text.drop_nulls().first(), text.drop_nulls().last()
    read = starts.drop_nulls()
    return (
        f"read column {column!r} as months and two-digit years ({first!r} as {_day(read.first())} … "
        f"{last!r} as {_day(read.last())}); to read them otherwise write the dates in full (2010-01-10), "
        + ("or give their strftime format with --time-format" if cli else "or give time_format in Python")
    )


def _day(value: object) -> str:
    """A date of :func:`period_label_starts` as ``YYYY-MM-DD`` (polars types it as any scalar)."""
    return f"{value:%Y-%m-%d}" if isinstance(value, datetime.date) else str(value)


_MONTH_NAMES = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
#: a month's name beside two digits: ``Jan-10``, ``Jan 10``, ``January-10`` (Excel's ``mmm-yy``)
#: and ``10-Jan`` (its ``d-mmm``)
_MONTH_FIRST = re.compile(rf"(?i)(?P<word>{_MONTH_WORD})(?P<sep>[-/ .']?)(?P<digits>\d{{2}})")
_MONTH_LAST = re.compile(rf"(?i)(?P<digits>\d{{2}})(?P<sep>[-/ .]?)(?P<word>{_MONTH_WORD})")
#: an ISO week (``2020-W02``, ``2020W02``, ``2020-W2``)
_ISO_WEEK = re.compile(r"(?i)(?P<year>\d{4})\s*-?\s*W(?P<week>\d{1,2})")


def label_hint(value: object, *, column: str, fmt: str | None = None, cli: bool = False) -> str:
    """Advice to append to "unparsable date" for a label that names no single day, else ``""``:
    an ISO week its year does not have (:func:`_iso_week_hint`) or a month beside two digits
    (:func:`_ambiguous_hint`).
    Nothing when the user gave a format (``fmt``): the advice is to give one. ``cli``: in the
    command line's words (``--time-format``, not ``time_format`` in Python)."""
    if fmt is not None or value is None:
        return ""
    text = str(value).strip()
    return _iso_week_hint(text) or _ambiguous_hint(text, column, cli=cli)


def _iso_week_hint(text: str) -> str:
    """Advice for an ISO week label that names no week (``2021-W53``, ``2020-W00``), else ``""``.

    Why: ISO weeks are read as their Mondays (:func:`_iso_week_starts`), so the one label left
    undated is a week its year does not have; "unparsable date" alone did not say why.
    """
    match = _ISO_WEEK.fullmatch(text)
    if match is None:
        return ""
    year, week = int(match.group("year")), int(match.group("week"))
    try:
        last = datetime.date(year, 12, 28).isocalendar()[1]
    except ValueError:
        return ""
    if 1 <= week <= last:
        return ""
    return f": ISO year {year} has weeks 1 to {last}, so week {week} names no week"


def _ambiguous_hint(text: str, column: str, *, cli: bool = False) -> str:
    """Advice for a month's name beside two digits (``Jan-10``, ``10-Jan``), which may be a year
    or a day, else ``""``.

    Why advice and not a guess: Excel writes ``mmm-yy`` (January 2010) and ``d-mmm`` (10 January)
    alike, and both readings of a whole column can look regular; full dates (or a format:
    ``time_format`` in Python, ``--time-format`` on the command line) settle it.
    """
    month_first = _MONTH_FIRST.fullmatch(text)
    match = month_first or _MONTH_LAST.fullmatch(text)
    if match is None:
        return ""
    word, digits, sep = match.group("word"), match.group("digits"), match.group("sep")
    name = next((m for m in _MONTH_NAMES if m.lower().startswith(word.lower()[:3])), word)
    year = datetime.datetime.strptime(digits, "%y").year
    # strftime spells a month in full (%B) or by three letters (%b), nothing between ("Sept")
    code = "%B" if word.lower() == name.lower() else "%b" if len(word) == 3 else None
    day = f"{name} {int(digits)}" if 1 <= int(digits) <= 31 else None
    if month_first:
        readings, fmt = f"{name} {year}" + (f" or {day}" if day else ""), f"{code}{sep}%y"
    else:
        readings, fmt = (f"{day} (no year) or " if day else "") + f"{name} {year}", f"%y{sep}{code}"
    if cli:
        give = (
            f"give --time-format {shlex.quote(fmt)} for a month and a two-digit year"
            if code is not None
            else "give --time-format with its strftime format"
        )
    else:
        give = (
            f"in Python, time_format={fmt!r} for a month and a two-digit year"
            if code is not None
            else "in Python, time_format= with its strftime format"
        )
    joined = "or " if cli else "or, "  # "or, in Python, …" / "or give --time-format …"
    return (
        f": it could be {readings}; write the dates of column {column!r} in full (2010-01-10), {joined}{give}"
    )


def looks_like_period_labels(sample: list[object]) -> bool:
    """Whether every text of ``sample`` is a period label, read (:func:`period_label_starts`) or
    refused with advice (:func:`label_hint`).

    Why: a wide file's time column is found by its values when its name says nothing
    (``quarter``, ``period_label``); a column of labels was read as one more series and refused
    as "non-numeric", which named neither the time column nor the format to give.
    """
    texts = [str(v).strip() for v in sample if v is not None]
    if not texts:
        return False
    form = next((f for f in _FORMS if f.matches(texts[0])), None)
    if form is not None:
        return all(form.matches(t) for t in texts)
    refused = (_ISO_WEEK, _MONTH_FIRST, _MONTH_LAST)  # ISO weeks: read (not in _FORMS), or advised
    return any(all(pattern.fullmatch(t) for t in texts) for pattern in refused)
