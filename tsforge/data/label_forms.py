"""Output times written as the input wrote its periods: ``2016Q1`` after ``2015Q4``, not ``2016-01-01``.

Why: the readers date a period label by the day its period starts
(:mod:`tsforge.data.period_labels`; pandas reads ``2015-01`` and ``Jan 2015`` so too), which is
right for every model, but a forecast of a file of ``2015-01`` … ``2015-12`` came back dated
``2016-01-01``: a time the user's own tables, keyed by ``2016-01``, do not join on. So the form of
a time column's labels is learned from its text as written (:func:`label_form`), and the times a
command writes out are restated in it (:func:`in_label_form`) — as a zoned input's offsets are
kept (:mod:`tsforge.cli.zoned_times`).

What counts as a form: a year beside a period's number or a month's name, in the layouts the
readers take (``2010Q1``, ``Q1 2010``, ``2010-H1``, ``2010M01``, ``2020-W05``, ``2010-01``,
``01/2010``, ``Jan 2010``, ``Jan-10``), a year alone written as text (``2010``), months written
as integers (``201001``, written back as integers), or a ``--time-format`` that names no day
(``%Y-%m``, ``%b %Y``: written back by that format). A form is kept only where it writes back the column's own labels character for character (padding,
case, separators): a column it cannot reproduce (``2010M1`` beside ``2010M01``) stays in dates.
Dates (``yyyymmdd`` integers too), datetime columns (Parquet) and integer steps are left as
they are: they already join.
"""

from __future__ import annotations

import re
import warnings
from dataclasses import dataclass
from typing import Any, Literal, Protocol

import pandas as pd
import polars as pl

from tsforge.data.period_labels import _FORMS, _ISO_WEEK, _MONTH_KEYS, _MONTH_NAMES, _MONTH_WORD
from tsforge.data.timeaxis import _looks_like_yyyymm, _looks_like_yyyymmdd
from tsforge.errors import TsforgeWarning

__all__ = [
    "TimeForm",
    "LabelForm",
    "FormatForm",
    "YearMonthNumbers",
    "LabelsAsDatesWarning",
    "label_form",
    "in_label_form",
]

#: the labels looked at to learn a form (the readers decide a column's form by its first value)
_SAMPLE = 1000


class TimeForm(Protocol):
    """How an input wrote its times, for outputs written the same way."""

    @property
    def example(self) -> str:
        """A label of the input's (or its format), to name the form in a note."""
        ...

    def fits(self, times: pd.Series) -> bool:
        """Whether every time (``NaT`` aside) is one this form writes exactly."""
        ...

    def write(self, times: pd.Series) -> pd.Series:
        """``times`` as text in this form (``None`` for ``NaT``)."""
        ...


@dataclass(frozen=True)
class _Pattern:
    """A layout of a label: its regex (groups ``year`` and, but for a year alone, ``number``:
    a period's number or a month's name), months per period (0: ISO weeks), two-digit years."""

    regex: str
    months: int
    two_digit_year: bool = False


#: the readers' own forms first (:data:`tsforge.data.period_labels._FORMS`, ISO weeks), then the
#: month and year labels pandas dates by their first day
_PATTERNS = (
    *(_Pattern(f.pattern, f.months, f.two_digit_year) for f in _FORMS),
    _Pattern(_ISO_WEEK.pattern.replace("week", "number"), 0),
    _Pattern(r"(?P<year>\d{4})[-/](?P<number>\d{1,2})", 1),  # 2010-01, 2010/1
    _Pattern(r"(?P<number>\d{1,2})[-/](?P<year>\d{4})", 1),  # 01/2010, 1-2010
    _Pattern(rf"(?i)(?P<number>{_MONTH_WORD})\.?[-/ ]?(?P<year>\d{{4}})", 1),  # Jan 2010, January-2010
    _Pattern(rf"(?i)(?P<year>\d{{4}})[-/ ]?(?P<number>{_MONTH_WORD})", 1),  # 2010 Jan, 2010-Jan
    _Pattern(r"(?P<year>\d{4})", 12),  # 2010 as text
)


@dataclass(frozen=True)
class LabelForm:
    """A label layout as one column spells it: the text before, between and after its year and
    its number (or month name), which comes first, and how each is written.

    Attributes:
        months: months per period (12 years, 6 halves, 3 quarters, 1 months; 0 ISO weeks).
        width: digits of a number (``2010M01``: 2; ``2010M1``: 1, no padding).
        word: a month's name: ``"abbr"`` (``Jan``) or ``"full"`` (``January``); ``""`` for digits.
        case: of a month's name: ``"title"``, ``"upper"`` or ``"lower"``.
        example: the column's first label, to name the form in a note.
    """

    months: int
    before: str
    between: str
    after: str
    year_first: bool
    two_digit_year: bool
    has_number: bool
    width: int
    word: Literal["", "abbr", "full"]
    case: Literal["title", "upper", "lower"]
    example: str

    def fits(self, times: pd.Series) -> bool:
        """Whether each time starts a period of this form (midnight of a period's first day)."""
        t = pd.to_datetime(times).dropna()
        if t.empty:
            return True
        midnight = bool((t == t.dt.normalize()).all())
        if self.months == 0:
            return midnight and bool((t.dt.weekday == 0).all())
        return midnight and bool(((t.dt.day == 1) & ((t.dt.month - 1) % self.months == 0)).all())

    def write(self, times: pd.Series) -> pd.Series:
        """``times`` written in this form (each assumed to start a period: see :meth:`fits`)."""
        t = pd.to_datetime(times)
        if self.months == 0:
            iso = t.dt.isocalendar()
            years, numbers = iso["year"], iso["week"]
        else:
            years, numbers = t.dt.year, (t.dt.month - 1) // self.months + 1
        labels = [
            None if pd.isna(y) else self._label(int(y), int(n)) for y, n in zip(years, numbers, strict=True)
        ]
        return pd.Series(labels, index=times.index, dtype=object, name=times.name)

    def _label(self, year: int, number: int) -> str:
        """One label: ``year`` and a period's ``number`` (a month's, a week's, a quarter's)."""
        year_text = f"{year % 100:02d}" if self.two_digit_year else f"{year:04d}"
        if not self.has_number:
            return f"{self.before}{year_text}{self.after}"
        number_text = self._month_word(number) if self.word else f"{number:0{self.width}d}"
        first, second = (year_text, number_text) if self.year_first else (number_text, year_text)
        return f"{self.before}{first}{self.between}{second}{self.after}"

    def _month_word(self, month: int) -> str:
        name = _MONTH_NAMES[month - 1]
        word = name if self.word == "full" else name[:3]
        return word.upper() if self.case == "upper" else word.lower() if self.case == "lower" else word


@dataclass(frozen=True)
class FormatForm:
    """A ``--time-format`` / ``time_format=`` that names no day (``%Y-%m``, ``%b-%y``): times
    are written back by it, where it reads back what it writes."""

    fmt: str

    @property
    def example(self) -> str:
        return self.fmt

    def fits(self, times: pd.Series) -> bool:
        t = pd.to_datetime(times).dropna()
        if t.empty:
            return True
        again = pd.to_datetime(t.dt.strftime(self.fmt), format=self.fmt, errors="coerce")
        return bool((again == t).all())

    def write(self, times: pd.Series) -> pd.Series:
        t = pd.to_datetime(times)
        return t.dt.strftime(self.fmt).astype(object).where(t.notna(), None)


@dataclass(frozen=True)
class YearMonthNumbers:
    """Months written as integers ``yyyymm`` (``201501``), which the readers date by the first
    of the month (:func:`tsforge.data.timeaxis.parse_time_column`): written back as integers, so a
    Parquet column of them joins on its own type."""

    example: str = "201501"

    def fits(self, times: pd.Series) -> bool:
        t = pd.to_datetime(times).dropna()
        return bool(((t == t.dt.normalize()) & (t.dt.day == 1)).all())

    def write(self, times: pd.Series) -> pd.Series:
        t = pd.to_datetime(times)
        return (t.dt.year * 100 + t.dt.month).astype("Int64")


#: strftime codes finer than a month (or of a weekday): a format with one writes days, not periods
_DAY_CODES = re.compile(r"%[-#]?[dejHIMSfpzZaAwuUWVGcxXDFTRrs]")


def label_form(column: pl.Series | None, *, time_format: str | None = None) -> TimeForm | None:
    """How ``column`` (a time column as read, before parsing) writes its periods, or ``None``
    for dates, datetimes and integers, which outputs keep as they are.

    ``time_format``: the format the column was read by, if given; it is the form where it names
    no day (its column is then not looked at: the reader did not read labels).
    """
    if time_format is not None:
        return None if _DAY_CODES.search(time_format) else FormatForm(time_format)
    if column is None:
        return None
    if column.dtype.is_integer():  # a step index, yyyymmdd dates, or yyyymm months
        return YearMonthNumbers() if not _looks_like_yyyymmdd(column) and _looks_like_yyyymm(column) else None
    if column.dtype == pl.Categorical:
        column = column.cast(pl.String)
    if column.dtype != pl.String:
        return None
    sample = [str(v).strip() for v in column.drop_nulls().head(_SAMPLE).to_list()]
    if not sample:
        return None
    pattern = next((p for p in _PATTERNS if re.fullmatch(p.regex, sample[0])), None)
    if pattern is None:
        return None
    form = _form_of(pattern, sample)
    return form if form is not None and _writes_back(form, pattern, sample) else None


def _form_of(pattern: _Pattern, sample: list[str]) -> LabelForm | None:
    """The :class:`LabelForm` of ``sample``'s first label, its number's padding taken from all."""
    match = re.fullmatch(pattern.regex, sample[0])
    if match is None:
        return None
    text, has_number = sample[0], "number" in match.groupdict()
    spans = sorted([match.span("year"), *([match.span("number")] if has_number else [])])
    first, last = spans[0], spans[-1]
    number = match.group("number") if has_number else ""
    return LabelForm(
        months=pattern.months,
        before=text[: first[0]],
        between=text[first[1] : last[0]] if has_number else "",
        after=text[last[1] :],
        year_first=match.span("year") == first,
        two_digit_year=pattern.two_digit_year,
        has_number=has_number,
        width=_width(pattern, sample) if number.isdigit() else 1,
        word=_word(pattern, sample) if number and not number.isdigit() else "",
        case="upper" if number.isupper() else "lower" if number.islower() else "title",
        example=text,
    )


def _numbers(pattern: _Pattern, sample: list[str]) -> list[str]:
    return [m.group("number") for t in sample if (m := re.fullmatch(pattern.regex, t)) is not None]


def _width(pattern: _Pattern, sample: list[str]) -> int:
    """2 where some number is zero-padded (``M01``) or all have two digits, 1 where one has one."""
    numbers = _numbers(pattern, sample)
    return 1 if any(len(n) == 1 for n in numbers) else max(len(n) for n in numbers)


def _word(pattern: _Pattern, sample: list[str]) -> Literal["abbr", "full"]:
    """Months named in full where some name is longer than three letters (``May`` is both)."""
    return "full" if any(len(n) > 3 for n in _numbers(pattern, sample)) else "abbr"


def _writes_back(form: LabelForm, pattern: _Pattern, sample: list[str]) -> bool:
    """Whether ``form`` writes each label of ``sample`` as it is written (else the column mixes
    spellings, and outputs stay in dates rather than in a spelling the user did not choose)."""
    for text in sample:
        match = re.fullmatch(pattern.regex, text)
        if match is None:
            return False
        year = int(match.group("year"))
        if pattern.two_digit_year:
            year = year + 2000 - 100 * (year >= 69)  # strptime's %y, as the reader reads it
        number = match.group("number") if form.has_number else "1"
        index = int(number) if number.isdigit() else _MONTH_KEYS.get(number.lower()[:3], 0)
        if form._label(year, index) != text:
            return False
    return True


def _naive_dates(column: pd.Series) -> bool:
    dtype = column.dtype
    return pd.api.types.is_datetime64_dtype(dtype) and not isinstance(dtype, pd.DatetimeTZDtype)


class LabelsAsDatesWarning(TsforgeWarning):
    """An output's times are not all starts of the input's periods (a model of another
    frequency), so they are written as dates: said, since the user expects labels."""


def in_label_form(frame: Any, columns: tuple[str, ...], form: TimeForm | None, *, what: str) -> Any:
    """``frame`` (pandas) with each of its time ``columns`` written in ``form``; ``frame``
    itself where ``form`` is ``None``. Where some time is no start of the form's periods, the
    columns stay dates and a note says why (``what``: the output, as the note names it)."""
    # dates only: integer steps (a step index read as such) and zoned times are written as they are
    present = [c for c in columns if c in frame.columns and _naive_dates(frame[c])]
    if form is None or not present:
        return frame
    if not all(form.fits(frame[c]) for c in present):
        warnings.warn(
            LabelsAsDatesWarning(
                f"{what}'s times are written as dates: some are not the start of a period written like "
                f"{form.example!r}, as the input's times are"
            ),
            stacklevel=2,
        )
        return frame
    return frame.assign(**{c: form.write(frame[c]) for c in present})
