"""Schemas shared by several routes: the model a response came from, the error body, and the
rules every posted series' timestamps follow."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import datetime, timezone
from typing import Annotated, Any, cast

import numpy as np
import pandas as pd
import polars as pl
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    GetJsonSchemaHandler,
    SerializerFunctionWrapHandler,
    model_serializer,
    model_validator,
)
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import CoreSchema, PydanticCustomError

from tsforge.data.file_lines import ListPlace
from tsforge.data.frequency import date_words
from tsforge.data.history import check_time_format
from tsforge.data.period_labels import GuessedLabelsWarning, guessed_labels_refused, looks_like_period_labels
from tsforge.data.timeaxis import parse_time_column
from tsforge.errors import ConfigError, DataValidationError

__all__ = [
    "MODEL_ROUTE_503",
    "NOTES_DESCRIPTION",
    "OmitsEmptyNotes",
    "SchemaOfFields",
    "ModelInfo",
    "ErrorResponse",
    "ErrorItem",
    "ERROR_DESCRIPTIONS",
    "error_responses",
    "GATE_CODES",
    "PROTECTED_CODES",
    "JSON_BODY_CODES",
    "check_timestamps",
    "duplicate_time_words",
    "check_unique_ids",
    "field_error",
    "odd_kind",
    "odd_kind_words",
    "DATES_OR_STEPS",
    "FORMAT_READ_KINDS",
    "TIME_FORMAT_DESCRIPTION",
    "read_time_format",
    "NullMeansAbsent",
    "iso_text_times",
    "read_like_invocations",
    "first_unread_time",
    "digits_past_a_year",
    "read_by_library",
    "numbers_as_text",
    "starts_with_period_label",
    "times_by_format",
    "not_iso_words",
    "UTC_OFFSET_AT_END",
]


class ModelInfo(BaseModel):
    """Which registered model version answered (pinned in every forecast response)."""

    name: str = Field(description="Registered model name (the request's, or the service's default model).")
    version: str = Field(
        description="Registered model version (its number, as text) that produced the forecast: what "
        "the request's reference resolved to when it was answered. Pin it ('name/version') to get "
        "the same model again after an alias moves."
    )
    alias: str | None = Field(
        None,
        description="Alias the reference resolved through: the one named ('name@alias'), or for a bare "
        "name the service's default alias (TSFORGE_DEFAULT_ALIAS, 'champion') when the model has it. "
        "Null for 'name/version', and for a bare name without that alias (its newest version answers).",
    )
    run_id: str | None = Field(
        None, description="MLflow run that logged this version; null when the registry does not say."
    )


NOTES_DESCRIPTION = (
    "What limits this answer, in words: e.g. a level the model's interval calibration has too few "
    "scores to resolve (its bounds are then the most extreme scores seen and cover less than "
    "nominal), or series sent without the dates a calendar model reads (forecast without them). "
    "Absent when there is nothing to say."
)


class SchemaOfFields(BaseModel):
    """A response model whose JSON schema is its declared fields, although it serializes through a
    wrap ``model_serializer`` (which leaves out absent fields).

    Why: pydantic cannot see through a wrap serializer, so in serialization mode (the one FastAPI
    documents responses in) such a model's schema was ``{}``: ``/v1/forecast`` and
    ``/invocations`` answered with a schema that had no properties and no description. The
    serializer only drops keys, so the declared fields describe the answer.
    """

    @classmethod
    def __get_pydantic_json_schema__(
        cls, core_schema: CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        if handler.mode == "serialization" and "serialization" in core_schema:
            fields_only = {k: v for k, v in core_schema.items() if k != "serialization"}
            return handler(cast(CoreSchema, fields_only))
        return handler(core_schema)


class OmitsEmptyNotes(SchemaOfFields):
    """A response whose ``notes`` field is left out when there is nothing to say.

    Why: a client that never asks for what notes are about (intervals) gets exactly the answer
    it got before notes existed — MLflow's scoring clients included.
    """

    @model_serializer(mode="wrap")
    def _omit_absent_notes(self, handler: SerializerFunctionWrapHandler) -> Any:
        out = handler(self)
        if isinstance(out, dict) and not out.get("notes"):
            out.pop("notes", None)
        return out


class ErrorItem(BaseModel):
    """One problem of a request that failed validation (an entry of ``errors`` in a 422 body)."""

    field: str = Field(
        description="The request field at fault: dotted path with list indices in [] "
        "(e.g. series[0].values[3]); 'body' for the body as a whole."
    )
    message: str = Field(description="What is wrong with it, in words.")
    type: str = Field(description="Pydantic's error type, e.g. missing, greater_than, json_invalid.")


class ErrorResponse(BaseModel):
    """The JSON body of every 4xx/5xx answer of this service (the probes' 503 from /readyz aside).

    Machine-readable ``error`` and ``error_code``, a one-line ``message`` and, where known, the
    ``field`` at fault — always these keys first and in this order, whichever check refused the
    request (the schema, the service's own checks, the model registry, the gate, an unknown
    route). Errors raised by the library may add what else locates the problem (e.g. ``column``,
    ``row``: a history frame's row as sent on ``/invocations``, counted from 0; ``series``) after
    them; a 429 adds ``retry_after`` (seconds, as the ``Retry-After`` header).
    """

    model_config = ConfigDict(extra="allow")

    error: str = Field(
        description="Error class, e.g. DataValidationError, RequestValidationError, ModelNotFoundError, "
        "AuthenticationError, RequestTooLarge, UnsupportedMediaType, HTTPException, InternalError."
    )
    error_code: str = Field(
        description="MLflow-style code derived from the HTTP status: BAD_REQUEST (400, 405, 415), "
        "UNAUTHENTICATED (401), RESOURCE_DOES_NOT_EXIST (404), RESOURCE_LIMIT_EXCEEDED (413), "
        "INVALID_PARAMETER_VALUE (422), REQUEST_LIMIT_EXCEEDED (429), INTERNAL_ERROR (500), "
        "TEMPORARILY_UNAVAILABLE (503), DEADLINE_EXCEEDED (504)."
    )
    message: str = Field(description="What went wrong and, where possible, what to change; one line.")
    field: str | None = Field(
        None,
        description="The request field at fault (dotted path, list indices in [] counted from 0, "
        "e.g. series[1].values[2], the 3rd value of the 2nd series; on /invocations a history "
        "frame's value as sent, dataframe_split.data[3][2], dataframe_records[3].y, inputs.y[3] or "
        "inputs[3].y, else its payload key; or a header: X-API-Key, Content-Type, Content-Encoding, "
        "Content-Length). "
        "Absent when no single field is at fault (e.g. a 500).",
    )
    errors: list[ErrorItem] | None = Field(
        None,
        description="422 from request validation only: every problem found (at most 50); the first "
        "is also in message and field. Absent otherwise.",
    )


#: What each status means on this service, for the OpenAPI document (endpoints may say more).
ERROR_DESCRIPTIONS: dict[int, str] = {
    400: "Malformed request: an invalid Content-Length header, or (JSON endpoints) a body the JSON "
    "parser cannot read (a number with thousands of digits, nesting too deep).",
    401: "Missing or wrong API key (only when the service runs with TSFORGE_API_KEY; checked before "
    "the body is read). The response carries a WWW-Authenticate header.",
    404: "Unknown registered model, alias or version (or no model given and no default model); "
    "`field` names the model reference.",
    413: "Body over TSFORGE_MAX_BODY_BYTES (refused before parsing, from Content-Length or while streaming).",
    415: "The JSON body was sent without 'Content-Type: application/json', or compressed (a "
    "Content-Encoding such as gzip: send it uncompressed; the answer's Accept-Encoding says so).",
    422: "Invalid input; `field` names the culprit (e.g. series[0].values[3]); a body that fails the "
    "schema also lists every problem in `errors`.",
    429: "Every worker for CPU-heavy requests is busy and the waiting line is full "
    "(TSFORGE_CPU_QUEUE); retry after the `Retry-After` header's seconds.",
    500: "Internal error: a registered model version whose files cannot be read, or a bug; the "
    "server log has the details.",
    503: "The model registry could not answer (RegistryUnavailable); retry later.",
    504: "The request ran past its time budget (TSFORGE_CPU_TIMEOUT_SECONDS, queueing included) and "
    "its worker was stopped.",
}


#: ``/v1/forecast`` and ``/invocations``: the 503s of the model store besides the registry's
MODEL_ROUTE_503 = (
    "The model registry could not answer (RegistryUnavailable), or, for a request that names no "
    "model, the service's default model (TSFORGE_MODEL) is malformed or not in the registry (yet: "
    "/readyz is 503 meanwhile); retry later, or name a model."
)


def error_responses(
    *codes: int, text_route: bool = False, **described: str
) -> dict[int | str, dict[str, Any]]:
    """FastAPI ``responses=`` documenting ``codes`` with the :class:`ErrorResponse` body.

    Why per endpoint and not one list for every route: a client reads the document to learn
    which failures to handle, and a code an endpoint never answers (415 on a GET, 404 where no
    model is looked up) sends it after cases that cannot happen. ``described`` overrides a
    code's description, keyed ``e<code>`` (``e413="..."``), where the endpoint has more to say.

    ``text_route``: the route answers 200 in plain text (``/ping``, ``/version``). FastAPI files
    a ``model`` under the route's media type, which would document the JSON error body as
    ``text/plain``; there the body is given as a reference to the component instead (which the
    JSON routes register).
    """
    out: dict[int | str, dict[str, Any]] = {}
    for code in codes:
        description = described.get(f"e{code}", ERROR_DESCRIPTIONS[code])
        if text_route:
            ref = {"$ref": f"#/components/schemas/{ErrorResponse.__name__}"}
            out[code] = {"description": description, "content": {"application/json": {"schema": ref}}}
        else:
            out[code] = {"model": ErrorResponse, "description": description}
        if code in _ERROR_HEADERS:
            out[code]["headers"] = _ERROR_HEADERS[code]
    return out


#: Headers the error handlers (:mod:`service.errors`) and the gate send with these codes.
_ERROR_HEADERS: dict[int, dict[str, Any]] = {
    401: {
        "WWW-Authenticate": {
            "description": "The accepted schemes: 'Bearer, ApiKey header=\"X-API-Key\"'.",
            "schema": {"type": "string"},
        }
    },
    415: {
        "Accept-Encoding": {
            "description": "With a compressed body: 'identity', the only content coding read.",
            "schema": {"type": "string"},
        }
    },
    429: {
        "Retry-After": {
            "description": "Seconds to wait before retrying (a quarter of the time budget, at least 1).",
            "schema": {"type": "integer"},
        }
    },
}


#: What the gate (:mod:`service.gate`) answers on any route, before the route runs.
GATE_CODES = (400, 413)
#: ... and on the routes behind the API key
PROTECTED_CODES = (400, 401, 413)
#: ... and what a route with a JSON body adds: 415 (not JSON) and 422 (invalid body)
JSON_BODY_CODES = (400, 401, 413, 415, 422)


def field_error(message: str, *where: str | int) -> PydanticCustomError:
    """A validation error whose field is the validator's location followed by ``where``.

    Why: a validator can only raise at its own location (a model validator at the model), but
    a client needs the culprit itself, ``series[1].id`` or ``series[0].timestamps[6]``; the
    service's error handler (:mod:`service.errors`) appends ``where`` to the location.
    """
    return PydanticCustomError("value_error", message, {"where": where})


#: what times read by a time format (or as period labels) may be: the first one's kind holds
FORMAT_READ_KINDS = "text, or integers such as 20200131 for '%Y%m%d',"
#: what times may be without a time format
DATES_OR_STEPS = "ISO-8601 date strings, or integers (an integer step index),"


def odd_kind(values: Sequence[Any], *, what: str, kinds: str, unit: str) -> tuple[int, str] | None:
    """The first of ``values`` whose kind (text or integer) is not the first one's, with the
    words that say so, or None when every value is of one kind.

    Why one function: a series' timestamps (``/v1/*``, by position) and a history frame's
    ``ds`` column (``/invocations``, by row) are read by one time parser that takes text, or
    integers in every place, and each endpoint found the odd one by its own loop, with its own
    wording for one mistake. The first value sets the kind (a ``bool`` or ``float`` is neither,
    so a list starting with one is named at 0): the client needs the place that breaks it, not
    the first one, which is right. ``what`` names the values (``timestamps``, ``ds``), ``kinds``
    says what they may be, ``unit`` how a place is counted (``position``, ``row``, 0-based).
    """
    kind = str if not values or type(values[0]) is str else int
    j = next((k for k, v in enumerate(values) if type(v) is not kind), None)
    return None if j is None else (j, odd_kind_words(values, j, what=what, kinds=kinds, unit=unit))


def odd_kind_words(values: Sequence[Any], j: int, *, what: str, kinds: str, unit: str) -> str:
    """What :func:`odd_kind` says of the value at ``j``; also for a finder with a rule of its own
    (``/v1/*``'s dates, where a string of digits is the odd one too)."""
    return f"{what} are {kinds} in every {unit}; {unit} {j} holds {values[j]!r}"


def check_timestamps(
    timestamps: Sequence[datetime] | Sequence[int] | None, n_values: int | None, sid: str | None = None
) -> None:
    """Refuse (a validation error naming the timestamps, or the position at fault) timestamps
    that are not one per value, mix aware and naive times, or do not increase; a timestamp sent
    twice is refused as a duplicate of series ``sid`` (:func:`duplicate_time_words`).

    Why one function: every endpoint that takes a series takes its timestamps, and a series that
    one endpoint accepts must not be refused by another for a rule it alone checks. Called from
    a validator of the ``timestamps`` field: ``n_values`` is ``None`` when the values were
    themselves invalid (their error is reported instead).
    """
    if timestamps is None:
        return
    if n_values is not None and len(timestamps) != n_values:
        raise field_error(f"{len(timestamps)} timestamps for {n_values} values; give one per value")
    aware = [
        isinstance(t, datetime) and t.tzinfo is not None and t.utcoffset() is not None for t in timestamps
    ]
    if any(a != aware[0] for a in aware):
        i = next(k for k, a in enumerate(aware) if a != aware[0])
        raise field_error("timestamps mix time-zone-aware and naive values", i)
    for i in range(1, len(timestamps)):
        later = _later(timestamps[i], timestamps[i - 1])
        if later is None:
            raise field_error("timestamps mix dates and integer steps; give one kind in every position", i)
        if not later:
            same = [j for j, t in enumerate(timestamps) if t == timestamps[i]]
            if len(same) > 1:
                raise field_error(duplicate_time_words(timestamps[i], sid, same), i)
            raise field_error(f"timestamps must be strictly increasing (position {i})", i)


def duplicate_time_words(t: datetime | int, sid: str | None, positions: Sequence[int]) -> str:
    """A series' timestamp sent twice, in the words ``/invocations`` (the library's reader of a
    long frame) says it: ``duplicate timestamp 2020-05-01 for series 'a' at positions [4, 5]``.

    Why: ``/v1/*`` refused such a series as "timestamps must be strictly increasing (position
    5)", which sends a client looking for a time out of order, while ``/invocations`` said
    "duplicate timestamp 2020-05-01 for series 'a' at rows [4, 5]": one mistake, two wordings.
    A series' timestamps are counted in positions (its ``timestamps`` list), a frame's in rows.
    """
    whose = "" if sid is None else f" for series {sid!r}"
    shown = str(t) if isinstance(t, int) else date_words(t)
    return f"duplicate timestamp {shown}{whose} at positions {list(positions)}"


def _later(t: datetime | int, before: datetime | int) -> bool | None:
    """Whether ``t`` comes after ``before``; None for a date next to an integer step.

    Why the None: the schema gives dates or integer steps, never a mix, but a direct caller
    could pass one, and comparing the two raised a bare ``TypeError`` instead of naming the field.
    """
    if isinstance(t, datetime) and isinstance(before, datetime):
        return t > before
    if isinstance(t, int) and isinstance(before, int):
        return t > before
    return None


def check_unique_ids(ids: Sequence[str]) -> None:
    """Refuse a repeated series id, naming the series that repeats it (``series[1].id``)."""
    seen: set[str] = set()
    for i, sid in enumerate(ids):
        if sid in seen:
            raise field_error(f"duplicate series id {sid!r}; ids must be unique within a request", i, "id")
        seen.add(sid)


TIME_FORMAT_DESCRIPTION = (
    "How the series' timestamps are written, as a strftime format (what `tsforge forecast "
    "--time-format` takes): '%d/%m/%Y' reads 10/01/2017 as 10 January, '%Y-%m' reads 2020-01 as "
    "January 2020, '%Y%m%d' reads 20200131 (text or a JSON integer) as a date, '%Y' reads years. "
    "Absent: timestamps are ISO-8601 dates (as /invocations reads a ds, also 2018/01/01, "
    "2018-01 or 2018-01-01T00), period labels as the CLI and /invocations read them "
    "(2020-Q1, Q1 2020, 2020H1, 2020M01, 2020-W05: the day the period starts), integers that "
    "read as dates (20200131; 202001 over more than one year) as those dates, as the CLI and "
    "/invocations read them, or an integer step index. Forecast timestamps are ISO-8601 either "
    "way. A format with no % directive, or a timestamp it does not read, is a 422 naming "
    "time_format or the timestamp's position."
)


#: the ``time_format`` field of the requests that take series (/v1/forecast, /v1/recommend, /v1/profile)
TimeFormat = Annotated[
    str | None,
    Field(min_length=1, max_length=100, description=TIME_FORMAT_DESCRIPTION, examples=["%d/%m/%Y"]),
]


class NullMeansAbsent(BaseModel):
    """A request body (or a part of one) in which an explicit ``null`` for a field that may be
    left out reads as leaving it out: the field's default.

    Why: many clients (generated ones, or any that serialise an unset option as ``null``) send
    ``"top": null`` for "not given"; ``/v1/recommend`` refused it ("Input should be a valid
    integer") while it took the same body without the key, and ``horizon``, ``time_format``,
    ``model`` (whose default is null) already took both. No field of these requests gives null a
    meaning of its own (a missing observation is a null *inside* ``values``, which stays so), so
    null is never ambiguous here. The JSON schema says so too (such fields are nullable): a
    client that checks its body against the document may send what the service takes.
    """

    @model_validator(mode="before")
    @classmethod
    def _null_means_absent(cls, data: Any) -> Any:
        if not isinstance(data, dict):
            return data
        nulls = [k for k, v in data.items() if v is None and _may_be_left_out(cls, k)]
        return {k: v for k, v in data.items() if k not in nulls} if nulls else data

    @classmethod
    def __get_pydantic_json_schema__(
        cls, core_schema: CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        schema = handler(core_schema)
        properties = handler.resolve_ref_schema(schema).get("properties", {})
        for name, prop in properties.items():
            if _may_be_left_out(cls, name) and not _takes_null(prop):
                properties[name] = _nullable(prop)
        return schema


def _may_be_left_out(model: type[BaseModel], key: str) -> bool:
    """Whether ``key`` is a field of ``model`` that a body may leave out (it has a default)."""
    field = model.model_fields.get(key)
    return field is not None and not field.is_required()


def _takes_null(prop: dict[str, Any]) -> bool:
    """Whether a property's JSON schema already admits ``null``."""
    return prop.get("type") == "null" or any(b.get("type") == "null" for b in prop.get("anyOf", ()))


#: what a property's schema keeps beside its ``anyOf`` when made nullable (pydantic's layout)
_ANNOTATIONS = ("title", "description", "default", "examples")


def _nullable(prop: dict[str, Any]) -> dict[str, Any]:
    """``prop`` as pydantic writes an optional field: its type or null, annotations outside."""
    kind = {k: v for k, v in prop.items() if k not in _ANNOTATIONS}
    return {"anyOf": [kind, {"type": "null"}], **{k: prop[k] for k in _ANNOTATIONS if k in prop}}


class ReadsTimeFormat(NullMeansAbsent):
    """A request whose series' timestamps are read by its ``time_format`` before the schema checks
    them (:func:`read_time_format`): one validator for every request that takes series."""

    @model_validator(mode="before")
    @classmethod
    def _read_time_format(cls, data: Any) -> Any:
        return read_time_format(data)


def read_time_format(data: Any) -> Any:
    """Before-validator of a request with ``series`` and ``time_format``: every series' timestamps
    read by that strftime format into datetimes, before the schema checks them; without a
    format, period labels (``2020-Q1``) read as the CLI reads them.

    Why here and by the library's parser (:func:`tsforge.data.timeaxis.parse_time_column`, what
    ``--time-format`` runs): the schema reads ISO-8601 only, so day-first dates (10/01/2017),
    months (2020-01) or quarters (2020-Q1) that the CLI reads were refused as "invalid datetime"
    with no way to say how they are written; one parser keeps a history the CLI reads readable
    by the service. A ``time_format`` that is not text is left to the field's own type check.
    """
    if not isinstance(data, dict):
        return data
    fmt = data.get("time_format")
    if fmt is not None and not isinstance(fmt, str):
        return data
    if fmt is not None:
        try:
            check_time_format(fmt)
        except ConfigError as exc:
            raise field_error(exc.message, "time_format") from None
    series = data.get("series")
    if not isinstance(series, list):
        return data
    read = [_with_dates(s, fmt, i) for i, s in enumerate(series)]
    return {**data, "series": read}


def _with_dates(series: Any, fmt: str | None, i: int) -> Any:
    """One posted series with its timestamps read by ``fmt`` (or, with none, its period labels
    read as their periods' first days, and integers such as 20200131, or text of digits such as
    ``"20210105"`` (:func:`digits_past_a_year`), as dates where the library reads them so); as
    posted when there is nothing of the kind to read."""
    if not isinstance(series, dict) or not isinstance(series.get("timestamps"), list):
        return series
    timestamps = series["timestamps"]
    if not timestamps:
        return series
    if fmt is None and not read_by_library(timestamps) and not _integer_dates(timestamps):
        return series
    return {**series, "timestamps": _dates_by_format(timestamps, fmt, i)}


#: the integers the library's time parser may read as dates: ``YYYYMM`` from 1800-01 to
#: ``YYYYMMDD`` up to 2999-12-31 (a cheap bound before asking it)
_INTEGER_DATES = (1800_01, 2999_12_31)


def _integer_dates_said(format_field: str) -> str:
    """What a refusal of integers read as dates adds (they were not taken for a step index)."""
    return (
        " (integers such as 20200131 or 202001 are read as dates, as the CLI and /invocations read "
        f"them; give {format_field}, e.g. '%Y%m%d', to say how)"
    )


def _integer_dates(timestamps: list[Any]) -> bool:
    """Whether integer timestamps are dates written as numbers (``20200131``, or ``202001`` over
    more than one year) by the library's rule (:func:`tsforge.data.timeaxis.parse_time_column`).

    Why: the CLI, the pyfunc and ``/invocations`` read such a ``ds`` as dates, while
    ``/v1/forecast`` took 20180101, 20180201, ... for an integer step index and answered
    "timestamps" 20221301, 20221401: no dates at all, and another forecast than /invocations
    gives for the same history. One rule keeps a history read alike behind every door. An
    integer step index (``0, 1, 2``; years ``1990, 1991``) is not touched.
    """
    lo, hi = _INTEGER_DATES
    if not all(type(t) is int and lo <= t <= hi for t in timestamps):
        return False
    try:
        _, is_dates = parse_time_column(pl.Series("timestamps", timestamps), column="timestamps", file=None)
    except DataValidationError:  # read as dates, one of which is none (20180231)
        return True  # _dates_by_format refuses it, naming the position
    return is_dates


#: text NumPy's ISO-8601 reader takes for a year of any length: digits alone, signed or not
_DIGITS = re.compile(r"\s*[+-]?\d+\s*")
#: a year as ISO-8601 writes one (``2018``), which NumPy and the library read alike
_YEAR = re.compile(r"\s*\d{4}\s*")


def digits_past_a_year(values: Sequence[Any]) -> bool:
    """Whether some text time is digits alone that are no four-digit year (``"20210105"``,
    ``"1"``): times for the library's reader (:func:`times_by_format`), not NumPy's.

    Why: NumPy reads any run of digits as a year, ``20210105`` as the year 20,210,105, and
    ``/invocations`` refused such a ``ds`` as out of the range of dates it holds, naming no row;
    ``/v1/*`` refused the same text in a series' ``timestamps``.
    The CLI and the pyfunc (:func:`~tsforge.data.history.histories_from_frame`) read it as
    2021-01-05; the library's reader, behind both doors, reads it so too, and names the place of
    a value it does not read.
    """
    return any(
        isinstance(v, str) and _DIGITS.fullmatch(v) is not None and _YEAR.fullmatch(v) is None for v in values
    )


def read_by_library(values: Sequence[Any]) -> bool:
    """Whether text times are for the library's reader (:func:`times_by_format`): they start
    with a period label (:func:`starts_with_period_label`) or hold digits that are no four-digit
    year (:func:`digits_past_a_year`); other text times are ISO-8601, for :func:`iso_text_times`.

    Why one function: ``/invocations`` (a frame's ``ds``) and ``/v1/*`` (a series'
    ``timestamps``) each asked this in a rule of their own, and a history must be read by the
    same reader behind both doors.
    """
    return starts_with_period_label(values) or digits_past_a_year(values)


#: text that is a number: digits with a sign, a point or an exponent (``2018``, ``1.5e9``)
_NUMBER = re.compile(r"\s*[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?\s*")


def numbers_as_text(values: Sequence[Any]) -> bool:
    """Whether some text time is a number written as text (``"2018"``, ``"1600000000.5"``).

    Why: pydantic's datetime reads such text as seconds since 1970 (``"2018"`` as
    1970-01-01T00:33:38), so ``/v1/*`` refused it before pydantic saw it, while ``/invocations``
    read the same ``ds`` with :func:`iso_text_times` (a year ``"2018"`` as 2018-01-01, other
    numbers refused at their row). Such timestamps are read by that reader alone
    (:func:`read_like_invocations`), never by pydantic.
    """
    return any(isinstance(v, str) and _NUMBER.fullmatch(v) is not None for v in values)


def starts_with_period_label(values: Sequence[Any]) -> bool:
    """Whether the first of text times is a period label (``2020-Q1``, ``Q1 2020``, ``2020H1``,
    ``2020M01``, ``2020-W05``; its form decides for all, as the CLI's reader decides).

    Why public: ``/v1/*`` (a series' ``timestamps``) and ``/invocations`` (a frame's ``ds``)
    both send such times to :func:`times_by_format`; ``/invocations`` refused them as "not an
    ISO-8601 date" while ``/v1/forecast`` forecast the same history.
    """
    return bool(values) and isinstance(values[0], str) and looks_like_period_labels([values[0]])


def _how_read(values: Sequence[Any], fmt: str | None, format_field: str, message: str = "") -> str:
    """What a refusal of these times (the reader's ``message``) adds on how they were read: by
    the request's format, as dates written as integers, or (period labels) nothing.

    Why the message: the reader's own refusal of a time the format does not read already says
    the format ("it does not match time_format='%d/%m/%Y'"), and the service added it again
    ("(time_format '%d/%m/%Y')")."""
    if fmt is not None:
        return "" if f"time_format={fmt!r}" in message else f" ({format_field} {fmt!r})"
    return _integer_dates_said(format_field) if type(values[0]) is int else ""


def times_by_format(
    values: Sequence[Any],
    fmt: str | None,
    *,
    column: str,
    what: str,
    unit: str,
    format_field: str,
    place: ListPlace | None = None,
) -> np.ndarray:
    """Times (text, or integers such as 20200131) read by ``fmt`` (``None``: period labels, or
    integers the library reads as dates) with the parser ``tsforge forecast`` runs
    (:func:`tsforge.data.timeaxis.parse_time_column`) → ``datetime64[ns]``.

    Raises :class:`DataValidationError` with ``column`` and, where one is at fault, ``row`` (the
    0-based place): ``what`` names the values (``timestamps``, ``ds``) and ``unit`` how a place
    is counted in a refusal of mixed kinds; ``format_field`` is the request's field that says
    how times are written (``time_format``, ``params.time_format``); ``place`` names the values
    by their path in the request (``series[0].timestamps``) where they are no table's column
    (``None``: ``/invocations``' ``ds``, a column whose rows the reader names).

    Why one reader for both doors: ``/v1/*`` read period labels and ``/invocations`` refused
    them, and each door's format path had its own copy of the checks. Labels a two-digit year
    makes ambiguous (``Jan-10``: January 2010, or 10 January) are refused: the CLI reads them
    with a note a request has no place for before validation, so the client says which with
    ``format_field``.
    """
    odd = odd_kind(values, what=what, kinds=FORMAT_READ_KINDS, unit=unit)
    if odd is not None:
        raise DataValidationError(odd[1], column=column, row=odd[0])
    try:
        with guessed_labels_refused():  # this thread's reading only: others keep their notes
            keys, _ = parse_time_column(
                pl.Series(column, list(values)), column=column, file=None, fmt=fmt, place=place
            )
    except GuessedLabelsWarning:
        raise DataValidationError(
            f"{values[0]!r} could be a month and a two-digit year or a day of a month; send "
            f"{format_field} to say which ('%b-%y' reads Jan-10 as January 2010)",
            column=column,
            row=0,
        ) from None
    except DataValidationError as exc:
        raise DataValidationError(
            f"{exc.message}{_how_read(values, fmt, format_field, exc.message)}",
            column=column,
            row=exc.where.get("row"),
        ) from None
    return keys


def _dates_by_format(timestamps: list[Any], fmt: str | None, i: int) -> list[datetime]:
    """One series' timestamps read by :func:`times_by_format`; a refusal names the series'
    timestamp at fault (``series[i].timestamps[j]``), in its words as well as its field.

    Why the reader is told the path: ``/v1/*`` refused ``2018-Q9`` as "unparsable date '2018-Q9'
    in time column 'timestamps' at row 3": there is no table, no column and no row in a ``/v1``
    request, and "row 3" could be read as a series or a line; every other ``/v1`` refusal names
    the value by its path (the ``field``), as the reader's words now do too.
    """
    column = "timestamps"
    try:
        keys = times_by_format(
            timestamps,
            fmt,
            column=column,
            what="timestamps read by time_format (or as period labels, or dates written as digits)",
            unit="position",
            format_field="time_format",
            place=ListPlace(path=f"series[{i}].{column}", noun="timestamps"),
        )
    except DataValidationError as exc:
        row = exc.where.get("row")
        at = (row,) if isinstance(row, int) else ()
        raise field_error(exc.message, "series", i, column, *at) from None
    return cast(list[datetime], keys.astype("datetime64[us]").tolist())


#: an ISO-8601 time of day followed by a UTC offset (``T05:00:00+05:00``, ``T05:00Z``): the
#: end of a time-zone-aware text time; a date alone (``2024-01-01``) never matches
UTC_OFFSET_AT_END = re.compile(r"[Tt ]\d{1,2}(?::?\d{2}){0,2}(?:[.,]\d+)?\s*(?:[zZ]|[+-]\d{2}(?::?\d{2})?)$")


def iso_text_times(raw: Sequence[str]) -> tuple[np.ndarray, bool]:
    """Text times → naive UTC ``datetime64[us]``, and whether pandas read them (NumPy could not).

    NumPy's ISO-8601 reader first (it also reads a month, ``2018-01``, or a year, ``2018``, as
    its first day), then pandas' (``format="ISO8601"``: ``2018/01/01``, ``20180101T00``, times
    with a UTC offset, converted to UTC). Raises what they raise on text neither reads
    (``ValueError``, ``pd.errors.OutOfBoundsDatetime``, ...).

    Why one function: ``/invocations`` reads ``ds`` with it and ``/v1/*`` the series'
    timestamps that pydantic's stricter reader refuses (:func:`read_like_invocations`); a
    history written ``2018/01/01`` was forecast by one door and refused by the other.
    """
    try:
        # NumPy only warns on a UTC offset (and reads it): pandas reads those. Found by the text,
        # not by turning warnings into errors, which swapped the filter list every thread of the
        # service shares (another request's warning was raised in its thread meanwhile)
        if any(isinstance(t, str) and UTC_OFFSET_AT_END.search(t.strip()) for t in raw):
            raise ValueError("a UTC offset")
        out, by_pandas = np.array(raw, dtype="datetime64[us]"), False
    except (ValueError, TypeError, OverflowError):
        read = pd.to_datetime(pd.Series(raw), format="ISO8601", utc=True).dt.tz_convert(None)
        out, by_pandas = read.to_numpy().astype("datetime64[us]"), True
    if np.isnat(out).any():  # both read "", "NaT" as no time at all: not a time that was sent
        raise ValueError(f"not a time: {raw[int(np.flatnonzero(np.isnat(out))[0])]!r}")
    return out, by_pandas


#: what the text readers raise on text they do not read
_TIME_ERRORS = (ValueError, TypeError, OverflowError, pd.errors.OutOfBoundsDatetime)


def read_like_invocations(value: Any) -> list[datetime] | None:
    """A series' text timestamps as ``/invocations`` reads a ``ds`` column (:func:`iso_text_times`)
    into datetimes: naive as sent, or with a UTC offset (those at the last such one's offset);
    ``None`` when they are not all text or that reader does not read them either.

    Why: the ``/v1/*`` schema reads timestamps with pydantic, which takes RFC 3339 only, so
    ``2018/01/01``, ``2018-01`` or ``2018-01-01T00`` — read by ``/invocations`` and by
    ``tsforge forecast`` from a CSV — were a 422 on ``/v1/forecast``. The instants are kept; the
    service answers at the UTC offset of a history's last timestamp, so which offset the others
    carry does not matter. A mix of times with and without an offset keeps the mix, which
    :func:`check_timestamps` refuses at the position, as it refuses the mix sent in RFC 3339.
    """
    if not isinstance(value, list) or not value or not all(type(v) is str for v in value):
        return None
    try:
        instants, _ = iso_text_times(value)
        aware = [UTC_OFFSET_AT_END.search(v.strip()) is not None for v in value]
        last = max((i for i, a in enumerate(aware) if a), default=None)
        offset = None if last is None else pd.to_datetime(value[last], format="ISO8601").utcoffset()
    except _TIME_ERRORS:
        return None
    times = instants.tolist()
    if not all(isinstance(t, datetime) for t in times):  # NumPy reads years past datetime's range
        return None
    if offset is None:
        return cast(list[datetime], times)
    zone = timezone(offset)
    return [(t + offset).replace(tzinfo=zone) if a else t for t, a in zip(times, aware, strict=True)]


def first_unread_time(raw: Sequence[str]) -> int | None:
    """The first of text times that pandas' ISO-8601 reader does not read, or None (each is read
    on its own: the first one the whole list's reading stumbles on is the one to name)."""
    coerced = pd.to_datetime(pd.Series(raw), format="ISO8601", utc=True, errors="coerce")
    missing = np.flatnonzero(coerced.isna().to_numpy())
    return int(missing[0]) if missing.size else None


def not_iso_words(value: str, time_format_field: str) -> str:
    """What a refusal of a text time that no reader reads says: what it is not, and which field
    (``time_format``, ``params.time_format``) reads dates written otherwise."""
    return (
        f"{value!r} is not an ISO-8601 date or time (e.g. 2024-01-31, 2024-01-31T13:00:00 or "
        f"2024-01-31T13:00:00+01:00); dates written otherwise are read by {time_format_field}, "
        "their strftime format (e.g. '%d/%m/%Y'), and period labels (2020-Q1, 2020M01) where the "
        "times start with one, as one series' (or one ds column's) times are read one way"
    )
