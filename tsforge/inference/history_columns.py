"""What :meth:`~tsforge.inference.predictor.FramePredictor.predict_frame` says of, and keeps from,
the columns of a long history frame it was given: notes on the columns it reads past or reads
other than as written, and the forecast's series ids in the caller's own type.

Why a module: the reader (:func:`tsforge.data.history.histories_from_frame`) reads every door's
histories as text ids and float values, which is right for the forecast itself; what a Python
caller handed in (an integer id column, a ``price`` column beside ``y``) is known only at the
frame's door, so it is said and restored there. (A ``y`` of true/false is said by the reader
itself, at every door.)
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from tsforge.data.panel_sources import note_unused_columns

__all__ = ["note_history_columns", "ids_as_given"]


def note_history_columns(frame: Any, id_col: str, time_col: str, target_col: str, where: str) -> None:
    """Warn once about the columns of the long history ``frame`` besides the id, time and target
    columns (:func:`~tsforge.data.panel_sources.note_unused_columns`, the training reader's note).
    A target of true/false values is said by the reader itself, at every door
    (:func:`~tsforge.data.validation.note_true_false`)."""
    columns = [str(c) for c in getattr(frame, "columns", frame)]
    note_unused_columns(columns, (id_col, time_col, target_col), where)


def ids_as_given(forecast: pd.DataFrame, frame: Any, id_col: str) -> pd.DataFrame:
    """``forecast`` with its ``id_col`` in the type of ``frame``'s id column where that holds
    integers (the forecast's ids are the reader's text, ``"1"`` for ``1``); as it is otherwise.

    Why: a caller that joins the forecast back to its own table by id found no match, its
    integer ids having come back as strings."""
    columns = [str(c) for c in getattr(frame, "columns", frame)]
    if id_col not in columns or id_col not in forecast.columns:
        return forecast
    given = frame[id_col]
    if isinstance(given, pd.Series):
        dtype = given.dtype
    elif hasattr(given, "to_numpy"):  # polars
        dtype = given.to_numpy().dtype
    else:  # a {column: values} mapping: its ids are read as text
        return forecast
    if not pd.api.types.is_integer_dtype(dtype):
        return forecast
    out = forecast.copy()
    out[id_col] = pd.to_numeric(out[id_col]).astype(dtype)
    return out
