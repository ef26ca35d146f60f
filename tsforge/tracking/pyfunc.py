"""The tsforge model as an MLflow pyfunc: a long history frame in, a long forecast frame out.

Input: ``unique_id, ds, y`` rows (``ds`` optional); params: ``{"horizon": h}`` (default: the
trained horizon), ``{"level": [80, 95]}`` (adds ``y_hat-lo-80, y_hat-hi-80, ...``) and
``{"quantiles": [0.1, 0.5, 0.9]}`` (adds ``y_hat-q-0.1, ...``) and ``{"time_format": "%d/%m/%Y"}``
(the strftime format of text dates in ``ds``, as ``predict_frame(time_format=)``). Optional columns
``lat, lon[, alt]`` give a station's coordinates (:data:`COORD_COLUMNS`, one set per series: on
each of its rows or on one), for a model with a coordinate embedding to forecast a station it was
not trained on. Each series' ``ds`` is read in its own format when the column's one format does
not read them all, as by every door (:func:`~tsforge.data.timeaxis.parse_times_by_series`). Output: ``unique_id, ds, step,
y_hat[, bounds]``; the interval calibration travels in the bundle. The artifact is a saved model
bundle (a window model, a panel bundle or a routed ensemble: whatever
:func:`tsforge.panels.predictor.load_predictor_dir` reads), so the pyfunc forecasts from a
history alone in a fresh process.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import mlflow
import numpy as np
import pandas as pd
from mlflow.pyfunc import PythonModel  # mlflow.pyfunc is a lazy attribute of mlflow to mypy

from tsforge.data.coordinates import COORD_COLUMNS, coordinates_of_rows, with_frame_coordinates_advice
from tsforge.errors import DataValidationError

__all__ = [
    "TsforgePyfunc",
    "log_predictor_model",
    "example_history",
    "history_schema",
    "refuse_other_columns",
    "HISTORY_COLUMNS",
]


class TsforgePyfunc(PythonModel):
    """The pyfunc wrapper: loads the bundle artifact once, then forecasts long frames with it.

    A thin adapter on purpose: parsing, checks and intervals are the predictor's
    (its ``predict_frame``), so ``mlflow.pyfunc`` answers as the CLI, the Python API and the
    service do; ``ds`` is dropped from the output when the history had no timestamps.
    """

    def load_context(self, context: Any) -> None:
        from tsforge.panels.predictor import load_predictor_dir

        self.predictor = load_predictor_dir(context.artifacts["bundle"])

    def predict(
        self, context: Any, model_input: pd.DataFrame, params: dict[str, Any] | None = None
    ) -> pd.DataFrame:
        params = params or {}
        refuse_other_columns(model_input)
        history, coords = _split_coordinates(model_input)
        try:
            out = self._predict_frame(history, coords, params)
        except DataValidationError as exc:
            advised = with_frame_coordinates_advice(exc)
            if advised is exc:
                raise
            raise advised from None
        if out["ds"].isna().all():
            out = out.drop(columns=["ds"])
        return out

    def _predict_frame(
        self, history: pd.DataFrame, coords: pd.DataFrame | None, params: dict[str, Any]
    ) -> pd.DataFrame:
        """The predictor's ``predict_frame`` with the params and the stations' coordinates."""
        # the horizon as given: predict_frame refuses 0, -1 and 2.5 as the CLI, the Python API
        # and the service do (0 used to mean "the trained horizon" here, and 2.5 two steps)
        stations = {} if coords is None else {"coords": coords}
        return self.predictor.predict_frame(
            history,
            params.get("horizon"),
            level=params.get("level") or None,
            quantiles=params.get("quantiles") or None,
            # as given (None: infer the dates' format); predict_frame refuses a non-text format
            time_format=params.get("time_format"),
            **stations,
        )


#: the history columns the pyfunc reads (``ds`` may be left out); MLflow leaves out any other
#: column its signature does not declare before :meth:`TsforgePyfunc.predict` runs
HISTORY_COLUMNS = ("unique_id", "y")


def refuse_other_columns(frame: Any) -> None:
    """Refuse a history without the columns ``unique_id`` and ``y``, naming those missing.

    Why: the pyfunc's signature names the history's columns, and MLflow leaves out every column
    it does not declare, so a history with other names (``store, day, units``) or in the wide
    layout (one column per series), which ``predict_frame`` reads, cannot reach the reader. With
    those columns required, MLflow refused it with "Failed to enforce schema of data" followed
    by the whole frame; now the signature requires none and this says, in one line, what is
    missing and which doors read other layouts.
    """
    if not isinstance(frame, pd.DataFrame):
        return
    missing = [c for c in HISTORY_COLUMNS if c not in frame.columns]
    if not missing:
        return
    raise DataValidationError(
        f"the MLflow pyfunc takes a long history with columns 'unique_id', 'ds' (optional) and 'y'; "
        f"missing: {', '.join(repr(c) for c in missing)} (MLflow leaves out every other column before "
        "tsforge reads the frame): rename the columns, or use predict_frame(id_col=..., time_col=..., "
        "target_col=...) or tsforge forecast for other names or a wide history",
        column=missing[0],
    )


def _split_coordinates(frame: Any) -> tuple[Any, pd.DataFrame | None]:
    """``(the history without its coordinate columns, its stations' coordinate table or None)``:
    the table (``unique_id, lat, lon[, alt]``) is what ``predict_frame(coords=)`` takes."""
    if not isinstance(frame, pd.DataFrame) or "unique_id" not in frame.columns:
        return frame, None
    given = [c for c in COORD_COLUMNS if c in frame.columns]
    if not given:
        return frame, None
    ids = frame["unique_id"].astype(str).to_numpy()
    columns = {c: pd.to_numeric(frame[c], errors="coerce").to_numpy(dtype=np.float64) for c in given}
    for c in given:  # a cell that is not a number is refused, not read as no coordinates
        bad = np.flatnonzero(np.isnan(columns[c]) & frame[c].notna().to_numpy())
        if bad.size:
            r = int(bad[0])
            raise DataValidationError(
                f"column {c!r} must hold numbers, got {frame[c].iloc[r]!r} at row {r}", column=c, row=r
            )
    coords = coordinates_of_rows(ids, columns)
    history = frame.drop(columns=given)
    if not coords:
        return history, None
    return history, pd.DataFrame([[sid, *xyz] for sid, xyz in coords.items()], columns=["unique_id", *given])


def example_history(predictor: Any, data: Any, n_series: int = 1) -> pd.DataFrame:
    """The last ``input_len`` rows of the first channels of ``data`` as a long frame."""
    L = predictor.input_len
    frames = []
    # channels with the most observations in their last window first (some may be all missing)
    observed = data.mask[-L:].sum(axis=0)
    order = [int(c) for c in np.argsort(-observed, kind="stable") if observed[c] > 0] or [0]
    for c in order[:n_series]:
        vals = data.values[-L:, c]
        frame = {"unique_id": data.channel_ids[c], "y": vals.astype(float)}
        if data.timestamps is not None:
            frame["ds"] = pd.DatetimeIndex(data.timestamps[-L:])
        frames.append(pd.DataFrame(frame))
    df = pd.concat(frames, ignore_index=True)
    cols = ["unique_id", "ds", "y"] if "ds" in df else ["unique_id", "y"]
    return df[cols].fillna({"y": float(pd.Series(df["y"]).mean())})


def frame_schema(frame: pd.DataFrame) -> Any:
    """An MLflow column schema of ``frame``, each column typed by its dtype (integers as
    ``long``, floats as ``double``, dates as ``datetime``, text as ``string``; anything else
    ``Any``).

    Why not MLflow's ``infer_signature``: on the forecast's integer ``step`` column it printed
    "Hint: Inferred schema contains integer column(s) ... missing values ... will cause a schema
    enforcement error" on every registration, of an output column that is never missing and
    never enforced (and of inputs that :func:`history_schema` types ``Any`` anyway)."""
    from mlflow.types.schema import AnyType, ColSpec, DataType, Schema

    def dtype_of(values: pd.Series) -> Any:
        kind = values.dtype
        if pd.api.types.is_bool_dtype(kind):
            return DataType.boolean
        if pd.api.types.is_integer_dtype(kind):
            return DataType.long
        if pd.api.types.is_float_dtype(kind):
            return DataType.double
        if pd.api.types.is_datetime64_any_dtype(kind):
            return DataType.datetime
        if pd.api.types.is_string_dtype(kind) and values.map(lambda v: isinstance(v, str)).all():
            return DataType.string
        return AnyType()

    return Schema([ColSpec(dtype_of(frame[c]), str(c)) for c in frame.columns])


def history_schema(inferred: Any) -> Any:
    """The pyfunc's input schema: the history columns by name, their values checked by tsforge.

    Why not the types MLflow infers from the example (string ids, datetime ``ds``, double ``y``,
    every column required): MLflow enforces them before :meth:`TsforgePyfunc.predict` runs, so
    the pyfunc refused what the CLI, the Python API and the service forecast — a history
    without ``ds`` (documented as optional), an integer step index as ``ds``, integer ids and
    integer values (counts read from a CSV) — with a dump of the frame instead of a message
    naming the column. Each column is typed ``Any`` and optional (MLflow refused a history
    without ``unique_id`` or ``y`` with the frame's dump too: :func:`refuse_other_columns` names
    them instead), so the one history reader
    (:func:`tsforge.data.history.histories_from_frame`) checks them, as behind every other door.
    A long history also declares the optional coordinate columns (:data:`COORD_COLUMNS`): MLflow
    drops undeclared columns before :meth:`TsforgePyfunc.predict` runs, and a new station's
    coordinates could then not reach a model that asks for them.
    """
    from mlflow.types.schema import AnyType, ColSpec, Schema

    if inferred is None:
        return None
    columns = [ColSpec(AnyType(), col.name, required=False) if col.name else col for col in inferred.inputs]
    named = {col.name for col in columns}
    # a station's coordinates (optional): MLflow drops the columns its signature does not declare
    stations = [ColSpec(AnyType(), c, required=False) for c in COORD_COLUMNS if c not in named]
    return Schema(columns + stations if "unique_id" in named else columns)


def log_predictor_model(
    bundle_dir: str | Path, predictor: Any, input_example: pd.DataFrame, name: str = "model"
):
    """Log the bundle as a pyfunc with signature + input example; returns MLflow's ModelInfo."""
    from mlflow.models import ModelSignature
    from mlflow.types.schema import ParamSchema, ParamSpec

    output = TsforgePyfunc.__new__(TsforgePyfunc)
    output.predictor = predictor
    out_example = output.predict(None, input_example, {"horizon": predictor.max_horizon})
    signature = ModelSignature(
        inputs=history_schema(frame_schema(input_example)), outputs=frame_schema(out_example)
    )
    # level / quantiles default to empty lists (= point forecasts only), time_format to None
    # (= infer the dates' format): MLflow drops params its signature does not declare, and fills
    # declared ones with their defaults
    signature.params = ParamSchema(
        [
            ParamSpec("horizon", "long", int(predictor.max_horizon)),
            ParamSpec("level", "double", [], (-1,)),
            ParamSpec("quantiles", "double", [], (-1,)),
            ParamSpec("time_format", "string", None),
        ]
    )
    import torch

    return mlflow.pyfunc.log_model(
        name=name,
        python_model=str(Path(__file__).with_name("pyfunc_model.py")),
        artifacts={"bundle": str(bundle_dir)},
        signature=signature,
        input_example=input_example,
        pip_requirements=[f"torch=={torch.__version__.split('+')[0]}", "tsforge"],
    )
