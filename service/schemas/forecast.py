"""``POST /v1/forecast``: one or many histories in, one forecast per series out."""

from __future__ import annotations

import math
from datetime import datetime, timedelta
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    BeforeValidator,
    ConfigDict,
    Field,
    SerializerFunctionWrapHandler,
    StrictInt,
    ValidationError,
    ValidationInfo,
    ValidatorFunctionWrapHandler,
    WrapValidator,
    field_validator,
    model_serializer,
)
from pydantic.config import JsonDict

from service.schemas.common import (
    DATES_OR_STEPS,
    NOTES_DESCRIPTION,
    ModelInfo,
    NullMeansAbsent,
    OmitsEmptyNotes,
    ReadsTimeFormat,
    SchemaOfFields,
    TimeFormat,
    check_timestamps,
    check_unique_ids,
    field_error,
    first_unread_time,
    not_iso_words,
    numbers_as_text,
    odd_kind_words,
    read_like_invocations,
)
from tsforge.inference import MAX_LEVELS

__all__ = [
    "SeriesIn",
    "ForecastRequest",
    "SeriesForecastOut",
    "ForecastResponse",
    "FORECAST_EXAMPLE",
    "Level",
    "Quantile",
    "MAX_LEVELS",
    "HistoryIn",
    "TimeKeys",
    "ValueOrMissing",
    "ModelRefIn",
    "timestamps_fit_values",
    "SeriesId",
    "MAX_ID_LENGTH",
]

# JSON numbers only: strict refuses "3", "1_000" and true (lax mode read them as 3.0, 1000.0 and
# 1.0, which /invocations refuses); JSON integers are still numbers.
FiniteFloat = Annotated[float, Field(allow_inf_nan=False, strict=True)]


def _spelled_by_its_key(value: float) -> float:
    """Refuse a level or quantile with more significant digits than its key keeps (six:
    ``lo-97.5``, ``q-0.025``), as the library does.

    Why in the schema too: the library's refusal could only name ``level`` or ``quantiles``; a
    client needs the position (``level[1]``), and on ``/invocations`` its own field
    (``params.level[1]``), as for every other bad level.
    """
    key = f"{value:g}"
    if float(key) != value:
        raise ValueError(
            f"{value!r} has more digits than an interval's key keeps (six significant digits: "
            f"{key}); ask for {key} or a number with fewer digits"
        )
    return value


# JSON numbers only (strict: "80" and true are refused), strictly inside the open interval;
# NaN / Infinity literals are refused as such (a NaN level was answered "should be less than 100").
Level = Annotated[
    float, Field(gt=0, lt=100, strict=True, allow_inf_nan=False), AfterValidator(_spelled_by_its_key)
]
Quantile = Annotated[
    float, Field(gt=0, lt=1, strict=True, allow_inf_nan=False), AfterValidator(_spelled_by_its_key)
]
# ``null`` marks a missing observation; NaN / Infinity literals are refused (JSON has neither).
ValueOrMissing = FiniteFloat | None


def _dates_or_steps(value: Any) -> Any:
    """Timestamps are ISO-8601 dates, or integers in every position (an integer step index).

    Why before the type check: pydantic reads ``121`` as seconds after 1970, and
    a forecast for 1970-01-01T00:02:01 helps nobody; a mix of the two kinds is refused too,
    naming the position that breaks the kind the first one set (:func:`_odd_time_key`).
    """
    if not isinstance(value, list) or all(_is_step(v) for v in value):
        return value
    i = _odd_time_key(value)
    if i is not None:
        raise field_error(
            odd_kind_words(value, i, what="timestamps", kinds=DATES_OR_STEPS, unit="position"), i
        )
    return value


def _is_step(v: Any) -> bool:
    """An integer step index (a JSON integer; ``true`` is not one)."""
    return type(v) is int


def _odd_time_key(value: list[Any]) -> int | None:
    """The first position whose kind is not the one the timestamps start with, or None.

    Why the first position sets the kind: a step index with one date in it (``[0, 1, ...,
    "2020-01-01"]``) was refused as "position 0 holds 0", naming the one position that was
    right; the client needs the one that is not. Timestamps that start with anything but an
    integer are dates: there a number is the odd one (``2.0`` as a step index included, which
    is not an integer). Text is never odd here: timestamps that are all text are read as
    ``/invocations`` reads a ``ds`` (:func:`_or_as_invocations_reads`), a number written as
    text (``"2018"``) included.
    """
    if value and _is_step(value[0]):
        return next((i for i, v in enumerate(value) if not _is_step(v)), None)
    return next((i for i, v in enumerate(value) if isinstance(v, (int, float))), None)


def _or_as_invocations_reads(value: Any, handler: ValidatorFunctionWrapHandler) -> Any:
    """Timestamps pydantic refuses, read as ``/invocations`` reads its ``ds`` when that reader
    reads them (:func:`~service.schemas.common.read_like_invocations`: ``2018/01/01``,
    ``2018-01``, ``2018-01-01T00``); else refused at the first position neither reads, in the
    words ``/invocations`` uses (pydantic's named every position, the readable ones too).
    Text that holds numbers (``"2018"``, :func:`~service.schemas.common.numbers_as_text`) goes
    to that reader alone: pydantic takes it for seconds since 1970, ``/invocations`` for years.

    Why around the type check, not before it: RFC 3339 timestamps, nearly every request's, are
    read once, by pydantic; only those it refuses pay for the second reader. Dates written as
    digits that are no year (``"20200131"``) are read before, by the library's reader
    (:func:`~service.schemas.common.read_time_format`), as ``/invocations`` reads them.
    """
    if _all_text(value) and numbers_as_text(value):
        return handler(_as_invocations_reads(value, None))
    try:
        return handler(value)
    except ValidationError as exc:
        if not _all_text(value) or _odd_time_key(value) is not None:
            raise
        return handler(_as_invocations_reads(value, exc))


def _as_invocations_reads(value: list[str], refused: ValidationError | None) -> list[datetime]:
    """Text timestamps read by ``/invocations``' reader, or refused at the first position it does
    not read (``refused``: pydantic's refusal, raised where no position can be named)."""
    read = read_like_invocations(value)
    if read is not None:
        return read
    j = first_unread_time(value)
    if j is None and refused is not None:
        raise refused
    if j is None:  # each reads alone, not all together (a year far out of range): the first number
        j = next(k for k, v in enumerate(value) if numbers_as_text([v]))
    raise field_error(not_iso_words(value[j], "the request's time_format"), j) from None


def _all_text(value: Any) -> bool:
    """A non-empty list of text (what a second reader may read as times)."""
    return isinstance(value, list) and bool(value) and all(type(v) is str for v in value)


#: ISO-8601 dates (or text ``/invocations`` reads as dates), or an integer step index (every
#: position an integer)
TimeKeys = Annotated[
    list[datetime] | list[StrictInt],
    BeforeValidator(_dates_or_steps),
    WrapValidator(_or_as_invocations_reads),
]


def _named_model(value: Any) -> Any:
    """A model reference names something: whitespace alone is refused, as ``""`` is.

    Why: the store reads a blank reference as "no model given" and silently used the default.
    """
    if isinstance(value, str) and value and not value.strip():
        raise ValueError("model must name a model ('name', 'name@alias' or 'name/version'), got blanks")
    return value


def _names_a_series(value: Any) -> Any:
    """A series id is text that names something, or a JSON integer, read as its decimal digits
    (``7`` → ``"7"``); whitespace alone is refused, as ``""`` is, and so is any other kind
    (``true``, ``7.0``), naming the id.

    Why integers: ``/invocations`` reads a ``unique_id`` 7 as the series ``"7"`` (as the CLI
    reads a CSV's ids), and ``/v1/*`` refused the same id ("Input should be a valid string"):
    one history, forecast by one door and refused by the other. Answers name the series by its
    text (``"7"``), as ``/invocations`` answers it; ``7`` and ``"7"`` in one request are one id,
    repeated. A boolean or a float is no id at either door (``7.0`` would have to be guessed).
    Why blanks: ``"   "`` passed the length check and was answered as a series named by blanks,
    which a client cannot tell from a blank it left by mistake (and ``/invocations`` refuses it
    too).
    """
    if type(value) is int:
        return str(value)
    if not isinstance(value, str):
        raise field_error(f"a series id must be a string or an integer, got {value!r}")
    if value and not value.strip():
        raise ValueError(f"a series id must name the series, got only blanks ({value!r})")
    return value


#: the longest series id a request may send (``/invocations``' ``unique_id`` too)
MAX_ID_LENGTH = 256

#: a series' id: text, not blanks alone, or a JSON integer (read as its decimal digits); the
#: schema documents what a request may send (the text's length bounds too)
SeriesId = Annotated[
    str,
    BeforeValidator(
        _names_a_series,
        json_schema_input_type=Annotated[str, Field(min_length=1, max_length=MAX_ID_LENGTH)] | int,
    ),
]


#: ``name``, ``name@alias`` or ``name/version``
ModelRefIn = Annotated[str, Field(min_length=1, max_length=300), BeforeValidator(_named_model)]


def timestamps_fit_values(timestamps: Any, info: ValidationInfo) -> Any:
    """Validator of a series' ``timestamps`` field: :func:`check_timestamps` against its values.

    Why a field validator: its errors are located at ``series[i].timestamps`` (and the position
    at fault), not at the whole series.
    """
    values, sid = info.data.get("values"), info.data.get("id")  # None: refused themselves
    check_timestamps(timestamps, None if values is None else len(values), sid)
    return timestamps


def _example_series(uid: str, n: int, phase: float) -> JsonDict:
    start = datetime(2024, 1, 1)
    return {
        "id": uid,
        "values": [round(10 + 3 * math.sin(2 * math.pi * (t + phase) / 24) + 0.01 * t, 3) for t in range(n)],
        "timestamps": [(start + timedelta(hours=t)).isoformat() for t in range(n)],
    }


# Two weeks of hourly data: longer than the input length of every default tsforge model.
FORECAST_EXAMPLE: JsonDict = {
    "series": [_example_series("station_a", 336, 0.0), _example_series("station_b", 336, 6.0)],
    "horizon": 24,
}


class HistoryIn(NullMeansAbsent):
    """One series as every endpoint takes it: id, values (``null`` = missing) and optional
    timestamps, checked against the values. The endpoints' series schemas derive from it and
    say, in their ``timestamps`` description, what the timestamps are for there."""

    model_config = ConfigDict(extra="forbid")

    id: SeriesId = Field(
        min_length=1,
        max_length=MAX_ID_LENGTH,
        description=f"Series id (1-{MAX_ID_LENGTH} characters), unique within the request; "
        "a JSON integer is read as its decimal digits (7 as '7', as /invocations reads a unique_id).",
    )
    values: list[ValueOrMissing] = Field(
        min_length=1, description="Observations, oldest first; null = missing."
    )
    timestamps: TimeKeys | None = Field(
        None,
        description="Optional, one per value: ISO-8601 dates (or as the request's time_format says), "
        "or an integer step index (integers that read as dates, 20200131, are those dates, and so "
        "is text of digits, '20200131').",
    )

    _timestamps_fit = field_validator("timestamps")(timestamps_fit_values)


class SeriesIn(HistoryIn):
    """One history. ``values`` may hold ``null`` for missing steps; the last ``input_len`` steps are used."""

    id: SeriesId = Field(
        min_length=1,
        max_length=MAX_ID_LENGTH,
        description="Series id (a known id uses its training scaler); a JSON integer is read as its "
        "decimal digits (7 as '7', as /invocations reads a unique_id).",
    )
    timestamps: TimeKeys | None = Field(
        None,
        description="One ISO-8601 timestamp per value, strictly increasing (or dates written as "
        "time_format says, or period labels such as 2020-Q1); forecasts then carry ISO-8601 "
        "timestamps. Integers in every position are an integer step index (no calendar): the "
        "forecast's timestamps are then the steps that follow, in the history's spacing; integers "
        "that read as dates (20200131, or 202001 over more than one year) are those dates, as is "
        "text of digits such as '20200131', as the CLI and /invocations read them.",
    )
    coords: list[FiniteFloat] | None = Field(
        None, min_length=2, max_length=3, description="lat, lon[, alt] for models with coordinate embeddings."
    )


class ForecastRequest(ReadsTimeFormat):
    """Series to forecast (all go through the model as one batch), the horizon and the model."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [FORECAST_EXAMPLE]})

    series: list[SeriesIn] = Field(
        min_length=1,
        description="One or more histories; ids must be unique. Dates for every series or for none "
        "(a series with an integer step index, or without timestamps, has none).",
    )
    horizon: StrictInt | None = Field(
        None,
        ge=1,
        description="Steps ahead (an integer >= 1); absent: the horizon the model was trained for. "
        "Over that horizon is a 422, over the service's TSFORGE_MAX_HORIZON a 413.",
    )
    model: ModelRefIn | None = Field(
        None,
        description="'name', 'name@alias' or 'name/version'; default: the service's default model.",
    )
    level: list[Level] | None = Field(
        None,
        max_length=MAX_LEVELS,
        description="Central prediction intervals to add, in % (0 < level < 100), e.g. [80, 95]: "
        "each forecast then carries intervals lo-80, hi-80, ... (keyed by level: in any order, a "
        "level given twice is answered once, as the CLI and the pyfunc answer it).",
        examples=[[80, 95]],
    )
    quantiles: list[Quantile] | None = Field(
        None,
        max_length=MAX_LEVELS,
        description="Forecast quantiles to add (0 < q < 1), e.g. [0.1, 0.5, 0.9]: intervals q-0.1, "
        "... (keyed by quantile: in any order, one given twice is answered once).",
        examples=[[0.1, 0.5, 0.9]],
    )
    time_format: TimeFormat = None

    @field_validator("series")
    @classmethod
    def _unique_ids(cls, series: list[SeriesIn]) -> list[SeriesIn]:
        check_unique_ids([s.id for s in series])
        return series

    @field_validator("series")
    @classmethod
    def _dated_alike(cls, series: list[SeriesIn]) -> list[SeriesIn]:
        """Refuse a request that mixes dated series (ISO dates, or as time_format reads them) with
        undated ones (no timestamps, or an integer step index), naming the first series whose
        kind is not the first series'.

        Why: the models forecast one request as one calendar, with dates only when every series
        has them; a dated series sent beside an undated one was answered with ``timestamps:
        null`` (and, for a model that reads the calendar, forecast without it), silently.
        /invocations refuses such a frame (``ds`` null in some rows) and /v1/recommend such a
        request too.
        """
        dated = [_dated(s) for s in series]
        odd = next((i for i, d in enumerate(dated) if d != dated[0]), None)
        if odd is not None:
            first, other = (series[0], series[odd]) if dated[0] else (series[odd], series[0])
            raise field_error(
                f"series {first.id!r} has dates and series {other.id!r} none (no timestamps, or an "
                "integer step index): the series of one request are forecast on one calendar, "
                "dated alike; give every series dates, or send the others in a separate request",
                odd,
                "timestamps",
            )
        return series


def _dated(series: SeriesIn) -> bool:
    """Whether a posted series has dates (not none, not an integer step index)."""
    ts = series.timestamps
    return ts is not None and len(ts) > 0 and not isinstance(ts[0], int)


class SeriesForecastOut(SchemaOfFields):
    """The forecast of one posted series: point forecasts for the steps after its history and,
    when asked for, interval bounds."""

    id: str = Field(description="The posted series' id.")
    values: list[float] = Field(
        description="Point forecasts for steps 1..horizon after the history's last value, in the "
        "series' units (horizon values)."
    )
    timestamps: list[str] | list[int] | None = Field(
        None,
        description="ISO-8601 timestamps of the forecast steps, to the second (when the history had "
        "dates; at the UTC offset of the history's last timestamp when it had one, else without an "
        "offset), or the integer steps that follow an integer step index. Null when the history had "
        "no timestamps.",
    )
    intervals: dict[str, list[float]] | None = Field(
        None,
        description="With level / quantiles: 'lo-80', 'hi-80', 'q-0.1', ... → bounds per step "
        "(never crossing; every interval contains the median). Absent when not asked for.",
    )

    @model_serializer(mode="wrap")
    def _omit_absent_intervals(self, handler: SerializerFunctionWrapHandler) -> Any:
        """A request without level/quantiles gets exactly the answer it got before they existed."""
        out = handler(self)
        if isinstance(out, dict) and out.get("intervals") is None:
            out.pop("intervals", None)
        return out


class ForecastResponse(OmitsEmptyNotes):
    """The forecasts of one ``/v1/forecast`` request, and the model version that made them."""

    model: ModelInfo
    horizon: int = Field(
        description="Steps forecast: the request's horizon, or when it gave none the horizon the "
        "model was trained for (its longest)."
    )
    forecasts: list[SeriesForecastOut] = Field(description="One per posted series, in the order posted.")
    notes: list[str] | None = Field(None, description=NOTES_DESCRIPTION)
