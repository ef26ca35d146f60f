"""MLflow scoring-protocol bodies for ``POST /invocations`` (same shapes as ``mlflow models serve``).

The payload is a long history frame (``unique_id, ds, y``; ``ds`` optional: ISO-8601 dates,
period labels such as ``2020-Q1`` read as ``/v1/forecast`` reads them, each series its own way,
or integers as a step index, which the answer's ``ds`` then continues; ``lat, lon[, alt]``
optional: a station's coordinates, one set per series) in any of MLflow's
JSON encodings; ``params`` may carry ``horizon``, ``level`` (e.g. ``[80, 95]``), ``quantiles``
(e.g. ``[0.1, 0.9]``) and ``time_format`` (the strftime format of text dates in ``ds``). The answer is ``{"predictions": [records]}`` with the forecast frame's
columns ``unique_id, ds, step, y_hat`` (+ ``y_hat-lo-80``, ``y_hat-q-0.1`` ...: what the tsforge
pyfunc returns).
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import ConfigDict, Field, TypeAdapter, model_validator

from service.schemas.common import NOTES_DESCRIPTION, NullMeansAbsent, OmitsEmptyNotes
from service.schemas.forecast import MAX_LEVELS, Level, Quantile

__all__ = [
    "DataFrameSplit",
    "InvocationsRequest",
    "InvocationsResponse",
    "INVOCATIONS_EXAMPLES",
    "PAYLOAD_KEYS",
    "LEVELS_ADAPTER",
    "QUANTILES_ADAPTER",
]

PAYLOAD_KEYS = ("dataframe_split", "dataframe_records", "instances", "inputs")

_N = 336
_ROWS = [
    ["station_a", f"2024-01-{1 + t // 24:02d}T{t % 24:02d}:00:00", round(10 + (t % 24) / 4, 2)]
    for t in range(_N)
]

INVOCATIONS_EXAMPLES = {
    "dataframe_split": {
        "summary": "dataframe_split (pandas 'split' orient)",
        "value": {
            "dataframe_split": {"columns": ["unique_id", "ds", "y"], "data": _ROWS},
            "params": {"horizon": 24},
        },
    },
    "dataframe_records": {
        "summary": "dataframe_records (list of rows)",
        "value": {
            "dataframe_records": [{"unique_id": u, "ds": d, "y": y} for u, d, y in _ROWS],
            "params": {"horizon": 24},
        },
    },
    "inputs": {
        "summary": "inputs (columnar)",
        "value": {
            "inputs": {
                "unique_id": [r[0] for r in _ROWS],
                "ds": [r[1] for r in _ROWS],
                "y": [r[2] for r in _ROWS],
            }
        },
    },
}


#: ``params.level`` / ``params.quantiles`` follow ``/v1/forecast``'s rules; they are checked by
#: :func:`service.convert.intervals_from_params` (a 422 naming ``params.level[i]``), because
#: ``params`` stays a free mapping as in MLflow's protocol.
LEVELS_ADAPTER = TypeAdapter(Annotated[list[Level], Field(max_length=MAX_LEVELS)])
QUANTILES_ADAPTER = TypeAdapter(Annotated[list[Quantile], Field(max_length=MAX_LEVELS)])


class DataFrameSplit(NullMeansAbsent):
    """A history frame in pandas' 'split' orient: column names, and rows of values in that order."""

    model_config = ConfigDict(extra="forbid")

    columns: list[str] = Field(
        min_length=1,
        description="Column names, unique: unique_id, ds (optional), y for a long frame, with lat, lon "
        "and alt (optional: a station's coordinates, one set per series); or ds and one column per "
        "series for a wide frame.",
    )
    data: list[list[Any]] = Field(
        description="Rows, each with one value per column in the order of columns: unique_id a string "
        "or integer, ds an ISO-8601 string, a period label (2020-Q1, Q1 2020, 2020H1, 2020M01, "
        '2020-W05), a date as eight digits ("20200131", read as tsforge forecast reads it) or an '
        "integer step, y a JSON number or null (missing)."
    )
    index: list[Any] | None = Field(None, description="Row labels, as pandas writes them; ignored.")


class InvocationsRequest(NullMeansAbsent):
    """Exactly one of ``dataframe_split``, ``dataframe_records``, ``instances``, ``inputs``; optional ``params``."""

    model_config = ConfigDict(extra="forbid")

    dataframe_split: DataFrameSplit | None = Field(
        None, description="The history frame in pandas' 'split' orient (columns + rows)."
    )
    dataframe_records: list[dict[str, Any]] | None = Field(
        None,
        description="The history frame as a list of rows, each {column: value}, e.g. "
        '{"unique_id": "a", "ds": "2024-01-01T00:00:00", "y": 1.5}.',
    )
    instances: list[dict[str, Any]] | dict[str, list[Any]] | None = Field(
        None,
        description="The history frame as a list of rows ({column: value}) or as columns "
        "({column: [values]}, all of one length); read as inputs is.",
    )
    inputs: list[dict[str, Any]] | dict[str, list[Any]] | None = Field(
        None,
        description="The history frame as columns ({column: [values]}, all of one length) or as a list "
        "of rows ({column: value}).",
    )
    params: dict[str, Any] | None = Field(
        None,
        description="Inference parameters, all optional: horizon (a positive integer; absent: the "
        "horizon the model was trained for), level (list of % in (0, 100), e.g. [80, 95]), quantiles "
        "(list in (0, 1), e.g. [0.1, 0.9]; for both, order and repeats do not matter: one column "
        "pair or column each), model ('name', 'name@alias' or 'name/version'; absent: "
        "the service's default model), time_format (the strftime format of text dates in ds, e.g. "
        "'%d/%m/%Y', as the tsforge pyfunc reads it; absent: ISO-8601, period labels such as 2020-Q1 "
        "as their periods' first days, integers that read as dates such as 20200131 as those "
        "dates, or integer steps, as /v1/forecast reads its timestamps). Other keys "
        "are not read; the answer's notes name them.",
    )

    @model_validator(mode="after")
    def _exactly_one(self) -> InvocationsRequest:
        given = [k for k in PAYLOAD_KEYS if getattr(self, k) is not None]
        if len(given) != 1:
            raise ValueError(
                f"give exactly one of {', '.join(PAYLOAD_KEYS)}; got {', '.join(given) if given else 'none'}"
            )
        return self

    @property
    def payload_key(self) -> str:
        return next(k for k in PAYLOAD_KEYS if getattr(self, k) is not None)


class InvocationsResponse(OmitsEmptyNotes):
    """The forecast frame as MLflow's scoring server renders a DataFrame: ``{"predictions": [records]}``."""

    predictions: list[dict[str, Any]] = Field(
        description="Records of the forecast frame, series by series in the order they first appear, "
        "steps in order: unique_id (text), ds (ISO-8601 UTC time to the second without offset, or "
        "the integer steps that continue an integer ds; absent when the history had no ds), step "
        "(1..horizon), y_hat (point forecast) and, when level / quantiles were asked for, "
        "y_hat-lo-80, y_hat-hi-80, y_hat-q-0.1, ..."
    )
    notes: list[str] | None = Field(None, description=NOTES_DESCRIPTION)
