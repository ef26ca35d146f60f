"""Global models on panels: one DLinear / NLinear / STPE-MLP / HUTFormer / LightGBM for all series.

A global model learns from windows of every series at once (see :mod:`tsforge.panels.windows`
for padding and instance normalisation) through the one fit path
(:func:`tsforge.training.fitting.fit_model`); its forecasts come back in each series' own
units. Protocol of :func:`fit_global`: the last ``horizon`` values of every series given are the
validation window (early stopping), everything before feeds training windows. To score a
holdout, call it on the panel with its test window cut off and forecast from the same history
(:func:`tsforge.panels.evaluation.holdout_forecasts` does this).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import torch

from tsforge.data.panel import Panel
from tsforge.errors import ConfigError
from tsforge.models.base import Forecaster, ModelContext
from tsforge.models.registry import ModelSpec, get_model_spec
from tsforge.models.statistical import LOCAL_MODELS
from tsforge.panels.windows import SCALINGS, PanelWindows
from tsforge.training.callbacks import Callback
from tsforge.training.fitting import check_model_config, fit_model
from tsforge.training.spec import DEFAULT_SEED, TrainingSpec

__all__ = [
    "PanelTask",
    "GlobalPanelModel",
    "RefitGlobalModel",
    "check_global_config",
    "check_global_model",
    "default_input_len",
    "fit_global",
    "PANEL_TRAIN_DEFAULTS",
]

#: Training defaults on panels (overridable), chosen on six dev collections (M1 yearly,
#: quarterly, monthly, hospital, NN5 weekly, vehicle trips; the same choice wins on average
#: with any one of them left out): many short windows, so larger batches and a cap on batches
#: per epoch keep an epoch short on a CPU; MAE loss, because the panel protocol scores MASE
#: (an MAE) and heavy-tailed scaled targets of short series swamp an MSE; a constant learning
#: rate, because the LTSF recipe's per-epoch halving stops learning after a few short epochs.
PANEL_TRAIN_DEFAULTS: dict[str, Any] = {
    "batch_size": 256,
    "max_batches_per_epoch": 200,
    "max_epochs": 30,
    "patience": 5,
    "loss": "mae",
    "val_metric": "mae",
    "lr_schedule": "none",
}
#: How panel windows are scaled (see :func:`tsforge.panels.windows.window_stats`).
PANEL_SCALING = "std"
#: Model options that make neural models series-agnostic on panels: no per-channel tables (a
#: panel's series are not fixed channels) and no calendar tables (series have their own dates).
_PANEL_MODEL_OPTIONS: dict[str, dict[str, Any]] = {
    "stpe_mlp": {"spatial": "none"},
    "hutformer": {"spatial": "none", "calendar_terms": ""},
}


def default_input_len(horizon: int, season_length: int) -> int:
    """Two horizons, or two seasons when those are longer (capped at four horizons)."""
    return int(max(2 * horizon, min(2 * season_length, 4 * horizon)))


@dataclass(frozen=True)
class PanelTask:
    """Windows of a panel for one (input length, horizon): the last ``horizon`` values of each
    series validate, the values before them train.

    Attributes:
        max_windows_per_series: training windows per series, spread evenly over its history
            (bounds an epoch on long series; short series contribute all they have).
    """

    panel: Panel
    input_len: int
    horizon: int
    max_windows_per_series: int = 64
    scaling: str = "std"
    #: unit of windows with only zeros before them (see :attr:`PanelWindows.panel_unit`); None:
    #: this panel's own (training); a trained model's when it forecasts
    zero_unit: float | None = None

    def context(self) -> ModelContext:
        return ModelContext(
            input_len=self.input_len,
            horizon=self.horizon,
            channel_ids=("y",),
            freq=self.panel.freq,
            season_length=self.panel.season_length,
        )

    def dataset(self, split: str, stride: int = 1) -> PanelWindows:
        """``train``: windows whose targets end before the validation window; ``val``: one
        window per series ending at its last value; ``future``: one per series after its end."""
        lengths = self.panel.lengths
        H = self.horizon
        if split == "train":
            series, starts = _train_targets(lengths - H, H, self.max_windows_per_series, max(1, stride))
        elif split == "val":
            series = np.flatnonzero(lengths - H >= 1)
            starts = lengths[series] - H
        elif split == "future":
            series, starts = np.arange(len(lengths)), lengths.copy()
        else:
            raise ConfigError(f"unknown panel split {split!r}; use train, val or future", field="split")
        return PanelWindows(
            self.panel.values,
            self.panel.indptr,
            series,
            starts,
            self.input_len,
            H,
            self.scaling,
            zero_unit=self.zero_unit,
        )


def _train_targets(
    usable: np.ndarray, horizon: int, max_per_series: int, stride: int
) -> tuple[np.ndarray, np.ndarray]:
    """Target starts ``1 .. usable - horizon`` of every series (at least one input value before),
    thinned evenly to ``max_per_series`` per series. Vectorised over series."""
    count = np.maximum(usable - horizon, 0)  # number of valid starts: 1..count
    take = np.minimum(np.ceil(count / stride).astype(np.int64), max_per_series)
    series = np.repeat(np.arange(len(usable)), take)
    # the k-th of ``take`` picks of a series: evenly spaced from its latest start backwards
    first = np.cumsum(take) - take
    k = np.arange(series.size) - np.repeat(first, take)
    span = np.repeat(count, take)
    n = np.repeat(take, take)
    step = np.where(n > 1, (span - 1) / np.maximum(n - 1, 1), 0.0)
    starts = span - np.floor(k * step).astype(np.int64)
    return series, starts


@dataclass
class GlobalPanelModel:
    """A fitted global model and the window shape it forecasts with.

    ``zero_unit``: the unit a window with only zeros before it is scaled by — the training
    panel's (:attr:`PanelWindows.panel_unit`), kept so a series of zeros is forecast the same
    whatever other series a request holds; None (a bundle saved before it was kept): the unit
    of the panel being forecast, as before.
    """

    forecaster: Forecaster
    input_len: int
    horizon: int
    scaling: str = "std"
    zero_unit: float | None = None

    @property
    def name(self) -> str:
        return self.forecaster.name

    def predict_next(self, history: Panel, h: int | None = None) -> np.ndarray:
        """``[len(history), h]`` forecasts continuing every series of ``history`` (original units)."""
        return self.predict_next_held(history, h)[0]

    def predict_next_held(self, history: Panel, h: int | None = None) -> tuple[np.ndarray, np.ndarray]:
        """:meth:`predict_next` and ``[len(history)]`` True where a series' input window is one
        nonzero constant, forecast at that constant (:func:`~tsforge.panels.windows.constant_windows`):
        what a forecast's note names. Why together: telling them apart after the forecast built
        every series' window a second time, all at once, on the path of every global forecast."""
        h = self.horizon if h is None else int(h)
        values, held = self._forecast_held(self.future_windows(history))
        return values[:, :h], held

    def future_windows(self, history: Panel) -> PanelWindows:
        """One window per series of ``history``, after its end, scaled as in training."""
        task = PanelTask(
            history, self.input_len, self.horizon, scaling=self.scaling, zero_unit=self.zero_unit
        )
        return task.dataset("future")

    def forecast_windows(self, windows: PanelWindows, batch_size: int = 1024) -> np.ndarray:
        """``[W, H]`` forecasts in original units for every window of ``windows``; a nonzero
        constant window is forecast at its constant (:meth:`PanelWindows.batch_with_units`)."""
        return self._forecast_held(windows, batch_size)[0]

    @torch.no_grad()
    def _forecast_held(self, windows: PanelWindows, batch_size: int = 1024) -> tuple[np.ndarray, np.ndarray]:
        """:meth:`forecast_windows` and ``[W]`` which windows were held at their constant."""
        out = np.empty((len(windows), windows.horizon), dtype=np.float64)
        held = np.zeros(len(windows), dtype=bool)
        for lo in range(0, len(windows), batch_size):
            idx = np.arange(lo, min(lo + batch_size, len(windows)))
            batch, loc, scale, held[idx] = windows.batch_with_units(idx)  # float64 loc: float32 rounds
            pred = self.forecaster.predict(batch)[:, : windows.horizon, 0].double().numpy()
            out[idx] = pred * scale[:, None] + loc[:, None]
        return out, held

    def forecast(self, history: Panel, h: int | None = None) -> pd.DataFrame:
        """Forecast ``h`` (≤ the trained horizon) steps after the end of every series of
        ``history``: a long frame ``unique_id, ds, <model>`` in each series' units."""
        h = self.horizon if h is None else int(h)
        if not 1 <= h <= self.horizon:
            raise ConfigError(
                f"horizon {h} must be between 1 and the model's {self.horizon}", field="horizon"
            )
        values = self.predict_next(history, h)
        n = len(history)
        series = np.repeat(np.arange(n), h)
        steps = history.lengths[series] + np.tile(np.arange(h), n)
        return pd.DataFrame(
            {
                "unique_id": history.ids[series],
                "ds": history.times_at(series, steps),
                self.name: values.ravel(),
            }
        )


def check_global_model(model: str) -> ModelSpec:
    """``model``'s registry entry when it can be trained as a global model on a panel; a
    :class:`ConfigError` naming what to use instead when it cannot (a window baseline, the
    multichannel ensemble, an unknown name).

    Why a function of its own: :func:`train_panel` asks it before it opens an MLflow run, so a
    typo such as ``--model mean`` is a one-line error, not a FAILED run in the store.
    """
    spec_entry = get_model_spec(model)
    if spec_entry.kind == "baseline":
        # naive / seasonal_naive exist as local models (train_panel routes them there); the
        # window mean has no panel version, so "use it as a local model" would send the user to
        # a model no panel command accepts: name the ones that do exist instead
        if spec_entry.name in LOCAL_MODELS:
            hint = f"use it as a local model ({spec_entry.name!r} is fitted per series)"
        else:
            hint = (
                "it has no panel version; on a panel use the local baselines 'naive' or "
                "'seasonal_naive' (fitted per series)"
            )
        raise ConfigError(f"{model!r} is a window baseline, not a global model: {hint}", field="model")
    if spec_entry.kind == "ensemble":
        raise ConfigError(
            f"{model!r} averages window models of one multichannel series; for a panel, the ensemble "
            "is the routed one: tsforge recommend DATA --per-series --train",
            field="model",
        )
    return spec_entry


def _global_fit_setup(
    panel: Panel,
    model: str,
    horizon: int,
    input_len: int | None,
    seed: int,
    model_config: Mapping[str, Any] | None,
    train_config: Mapping[str, Any] | None,
    max_windows_per_series: int = 64,
    scaling: str | None = None,
) -> tuple[TrainingSpec, PanelTask]:
    """The training spec and windows :func:`fit_global` trains on (the panel's own option
    defaults under the user's)."""
    spec_entry = check_global_model(model)
    if scaling is not None and scaling not in SCALINGS:  # any other word was read as "std"
        raise ConfigError(f"scaling must be one of {list(SCALINGS)}, got {scaling!r}", field="scaling")
    L = int(input_len or default_input_len(horizon, panel.season_length))
    task = PanelTask(panel, L, int(horizon), max_windows_per_series, scaling or PANEL_SCALING)
    options = {**_PANEL_MODEL_OPTIONS.get(spec_entry.name, {}), **dict(model_config or {})}
    spec = TrainingSpec(
        spec_entry.name,
        data=panel.name,
        model_config=options,
        input_len=L,
        horizon=int(horizon),
        split="holdout",
        seed=seed,
        train_config={**PANEL_TRAIN_DEFAULTS, **dict(train_config or {})},
    )
    return spec, task


def check_global_config(
    panel: Panel,
    model: str,
    horizon: int,
    *,
    input_len: int | None = None,
    seed: int = DEFAULT_SEED,
    model_config: Mapping[str, Any] | None = None,
    train_config: Mapping[str, Any] | None = None,
) -> None:
    """Refuse the model options :func:`fit_global` would fail on (unknown names, bad values,
    a network that does not fit the input length) without training.

    Why: :func:`~tsforge.pipeline.panel.train_panel` asks before it opens an MLflow run, so
    ``--option kernel_size=-3`` is a one-line error, not a FAILED run in the store.
    """
    spec, task = _global_fit_setup(panel, model, horizon, input_len, seed, model_config, train_config)
    check_model_config(spec, task.context())


def fit_global(
    panel: Panel,
    model: str,
    horizon: int,
    *,
    input_len: int | None = None,
    seed: int = DEFAULT_SEED,
    model_config: Mapping[str, Any] | None = None,
    train_config: Mapping[str, Any] | None = None,
    max_windows_per_series: int = 64,
    scaling: str | None = None,
    progress: bool = False,
    callbacks: Sequence[Callback] = (),
) -> tuple[GlobalPanelModel, Any]:
    """Train ``model`` on windows of every series of ``panel`` (validation = each series' last
    ``horizon`` values). Returns the model and the fit report. ``callbacks`` observe the training
    loop (a tracked run's per-epoch curves), as in :func:`~tsforge.training.fitting.fit_model`."""
    spec, task = _global_fit_setup(
        panel, model, horizon, input_len, seed, model_config, train_config, max_windows_per_series, scaling
    )
    train_windows = task.dataset("train")
    if len(train_windows) == 0:
        raise ConfigError(
            f"no series of {panel.name!r} is long enough for a training window with horizon {horizon} "
            "(each needs more than 2 × horizon values)",
            field="horizon",
        )
    fitted = fit_model(spec, task, progress=progress, context=task.context(), callbacks=callbacks)
    # the unit its zero windows were trained with, kept for forecasting (see GlobalPanelModel)
    unit = train_windows.panel_unit
    trained = GlobalPanelModel(fitted.forecaster, task.input_len, int(horizon), task.scaling, zero_unit=unit)
    return trained, fitted.report


@dataclass
class RefitGlobalModel:
    """A global model as a cross-validation participant: refit on each window's training panel.

    Follows :class:`tsforge.panels.cv.PanelForecaster`, so ``cross_validation`` treats global
    and local models alike (each window's model sees only values before its cutoff).
    """

    name: str
    input_len: int | None = None
    seed: int = DEFAULT_SEED
    model_config: Mapping[str, Any] | None = None
    train_config: Mapping[str, Any] | None = None

    def forecast(self, train: Panel, h: int) -> np.ndarray:
        fitted, _ = fit_global(
            train, self.name, h, input_len=self.input_len, seed=self.seed,
            model_config=self.model_config, train_config=self.train_config,
        )  # fmt: skip
        return fitted.predict_next(train, h)
