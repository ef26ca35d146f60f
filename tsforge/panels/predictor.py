"""Forecast a panel model from histories alone: the CLI, the MLflow pyfunc and the service use it.

Two kinds of panel model share one predictor:

* **local** (statsforecast's ETS, Theta, ARIMA, ...): nothing is learned across series, so the
  saved model is its name and season; every request **refits** the model on each history it
  is given (the statsforecast fit is milliseconds for a short series, and a history that moved
  on since training is used whole, which is what a local model should do);
* **global** (DLinear, LightGBM, ... trained on windows of every series): the trained weights are
  saved and each history is left-padded / instance-normalised exactly as in training.

Any series id works (no per-series state), and a history shorter than the model's input is
padded rather than refused.
"""

from __future__ import annotations

import json
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from tsforge.data.calendar_grid import on_grid
from tsforge.data.frequency import check_sampling, infer_freq, nominal_step_days
from tsforge.data.history import SeriesInput
from tsforge.data.panel import Panel
from tsforge.data.panel_checks import filled_value_words
from tsforge.data.scaling import StandardScaler
from tsforge.errors import ConfigError, DataValidationError, ModelNotFoundError, TsforgeWarning, model_note
from tsforge.inference import (
    FramePredictor,
    IntervalRequest,
    Predictor,
    SeriesForecast,
    attach_bounds,
    floor_points,
    sorted_quantiles,
)
from tsforge.models.base import QuantileForecaster
from tsforge.models.persistence import load_model, save_model
from tsforge.models.statistical import LocalOptions, local_options
from tsforge.panels.conformal import ConformalCalibration, floor_quantiles
from tsforge.panels.global_models import GlobalPanelModel
from tsforge.panels.local import LOCAL_MODELS, forecast_local, named_series, warn_fallbacks

__all__ = ["PanelPredictor", "load_predictor_dir", "panel_forecasts", "PANEL_BUNDLE_KIND", "INTERVAL_METHODS"]

PANEL_BUNDLE_KIND = "panel"
_META = "model.json"
#: ``auto``: conformal when the model was calibrated, else the model's native intervals.
INTERVAL_METHODS = ("auto", "conformal", "native")


class PanelPredictor(FramePredictor):
    """A local or global panel model behind the predictor interface (``predict_series``/``predict_frame``)."""

    def __init__(
        self,
        model: str,
        horizon: int,
        *,
        freq: str | None,
        season_length: int,
        global_model: GlobalPanelModel | None = None,
        meta: dict[str, Any] | None = None,
        calibration: ConformalCalibration | None = None,
        interval_method: str = "auto",
        local_options: LocalOptions | None = None,
        floor: float | None = None,
    ) -> None:
        if global_model is None and model not in LOCAL_MODELS:
            raise ConfigError(f"{model!r} is not a local model and no trained global model was given")
        if local_options is not None and global_model is not None:
            raise ConfigError(
                "local_options apply to a local model, not to a global one", field="local_options"
            )
        if interval_method not in INTERVAL_METHODS:
            raise ConfigError(
                f"interval_method must be one of {INTERVAL_METHODS}, got {interval_method!r}",
                field="interval_method",
            )
        self.model = model
        self.horizon = int(horizon)
        self.freq_ = freq
        self.season_length = int(season_length)
        self.global_model = global_model
        self.meta = meta or {}
        self.calibration = calibration
        self.method = interval_method
        #: the user's season length / history cap for a local model (None: its defaults)
        self.local_options = local_options
        #: the non-negative floor of a model served without a calibration (native intervals):
        #: the calibration's own floor where there is one (None: no floor, as in bundles saved
        #: before it was stored)
        self.floor = None if floor is None else float(floor)

    # -- the predictor interface --------------------------------------------------------------
    @property
    def model_name(self) -> str:
        return self.model

    @property
    def kind(self) -> str:
        return "local" if self.global_model is None else "global"

    @property
    def input_len(self) -> int:
        """Values the model reads (a global model's window; shorter histories are padded)."""
        return 1 if self.global_model is None else self.global_model.input_len

    @property
    def max_horizon(self) -> int:
        return self.horizon

    @property
    def filled_span(self) -> int | None:
        """A local model refits on the whole history; a global one reads its input window."""
        return None if self.global_model is None else self.global_model.input_len

    def filled_words(self) -> tuple[str, str] | None:
        return filled_value_words(self.model, local=self.global_model is None, training=False)

    @property
    def known_ids(self) -> tuple[str, ...]:
        return ()

    @property
    def freq(self) -> str | None:
        return self.freq_

    @property
    def has_native_intervals(self) -> bool:
        """Whether the model itself gives intervals (statsforecast's ETS, ARIMA, Theta, ...; a
        global LightGBM trained with ``quantiles``)."""
        if self.global_model is None:
            return LOCAL_MODELS[self.model].supports_level
        return bool(self._trained_quantiles())

    def _trained_quantiles(self) -> tuple[float, ...]:
        forecaster = self.global_model.forecaster if self.global_model is not None else None
        if forecaster is None or not hasattr(forecaster, "predict_quantiles"):
            return ()
        return tuple(getattr(forecaster.config, "quantiles", ()) or ())

    @property
    def point_floor(self) -> float | None:
        """The floor this model stops a non-negative series' point forecast and bounds at: its
        calibration's, else the one stored with it (see :meth:`_floored`).

        Why both: the floor of non-negative data used to live in the calibration alone, so the
        same model trained with ``--interval-method native`` forecast a falling sales series
        below 0 where its conformal version stopped at 0, and the two versions' scores were of
        different points."""
        return self.calibration.floor if self.calibration is not None else self.floor

    @property
    def interval_method(self) -> str | None:
        """``conformal``, ``native`` or None (no intervals), after resolving ``auto``."""
        if self.method == "conformal" or (self.method == "auto" and self.calibration is not None):
            return "conformal" if self.calibration is not None else None
        return "native" if self.has_native_intervals else None

    def _forecast(
        self, series: Sequence[SeriesInput], h: int, request: IntervalRequest
    ) -> list[SeriesForecast]:
        """Forecast ``h`` steps after each history; with a ``request`` also bounds, conformal or
        native (see :attr:`interval_method`)."""
        panel = self.histories(series)
        method = self.interval_method if request else None
        if request and method is None:
            raise ConfigError(
                f"model {self.model!r} has neither a stored interval calibration nor native intervals",
                field="level" if request.levels else "quantiles",
            )
        native = None
        if self.global_model is None:
            levels = request.native_levels if method == "native" else None
            options = {self.model: self.local_options} if self.local_options is not None else None
            frame = forecast_local(
                panel, [self.model], h, n_jobs=1, level=levels, progress=self.progress, options=options
            )
            values = frame[self.model].to_numpy(dtype=np.float64).reshape(len(panel), h)
            season = (self.local_options or LocalOptions()).season(panel.season_length)
            warn_fallbacks(frame, self.model, len(panel), season=season, stage="forecast")
            if method == "native":
                # bands that excluded their forecast (AutoTheta's simulated paths) were widened to
                # contain it where the local model met the series (forecast_local)
                native = native_quantiles(frame, self.model, request, len(panel), h)
        else:
            values, held = self.global_model.predict_next_held(panel, h)
            self._note_constant_inputs(panel, held, self.global_model.input_len)
            if method == "native":
                native = self._global_native_quantiles(panel, h, request)
        out = panel_forecasts(panel, values, h)
        histories = [panel.series(i) for i in range(len(panel))]
        if native is not None:  # the same floor as conformal bounds: a stored non-negative training panel
            out = attach_bounds(out, floor_quantiles(native, self.point_floor, histories), request)
        else:
            out = self._calibrated_bounds(out, histories, request)
        return self._floored(out, histories)

    def _note_constant_inputs(self, panel: Panel, held: np.ndarray, input_len: int) -> None:
        """The note of :func:`constant_input_words` for the series ``held`` (their last
        ``input_len`` values forecast at their constant), said as a model note
        (:func:`~tsforge.errors.model_note`): a routed ensemble whose members forecast the same
        window at its constant says it once, naming them."""
        if not held.any():
            return

        def say(names: Sequence[str]) -> None:
            warnings.warn(constant_input_words(panel, held, input_len, names), TsforgeWarning, stacklevel=4)

        model_note(self.model, constant_input_words(panel, held, input_len, ["\0"]), say)

    def _floored(
        self, forecasts: list[SeriesForecast], histories: Sequence[np.ndarray]
    ) -> list[SeriesForecast]:
        """``forecasts`` with the point (and bounds) of each non-negative history stopped at the
        floor stored with a model that has no calibration (in place; returned).

        Why here: a calibrated model's floor is applied by :meth:`predict_series` from its
        calibration, for every predictor alike; the stored floor is this predictor's own.
        Clipping the point and every bound at one floor keeps the point inside its interval and
        the quantiles in order (``max(·, 0)`` is monotone)."""
        if self.calibration is not None or self.floor is None:
            return forecasts
        return list(floor_points(forecasts, histories, self.floor))

    def _global_native_quantiles(self, panel: Panel, h: int, request: IntervalRequest) -> np.ndarray:
        """``[n, h, P]`` from the global model's quantile heads, linearly interpolated between
        the trained quantiles (a probability outside them is refused: that would extrapolate)."""
        gm = self.global_model
        # called for native intervals of a global model only, which need its quantile heads
        assert gm is not None and isinstance(gm.forecaster, QuantileForecaster)
        trained = np.asarray(self._trained_quantiles())
        probs = request.probs
        if probs.min() < trained.min() - 1e-9 or probs.max() > trained.max() + 1e-9:
            raise ConfigError(
                f"model {self.model!r} was trained for the quantiles {trained.tolist()}; the levels and "
                f"quantiles asked for need {probs.tolist()} — ask for levels or quantiles inside that "
                "range, or use conformal intervals",
                field="level" if request.levels else "quantiles",
            )
        windows = gm.future_windows(panel)
        batch, loc, scale, _ = windows.batch_with_units(np.arange(len(windows)))  # float64 loc, as the point
        q = gm.forecaster.predict_quantiles(batch)[:, :h, 0, :].double().numpy()  # [n, h, T], window units
        q = q * scale.reshape(-1, 1, 1) + loc.reshape(-1, 1, 1)
        if trained.size == 1:
            return np.repeat(q, probs.size, axis=-1)
        hi = np.clip(np.searchsorted(trained, probs), 1, trained.size - 1)
        lo = hi - 1
        w = np.clip((probs - trained[lo]) / (trained[hi] - trained[lo]), 0.0, 1.0)
        return sorted_quantiles(q[..., lo] + w * (q[..., hi] - q[..., lo]))

    def histories(self, series: Sequence[SeriesInput]) -> Panel:
        """Histories → a panel (each keeps its own start); leading/trailing gaps are trimmed.

        Public so that a model built on panel models (the routed ensemble) sees a request's
        histories exactly as its members do.
        """
        arrays, starts, stamps = [], [], []
        dated = all(s.timestamps is not None for s in series)
        freq = self.freq
        for i, s in enumerate(series):
            values = np.asarray(s.values, dtype=np.float64).ravel()
            observed = np.flatnonzero(np.isfinite(values))
            if observed.size == 0:
                raise DataValidationError(
                    f"series {s.id!r} has no observed value", field=f"series[{i}].values"
                )
            lo, hi = int(observed[0]), int(observed[-1]) + 1
            arrays.append(values[lo:hi])
            if dated:
                ts = np.asarray(s.timestamps).astype("datetime64[ns]")
                if ts.shape != values.shape:
                    raise DataValidationError(
                        f"series {s.id!r} has {ts.size} timestamps for {values.size} values",
                        field=f"series[{i}].timestamps",
                    )
                starts.append(ts[lo])
                stamps.append(ts)
                self._check_sampling(s.id, i, ts)
                if freq is None and ts.size >= 3:
                    freq = infer_freq(ts)
        if dated and freq is not None and self.freq is not None:
            freq = self._own_anchor(freq, np.asarray(starts, dtype="datetime64[ns]"), stamps)
        return Panel.from_arrays(
            arrays,
            ids=[str(s.id) for s in series],
            starts=np.asarray(starts, dtype="datetime64[ns]") if dated else None,
            freq=freq,
            season_length=self.season_length,
            name="request",
        )

    def _check_sampling(self, sid: Any, i: int, ts: np.ndarray) -> None:
        """Refuse a series sampled at another rate than the model's (daily data for a weekly
        model): it used to fail as "starts at 2020-01-01, not on the W-SUN grid", naming a grid
        instead of the mismatch."""
        if self.freq is not None:
            check_sampling(ts, self.freq, sid=sid, model=self.model, field=f"series[{i}].timestamps")

    @staticmethod
    def _own_anchor(freq: str, starts: np.ndarray, stamps: list[np.ndarray]) -> str:
        """The model's rate on the series' own anchor when they are off its grid (W-MON series
        for a W-SUN model, month ends for a month-start one), so each continues on its dates."""
        off = np.flatnonzero(~on_grid(starts, freq))
        if off.size == 0:
            return freq
        own = {infer_freq(stamps[j]) for j in off if stamps[j].size >= 3}
        if len(own) == 1 and off.size == len(stamps):
            return own.pop() or freq
        return "7D" if nominal_step_days(freq) == 7.0 else freq  # weekly on several weekdays

    # -- persistence ----------------------------------------------------------------------------
    def save(self, path: str | Path) -> Path:
        """Write the bundle: ``model.json`` (+ the global model's weights)."""
        path = Path(path)
        info = {
            "kind": PANEL_BUNDLE_KIND,
            "panel_model": self.model,
            "model_kind": self.kind,
            "horizon": self.horizon,
            "freq": self.freq,
            "season_length": self.season_length,
            **({"scaling": self.global_model.scaling} if self.global_model is not None else {}),
            **(
                {"zero_unit": self.global_model.zero_unit}
                if self.global_model is not None and self.global_model.zero_unit is not None
                else {}
            ),
            **({"local_options": self.local_options.as_dict()} if self.local_options is not None else {}),
            **({"floor": self.floor} if self.floor is not None else {}),
            **self.meta,
        }
        if self.global_model is None:
            path.mkdir(parents=True, exist_ok=True)
            (path / _META).write_text(json.dumps({"format": 1, "model": self.model, "extra": info}, indent=2))
        else:
            identity = StandardScaler(mean=np.zeros(1), std=np.ones(1))
            path = save_model(self.global_model.forecaster, identity, path, extra=info)
        if self.calibration is not None:
            self.calibration.save(path)
        return path

    @classmethod
    def from_dir(cls, path: str | Path) -> PanelPredictor:
        path = Path(path)
        meta = _read_meta(path)
        info = dict(meta.get("extra", {}))
        global_model = None
        if info.get("model_kind") == "global":
            forecaster, _, _ = load_model(path)
            ctx = forecaster.context
            unit = info.pop("zero_unit", None)  # bundles saved before it was kept: none
            global_model = GlobalPanelModel(
                forecaster,
                ctx.input_len,
                ctx.horizon,
                info.pop("scaling", "std"),
                zero_unit=None if unit is None else float(unit),
            )
        model = info.pop("panel_model")
        options = info.pop("local_options", None)
        floor = info.pop("floor", None)  # bundles saved before it was kept: no floor, as they served
        return cls(
            model,
            int(info.pop("horizon")),
            freq=info.pop("freq", None),
            season_length=int(info.pop("season_length", 1)),
            global_model=global_model,
            meta={k: v for k, v in info.items() if k not in ("kind", "model_kind")},
            calibration=ConformalCalibration.load(path),
            local_options=None if options is None else local_options(model, options),
            floor=None if floor is None else float(floor),
        )


def constant_input_words(panel: Panel, held: np.ndarray, input_len: int, names: Sequence[str]) -> str:
    """One sentence naming the series ``held`` (a mask over ``panel``, from
    :meth:`GlobalPanelModel.predict_next_held`) whose last ``input_len`` values the models
    ``names`` forecast at their constant, a few by name (several models: "dlinear and nlinear
    forecast it").

    Why: a flat line from a network reads like a model that learnt nothing; the note says it is
    the rule (a window without change has nothing for the model to scale), not a failed fit."""
    k = int(held.sum())
    one = k == 1
    who = names[0] if len(names) == 1 else ", ".join(names[:-1]) + f" and {names[-1]}"
    verb = "forecasts" if len(names) == 1 else "forecast"
    return (
        f"the input window{'' if one else 's'} of {k} of {len(panel)} series ({'its' if one else 'their'} "
        f"last {input_len} values) {'is' if one else 'are each'} one constant value"
        f"{named_series(list(panel.ids[held]), k)}; {who} {verb} {'it' if one else 'them'} at that "
        "value (a window without change gives the model nothing to scale)"
    )


def panel_forecasts(panel: Panel, values: np.ndarray, h: int) -> list[SeriesForecast]:
    """One forecast per series of ``panel`` (the request's histories): ``values[i]`` (``[n, h]``)
    with the ``h`` steps after series ``i``'s last time, or no timestamps for an undated panel."""
    n = len(panel)
    stamps = None
    if panel.is_datetime:  # one vectorised placement for every series, not one per series
        rows = np.repeat(np.arange(n), h)
        stamps = panel.times_at(rows, panel.lengths[rows] + np.tile(np.arange(h), n)).reshape(n, h)
    return [
        SeriesForecast(str(sid), values[i], None if stamps is None else stamps[i])
        for i, sid in enumerate(panel.ids)
    ]


def _read_meta(path: Path) -> dict[str, Any]:
    meta_file = path / _META
    if not meta_file.is_file():
        raise ModelNotFoundError(f"no tsforge model at {path} ({_META} missing)", file=str(path))
    return json.loads(meta_file.read_text())


#: Bundle kinds served by predictors of higher layers, as ``"module:Class"`` (imported by name so
#: that this layer never imports them): ``routed`` = the per-series routed ensemble.
EXTERNAL_BUNDLE_KINDS = {"routed": "recommender.routed:RoutedPredictor"}


def load_predictor_dir(path: str | Path) -> FramePredictor:
    """A saved model bundle → the predictor that serves it (panel bundles, routed ensembles or
    window models)."""
    meta = _read_meta(Path(path))
    kind = meta.get("extra", {}).get("kind")
    if kind == PANEL_BUNDLE_KIND:
        return PanelPredictor.from_dir(path)
    if kind in EXTERNAL_BUNDLE_KINDS:
        import importlib

        module, _, cls = EXTERNAL_BUNDLE_KINDS[kind].partition(":")
        return getattr(importlib.import_module(module), cls).from_dir(path)
    predictor = Predictor.from_dir(path)
    predictor.calibration = ConformalCalibration.load(path)
    return predictor


def native_quantiles(frame: Any, model: str, request: IntervalRequest, n: int, h: int) -> np.ndarray:
    """``[n, h, P]`` quantiles at ``request.probs`` from statsforecast's interval columns
    (``<model>-lo-<l>`` / ``-hi-<l>``; the median of its symmetric intervals is the point)."""
    probs = request.probs
    out = np.empty((n, h, probs.size))
    for k, p in enumerate(probs):
        if p == 0.5:
            col = model
        else:
            lv = round(abs(1.0 - 2.0 * p) * 100.0, 10)
            col = f"{model}-{'lo' if p < 0.5 else 'hi'}-{int(lv) if float(lv).is_integer() else lv}"
        out[:, :, k] = frame[col].to_numpy(dtype=np.float64).reshape(n, h)
    return sorted_quantiles(out)
