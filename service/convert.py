"""Pure conversions between request bodies and the library's ``SeriesInput`` / ``SeriesForecast``.

Why a module of its own: both ``/v1/forecast`` and ``/invocations`` end in the same
``Predictor.predict_series`` call; everything that turns JSON into arrays (and refuses what
cannot be forecast, naming the field) lives here, free of FastAPI, so it tests without HTTP.

Only what is specific to the service is here: request limits, and the strict typing of JSON
values (a ``y`` must be a JSON number, a ``ds`` an ISO-8601 string). What a history frame
*means* — long or wide, series order, duplicates, missing values — is
:func:`tsforge.data.history.histories_from_frame`, shared with the CLI and the MLflow pyfunc.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime, timedelta, timezone
from typing import Any

import numpy as np
import pandas as pd
from pydantic import ValidationError

from service.schemas.common import (
    DATES_OR_STEPS,
    UTC_OFFSET_AT_END,
    first_unread_time,
    iso_text_times,
    not_iso_words,
    odd_kind,
    read_by_library,
    times_by_format,
)
from service.schemas.forecast import MAX_ID_LENGTH, ForecastRequest, SeriesForecastOut
from service.schemas.invocations import LEVELS_ADAPTER, QUANTILES_ADAPTER, InvocationsRequest
from tsforge.data.coordinates import COORD_COLUMNS, coordinates_of_rows
from tsforge.data.history import SeriesInput, check_time_format, histories_from_frame, history_layout
from tsforge.data.timeaxis import (
    TIME_RANGE,
    TIME_RANGE_TEXT,
    read_times_by_series,
    said_of_series,
    series_fault,
    written_form,
)
from tsforge.data.validation import ROLE_SYNONYMS, closest_name, reads_alone
from tsforge.errors import ConfigError, DataValidationError, ResourceLimitError
from tsforge.inference import SeriesForecast, continued_steps

__all__ = [
    "ForecastBatch",
    "intervals_from_params",
    "Limits",
    "series_from_request",
    "series_from_frame_payload",
    "horizon_from_params",
    "forecasts_out",
    "forecast_records",
    "check_finite_forecasts",
    "unread_inputs_notes",
    "READ_PARAMS",
    "series_timestamps",
    "check_observed",
]

_TIME_ERRORS = (ValueError, TypeError, OverflowError, pd.errors.OutOfBoundsDatetime)


class ForecastBatch(list):
    """A request's series (``SeriesInput``s, in order) and the bounds it asks for.

    Why the bounds ride on the batch: both endpoints turn the body into this batch first and
    hand it to :func:`service.forecasting.forecast`, which reads ``level`` / ``quantiles`` from
    it unless they are passed explicitly — a request's intervals cannot get separated from its
    series on the way.
    """

    def __init__(
        self,
        items: Sequence[SeriesInput] = (),
        level: Sequence[float] | None = None,
        quantiles: Sequence[float] | None = None,
    ) -> None:
        super().__init__(items)
        self.level = list(level) if level else None
        self.quantiles = list(quantiles) if quantiles else None
        #: series id → UTC offset of its history's last timestamp (time-zone-aware histories)
        self.offsets: dict[str, timedelta] = {}
        #: the history frame was wide (``/invocations``): its layout pads the series that end
        #: earlier than the others with nulls, so their trimmed nulls are no news to the client
        self.padded = False
        #: columns of a long history frame that were not read (``/invocations``: not
        #: ``unique_id``, ``ds`` or ``y``), which the answer's notes name
        self.unread_columns: list[str] = []


def intervals_from_params(params: dict[str, Any] | None) -> tuple[list[float] | None, list[float] | None]:
    """``params.level`` / ``params.quantiles`` (MLflow inference params) → checked lists.

    Same rules as ``/v1/forecast``: JSON numbers, ``0 < level < 100``, ``0 < q < 1``; a bad
    value is a 422 naming it (``params.level[0]``).
    """
    out: list[list[float] | None] = []
    for key, adapter in (("level", LEVELS_ADAPTER), ("quantiles", QUANTILES_ADAPTER)):
        value = (params or {}).get(key)
        if value is None:
            out.append(None)
            continue
        try:
            out.append([float(v) for v in adapter.validate_python(value, strict=True)] or None)
        except ValidationError as exc:
            err = exc.errors()[0]
            where = f"params.{key}" + "".join(f"[{p}]" for p in err["loc"])
            msg = str(err["msg"]).removeprefix("Value error, ")  # a validator's own words
            raise DataValidationError(f"{where}: {msg}", field=where) from None
    return out[0], out[1]


def time_format_from_params(params: dict[str, Any] | None) -> str | None:
    """``params.time_format`` (MLflow inference param: the strftime format of text dates in
    ``ds``), checked as ``time_format=`` is everywhere (:func:`tsforge.data.history.check_time_format`).

    Why: the tsforge pyfunc reads it (``mlflow models serve`` answers day-first ``ds`` with it),
    and this endpoint, which answers as that server does, ignored it and refused the dates.
    """
    value = (params or {}).get("time_format")
    if value is None:
        return None
    try:
        check_time_format(value)
    except ConfigError as exc:
        raise ConfigError(
            exc.message.replace("time_format", "params.time_format", 1), field="params.time_format"
        ) from None
    return str(value)


def _ds_by_format(ds_raw: list[Any], time_format: str | None, *, field: str) -> np.ndarray:
    """``ds`` read by ``params.time_format`` (text, or integers such as 20200131 for ``%Y%m%d``)
    or, with none, as period labels (``2020-Q1``), by the reader ``/v1/*`` reads a series'
    timestamps with (:func:`~service.schemas.common.times_by_format`) → ``datetime64[ns]``; a
    row it does not read is named (``column='ds'``, ``row``)."""
    what = "ds read by params.time_format" if time_format is not None else "ds read as period labels"
    try:
        return times_by_format(
            ds_raw, time_format, column="ds", what=what, unit="row", format_field="params.time_format"
        )
    except DataValidationError as exc:
        raise DataValidationError(exc.message, field=field, column="ds", row=exc.where.get("row")) from None


class Limits:
    """Service-wide request limits (from ``ServiceSettings``); checked before any model work."""

    def __init__(
        self,
        max_series: int,
        max_series_length: int,
        max_horizon: int,
        max_profile_windows: int = 128,
        max_profile_window: int = 336,
    ) -> None:
        self.max_series = max_series
        self.max_series_length = max_series_length
        self.max_horizon = max_horizon
        self.max_profile_windows = max_profile_windows
        self.max_profile_window = max_profile_window

    def check(
        self,
        n_series: int,
        lengths: Sequence[tuple[str, int]],
        horizon: int | None,
        *,
        series_field: str = "series",
        horizon_field: str = "horizon",
    ) -> None:
        """Raise ``ResourceLimitError`` (413) naming the field over its limit; ``series_field``
        is the request's field that holds the series (a history frame's payload key, ``inputs``,
        on ``/invocations``, which has no ``series``), ``horizon_field`` the one that holds the
        horizon (``params.horizon`` there)."""
        if n_series > self.max_series:
            raise ResourceLimitError(
                f"{n_series} series in one request; this service accepts at most {self.max_series}",
                field=series_field,
            )
        for where, n in lengths:
            if n > self.max_series_length:
                raise ResourceLimitError(
                    f"{n} values in one series; this service accepts at most {self.max_series_length}",
                    field=where,
                )
        if horizon is not None and horizon > self.max_horizon:
            raise ResourceLimitError(
                f"horizon {horizon} exceeds this service's limit of {self.max_horizon}", field=horizon_field
            )


# Timestamps are handled at nanosecond resolution (pandas' default): the library's range
# (TIME_RANGE, 1677-09-21 to 2262-04-11), to the microsecond. Why not a narrower one: the service
# refused histories after 2200 that ``tsforge forecast`` and the library's reader read; forecast
# steps that would run past the range are refused by the library, behind every door
# (:mod:`tsforge.inference.forecast_range`).
# The lower end is exclusive: pandas' first instant, to the microsecond, is a few nanoseconds
# before what a nanosecond clock holds.
_TS_MIN = np.datetime64(TIME_RANGE[0], "us")
_TS_MAX = np.datetime64(TIME_RANGE[1], "us")


_TS_RANGE_MESSAGE = f"timestamps must lie within the dates tsforge can hold ({TIME_RANGE_TEXT})"


def _outside_range(ts_us: np.ndarray) -> np.ndarray:
    """Which of ``datetime64[us]`` times a nanosecond clock cannot hold (:data:`_TS_MIN` to
    :data:`_TS_MAX`): one rule for every reader of the service."""
    return (ts_us <= _TS_MIN) | (ts_us > _TS_MAX)


def _to_ns(ts_us: np.ndarray) -> np.ndarray:
    """``datetime64[us]`` → ``datetime64[ns]``, refusing values a nanosecond clock cannot hold."""
    if ts_us.size and _outside_range(ts_us).any():
        raise ValueError(_TS_RANGE_MESSAGE)
    return ts_us.astype("datetime64[ns]")


def _timestamps_array(ts: Sequence[Any], i: int) -> np.ndarray:
    """``series[i].timestamps`` (datetimes) → naive ``datetime64[ns]`` (aware ones are converted
    to UTC first); a time a nanosecond clock cannot hold is refused naming its position
    (:func:`_out_of_range_position`)."""
    try:
        if ts and ts[0].tzinfo is not None:
            idx = pd.DatetimeIndex(pd.to_datetime(list(ts), utc=True)).tz_convert(None)
        else:
            idx = pd.DatetimeIndex(ts)  # ~4x faster than np.array(ts, dtype=...)
    except _TIME_ERRORS:  # pandas counts in nanoseconds: what it reads, the range holds
        raise _out_of_range_position(ts, i) from None
    return np.asarray(idx.values, dtype="datetime64[ns]")


def _out_of_range_position(ts: Sequence[Any], i: int) -> DataValidationError:
    """The refusal of ``series[i].timestamps`` that pandas cannot count: the first time outside
    the range (:data:`_TS_RANGE_MESSAGE`) named by its position, ``series[i].timestamps[j]``.

    Why the position: "unusable timestamps" naming the list alone, with pandas' "Out of bounds
    nanosecond timestamp ... at position 0" in the message, left the client to find the time
    at fault; ``/invocations`` names the row of such a ``ds``, and ``/v1`` names a value by its
    path (``series[0].values[3]``).
    """
    field = f"series[{i}].timestamps"
    j = next((j for j, t in enumerate(ts) if not _held(t)), None)
    if j is None:  # pandas refused them for another reason: the list is all that can be named
        return DataValidationError(f"unusable timestamps; {_TS_RANGE_MESSAGE}", field=field)
    return DataValidationError(
        f"timestamp {ts[j].isoformat()!r} is out of range; {_TS_RANGE_MESSAGE}", field=f"{field}[{j}]"
    )


def _held(t: datetime) -> bool:
    """Whether a datetime (aware ones as their UTC instant) lies within the range."""
    try:
        utc = t.astimezone(timezone.utc).replace(tzinfo=None) if t.tzinfo is not None else t
    except OverflowError:  # an offset that moves it past datetime's own years 1..9999
        return False
    return not _outside_range(np.array([utc], dtype="datetime64[us]")).any()


def series_timestamps(timestamps: Sequence[Any], i: int) -> np.ndarray:
    """``series[i].timestamps`` (datetimes) → naive ``datetime64[ns]``, refused naming the time
    pandas cannot count. Why one function: ``/v1/profile`` and ``/v1/recommend`` read a series'
    dates before its work starts, each with the same refusal as ``/v1/forecast``'s."""
    return _timestamps_array(timestamps, i)


def check_observed(sid: str, n_observed: int, **where: Any) -> None:
    """Refuse series ``sid`` when it has fewer than two observed values (``where``: what locates
    it at the door that asks, ``field`` and, on ``/invocations``, ``column`` and ``row``).

    Why one function: ``/v1/forecast``, ``/v1/recommend`` and ``/invocations`` each refused such
    a series in words of their own ("a series needs two to be forecast", "a series needs two",
    and on ``/invocations`` the library's "1 series has fewer than 2 values ..., first 'a'",
    naming no value); one history is now refused in one sentence behind every door, each naming
    the value at fault as it can (``series[1].values``, ``inputs.y[40]``).
    """
    if n_observed >= 2:
        return
    what = "no observed value" if n_observed == 0 else "one observed value"
    raise DataValidationError(
        f"series {sid!r} has {what}; a series needs two observed values to be forecast", **where
    )


def series_from_request(req: ForecastRequest, limits: Limits) -> ForecastBatch:
    """A validated ``ForecastRequest`` → library inputs (``null`` → NaN = missing) carrying the
    request's ``level`` / ``quantiles``."""
    limits.check(
        len(req.series),
        [(f"series[{i}].values", len(s.values)) for i, s in enumerate(req.series)],
        req.horizon,
    )
    out = []
    for i, s in enumerate(req.series):
        values = np.array(s.values, dtype=np.float64)  # None → nan
        # the library refuses it too, but could only name the series, not the field
        check_observed(s.id, int(np.isfinite(values).sum()), field=f"series[{i}].values")
        steps = None
        try:
            if s.timestamps is not None and isinstance(s.timestamps[0], int):
                ts, steps = None, np.array(s.timestamps, dtype=np.int64)  # an integer step index
            else:
                ts = None if s.timestamps is None else _timestamps_array(s.timestamps, i)
        except _TIME_ERRORS as exc:
            raise DataValidationError(
                f"unusable timestamps: {exc}", field=f"series[{i}].timestamps"
            ) from None
        coords = None if s.coords is None else np.array(s.coords, dtype=np.float64)
        out.append(SeriesInput(id=s.id, values=values, timestamps=ts, coords=coords, steps=steps))
    batch = ForecastBatch(out, req.level, req.quantiles)
    for s in req.series:
        last = s.timestamps[-1] if s.timestamps else None
        offset = last.utcoffset() if isinstance(last, datetime) else None
        if offset is not None:
            batch.offsets[s.id] = offset
    return batch


# -- MLflow scoring payloads ------------------------------------------------------------------


def _columns(req: InvocationsRequest) -> dict[str, list[Any]]:
    """Any of MLflow's four JSON encodings → ``{column: values}`` with equal lengths."""
    key = req.payload_key
    if key == "dataframe_split":
        split = req.dataframe_split
        assert split is not None
        cols = split.columns
        if len(set(cols)) != len(cols):
            raise DataValidationError("duplicate column names", field="dataframe_split.columns")
        for r, row in enumerate(split.data):
            if len(row) != len(cols):
                raise DataValidationError(
                    f"row {r} has {len(row)} values for {len(cols)} columns",
                    field=f"dataframe_split.data[{r}]",
                )
        if not split.data:
            return {c: [] for c in cols}
        return {c: list(col) for c, col in zip(cols, zip(*split.data, strict=True), strict=True)}
    payload = getattr(req, key)
    if isinstance(payload, dict):  # columnar
        lengths = {c: len(v) for c, v in payload.items()}
        if len(set(lengths.values())) > 1:
            raise DataValidationError(f"columns have different lengths: {lengths}", field=key)
        return {str(c): list(v) for c, v in payload.items()}
    names: list[str] = []
    for rec in payload:
        for c in rec:
            if c not in names:
                names.append(c)
    return {c: [rec.get(c) for rec in payload] for c in names}


_NUMBER_TYPES = {int, float, type(None)}


def _numeric(values: list[Any], *, field: str, column: str = "y") -> np.ndarray:
    """JSON numbers → float64 (``None`` → NaN); refuses strings, booleans, NaN/inf literals."""
    if set(map(type, values)) <= _NUMBER_TYPES:  # fast path: one C-level pass over the types
        try:
            arr = np.array(values, dtype=np.float64)
        except OverflowError:
            raise DataValidationError(
                f"{column} holds a number too large for float64", field=field, column=column
            ) from None
        bad = np.flatnonzero(~np.isfinite(arr))
        r = next((int(i) for i in bad if values[i] is not None), None)
        if r is None:
            return arr
        raise DataValidationError(
            f"{column} must be finite (use null for a missing value), got {values[r]!r}",
            field=field,
            column=column,
            row=r,
        )
    r = next(i for i, v in enumerate(values) if type(v) not in _NUMBER_TYPES)
    raise DataValidationError(
        f"{column} must be a number or null, got {values[r]!r}", field=field, column=column, row=r
    )


def _parse_ds(ds_raw: list[Any], *, field: str, ids: np.ndarray | None = None) -> np.ndarray:
    """ISO-8601 strings → naive UTC ``datetime64[ns]``; NumPy's parser first, pandas for offsets;
    period labels (``2020-Q1``, ``2020M01``, ``2020-W05``) as ``/v1/*`` and the CLI read them,
    and text of digits alone (``"20210105"``) by the library's reader, as the CLI reads it.

    JSON integers in every row are an integer step index (``int64``), as in a CSV: the shared
    history parser then orders rows by them (or reads ``YYYYMMDD`` numbers as dates). ``ids``
    (a long frame's series per row) lets each series have times with a UTC offset or without.
    """
    if not ds_raw:
        return np.array([], dtype="datetime64[ns]")
    if any(v is None for v in ds_raw):
        r = next(i for i, v in enumerate(ds_raw) if v is None)
        raise DataValidationError("ds is null in some rows but not others", field=field, column="ds", row=r)
    types = set(map(type, ds_raw))
    if types == {int}:
        try:
            return np.array(ds_raw, dtype=np.int64)
        except OverflowError:
            raise DataValidationError(
                "ds holds an integer too large for int64", field=field, column="ds"
            ) from None
    odd = None if types == {str} else odd_kind(ds_raw, what="ds", kinds=DATES_OR_STEPS, unit="row")
    if odd is not None:
        raise DataValidationError(odd[1], field=field, column="ds", row=odd[0])
    # 2020-Q1, 2020M01, 2020-W05 (read as /v1/* reads them); 20210105 (read as the CLI reads it)
    if read_by_library(ds_raw):
        try:
            return _ds_by_format(ds_raw, None, field=field)
        except DataValidationError as exc:
            return _ds_by_series(ds_raw, ids, exc, field=field)
    try:
        parsed, by_pandas = iso_text_times(ds_raw)
    except pd.errors.OutOfBoundsDatetime:
        raise _out_of_bounds(ds_raw, field=field) from None
    except _TIME_ERRORS as exc:
        return _ds_by_series(ds_raw, ids, _unparsable_ds(ds_raw, exc, field=field), field=field)
    if by_pandas:
        _check_one_kind_of_time(ds_raw, ids, field=field)
    _refuse_out_of_range(parsed, ds_raw, field=field)
    return _to_ns(parsed)


def _refuse_out_of_range(parsed: np.ndarray, ds_raw: list[str], *, field: str) -> None:
    """Refuse text times read outside what a nanosecond clock holds (:func:`_outside_range`),
    naming the first such row and its text.

    Why the row: the range alone ("timestamps must lie within ...") left the client
    to search a frame of thousands of rows for the one time at fault.
    """
    outside = _outside_range(parsed)
    if not outside.any():
        return
    raise _out_of_range_at(int(np.argmax(outside)), ds_raw, field=field)


def _out_of_bounds(ds_raw: list[str], *, field: str) -> DataValidationError:
    """The refusal of text times pandas reads past its nanosecond clock (``OutOfBoundsDatetime``:
    ``2300-01-05T00:00:00+02:00``), naming the first such row and its text, as
    :func:`_refuse_out_of_range` names a time NumPy read out of range.

    Why: times with a UTC offset are read by pandas, which raises for the whole column, and the
    refusal quoted the range alone, naming no row.
    Only the rows pandas does not read are read again, one by one, until one is out of bounds.
    """
    read = pd.to_datetime(pd.Series(ds_raw), format="ISO8601", utc=True, errors="coerce")
    for r in np.flatnonzero(read.isna().to_numpy()).tolist():
        try:
            pd.to_datetime(pd.Series([ds_raw[r]]), format="ISO8601", utc=True)
        except pd.errors.OutOfBoundsDatetime:
            return _out_of_range_at(r, ds_raw, field=field)
        except _TIME_ERRORS:
            continue
    return DataValidationError(_TS_RANGE_MESSAGE, field=field, column="ds")


def _out_of_range_at(r: int, ds_raw: list[str], *, field: str) -> DataValidationError:
    """The refusal of the time at row ``r``, out of range: the row, its text and the range."""
    return DataValidationError(
        f"ds at row {r}: {ds_raw[r]!r} is out of range; {_TS_RANGE_MESSAGE}",
        field=field,
        column="ds",
        row=r,
    )


def _ds_by_series(
    ds_raw: list[Any], ids: np.ndarray | None, whole: DataValidationError, *, field: str
) -> np.ndarray:
    """A long frame's ``ds`` that does not read as one column (``whole``: that refusal), read one
    series at a time as a frame of that series alone is read (:func:`_parse_ds`) →
    ``datetime64[ns]`` in the rows' order, by the library's loop
    (:func:`~tsforge.data.timeaxis.read_times_by_series`: the refused row's series first, series
    whose first ``ds`` is written alike in one call).

    Why: a frame whose series ``a`` writes ``2021Q1`` and series ``b`` ``2021-01-01`` was
    refused, although each series alone is forecast; ``/v1/forecast`` reads each series'
    timestamps on their own too. A series whose own ``ds`` mixes ways is refused naming the
    series and the frame's row; a wide frame (no ``ids``), or one series, keeps ``whole``.
    """
    if ids is None or any(type(v) is not str for v in ds_raw):
        raise whole

    def read(rows: np.ndarray) -> np.ndarray | None:
        keys = _parse_ds([ds_raw[r] for r in rows], field=field)
        return keys.astype("datetime64[ns]") if keys.dtype.kind == "M" else None

    def restate(exc: DataValidationError, rows: np.ndarray, sid: str) -> DataValidationError:
        return _series_ds_error(exc, ds_raw, rows, sid, field=field)

    def form(rows: np.ndarray) -> str:
        return written_form(ds_raw[int(rows[0])])

    return read_times_by_series(ids, read=read, restate=restate, whole=whole, form=form)


def _series_ds_error(
    exc: DataValidationError, ds_raw: list[Any], rows: np.ndarray, sid: str, *, field: str
) -> DataValidationError:
    """The refusal of one series' ``ds`` read alone (``exc``, its row counted within the series)
    at the frame's row, naming the series: "written in more than one way" when the time refused
    reads on its own, else the series' own words, said of the frame's row as the library says
    them (``for series 'a' at row 9``: :func:`~tsforge.data.timeaxis.said_of_series`)."""
    fault = series_fault(exc, rows)
    if fault is None:
        return DataValidationError(f"series {sid!r}: {exc.message}", field=field, column="ds")
    at, row, other = fault
    # a time the service's parser refuses alone may still be a date in another form (05/01/2021):
    # the reader's test for its "written in more than one way" advice, whose "read like X at
    # row k" counted k within the series (it named row 0 of the frame, another series')
    if other != row and (_ds_reads_alone(ds_raw[row]) or reads_alone(ds_raw[row])):
        return DataValidationError(
            f"ds of series {sid!r} is written in more than one way: {ds_raw[other]!r} (row "
            f"{other}) and {ds_raw[row]!r} (row {row}); write every ds of a series the same way "
            "(each series of a frame may have its own)",
            field=field,
            column="ds",
            row=row,
            unique_id=sid,
        )
    return DataValidationError(
        said_of_series(exc.message, sid, f"at row {at}", f"at row {row}", ds_raw[row]),
        field=field,
        column="ds",
        row=row,
        unique_id=sid,
    )


def _ds_reads_alone(value: str) -> bool:
    """Whether one ``ds`` reads as a time by itself, as a one-row frame's would."""
    try:
        _parse_ds([value], field="ds")
    except DataValidationError:
        return False
    return True


def _check_one_kind_of_time(ds_raw: list[str], ids: np.ndarray | None, *, field: str) -> None:
    """Refuse a series whose ``ds`` mixes times with a UTC offset and local times without one,
    naming the first row of the other kind (``ids``: the rows' series in a long frame; ``None``
    for a wide one, whose series share the ``ds`` column).

    Why: read with ``utc=True`` a local time was taken as UTC beside the others' offsets, and the
    history's times answered nonsense (month starts at +05:00 with one local month start were
    forecast 29 days apart); ``/v1/forecast`` refuses the same series
    (:func:`service.schemas.common.check_timestamps`), and a history must not be answered by one
    endpoint and refused by the other. Series of their own kinds may share a frame, as they may
    share a ``/v1/forecast`` request.
    """
    aware = [UTC_OFFSET_AT_END.search(v.strip()) is not None for v in ds_raw]
    if all(aware) or not any(aware):
        return
    keys = [None] * len(aware) if ids is None else ids.tolist()
    first_row: dict[object, int] = {}
    for r, (sid, a) in enumerate(zip(keys, aware, strict=True)):
        r0 = first_row.setdefault(sid, r)
        if a == aware[r0]:
            continue
        first, other = ("with", "without") if aware[r0] else ("without", "with")
        whose = "ds" if sid is None else f"ds of series {sid!r}"
        raise DataValidationError(
            f"{whose} mixes times {first} a UTC offset (row {r0}: {ds_raw[r0]!r}) and {other} one "
            f"(row {r}: {ds_raw[r]!r}); give every row of a series an offset, or none",
            field=field,
            column="ds",
            row=r,
        )


def _unparsable_ds(ds_raw: list[str], exc: Exception, *, field: str) -> DataValidationError:
    """The error for a ``ds`` pandas cannot read: the first row it cannot read, in one line.

    Why not pandas' message: it spans lines and advises arguments (``format=...``) a client of
    this protocol cannot pass, and names a position only in some versions; what the client can
    pass is ``params.time_format`` (:func:`time_format_from_params`), which the message names.
    """
    r = first_unread_time(ds_raw)
    if r is None:  # nothing to point at: pandas' first line is all there is
        first_line = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        return DataValidationError(f"unparsable ds: {first_line}", field=field, column="ds")
    return DataValidationError(
        f"ds at row {r}: {not_iso_words(ds_raw[r], 'params.time_format')}",
        field=field,
        column="ds",
        row=r,
    )


def _ids(ids: list[Any], *, field: str) -> np.ndarray:
    """JSON ids → text; an id must be a string or an integer (``1`` and ``"1"`` are one series),
    and not blanks alone (``/v1/*`` refuses ``"   "`` as an id too)."""
    id_types = set(map(type, ids))
    if not id_types <= {str, int}:
        r = next(i for i, v in enumerate(ids) if type(v) not in (str, int))
        raise DataValidationError(
            f"unique_id must be a string or an integer, got {ids[r]!r}",
            field=field,
            column="unique_id",
            row=r,
        )
    blank = next((i for i, v in enumerate(ids) if type(v) is str and v and not v.strip()), None)
    if blank is not None:  # "" is refused by the shared reader; blanks alone name no series either
        raise DataValidationError(
            f"unique_id must name the series, got only blanks ({ids[blank]!r})",
            field=field,
            column="unique_id",
            row=blank,
        )
    text = np.array([str(v) for v in ids] if int in id_types else ids, dtype=str)
    _refuse_long_ids(text, field=field)
    return text


def _refuse_long_ids(ids: np.ndarray, *, field: str) -> None:
    """Refuse a ``unique_id`` longer than a ``/v1/*`` series id may be (:data:`MAX_ID_LENGTH`),
    naming its row.

    Why: ``/v1/forecast`` refuses such an id (``series[0].id``) and ``/invocations`` answered the
    same history under it: one series, refused by one door and forecast by the other.
    """
    if not ids.size or ids.dtype.itemsize // 4 <= MAX_ID_LENGTH:  # '<U256': none can be longer
        return
    lengths = np.char.str_len(ids)
    r = int(np.argmax(lengths > MAX_ID_LENGTH))
    if lengths[r] > MAX_ID_LENGTH:
        raise DataValidationError(
            f"unique_id should have at most {MAX_ID_LENGTH} characters (as a /v1 series id), got "
            f"{int(lengths[r])}",
            field=field,
            column="unique_id",
            row=r,
        )


def _refuse_long_column_name(column: str, *, field: str) -> None:
    """Refuse a wide frame's series column whose name (its series id) is longer than a ``/v1/*``
    series id may be (:data:`MAX_ID_LENGTH`): the wide twin of :func:`_refuse_long_ids`, which a
    wide frame, having no ``unique_id``, never reached."""
    if len(column) > MAX_ID_LENGTH:
        raise DataValidationError(
            f"column {column[:20]!r}... names a series, and a series id should have at most "
            f"{MAX_ID_LENGTH} characters (as a /v1 series id), got {len(column)}",
            field=field,
            column=column,
        )


def series_from_frame_payload(req: InvocationsRequest, limits: Limits) -> ForecastBatch:
    """A history frame in MLflow's JSON → one ``SeriesInput`` per series, as the tsforge pyfunc reads it.

    Long (``unique_id, ds, y``; ``ds`` optional) or wide (``ds`` + one column per series): the
    JSON values are typed here, strictly; grouping, order and checks are
    :func:`~tsforge.data.history.histories_from_frame`, so answers match ``mlflow models serve``.
    An error about one value names it by its JSON path (:func:`cell_path`), keeping ``column``
    and ``row`` (0-based, the frame's rows as sent).
    """
    level, quantiles = intervals_from_params(req.params)  # cheap checks before the data's
    time_format = time_format_from_params(req.params)
    cols = _columns(req)
    try:
        return _batch_from_columns(req, cols, limits, level, quantiles, time_format)
    except DataValidationError as exc:
        column, row = exc.where.get("column"), exc.where.get("row")
        if exc.where.get("field") == req.payload_key and isinstance(row, int) and column in cols:
            exc.where["field"] = cell_path(req, list(cols), str(column), row)
        raise


def cell_path(req: InvocationsRequest, columns: Sequence[str], column: str, row: int) -> str:
    """The JSON path of one value of a history frame, as it was sent: ``dataframe_split.data[3][2]``,
    ``dataframe_records[3].y``, ``inputs.y[3]`` (columnar), ``inputs[3].y`` (records).

    Why: the bare payload key with ``column`` and ``row`` left a client to work out what "row"
    counts (the ``data`` list's index, a record's, a column's position, from 0 or from 1), while
    ``/v1/*`` names the value itself (``series[1].values[2]``); a path says it one way for both.
    """
    key = req.payload_key
    if key == "dataframe_split":
        return f"{key}.data[{row}][{list(columns).index(column)}]"
    name = f".{column}" if column.isidentifier() else f"[{json.dumps(column)}]"
    return f"{key}{name}[{row}]" if isinstance(getattr(req, key), dict) else f"{key}[{row}]{name}"


def _batch_from_columns(
    req: InvocationsRequest,
    cols: dict[str, list[Any]],
    limits: Limits,
    level: list[float] | None,
    quantiles: list[float] | None,
    time_format: str | None,
) -> ForecastBatch:
    """The typed, grouped series of a history frame's columns (:func:`series_from_frame_payload`)."""
    key = req.payload_key
    layout = history_layout(list(cols))
    if layout == "long":
        _require_values_column(list(cols), field=key)
        _require_time_column_named_ds(list(cols), field=key)
    typed: dict[str, np.ndarray] = {}
    stations: dict[str, np.ndarray] = {}  # a long frame's lat, lon[, alt]
    ids = _ids(cols["unique_id"], field=key) if "unique_id" in cols else None
    for c, values in cols.items():
        if c == "unique_id" and ids is not None:
            typed[c] = ids
        elif c == "ds":
            if time_format is not None and any(v is not None for v in values):
                typed[c] = _ds_by_format(values, time_format, field=key)
            elif any(v is not None for v in values):  # an all-null ds means "no timestamps"
                typed[c] = _parse_ds(values, field=key, ids=ids)
        elif layout == "wide":
            _refuse_long_column_name(c, field=key)
            typed[c] = _wide_column(values, field=key, column=c)
        elif c == "y":
            typed[c] = _numeric(values, field=key, column=c)
        elif c in COORD_COLUMNS and ids is not None:
            stations[c] = _numeric(values, field=key, column=c)

    def check_sizes(sizes: Sequence[tuple[str, int]]) -> None:
        lengths = [(f"{key} (unique_id={uid!r})", n) for uid, n in sizes]
        limits.check(len(sizes), lengths, None, series_field=key)
        # once the rows are grouped (and within the limits), before any per-series work
        _check_frame_observed(typed, layout, field=key)

    series = histories_from_frame(typed, layout=layout, field=key, check_sizes=check_sizes)
    if ids is not None and stations:
        coords = coordinates_of_rows(ids, stations, field=key)
        series = [replace(s, coords=coords.get(str(s.id), s.coords)) for s in series]
    batch = ForecastBatch(series, level, quantiles)
    batch.padded = layout == "wide"
    if layout == "long":
        batch.unread_columns = [c for c in cols if c not in _LONG_COLUMNS and c not in COORD_COLUMNS]
    return batch


def _check_frame_observed(typed: dict[str, np.ndarray], layout: str, *, field: str) -> None:
    """Refuse a history frame's series with fewer than two observed values
    (:func:`check_observed`, the words of ``/v1/*``), naming the row of its one observed value,
    or of its first row when it has none (``column='y'``, or the series' column in a wide frame).

    Why here, with the frame's rows: the library refuses such a series too, but only once its
    histories become a panel, naming the series and no value ("1 series has fewer than 2 values
    ..., first 'a' (1 value)"), while ``/v1/forecast`` names ``series[i].values``.
    """
    if layout == "long":
        if "y" not in typed or "unique_id" not in typed:
            return
        codes, ids = pd.factorize(typed["unique_id"], sort=False)
        observed = np.isfinite(typed["y"])
        counts = np.bincount(codes, weights=observed, minlength=len(ids))
        short = np.flatnonzero(counts < 2)
        if not short.size:
            return
        k = int(short[0])  # the first series short of values, in the frame's order
        rows = np.flatnonzero(codes == k)
        seen = rows[observed[rows]]
        row = int(seen[0] if seen.size else rows[0])
        check_observed(str(ids[k]), int(counts[k]), field=field, column="y", row=row, unique_id=str(ids[k]))
        return
    for column, values in typed.items():
        if column == "ds":
            continue
        seen = np.flatnonzero(np.isfinite(values))
        if seen.size < 2 and values.size:
            row = int(seen[0]) if seen.size else 0
            check_observed(column, int(seen.size), field=field, column=column, row=row, unique_id=column)


#: the columns a long history frame is read from
_LONG_COLUMNS = ("unique_id", "ds", "y")
#: the ``params`` ``/invocations`` reads
READ_PARAMS = ("horizon", "level", "quantiles", "model", "time_format")


def unread_inputs_notes(params: dict[str, Any] | None, batch: ForecastBatch) -> list[str]:
    """What ``/invocations`` was sent and did not read, one sentence each: columns of a long
    history frame besides ``unique_id``, ``ds`` and ``y``, and ``params`` besides
    :data:`READ_PARAMS`.

    Why notes, not refusals: MLflow's protocol lets a client send a frame with more columns and
    params a model does not take (MLflow's own server logs unknown params and goes on), so they
    stay accepted; but a ``latitude`` column or a ``season_length`` param was answered as if it
    had counted, and the client had no way to know it had not. A long frame's ``lat``, ``lon``
    and ``alt`` are read (a station's coordinates, :func:`~tsforge.data.coordinates.coordinates_of_rows`);
    a model that does not read them says so in its own note (:func:`service.forecasting.coords_note`).
    """
    notes = []
    if batch.unread_columns:
        names = ", ".join(repr(c) for c in batch.unread_columns)
        notes.append(
            f"the history frame's columns {names} were not read: a long frame (one with "
            "unique_id) is read from unique_id, ds, y and a station's lat, lon, alt"
        )
    unread = [str(k) for k in (params or {}) if k not in READ_PARAMS]
    if unread:
        names = ", ".join(repr(k) for k in unread)
        notes.append(f"params {names} were not read: /invocations reads {', '.join(READ_PARAMS)}")
    return notes


def _require_time_column_named_ds(columns: Sequence[str], *, field: str) -> None:
    """A long history frame keeps its times in ``ds``: refuse one that has none but has a column
    named as times usually are (``date``, ``timestamp``, ...), naming it.

    Why: only ``unique_id``, ``ds`` and ``y`` are read, so ``{"unique_id", "date", "y"}`` was
    answered 200 as a history without dates, the dates dropped without a word: the forecast
    came back without ``ds`` and a calendar model forecast without its calendar.
    """
    if "ds" in columns:
        return
    synonyms = ROLE_SYNONYMS.get("time_col", ())
    lowered = {str(c).lower(): c for c in columns if c not in ("unique_id", "y")}
    meant = next((lowered[s] for s in synonyms if s in lowered), None)
    if meant is None:
        return
    raise DataValidationError(
        f"column {meant!r} looks like the time column, but a long history frame (one with "
        f"unique_id) keeps its times in 'ds' and reads no other column; rename {meant!r} to 'ds' "
        "(or leave it out to forecast without dates)",
        field=field,
        column=str(meant),
    )


def _wide_column(values: list[Any], *, field: str, column: str) -> np.ndarray:
    """A wide frame's series column → float64 (:func:`_numeric`); a column of text is refused
    saying how the frame was read.

    Why: a frame without ``unique_id`` is read as wide (``ds`` and one numeric column per
    series), so a long frame whose id column is named ``id``, or whose time column is named
    ``date``, was refused as "id must be a number or null, got 'a'": true, but it did not say
    that the frame was taken for a wide one, nor which name to use.
    """
    try:
        return _numeric(values, field=field, column=column)
    except DataValidationError as exc:
        row = exc.where.get("row")
        if not isinstance(row, int) or not isinstance(values[row], str):
            raise
        role = _role_of(column)
        hint = (
            f"; a long frame names its series id column 'unique_id': rename {column!r} to 'unique_id'"
            if role == "id_col"
            else f"; the time column is 'ds': rename {column!r} to 'ds'"
            if role == "time_col"
            else "; a long frame has the columns 'unique_id', 'ds' (optional) and 'y'"
        )
        raise DataValidationError(
            f"{column} must be a number or null, got {values[row]!r}: without a 'unique_id' column "
            f"the frame is read as wide ('ds' and one numeric column per series){hint}",
            field=field,
            column=column,
            row=row,
        ) from None


def _role_of(column: str) -> str | None:
    """``"id_col"`` or ``"time_col"`` when ``column`` is a usual name of that role, else None."""
    name = str(column).lower()
    return next((role for role in ("id_col", "time_col") if name in ROLE_SYNONYMS.get(role, ())), None)


def _require_values_column(columns: Sequence[str], *, field: str) -> None:
    """A long history frame (it has ``unique_id``) keeps its values in ``y``: refuse one without,
    naming the columns sent and the one most likely meant.

    Why here: only ``unique_id``, ``ds`` and ``y`` are typed and passed on, so the shared
    reader saw the other columns dropped and answered "columns found: 'unique_id', 'ds'. Did
    you mean 'ds'? (pass target_col='ds')" — a wrong guess, and an argument this protocol has not.
    """
    if "y" in columns:
        return
    others = [c for c in columns if c not in ("unique_id", "ds")]
    guess = closest_name("y", others, ROLE_SYNONYMS.get("target_col", ()))
    if guess is None and len(others) == 1:
        guess = others[0]
    found = ", ".join(repr(c) for c in columns)
    raise DataValidationError(
        f"column 'y' not found: a long history frame (one with unique_id) has its values in 'y'; "
        f"columns found: {found}" + (f". Rename {guess!r} to 'y'" if guess else ""),
        field=field,
        column="y",
    )


def horizon_from_params(params: dict[str, Any] | None) -> int | None:
    """``params.horizon`` (MLflow inference params) → int, or ``None`` for the model's default."""
    if not params or params.get("horizon") is None:
        return None
    h = params["horizon"]
    if isinstance(h, bool) or not isinstance(h, (int, float, str)):
        raise DataValidationError(f"horizon must be an integer, got {h!r}", field="params.horizon")
    try:
        value = int(h) if not isinstance(h, float) or h.is_integer() else None
    except ValueError:
        value = None
    if value is None or value < 1:
        raise DataValidationError(f"horizon must be a positive integer, got {h!r}", field="params.horizon")
    return value


# -- outputs ---------------------------------------------------------------------------------


def check_finite_forecasts(forecasts: Sequence[SeriesForecast], *, field: str = "series") -> None:
    """Refuse to answer with NaN/inf (JSON cannot carry them): inputs out of the model's range."""
    for i, f in enumerate(forecasts):
        if not np.isfinite(f.values).all() or not all(np.isfinite(b).all() for b in f.bounds.values()):
            raise DataValidationError(
                f"the model produced non-finite forecasts for series {f.id!r}; its values are out of a usable range",
                field=f"{field}[{i}].values" if field == "series" else field,
            )


def _iso(ts: np.ndarray | None, offset: timedelta | None = None) -> list[str] | None:
    """Naive UTC ``datetime64`` → ISO-8601 text; with ``offset``, local times at that UTC offset
    (``2024-01-01T05:00:00+05:00``): a history sent at +05:00 is answered at +05:00."""
    if ts is None:
        return None
    if offset is None:
        return np.datetime_as_string(np.asarray(ts).astype("datetime64[s]"), unit="s").tolist()
    local = np.asarray(ts).astype("datetime64[s]") + np.timedelta64(int(offset.total_seconds()), "s")
    return [t + _offset_text(offset) for t in np.datetime_as_string(local, unit="s").tolist()]


def _offset_text(offset: timedelta) -> str:
    """``timedelta(hours=5, minutes=30)`` → ``"+05:30"`` (``"+00:00"`` for UTC)."""
    seconds = int(offset.total_seconds())
    sign = "-" if seconds < 0 else "+"
    hours, rest = divmod(abs(seconds), 3600)
    return f"{sign}{hours:02d}:{rest // 60:02d}"


def _continued_steps(
    forecasts: Sequence[SeriesForecast], series: Sequence[SeriesInput], field: str | None
) -> dict[str, np.ndarray]:
    """:func:`tsforge.inference.continued_steps`, its error naming the request's field: the
    series' ``timestamps`` (``field=None``), or ``field`` (a history frame's payload key)."""
    try:
        return continued_steps(series, forecasts)
    except DataValidationError as exc:
        sid = exc.where.get("series")
        i = next((k for k, s in enumerate(series) if s.id == sid), None)
        where = field or ("series" if i is None else f"series[{i}].timestamps")
        raise DataValidationError(
            exc.message, cli_message=exc.cli_message, **{**exc.where, "field": where}
        ) from None


def forecasts_out(
    forecasts: Sequence[SeriesForecast], series: Sequence[SeriesInput] = ()
) -> list[SeriesForecastOut]:
    """The response's forecasts; ``series`` (the request's histories) gives integer-indexed
    histories the steps that follow (:func:`tsforge.inference.continued_steps`), and histories
    sent with a UTC offset their forecast's timestamps at that offset."""
    steps = _continued_steps(forecasts, series, None)
    offsets = getattr(series, "offsets", {})
    return [
        SeriesForecastOut(
            id=f.id,
            values=np.asarray(f.values).tolist(),
            timestamps=steps[f.id].tolist() if f.id in steps else _iso(f.timestamps, offsets.get(f.id)),
            intervals={k: np.asarray(v).tolist() for k, v in f.bounds.items()} or None,
        )
        for f in forecasts
    ]


def forecast_records(
    forecasts: Sequence[SeriesForecast], series: Sequence[SeriesInput] = (), *, field: str = "inputs"
) -> list[dict[str, Any]]:
    """Records of the forecast frame, as MLflow's scoring server renders a DataFrame.

    ``series`` (the request's histories) labels forecasts of integer-indexed histories with the
    steps that follow, as the pyfunc's frame does (:func:`tsforge.inference.continued_steps`);
    ``field`` (the request's payload key) is what an error about them names.
    """
    steps = _continued_steps(forecasts, series, field)
    rows: list[dict[str, Any]] = []
    for f in forecasts:
        ts = _iso(f.timestamps) if f.id not in steps else steps[f.id].tolist()
        values = np.asarray(f.values).tolist()
        if ts is None:  # the pyfunc drops an all-null ds column, so MLflow's answer has no ds key
            rows.extend({"unique_id": f.id, "step": k + 1, "y_hat": v} for k, v in enumerate(values))
        else:
            rows.extend(
                {"unique_id": f.id, "ds": ts[k], "step": k + 1, "y_hat": v} for k, v in enumerate(values)
            )
        if f.bounds:  # the pyfunc's columns y_hat-lo-80, ..., in the same order
            start = len(rows) - len(values)
            for key, bound in f.bounds.items():
                for k, v in enumerate(np.asarray(bound).tolist()):
                    rows[start + k][f"y_hat-{key}"] = v
    return rows
