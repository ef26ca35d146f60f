"""Forecast from a history alone: the one inference path (CLI, MLflow pyfunc, REST service).

A :class:`Predictor` holds a fitted forecaster and the scaler of its training data. Every
request is a list of series (id, values, optional timestamps / coordinates); all of them go
through the model as **one batch** (each series is a batch row with one channel — every
tsforge model forecasts channels independently, sharing weights). Known ids use the scaler of
their training channel; ids the model has not seen use statistics of their own history, and
are refused by models that need known channels unless coordinates are given.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import torch

from tsforge.data.calendar import calendar_indices
from tsforge.data.frequency import fixed_step
from tsforge.data.history import SeriesInput, histories_from_frame
from tsforge.data.scaling import StandardScaler
from tsforge.data.task import causal_fill
from tsforge.errors import ConfigError, DataValidationError
from tsforge.models.base import Forecaster

__all__ = ["SeriesInput", "SeriesForecast", "FramePredictor", "Predictor"]


@dataclass
class SeriesForecast:
    id: str
    values: np.ndarray
    timestamps: np.ndarray | None = None


class FramePredictor:
    """What every predictor offers on top of ``predict_series``: forecasts from a history frame.

    Subclasses (:class:`Predictor` for window models, the panel predictor for local and global
    panel models) implement ``predict_series``; the frame handling lives here once.
    """

    meta: dict[str, Any]

    def predict_series(
        self, series: Sequence[SeriesInput], horizon: int | None = None
    ) -> list[SeriesForecast]:
        raise NotImplementedError(f"{type(self).__name__} must implement predict_series")

    def predict_frame(
        self,
        df: Any,
        horizon: int | None = None,
        *,
        id_col: str = "unique_id",
        time_col: str = "ds",
        target_col: str = "y",
        file: str | None = None,
    ) -> pd.DataFrame:
        """History frame (pandas or polars) → long forecast frame ``unique_id, ds, step, y_hat``.

        The history is long (``unique_id, ds, y``) or wide (a time column + one column per
        series, like the training file); see :func:`tsforge.data.history.histories_from_frame`.
        ``ds`` is absent from the input (or null) when the history has no timestamps; the output
        then has ``ds`` = null and ``step`` 1..h. ``file`` only names the source in errors.
        """
        inputs = histories_from_frame(df, id_col, time_col, target_col, file=file)
        forecasts = self.predict_series(inputs, horizon)
        frames = []
        for f in forecasts:
            n = len(f.values)
            frames.append(
                pd.DataFrame(
                    {
                        id_col: f.id,
                        time_col: f.timestamps if f.timestamps is not None else pd.Series([pd.NaT] * n),
                        "step": np.arange(1, n + 1),
                        "y_hat": f.values,
                    }
                )
            )
        return pd.concat(frames, ignore_index=True)


class Predictor(FramePredictor):
    """A fitted model ready to forecast any batch of histories."""

    def __init__(
        self, forecaster: Forecaster, scaler: StandardScaler, meta: dict[str, Any] | None = None
    ) -> None:
        self.forecaster = forecaster
        self.scaler = scaler
        self.meta = meta or {}
        self._index = {cid: i for i, cid in enumerate(forecaster.context.channel_ids)}

    @classmethod
    def from_dir(cls, path: str | Path) -> Predictor:
        from tsforge.models.persistence import load_model

        forecaster, scaler, meta = load_model(path)
        return cls(forecaster, scaler, meta)

    # -- properties --------------------------------------------------------------------------
    @property
    def model_name(self) -> str:
        return self.forecaster.name

    @property
    def input_len(self) -> int:
        return self.forecaster.context.input_len

    @property
    def max_horizon(self) -> int:
        return self.forecaster.context.horizon

    @property
    def known_ids(self) -> tuple[str, ...]:
        return self.forecaster.context.channel_ids

    @property
    def freq(self) -> str | None:
        return self.forecaster.context.freq

    # -- prediction --------------------------------------------------------------------------
    def predict_series(
        self, series: Sequence[SeriesInput], horizon: int | None = None
    ) -> list[SeriesForecast]:
        """Forecast ``horizon`` steps (default: the trained horizon) for every series."""
        if not series:
            raise DataValidationError("no series to forecast", field="series")
        h = self.max_horizon if horizon is None else int(horizon)
        if h < 1 or h > self.max_horizon:
            raise ConfigError(
                f"horizon {h} is outside 1..{self.max_horizon}, the horizon this model was trained for",
                field="horizon",
            )
        L = self.input_len
        B = len(series)
        x = np.zeros((B, L, 1), dtype=np.float32)
        x_mask = np.zeros((B, L, 1), dtype=bool)
        channels = np.full((B, 1), -1, dtype=np.int64)
        mean = np.zeros(B)
        std = np.ones(B)
        use_cal = (
            self.forecaster.uses_calendar
            and bool(self.forecaster.context.calendar_terms)
            and all(s.timestamps is not None for s in series)
        )
        x_cal = np.zeros((B, L, 4), dtype=np.int64) if use_cal else None
        y_cal = np.zeros((B, self.max_horizon, 4), dtype=np.int64) if use_cal else None
        coords_dim = (
            None if self.forecaster.context.coords is None else self.forecaster.context.coords.shape[1]
        )
        coords = None
        future_ts: list[np.ndarray | None] = []
        for i, s in enumerate(series):
            field = f"series[{i}]"
            vals = np.asarray(s.values, dtype=np.float64).ravel()
            if vals.size < L:
                raise DataValidationError(
                    f"series {s.id!r} has {vals.size} values; the model needs at least {L} (its input length)",
                    field=f"{field}.values",
                )
            if np.isinf(vals).any():
                raise DataValidationError(
                    f"series {s.id!r} contains infinite values", field=f"{field}.values"
                )
            window = vals[-L:]
            observed = np.isfinite(window)
            if not observed.any():
                raise DataValidationError(
                    f"series {s.id!r} has no observed value in its last {L} steps", field=f"{field}.values"
                )
            idx = self._index.get(str(s.id), -1)
            channels[i, 0] = idx
            if idx < 0 and self.forecaster.needs_known_channels and s.coords is None:
                known = ", ".join(list(self.known_ids)[:8])
                raise DataValidationError(
                    f"unknown series id {s.id!r}: this model was trained on [{known}{', ...' if len(self.known_ids) > 8 else ''}]"
                    + (" — send its coordinates to forecast a new station" if coords_dim else ""),
                    field=f"{field}.id",
                )
            if s.coords is not None:
                c = np.asarray(s.coords, dtype=np.float64).ravel()
                if coords_dim is None or c.size != coords_dim or not np.isfinite(c).all():
                    raise DataValidationError(
                        f"coordinates of series {s.id!r} must be {coords_dim or 'not given for this model'} finite numbers",
                        field=f"{field}.coords",
                    )
                if coords is None:
                    coords = np.full((B, 1, coords_dim), np.nan)
                coords[i, 0] = c
            if idx >= 0:
                mean[i], std[i] = self.scaler.mean[idx], self.scaler.std[idx]
            else:
                hist = vals[np.isfinite(vals)]
                mean[i] = hist.mean()
                sd = hist.std()
                std[i] = sd if sd > 1e-12 else 1.0
            z = (window - mean[i]) / std[i]
            x[i, :, 0] = causal_fill(z[:, None].astype(np.float32))[:, 0]
            x_mask[i, :, 0] = observed
            future = self._future_timestamps(s, self.max_horizon if use_cal else h, field)
            future_ts.append(None if future is None else future[:h])
            if use_cal:
                ts = np.asarray(s.timestamps).astype("datetime64[ns]")[-L:]
                x_cal[i] = calendar_indices(ts)
                y_cal[i] = calendar_indices(future)
        batch: dict[str, torch.Tensor] = {
            "idx": torch.arange(B),
            "x": torch.from_numpy(x),
            "x_mask": torch.from_numpy(x_mask),
            "channels": torch.from_numpy(channels),
        }
        if use_cal:
            batch["x_cal"] = torch.from_numpy(x_cal)
            batch["y_cal"] = torch.from_numpy(y_cal)
        if coords is not None:
            batch["coords"] = torch.from_numpy(coords.astype(np.float32))
        with torch.no_grad():
            pred = self.forecaster.predict(batch).numpy()[:, :h, 0].astype(np.float64)
        pred = pred * std[:, None] + mean[:, None]
        return [SeriesForecast(str(s.id), pred[i], future_ts[i]) for i, s in enumerate(series)]

    def _future_timestamps(self, s: SeriesInput, h: int, field: str) -> np.ndarray | None:
        """The ``h`` timestamps after the history's last one (numpy arithmetic for fixed steps)."""
        if s.timestamps is None:
            return None
        ts = np.asarray(s.timestamps).astype("datetime64[ns]")
        n_values = np.asarray(s.values).size
        if ts.shape != (n_values,):
            raise DataValidationError(
                f"series {s.id!r} has {ts.size} timestamps for {n_values} values", field=f"{field}.timestamps"
            )
        freq = self.freq or (
            pd.infer_freq(pd.DatetimeIndex(ts[-min(ts.size, 50) :])) if ts.size >= 3 else None
        )
        if freq is None:
            raise DataValidationError(
                f"cannot tell the frequency of series {s.id!r} from its timestamps",
                field=f"{field}.timestamps",
            )
        step = fixed_step(freq)
        if step is not None:
            return ts[-1] + step * np.arange(1, h + 1)
        return pd.date_range(ts[-1], periods=h + 1, freq=freq)[1:].values
