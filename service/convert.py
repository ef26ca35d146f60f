"""Pure conversions between request bodies and the library's ``SeriesInput`` / ``SeriesForecast``.

Why a module of its own: both ``/v1/forecast`` and ``/invocations`` end in the same
``Predictor.predict_series`` call; everything that turns JSON into arrays (and refuses what
cannot be forecast, naming the field) lives here, free of FastAPI, so it tests without HTTP.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from service.schemas.forecast import ForecastRequest, SeriesForecastOut
from service.schemas.invocations import InvocationsRequest
from tsforge.errors import DataValidationError, ResourceLimitError
from tsforge.inference import SeriesForecast, SeriesInput

__all__ = [
    "Limits",
    "series_from_request",
    "series_from_frame_payload",
    "horizon_from_params",
    "forecasts_out",
    "forecast_records",
    "check_finite_forecasts",
]

_TIME_ERRORS = (ValueError, TypeError, OverflowError, pd.errors.OutOfBoundsDatetime)


class Limits:
    """Service-wide request limits (from ``ServiceSettings``); checked before any model work."""

    def __init__(self, max_series: int, max_series_length: int, max_horizon: int) -> None:
        self.max_series = max_series
        self.max_series_length = max_series_length
        self.max_horizon = max_horizon

    def check(self, n_series: int, lengths: Sequence[tuple[str, int]], horizon: int | None) -> None:
        """Raise ``ResourceLimitError`` (413) naming the field over its limit."""
        if n_series > self.max_series:
            raise ResourceLimitError(
                f"{n_series} series in one request; this service accepts at most {self.max_series}", field="series"
            )
        for where, n in lengths:
            if n > self.max_series_length:
                raise ResourceLimitError(
                    f"{n} values in one series; this service accepts at most {self.max_series_length}", field=where
                )
        if horizon is not None and horizon > self.max_horizon:
            raise ResourceLimitError(
                f"horizon {horizon} exceeds this service's limit of {self.max_horizon}", field="horizon"
            )


def _timestamps_array(ts: Sequence[Any]) -> np.ndarray:
    """Datetimes → naive ``datetime64[ns]`` (aware ones are converted to UTC first)."""
    if ts and ts[0].tzinfo is not None:
        return pd.DatetimeIndex(pd.to_datetime(list(ts), utc=True)).tz_convert(None).values
    return np.array(ts, dtype="datetime64[ns]")


def series_from_request(req: ForecastRequest, limits: Limits) -> list[SeriesInput]:
    """A validated ``ForecastRequest`` → library inputs (``null`` → NaN = missing)."""
    limits.check(len(req.series), [(f"series[{i}].values", len(s.values)) for i, s in enumerate(req.series)], req.horizon)
    out = []
    for i, s in enumerate(req.series):
        values = np.array(s.values, dtype=np.float64)  # None → nan
        if np.isnan(values).all():
            raise DataValidationError(f"series {s.id!r} has no observed value", field=f"series[{i}].values")
        try:
            ts = None if s.timestamps is None else _timestamps_array(s.timestamps)
        except _TIME_ERRORS as exc:
            raise DataValidationError(f"unusable timestamps: {exc}", field=f"series[{i}].timestamps") from None
        coords = None if s.coords is None else np.array(s.coords, dtype=np.float64)
        out.append(SeriesInput(id=s.id, values=values, timestamps=ts, coords=coords))
    return out


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
                    f"row {r} has {len(row)} values for {len(cols)} columns", field=f"dataframe_split.data[{r}]"
                )
        return {c: [row[j] for row in split.data] for j, c in enumerate(cols)}
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


def _numeric(values: list[Any], *, field: str) -> np.ndarray:
    for r, v in enumerate(values):
        if v is None:
            continue
        if isinstance(v, bool) or not isinstance(v, (int, float)):
            raise DataValidationError(f"y must be a number or null, got {v!r}", field=field, column="y", row=r)
        if isinstance(v, float) and not math.isfinite(v):
            raise DataValidationError(
                f"y must be finite (use null for a missing value), got {v!r}", field=field, column="y", row=r
            )
    try:
        return np.array(values, dtype=np.float64)
    except OverflowError:
        raise DataValidationError("y holds a number too large for float64", field=field, column="y") from None


def series_from_frame_payload(req: InvocationsRequest, limits: Limits) -> list[SeriesInput]:
    """A long frame (``unique_id, ds, y``) in MLflow's JSON → one ``SeriesInput`` per id, time-sorted."""
    key = req.payload_key
    cols = _columns(req)
    for c in ("unique_id", "y"):
        if c not in cols:
            raise DataValidationError(
                f"the history frame needs a column {c!r}; columns found: {sorted(cols)}", field=key, column=c
            )
    n = len(cols["y"])
    if n == 0:
        raise DataValidationError("the history frame has no rows", field=key)
    ids = cols["unique_id"]
    for r, v in enumerate(ids):
        if v is None or isinstance(v, (bool, dict, list)) or (isinstance(v, str) and not v):
            raise DataValidationError(
                f"unique_id must be a non-empty string or an integer, got {v!r}", field=key, column="unique_id", row=r
            )
    y = _numeric(cols["y"], field=key)
    ds_raw = cols.get("ds")
    has_time = ds_raw is not None and any(v is not None for v in ds_raw)
    frame = pd.DataFrame({"unique_id": [str(v) for v in ids], "y": y})
    if has_time:
        if any(v is None for v in ds_raw):
            r = next(i for i, v in enumerate(ds_raw) if v is None)
            raise DataValidationError("ds is null in some rows but not others", field=key, column="ds", row=r)
        if any(not isinstance(v, str) for v in ds_raw):
            r = next(i for i, v in enumerate(ds_raw) if not isinstance(v, str))
            raise DataValidationError(
                f"ds must be an ISO-8601 date string, got {ds_raw[r]!r}", field=key, column="ds", row=r
            )
        try:
            ds = pd.to_datetime(pd.Series(ds_raw), format="ISO8601", utc=True).dt.tz_convert(None)
        except _TIME_ERRORS as exc:
            raise DataValidationError(f"unparsable ds: {exc}", field=key, column="ds") from None
        frame["ds"] = ds.to_numpy()
        frame = frame.sort_values(["unique_id", "ds"], kind="stable")
        dup = frame.duplicated(["unique_id", "ds"])
        if dup.any():
            r = int(dup.to_numpy().argmax())
            row = frame.iloc[r]
            raise DataValidationError(
                f"duplicate (unique_id, ds) = ({row['unique_id']!r}, {row['ds']})", field=key, column="ds"
            )
    groups = list(frame.groupby("unique_id", sort=False))
    limits.check(len(groups), [(f"{key} (unique_id={uid!r})", len(g)) for uid, g in groups], None)
    out = []
    for uid, g in groups:
        values = g["y"].to_numpy(dtype=np.float64)
        if np.isnan(values).all():
            raise DataValidationError(f"series {uid!r} has no observed value", field=key, column="y")
        out.append(SeriesInput(id=str(uid), values=values, timestamps=g["ds"].to_numpy() if has_time else None))
    return out


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
        if not np.isfinite(f.values).all():
            raise DataValidationError(
                f"the model produced non-finite forecasts for series {f.id!r}; its values are out of a usable range",
                field=f"{field}[{i}].values" if field == "series" else field,
            )


def _iso(ts: np.ndarray | None) -> list[str] | None:
    if ts is None:
        return None
    return np.datetime_as_string(np.asarray(ts).astype("datetime64[s]"), unit="s").tolist()


def forecasts_out(forecasts: Sequence[SeriesForecast]) -> list[SeriesForecastOut]:
    return [SeriesForecastOut(id=f.id, values=np.asarray(f.values).tolist(), timestamps=_iso(f.timestamps)) for f in forecasts]


def forecast_records(forecasts: Sequence[SeriesForecast]) -> list[dict[str, Any]]:
    """Records of the forecast frame, as MLflow's scoring server renders a DataFrame."""
    rows: list[dict[str, Any]] = []
    for f in forecasts:
        ts = _iso(f.timestamps)
        values = np.asarray(f.values).tolist()
        if ts is None:  # the pyfunc drops an all-null ds column, so MLflow's answer has no ds key
            rows.extend({"unique_id": f.id, "step": k + 1, "y_hat": v} for k, v in enumerate(values))
        else:
            rows.extend({"unique_id": f.id, "ds": ts[k], "step": k + 1, "y_hat": v} for k, v in enumerate(values))
    return rows
