"""Forecast from a history alone: the one inference path (CLI, MLflow pyfunc, REST service).

A :class:`Predictor` holds a fitted forecaster and the scaler of its training data. Every
request is a list of series (id, values, optional timestamps / coordinates); all of them go
through the model as **one batch** (each series is a batch row with one channel — every
tsforge model forecasts channels independently, sharing weights). Known ids use the scaler of
their training channel; ids the model has not seen use statistics of their own history, and
are refused by models that need known channels unless coordinates are given.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import torch

from tsforge.arguments import whole_number
from tsforge.data.calendar import calendar_indices
from tsforge.data.coordinates import UNKNOWN_STATION
from tsforge.data.file_lines import RowWhere, row_where, row_words
from tsforge.data.frequency import check_sampling, rate_words
from tsforge.data.history import (
    SeriesInput,
    guessed_history_roles,
    histories_from_frame,
    history_layout,
    observed_rows,
    with_parsed_times,
)
from tsforge.data.panel_checks import (
    HeldFilledNote,
    filled_value_words,
    inserted_steps,
    models_fill_words,
    note_filled_values,
)
from tsforge.data.scaling import StandardScaler, spread_or_level
from tsforge.data.step_grid import on_integer_grid, on_step_grid
from tsforge.data.task import causal_fill
from tsforge.data.timeaxis import next_integer_steps
from tsforge.errors import (
    ConfigError,
    DataValidationError,
    MissingCalendarWarning,
    RegularisedTimesWarning,
    TsforgeWarning,
    UnusedCoordinatesWarning,
    WordedWarning,
    model_note,
)
from tsforge.inference.forecast_range import (
    PAST_RANGE,
    calendar_dates_after,
    dates_after,
    in_request_order,
    past_range_refusal,
)
from tsforge.inference.history_columns import ids_as_given, note_history_columns
from tsforge.inference.intervals import (
    IntervalRequest,
    QuantileCalibrator,
    SeriesForecast,
    attach_bounds,
    floor_points,
    level_note,
    sorted_quantiles,
    zero_width_note,
)
from tsforge.inference.notes import (
    HistoryFile,
    calendar_advice,
    every_step_advice,
    skipped_steps_note,
    trailing_gap_note,
)
from tsforge.models.base import Forecaster


class TrimmedHistoryWarning(TsforgeWarning):
    """Histories that end with missing values were forecast from their last observed value."""


#: how to train a model again for another horizon (``{h}``): a model trained by ``tsforge train``
RETRAIN_WORDS = "tsforge train … -H {h}"


def horizon_refusal(
    h: int,
    top: int,
    *,
    calibrated: bool,
    who: str = "this model",
    field: str = "horizon",
    retrain: str = RETRAIN_WORDS,
) -> ConfigError:
    """The refusal of a horizon ``h`` outside ``1..top`` (the horizon the model was trained for):
    why the model stops there and, for a longer one, how to get it (train again with it).

    Why not only the range: ``forecast --horizon 24`` of a local model trained with ``-H 12``
    said "outside 1..12, the horizon this model was trained for", and a local model refits on
    any history, so the user could not tell what stood in the way (its intervals, calibrated
    for steps 1..12) nor what to do. One wording for every door: ``who`` is how the door names
    the model (the service names the version it serves), ``calibrated`` whether it has conformal
    intervals, ``retrain`` the command that trains it (:attr:`FramePredictor.retrain_words`: a
    routed ensemble is trained by ``tsforge recommend``, not ``tsforge train``).
    """
    said = f"horizon {h} is outside 1..{top}, the horizon {who} was trained for"
    if h < 1:
        return ConfigError(said, field=field)
    why = (
        f"its intervals are calibrated for steps 1..{top}"
        if calibrated
        else f"it was trained and scored for steps 1..{top} only"
    )
    return ConfigError(
        f"{said}: {why}; for {h} steps, train it again with horizon {h} ({retrain.format(h=h)})",
        field=field,
    )


class FramePredictor:
    """What every predictor offers on top of ``predict_series``: forecasts from a history frame.

    Subclasses (:class:`Predictor` for window models, the panel predictor for local and global
    panel models) implement ``predict_series``; the frame handling lives here once.
    """

    meta: dict[str, Any]
    #: conformal calibration (attached at training time and stored in the bundle), or None
    calibration: QuantileCalibrator | None = None
    #: a progress bar (stderr) over work done per series, such as a local model's fits: the CLI
    #: turns it on (20,000 AutoETS fits ran for minutes with nothing shown), the service and the
    #: pyfunc leave it off
    progress: bool = False
    #: the command that trains this kind of model again for another horizon (``{h}``), for the
    #: refusal of a longer one (:func:`horizon_refusal`)
    retrain_words: str = RETRAIN_WORDS

    def predict_series(
        self,
        series: Sequence[SeriesInput],
        horizon: int | None = None,
        *,
        level: Any = None,
        quantiles: Any = None,
    ) -> list[SeriesForecast]:
        """Forecast ``horizon`` steps (default: the trained horizon) after each history; with
        ``level`` / ``quantiles`` also bounds (see :attr:`interval_method`). Where the model's
        calibration learned a non-negative floor and a history is non-negative, its point
        forecast and bounds stop at 0 (:func:`floor_points`), whether or not bounds are asked for.
        Coordinates the series carry that the forecast does not read are said so, once, with an
        :class:`~tsforge.errors.UnusedCoordinatesWarning` (and dropped where the model was trained
        without any: :meth:`_coords_it_takes`).

        Why here: every predictor parses the interval request and checks the series and the
        horizon the same way and in the same order; subclasses forecast in :meth:`_forecast`.
        """
        return self._predict_series(series, horizon, level=level, quantiles=quantiles)

    def _predict_series(
        self,
        series: Sequence[SeriesInput],
        horizon: int | None,
        *,
        level: Any = None,
        quantiles: Any = None,
        source: HistoryFile | None = None,
    ) -> list[SeriesForecast]:
        """:meth:`predict_series`, its notes said of ``source`` (the file the histories were read
        from: its rows and empty cells, :mod:`tsforge.inference.notes`) when one is given.

        Why not a parameter of :meth:`predict_series`: the service, the routed ensemble's members
        and every other caller give series, not files; only :meth:`predict_frame` knows a file."""
        request = IntervalRequest.parse(level, quantiles)
        self._refuse_intervals(request)
        if isinstance(series, SeriesInput) or not isinstance(series, Sequence) or isinstance(series, str):
            raise ConfigError(
                f"series must be a list of SeriesInput, got {type(series).__name__}: forecast a frame "
                "with predict_frame",
                field="series",
            )
        if not series:
            raise DataValidationError("no series to forecast", field="series")
        for i, s in enumerate(series):
            if not isinstance(s, SeriesInput):
                raise ConfigError(
                    f"series must be a list of SeriesInput, got {type(s).__name__} at position {i}: "
                    "wrap values as SeriesInput(id, values) or forecast a frame with predict_frame",
                    field="series",
                )
        h = self.max_horizon if horizon is None else whole_number(horizon, "horizon")
        if not 1 <= h <= self.max_horizon:
            raise horizon_refusal(
                h, self.max_horizon, calibrated=self.calibration is not None, retrain=self.retrain_words
            )
        series, unread = self._coords_it_takes(series)
        if unread and not self.takes_coords:  # dropped: said before a refusal of a new station
            warnings.warn(UnusedCoordinatesWarning(unread), stacklevel=3)
            unread = None
        given = series
        sent = self._fill_skipped_steps(series, source)
        series = self._trailing_gaps_trimmed(sent)
        if note := trailing_gap_note(sent, series, source):
            warnings.warn(note, TrimmedHistoryWarning, stacklevel=3)
        self._note_filled_values(given, source)
        if note := level_note(request.levels):
            warnings.warn(
                WordedWarning(note, cli_message=level_note(request.levels, flags=True)), stacklevel=3
            )
        if note := self.input_note(series, source):
            warnings.warn(note, MissingCalendarWarning, stacklevel=3)
        forecasts = self._forecast_in_range(series, h, request)
        if unread:  # kept, and said once the forecast is made: coordinates of the wrong size are refused
            warnings.warn(UnusedCoordinatesWarning(unread), stacklevel=3)
        _mark_trimmed(forecasts, sent, series)
        # the non-negative floor of the calibration clips the point as it clips the bounds, with
        # or without a request for bounds, so lower <= point holds and y_hat is one number
        floor = getattr(self.calibration, "floor", None)
        forecasts = list(floor_points(forecasts, [s.values for s in series], floor))
        if request and (note := zero_width_note(forecasts, self.interval_method)):
            warnings.warn(note, TsforgeWarning, stacklevel=3)
        return forecasts

    def _forecast_in_range(
        self, series: Sequence[SeriesInput], h: int, request: IntervalRequest
    ) -> list[SeriesForecast]:
        """:meth:`_forecast`, refusing forecast steps past the dates tsforge can hold
        (:mod:`tsforge.inference.forecast_range`), of whichever series they follow.

        Why here: every door (the CLI, the pyfunc, the Python API, the service) forecasts through
        :meth:`predict_series`. Each kind of predictor refuses its own steps where it counts them
        (a panel, or :func:`~tsforge.inference.forecast_range.dates_after`), naming the series by
        id, or by its place in a subset (a routed member's series); here the refusal names the
        series' position in this request.
        """
        try:
            forecasts = self._forecast(series, h, request)
        except DataValidationError as exc:
            if exc.kind != PAST_RANGE:
                raise
            raise in_request_order(exc, series, h) from None
        return forecasts

    def filled_words(self) -> tuple[str, str] | None:
        """How this model reads a missing value inside a history it forecasts, for one value and
        for several (:func:`~tsforge.data.panel_checks.filled_value_words`); ``None``: no note
        (a routed ensemble, whose members each say it for the series they forecast)."""
        return None

    @property
    def filled_span(self) -> int | None:
        """The last values of a history whose missing values this model reads (its input
        window); ``None``: the whole history (a local model refits on it)."""
        return None

    def _note_filled_values(self, given: Sequence[SeriesInput], source: HistoryFile | None) -> None:
        """One note of how many missing values inside the histories ``given`` (as the caller gave
        them: before skipped steps were inserted, which their own note counts) the model reads,
        in which series, and how it fills them (:meth:`filled_words`).

        Why: ``train`` says so of the history it fits; a forecast filled an empty cell of its
        history the same way, silently, behind every door. Inside
        :func:`~tsforge.data.panel_checks.inserted_steps_said` (``evaluate --fill-gaps``) the
        note also says how many of them are steps ``--fill-gaps`` inserted, and the missing
        values of the windows scored: the reader's own note on those steps is then not said, so
        each inserted step is counted once. There the note is held and said with the other
        models' (:meth:`~tsforge.data.panel_checks.InsertedSteps.say`): a routed ensemble's
        members weighted into one series' forecast each repeated its counts.
        """
        words = self.filled_words()
        if words is None:
            return
        counts = np.array([_missing_inside(s.values, self.filled_span) for s in given], dtype=np.int64)
        where = None if source is None else source.name
        steps = inserted_steps()
        if steps is None:
            _note_filled_by_model([s.id for s in given], counts, where, self.model_name, words)
            return
        # an evaluation's histories with the steps --fill-gaps inserted: held, and said once for
        # every model that forecast them (a routed ensemble's members in weights mode share series)
        inside = [_inserted_inside(s.values, steps.at.get(str(s.id)), self.filled_span) for s in given]
        for s, n in zip(given, inside, strict=True):  # a routed series' members read nested spans
            steps.said[str(s.id)] = max(steps.said.get(str(s.id), 0), n)
        steps.hold(
            HeldFilledNote([s.id for s in given], counts.tolist(), inside, self.model_name, words, where)
        )

    def _fill_skipped_steps(
        self, series: Sequence[SeriesInput], source: HistoryFile | None = None
    ) -> list[SeriesInput]:
        """Each history on its step grid: timestamps that skip steps of the model's frequency, and
        an integer step index that skips steps of its own (:func:`on_integer_grid`), get the
        skipped steps back as missing values, and one note each says so (a history that would be
        mostly missing values is refused instead).

        Why: every predictor reads a history's values as consecutive steps, so a missing month
        was squeezed out — the values after it moved one step back and a panel model's forecast,
        dated from the first timestamp, started on the history's last date (a monthly history
        ending 2021-12 was forecast from 2021-12, not 2022-01), silently and alike behind every
        door; steps 0..29, 35..64 were read as 60 consecutive steps the same way. A skipped step
        is a missing value, and missing values (NaN / null) are what every door already accepts.
        """
        freq = getattr(self, "freq", None)
        dated = isinstance(freq, str) and bool(freq)
        out: list[SeriesInput] = []
        filled: dict[str, int] = {}
        stepped: dict[str, int] = {}
        every_step = every_step_advice(source)  # the refusal of a history mostly of skipped steps
        for i, s in enumerate(series):
            n_missing, n_steps = 0, 0
            if dated and _dated(s) and np.asarray(s.timestamps).size == np.asarray(s.values).size:
                s, n_missing = on_step_grid(
                    s, str(freq), self.model_name, field=f"series[{i}]", every_step=every_step
                )
            elif s.timestamps is None and s.steps is not None:
                s, n_steps = on_integer_grid(s, field=f"series[{i}]", every_step=every_step)
            if n_missing:
                filled[str(s.id)] = n_missing
            if n_steps:
                stepped[str(s.id)] = n_steps
            out.append(s)
        if filled:
            what = f"steps of the model's frequency, {rate_words(str(freq))},"
            warnings.warn(
                skipped_steps_note(what, filled, len(out), source), RegularisedTimesWarning, stacklevel=4
            )
        if stepped:
            what = "steps of their integer step index,"
            warnings.warn(
                skipped_steps_note(what, stepped, len(out), source), RegularisedTimesWarning, stacklevel=4
            )
        return out

    def _trailing_gaps_trimmed(self, series: Sequence[SeriesInput]) -> list[SeriesInput]:
        """Each history without its trailing missing values: every model kind forecasts from a
        history's last *observed* value, so a history whose last steps are NaN / null gets its
        forecast dated from the step after its last observed value (the first forecast steps are
        times it sent as missing). A history with no observed value is left whole, so the
        predictor's own error names it.

        Why trim, for window models too, rather than forecast after the last *sent* time with the
        missing inputs masked: the panel models and the routed ensemble have always trimmed, and the
        README promises it for every forecast request; and a window model does not read its input
        mask — the missing steps reach it forward-filled (:func:`~tsforge.data.task.causal_fill`),
        so the end of its window, the part a forecast leans on most, was the last observed value
        repeated as if it had been measured, and one history was forecast at two different times
        depending on the model kind.
        """
        return [_trailing_gap_trimmed(s, trailing_gap(s.values)) for s in series]

    def _refuse_intervals(self, request: IntervalRequest) -> None:
        """Raise when this predictor can never answer ``request``, before the series are read
        (default: accept; a predictor that may lack intervals says so in :meth:`_forecast`)."""
        return None

    @property
    def model_name(self) -> str:
        """The model's registered name (messages name it)."""
        raise NotImplementedError(f"{type(self).__name__} must implement model_name")

    @property
    def max_horizon(self) -> int:
        """The longest horizon the model forecasts (the one it was trained for)."""
        raise NotImplementedError(f"{type(self).__name__} must implement max_horizon")

    @property
    def input_len(self) -> int:
        """Values of a history the model reads (shorter histories are refused or padded)."""
        raise NotImplementedError(f"{type(self).__name__} must implement input_len")

    def _forecast(
        self, series: Sequence[SeriesInput], h: int, request: IntervalRequest
    ) -> list[SeriesForecast]:
        """``h`` steps (already checked) after each of the (non-empty) ``series``, with the
        bounds of ``request``."""
        raise NotImplementedError(f"{type(self).__name__} must implement _forecast")

    @property
    def interval_method(self) -> str | None:
        """How this predictor answers ``level`` / ``quantiles``: ``"conformal"``, ``"native"`` or None."""
        return "conformal" if self.calibration is not None else None

    def interval_shortfall(
        self, level: Any = None, quantiles: Any = None, horizon: int | None = None
    ) -> str | None:
        """One sentence when this request's conformal bounds would be clamped (too few calibration
        scores for a level) or one series' error alone sets one (see
        :meth:`ConformalCalibration.shortfall`), else None.

        Why besides the warning that forecasting emits: a service answers many requests from
        threads and returns the note in its response, where a process-wide warning cannot go.
        """
        request = IntervalRequest.parse(level, quantiles)
        if not request or self.calibration is None or self.interval_method != "conformal":
            return None
        return self.calibration.shortfall(request.probs, horizon or self.max_horizon)

    def input_note(self, series: Sequence[SeriesInput], source: HistoryFile | None = None) -> str | None:
        """One sentence when these series miss an input the model reads (it still answers, less
        well), else None (default: nothing is ever missing). Like :meth:`interval_shortfall`,
        what a service returns in its response where a warning cannot go; forecasting warns it
        too (:class:`~tsforge.errors.MissingCalendarWarning`), said of ``source`` when the series
        were read from a file (:mod:`tsforge.inference.notes`)."""
        return None

    def _calibrated_bounds(
        self,
        forecasts: list[SeriesForecast],
        histories: Sequence[np.ndarray],
        request: IntervalRequest,
        scale: np.ndarray | None = None,
    ) -> list[SeriesForecast]:
        """Attach the conformal bounds of ``request`` to ``forecasts`` (in place; returned).

        ``scale``: each series' local scale in its units, where the predictor must compute it
        the way its calibration did (default: from ``histories``, as panel models calibrate)."""
        if not request:
            return forecasts
        if self.calibration is None:
            raise ConfigError(
                f"model {self.model_name!r} has no interval calibration (it was saved before tsforge "
                "stored one); retrain it to get intervals",
                field="level" if request.levels else "quantiles",
            )
        point = np.vstack([np.asarray(f.values, dtype=np.float64) for f in forecasts])
        q = self.calibration.quantiles(
            point, histories, [f.id for f in forecasts], request.probs, scale=scale
        )
        return attach_bounds(forecasts, sorted_quantiles(q), request)

    @property
    def takes_coords(self) -> bool:
        """Whether the model was trained with station coordinates (and so accepts a series' own)."""
        return False

    @property
    def reads_coords(self) -> bool:
        """Whether the model's forecast depends on a series' coordinates (a coordinate embedding:
        STPE-MLP, HUTFormer with ``spatial='coords'``). Why beside :attr:`takes_coords`: a
        DLinear or a panel model trained on stations accepts coordinates and forecasts without
        them, and whoever sent them should be told they were not used."""
        return False

    def _coords_it_takes(self, series: Sequence[SeriesInput]) -> tuple[list[SeriesInput], str | None]:
        """``(series as the model takes them, why coordinates given were not used)``: without
        their coordinates when it was trained without station coordinates, as they are
        otherwise; the second is ``None`` when none were given or the forecast reads them
        (:attr:`reads_coords`), and :meth:`predict_series` warns it as one
        :class:`~tsforge.errors.UnusedCoordinatesWarning`.

        Why here, for every door: a window model trained without coordinates refused a series
        that carried some ("leave them out"), while the same model given a coordinate table
        (``predict_frame``, ``tsforge forecast --coords``), a panel model, or one trained on
        stations without a coordinate embedding forecast without them; the REST service
        stripped them itself to answer alike. A model that takes coordinates still checks
        their number against its training stations'.
        """
        given = [str(s.id) for s in series if s.coords is not None]
        if not given or self.reads_coords:
            return list(series), None
        unread = self.unread_coords_words(given, len(series))
        if self.takes_coords:
            return list(series), unread
        return [s if s.coords is None else replace(s, coords=None) for s in series], unread

    def unread_coords_words(self, given: Sequence[str] | None = None, n_series: int = 0) -> str:
        """Why the coordinates given (with the series ``given`` of ``n_series``; ``None``: in a
        coordinate table) were not used: the model was trained without any, or has no coordinate
        embedding to read them with. Public: ``train`` says it of the stations it trained on."""
        if given is None:
            which = "the coordinates given"
        else:
            named = ", ".join(repr(i) for i in given[:5]) + (", ..." if len(given) > 5 else "")
            which = f"the coordinates given with {len(given)} of {n_series} series ({named})"
        if not self.takes_coords:
            return (
                f"model {self.model_name!r} was trained without station coordinates, so {which} "
                "were not used; only a model trained with station coordinates and a coordinate "
                "embedding (e.g. stpe_mlp) reads them"
            )
        return (
            f"model {self.model_name!r} does not read station coordinates (it has no coordinate "
            f"embedding), so {which} were not used; only a model with one (e.g. stpe_mlp trained "
            "with coordinates) reads them"
        )

    def _with_coords(self, inputs: list[SeriesInput], coords: Any) -> list[SeriesInput]:
        """``inputs`` with the coordinates of the series ``coords`` (a table) lists; as they are,
        with an :class:`~tsforge.errors.UnusedCoordinatesWarning`, when the model was trained
        without station coordinates (a model trained on stations that does not read them is
        noted where the series are forecast, :meth:`_coords_it_takes`).

        Why a note there and not a refusal: a model trained without coordinates forecasts without
        them, as one trained on stations without a coordinate embedding does, and every door
        answers both with a note that the coordinates were not used; ``tsforge forecast --coords``
        refused the first and noted the second.
        """
        from tsforge.data.coordinates import coordinates_by_id

        table = coordinates_by_id(coords, [str(s.id) for s in inputs])  # a bad file is refused either way
        if not self.takes_coords:
            warnings.warn(UnusedCoordinatesWarning(self.unread_coords_words()), stacklevel=3)
            return inputs
        if not any(str(s.id) in table for s in inputs):
            raise DataValidationError(
                f"none of the history's series ({', '.join(str(s.id) for s in inputs[:5])}"
                f"{', ...' if len(inputs) > 5 else ''}) is in the coordinate table, whose ids look like "
                f"{list(table)[:5]}",
                file=str(coords) if isinstance(coords, (str, Path)) else None,
            )
        return [replace(s, coords=table.get(str(s.id), s.coords)) for s in inputs]

    def predict_frame(
        self,
        df: Any,
        horizon: int | None = None,
        *,
        id_col: str = "unique_id",
        time_col: str = "ds",
        target_col: str = "y",
        file: str | None = None,
        level: Any = None,
        quantiles: Any = None,
        coords: Any = None,
        time_format: str | None = None,
        drop_too_few: bool = False,
    ) -> pd.DataFrame:
        """History frame (pandas or polars) → long forecast frame ``unique_id, ds, step, y_hat``.

        The history is long (``unique_id, ds, y``) or wide (a time column + one column per
        series, like the training file); see :func:`tsforge.data.history.histories_from_frame`.
        ``ds`` is absent from the input (or null) when the history has no timestamps; the output
        then has ``ds`` = null and ``step`` 1..h. An integer time column (a step index, not
        dates) is continued: ``ds`` = the last index + 1, 2, … times the history's spacing. ``file`` only names the source in errors.
        ``level=[80, 95]`` adds ``y_hat-lo-80, y_hat-hi-80, ...``; ``quantiles=[0.1, 0.9]`` adds
        ``y_hat-q-0.1, ...``. ``coords``: a station-coordinate table (path or frame, one row per
        station: id, lat, lon[, alt]) for a model trained with coordinates; series found in it
        carry their coordinates, so a new station is forecast from where it is.

        ``time_format``: the strftime format of the history's text dates (``"%d/%m/%Y"``), applied
        to the time column the history is read by (:func:`~tsforge.data.history.with_parsed_times`,
        as ``tsforge forecast --time-format`` does). Why: without it the dates' format is
        inferred, and ``10/01/2017 … 12/01/2017`` (days of January) read month first — a forecast
        dated months ahead — with no way to say otherwise but to parse the column beforehand.

        ``drop_too_few``: leave out the series with fewer than two observed values, with a note,
        instead of refusing them (:func:`~tsforge.data.history.histories_from_frame`).
        """
        request = IntervalRequest.parse(level, quantiles)
        if time_format is not None:
            df = with_parsed_times(df, id_col, time_col, target_col, time_format=time_format, file=file)
        inputs = histories_from_frame(df, id_col, time_col, target_col, file=file, drop_too_few=drop_too_few)
        roles = guessed_history_roles(df, id_col, time_col, target_col)
        if roles is not None:  # Store, Week, Sales read as long: the forecast is named as the file is
            id_col, time_col, target_col = roles.id_col, roles.time_col, roles.target_col
        wide = history_layout(_columns(df), id_col) == "wide"
        if not wide:  # a price column beside y, a y of true/false: said once, as training says them
            note_history_columns(df, id_col, time_col, target_col, file or "the history")
        if coords is not None:
            inputs = self._with_coords(inputs, coords)
        kwargs = {"level": list(request.levels), "quantiles": list(request.quantiles)} if request else {}
        source = None
        if file is not None:
            source = HistoryFile(str(file), wide=wide)
        try:
            forecasts = self._predict_series(inputs, horizon, source=source, **kwargs)
        except DataValidationError as exc:
            raise _in_file_terms(exc, inputs, file, df, (id_col, time_col, target_col)) from None
        integer_steps = continued_steps(inputs, forecasts)
        out = forecast_frame(forecasts, integer_steps, id_col=id_col, time_col=time_col)
        return out if wide else ids_as_given(out, df, id_col)


def _note_filled_by_model(
    ids: list[Any], counts: np.ndarray, where: str | None, model: str, words: tuple[str, str]
) -> None:
    """The note of :func:`note_filled_values`, said as a model note
    (:func:`~tsforge.errors.model_note`): a routed ensemble whose members fill the same values
    alike says it once, naming them ("naive and auto_ets are fitted with them filled by …")."""
    if not int(counts.sum()):
        return
    if not all(w.startswith(model) for w in words):  # words that do not open with the name: as they are
        note_filled_values(ids, counts, where, words)
        return
    tails = (words[0][len(model) :], words[1][len(model) :])

    def say(names: Sequence[str]) -> None:
        note_filled_values(
            ids, counts, where, models_fill_words([(n, (n + tails[0], n + tails[1])) for n in names])
        )

    model_note(model, (tuple(str(i) for i in ids), tuple(counts.tolist()), where, tails), say)


def forecast_frame(
    forecasts: Sequence[SeriesForecast],
    integer_steps: dict[str, np.ndarray],
    *,
    id_col: str = "unique_id",
    time_col: str = "ds",
) -> pd.DataFrame:
    """The long forecast frame ``id_col, time_col, step, y_hat[, y_hat-<bound>...]`` of ``forecasts``.

    ``time_col`` holds a forecast's timestamps, else its continued integer steps
    (``integer_steps``), else NaT. Why each column is built once: one small DataFrame per series
    and a concat took 30 s of a 20,000-series forecast. Where the series disagree in a way whose
    concat result is subtle (time columns of different dtypes, different bound columns, non-text
    ids), the frame is built per series as before, so the answer is the same either way.
    """
    parts = [_time_part(f, integer_steps) for f in forecasts]
    columns = _columns_at_once(forecasts, parts, id_col, time_col)
    if columns is not None:
        return pd.DataFrame(columns)
    frames = [
        pd.DataFrame(
            {
                id_col: f.id,
                time_col: ds,
                "step": np.arange(1, len(f.values) + 1),
                "y_hat": f.values,
                **{f"y_hat-{k}": v for k, v in f.bounds.items()},
            }
        )
        for f, ds in zip(forecasts, parts, strict=True)
    ]
    return pd.concat(frames, ignore_index=True)


def _time_part(f: SeriesForecast, integer_steps: dict[str, np.ndarray]) -> Any:
    """One forecast's time keys: its timestamps, its continued integer steps, or NaT (in a
    frame, the ``datetime64[ns]`` column that ``pd.Series([pd.NaT] * h)`` made before)."""
    if f.timestamps is not None:
        return f.timestamps
    if f.id in integer_steps:
        return integer_steps[f.id]
    return np.full(len(f.values), np.datetime64("NaT", "ns"))


def _columns_at_once(
    forecasts: Sequence[SeriesForecast], parts: list[Any], id_col: str, time_col: str
) -> dict[str, np.ndarray] | None:
    """The frame's columns concatenated once, or None where the per-series frames and their
    concat would not give the same columns (then the caller builds it per series).

    Same means: text ids (a scalar id fills an object column), one 1-d array of one dtype per
    column across the series, each as long as its forecast, and the same bound keys in the same
    order (a concat would otherwise fill absent bounds with NaN and reorder nothing else).
    """
    if not forecasts or not all(type(f.id) is str for f in forecasts):
        return None
    keys = list(forecasts[0].bounds)
    if any(list(f.bounds) != keys for f in forecasts):
        return None
    n = np.array([len(f.values) for f in forecasts], dtype=np.int64)
    named: dict[str, list[Any]] = {
        time_col: parts,
        "y_hat": [f.values for f in forecasts],
        **{f"y_hat-{k}": [f.bounds[k] for f in forecasts] for k in keys},
    }
    if id_col in named or "step" in named or len(named) != 2 + len(keys):
        return None  # a column name used twice: the dict of the per-series frames decides
    columns: dict[str, np.ndarray] = {}
    for name, arrays in named.items():
        joined = _concatenated(arrays, n)
        if joined is None:
            return None
        columns[name] = joined
    ends = np.cumsum(n)
    ids = np.repeat(np.array([f.id for f in forecasts], dtype=object), n)
    steps = np.arange(int(ends[-1]), dtype=np.int64) - np.repeat(ends - n, n) + 1
    return {
        id_col: ids,
        time_col: columns[time_col],
        "step": steps,
        **{k: v for k, v in columns.items() if k != time_col},
    }


def _concatenated(arrays: list[Any], n: np.ndarray) -> np.ndarray | None:
    """``arrays`` joined end to end when each is a 1-d numpy array of length ``n[i]`` and all
    share one dtype (numeric or datetime), else None."""
    if not all(isinstance(a, np.ndarray) and a.ndim == 1 for a in arrays):
        return None
    dtype = arrays[0].dtype
    if dtype.kind not in "biufM" or any(a.dtype != dtype for a in arrays):
        return None
    if any(a.size != k for a, k in zip(arrays, n, strict=True)):
        return None
    return np.concatenate(arrays)


def _in_file_terms(
    exc: DataValidationError,
    inputs: Sequence[SeriesInput],
    file: str | None,
    frame: Any,
    roles: tuple[str, str, str],
) -> DataValidationError:
    """A request-shaped location (``field='series[3].values'``, what a REST client reads) said
    in the terms of the file the history came from: its name, the column and the series id
    (a wide file's series is its own column); for a series refused with a single value, the
    line of the file that holds it (:func:`_lone_value_line`). ``roles``: the frame's id, time
    and target columns."""
    id_col, time_col, target_col = roles
    field = str(exc.where.get("field", ""))
    match = re.fullmatch(r"series\[(\d+)\](?:\.(\w+))?", field)
    if file is None or "file" in exc.where:
        return exc
    if match is None or int(match.group(1)) >= len(inputs):  # still say which file it was
        said, where = _lone_value_line(exc, inputs, frame, file, id_col, target_col)
        out = DataValidationError(said, cli_message=_cli_words(exc, said), file=file, **exc.where, **where)
        out.kind = exc.kind  # restated, still the same refusal to code that tells them apart
        return out
    sid = inputs[int(match.group(1))].id
    part = match.group(2) or ""
    column = None
    columns = set(_columns(frame))
    if part == "values":
        column = target_col if target_col in columns else (sid if sid in columns else None)
    elif part == "timestamps" and time_col in columns:
        column = time_col
    said, where = _lone_value_line(exc, inputs, frame, file, id_col, target_col, sid)
    out = DataValidationError(
        said, cli_message=_cli_words(exc, said), file=file, column=column, series=sid, **where
    )
    out.kind = exc.kind
    return out


def _cli_words(exc: DataValidationError, said: str) -> str | None:
    """The command line's words of ``exc``, where it has them, with what ``said`` (its message
    restated for the file, :func:`_lone_value_line`) adds after the message: the same line."""
    return None if exc.cli_message is None else exc.cli_message + said[len(exc.message) :]


def _columns(frame: Any) -> list[str]:
    """The column names of a history frame (pandas, polars, or ``{column: values}``)."""
    return [str(c) for c in getattr(frame, "columns", frame)]


def _lone_value_line(
    exc: DataValidationError,
    inputs: Sequence[SeriesInput],
    frame: Any,
    file: str,
    id_col: str,
    target_col: str,
    sid: str | None = None,
) -> tuple[str, RowWhere | dict[str, int]]:
    """``exc``'s message and the ``row`` / ``line`` fields, for a refused series (``sid``, else
    the one the error names) that holds a single value: ``...; its value is on line 122 of
    history.csv`` (``at row 120`` of a Parquet file). The message as it was, and no fields,
    for any other error.

    Why: ``tsforge forecast`` refused a file's one-value series naming only the series, and a
    long file lists a series' rows wherever they fall, so the user searched the file for its
    id; every other refusal of a file's rows names their line
    (:mod:`tsforge.data.file_lines`). Only on this error path: the rows are looked up again.
    """
    named = sid if sid is not None else exc.where.get("series")
    if named is None:  # an error about no one series
        return exc.message, {}
    named = str(named)
    history = next((s for s in inputs if str(s.id) == named), None)
    if history is None or HistoryFile(file).is_tsf:  # a .tsf file's rows are not the frame's
        return exc.message, {}
    if int(np.isfinite(np.asarray(history.values, dtype=np.float64)).sum()) != 1:
        return exc.message, {}
    rows = observed_rows(frame, named, id_col, target_col)
    if rows.size != 1:
        return exc.message, {}
    row = int(rows[0])
    return f"{exc.message}; its value is {row_words(row, file)}", row_where(row, file)


def trailing_gap(values: Any) -> int:
    """How many missing values (NaN) end ``values``; 0 when none, when none is observed, or when
    they are not numbers (an infinite or non-numeric value is left to the predictor's own error)."""
    try:
        flat = np.asarray(values, dtype=np.float64).ravel()
    except (TypeError, ValueError):
        return 0
    observed = np.flatnonzero(~np.isnan(flat))
    return int(flat.size - 1 - observed[-1]) if observed.size else 0


def _trailing_gap_trimmed(s: SeriesInput, n: int) -> SeriesInput:
    """``s`` without its last ``n`` steps (values, timestamps, integer steps alike)."""
    values = np.asarray(s.values).ravel()
    parts = [p for p in (s.timestamps, s.steps) if p is not None]
    if n <= 0 or any(np.asarray(p).size != values.size for p in parts):
        return s  # timestamps that do not match the values: left whole, for the predictor's error
    keep = values.size - n

    def cut(part: np.ndarray | None) -> np.ndarray | None:
        return None if part is None else np.asarray(part)[:keep]

    return replace(s, values=values[:keep], timestamps=cut(s.timestamps), steps=cut(s.steps))


def _mark_trimmed(
    forecasts: Sequence[SeriesForecast], sent: Sequence[SeriesInput], read: Sequence[SeriesInput]
) -> None:
    """Record on each forecast how many trailing steps of its history ``sent`` the predictor did
    not read (``read``, in the same order): :attr:`SeriesForecast.trimmed`.

    Why: a channel-mixing model keeps a series' trailing nulls that other series observed, so its
    forecast of that series starts after the last *sent* step; the integer steps that label it
    were counted from the last *observed* one (three steps early for a wide file whose channel
    ended in three nulls), while its dates, made from the history the model read, were right.
    Skipped steps filled into a dated history lie inside it, so the count holds for ``sent`` as
    the caller gave it too.
    """
    for f, s, r in zip(forecasts, sent, read, strict=True):
        f.trimmed = int(np.asarray(s.values).size - np.asarray(r.values).size)


def continued_steps(
    inputs: Sequence[SeriesInput], forecasts: Sequence[SeriesForecast]
) -> dict[str, np.ndarray]:
    """The integer time keys of each forecast whose history had an integer step index
    (:attr:`SeriesInput.steps`): the steps after the last one its forecast follows, in its own
    spacing — its last observed step, since a history's trailing missing values are not part of
    it (:meth:`FramePredictor._trailing_gaps_trimmed`), except where the forecast says it kept
    some (:attr:`SeriesForecast.trimmed`: a channel-mixing model reads the trailing nulls that
    other series observed, so its forecast starts after the last step sent).

    Why one function: the pyfunc's forecast frame and the service's ``/invocations`` records
    label these forecasts alike.
    """
    trimmed = {f.id: f.trimmed for f in forecasts}
    inputs = [_trailing_gap_trimmed(s, _steps_not_followed(s, trimmed.get(s.id))) for s in inputs]
    steps = {s.id: s.steps for s in inputs if s.steps is not None and s.steps.size}
    out = {}
    for f in forecasts:
        if f.id in steps:
            try:
                out[f.id] = next_integer_steps(steps[f.id], len(f.values))
            except DataValidationError as exc:  # name the series whose steps run out
                raise DataValidationError(
                    exc.message, cli_message=exc.cli_message, **{**exc.where, "series": f.id}
                ) from None
    return out


def _steps_not_followed(s: SeriesInput, trimmed: int | None) -> int:
    """The trailing steps of ``s`` its forecast does not follow: what the forecast recorded, else
    (a forecast made elsewhere) the history's own trailing missing values."""
    return trailing_gap(s.values) if trimmed is None else trimmed


def _missing_inside(values: Any, span: int | None) -> int:
    """Missing values of a history between its first and last observed value, within its last
    ``span`` values before its last observed one (``None``: all of them): the values a model
    fills. Trailing ones are trimmed (their own note) and leading ones are no part of it."""
    v = np.asarray(values, dtype=np.float64).ravel()
    seen = np.flatnonzero(np.isfinite(v))
    if seen.size == 0:
        return 0
    v = v[: seen[-1] + 1]
    if span is not None:
        v = v[-int(span) :]
    seen = np.flatnonzero(np.isfinite(v))
    return int(np.isnan(v[seen[0] :]).sum())


def _inserted_inside(values: Any, at: np.ndarray | None, span: int | None) -> int:
    """How many of the missing values :func:`_missing_inside` counts are steps ``fill_gaps``
    inserted, at the positions ``at`` (from the history's first value; ``None``: none)."""
    v = np.asarray(values, dtype=np.float64).ravel()
    seen = np.flatnonzero(np.isfinite(v))
    if at is None or at.size == 0 or seen.size == 0:
        return 0
    lo = 0 if span is None else max(0, int(seen[-1]) + 1 - int(span))
    lo = int(seen[seen >= lo][0])
    return int(((at >= lo) & (at <= seen[-1])).sum())


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
    def takes_coords(self) -> bool:
        return self.forecaster.context.coords is not None

    @property
    def reads_coords(self) -> bool:
        from tsforge.models.layers import SpatialEmbedding

        module = getattr(self.forecaster, "module", None)
        if not self.takes_coords or not isinstance(module, torch.nn.Module):
            return False
        return any(isinstance(m, SpatialEmbedding) and m.mode == "coords" for m in module.modules())

    @property
    def freq(self) -> str | None:
        return self.forecaster.context.freq

    @property
    def filled_span(self) -> int | None:
        return self.input_len

    def filled_words(self) -> tuple[str, str] | None:
        return filled_value_words(self.model_name, local=False, training=False)

    # -- prediction --------------------------------------------------------------------------
    def _trailing_gaps_trimmed(self, series: Sequence[SeriesInput]) -> list[SeriesInput]:
        """As :meth:`FramePredictor._trailing_gaps_trimmed`, except that a channel-mixing model
        (iTransformer) drops only the trailing steps missing in *every* series: it reads the
        request's series as the channels of one window ending at one time, so a series that ends
        earlier than the others keeps its last steps as masked inputs, as in training."""
        if self.forecaster.channel_independent:
            return super()._trailing_gaps_trimmed(series)
        common = min(trailing_gap(s.values) for s in series)
        return [_trailing_gap_trimmed(s, common) for s in series]

    def _forecast(
        self, series: Sequence[SeriesInput], h: int, request: IntervalRequest
    ) -> list[SeriesForecast]:
        """Point forecasts of the whole request as one batch; with a ``request``, conformal bounds."""
        forecasts, mean, std = self._point_forecasts(series, h)
        if not request:
            return forecasts
        histories = [np.asarray(s.values, dtype=np.float64) for s in series]
        scale = self._interval_scales(histories, mean, std)
        return self._calibrated_bounds(forecasts, histories, request, scale)

    def _standardisation(self, s: SeriesInput) -> tuple[float, float]:
        """``(mean, std)`` a series is standardised by: its training channel's, or for a series
        the model never saw, its own history's (a flat one is scaled by its level, as the
        training scaler scales a flat channel: :func:`~tsforge.data.scaling.spread_or_level`)."""
        idx = self._index.get(str(s.id), -1)
        if idx >= 0:
            return float(self.scaler.mean[idx]), float(self.scaler.std[idx])
        vals = np.asarray(s.values, dtype=np.float64).ravel()
        hist = vals[np.isfinite(vals)]
        mean = float(hist.mean())
        return mean, float(spread_or_level(np.array(hist.std()), np.array(mean)))

    def _interval_scales(
        self, histories: Sequence[np.ndarray], mean: np.ndarray, std: np.ndarray
    ) -> np.ndarray:
        """Each series' local scale, in its units, computed as :func:`~tsforge.panels.calibrate.calibrate_task`
        computed the calibration's: on the input window (the last ``input_len`` values)
        standardised by the ``mean`` / ``std`` its forecast used, then times ``std``.

        Why not from the raw history: the scale falls back to the window's level where the
        window is flat, and a level is not the same number before and after standardising (a
        constant channel of 3 has level 0 standardised, 3 raw). Served that
        way, a flat window's bounds were scaled by another number than the scores they read:
        an 80 % interval of a constant channel sat off its own forecast.
        """
        assert self.calibration is not None
        windows = [
            (v.ravel()[-self.input_len :] - m) / sd for v, m, sd in zip(histories, mean, std, strict=True)
        ]
        return std * self.calibration.scales(windows)

    def _point_forecasts(
        self, series: Sequence[SeriesInput], h: int
    ) -> tuple[list[SeriesForecast], np.ndarray, np.ndarray]:
        """The point forecasts, and the ``[B]`` mean and std each series was standardised by."""
        L = self.input_len
        B = len(series)
        x = np.zeros((B, L, 1), dtype=np.float32)
        x_mask = np.zeros((B, L, 1), dtype=bool)
        channels = np.full((B, 1), -1, dtype=np.int64)
        mean = np.zeros(B)
        std = np.ones(B)
        use_cal = self._reads_calendar() and all(_dated(s) for s in series)
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
                unknown = (
                    f"unknown series id {s.id!r}: this model was trained on "
                    f"[{known}{', ...' if len(self.known_ids) > 8 else ''}]"
                )
                # every door gives coordinates its own way: a series' coords (Python, REST),
                # a coordinate table (predict_frame's coords=, the CLI's --coords FILE)
                refusal = DataValidationError(
                    unknown + (" — give its coordinates to forecast a new station" if coords_dim else ""),
                    cli_message=unknown
                    + (
                        " — give its coordinates (its row of a --coords FILE) to forecast a new station"
                        if coords_dim
                        else ""
                    ),
                    field=f"{field}.id",
                )
                if coords_dim:  # each door adds how it takes a station's coordinates
                    refusal.kind = UNKNOWN_STATION
                raise refusal
            if s.coords is not None and coords_dim is not None:  # without: dropped, and said, before
                c = np.asarray(s.coords, dtype=np.float64).ravel()
                if c.size != coords_dim or not np.isfinite(c).all():
                    raise DataValidationError(
                        f"coordinates of series {s.id!r} must be {coords_dim} finite numbers "
                        f"(as the model's training stations had), got {c.tolist()}",
                        field=f"{field}.coords",
                    )
                if coords is None:
                    coords = np.full((B, 1, coords_dim), np.nan)
                coords[i, 0] = c
            mean[i], std[i] = self._standardisation(s)
            z = (window - mean[i]) / std[i]
            x[i, :, 0] = causal_fill(z[:, None].astype(np.float32))[:, 0]
            x_mask[i, :, 0] = observed
            future, future_cal = self._future_timestamps(s, h, i, self.max_horizon if use_cal else 0)
            future_ts.append(future)
            if use_cal:
                # use_cal: both arrays were made above and every series is dated (so has a future)
                assert x_cal is not None and y_cal is not None and future_cal is not None
                ts = np.asarray(s.timestamps).astype("datetime64[ns]")[-L:]
                x_cal[i] = calendar_indices(ts)
                y_cal[i] = future_cal
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
        if not self.forecaster.channel_independent:
            self._check_aligned(series)
            batch = _as_one_window(batch)
        with torch.no_grad():
            out = self.forecaster.predict(batch).numpy()
        # a channel-mixing model answers [1, H, B] (every series a channel of one window)
        out = out[:, :, 0] if self.forecaster.channel_independent else out[0].T
        pred = out[:, :h].astype(np.float64)
        pred = pred * std[:, None] + mean[:, None]
        return [SeriesForecast(str(s.id), pred[i], future_ts[i]) for i, s in enumerate(series)], mean, std

    def _reads_calendar(self) -> bool:
        return bool(self.forecaster.uses_calendar and self.forecaster.context.calendar_terms)

    def input_note(self, series: Sequence[SeriesInput], source: HistoryFile | None = None) -> str | None:
        """Says when a model that reads the calendar gets series without dates (``source``: the
        file they were read from, whose time column the advice then names).

        Why: such a model (STPE-MLP's hour/weekday/month tables, CycleNet's phase, LightGBM's
        calendar features) then forecasts without that input — every series of the batch, since
        one batch has one shape — and was answering undated requests (or integer steps, which
        carry no calendar) silently, up to a season's amplitude off.
        """
        if not self._reads_calendar():
            return None
        undated = sum(not _dated(s) for s in series)
        if not undated:
            return None
        terms = ", ".join(self.forecaster.context.calendar_terms)
        lacked, advice = calendar_advice(source)
        return (
            f"{self.model_name} reads the calendar ({terms}), but {undated} of {len(series)} series came "
            f"without dates ({lacked}), so the batch was forecast without it and "
            f"less accurately: {advice}"
        )

    def _check_aligned(self, series: Sequence[SeriesInput]) -> None:
        """A channel-mixing model forecasts the request's series as the channels of one window,
        so their histories must end at the same time (checked where timestamps or an integer
        step index are given).

        Why the step index too: a long file indexed by integers whose series end at different
        steps was forecast as one window without a word (each series' last values read as
        simultaneous), while the same file with dates was refused."""
        for kind, said in (("timestamps", ""), ("steps", "step ")):
            ends = {
                str(s.id): np.asarray(getattr(s, kind))[-1]
                for s in series
                if getattr(s, kind) is not None and np.asarray(getattr(s, kind)).size
            }
            if len(set(ends.values())) > 1:
                first = next(iter(ends))
                other = next(k for k, v in ends.items() if v != ends[first])
                raise DataValidationError(
                    f"{self.model_name} forecasts all the series it is given together as one multichannel "
                    f"window, so their histories must end at the same time: series {first!r} ends at "
                    f"{said}{ends[first]}, series {other!r} at {said}{ends[other]}",
                    field="series",
                )

    def _future_timestamps(
        self, s: SeriesInput, h: int, i: int, calendar_steps: int = 0
    ) -> tuple[np.ndarray | None, np.ndarray | None]:
        """The ``h`` timestamps after the last one of history ``s`` (the request's ``i``-th),
        refused when they pass the dates tsforge can hold, and the calendar indices of the
        ``calendar_steps`` after it (None for 0) that a model reading the calendar reads.

        Why two counts: such a model reads its whole trained horizon's calendar, and a request
        for fewer steps, whose own dates fit, was refused for the dates after them (calendar
        steps) or read them wrapped round to 1677 (fixed steps):
        :func:`~tsforge.inference.forecast_range.calendar_dates_after` counts those.
        """
        if s.timestamps is None:
            return None, None
        field = f"series[{i}]"
        ts = np.asarray(s.timestamps).astype("datetime64[ns]")
        n_values = np.asarray(s.values).size
        if ts.shape != (n_values,):
            raise DataValidationError(
                f"series {s.id!r} has {ts.size} timestamps for {n_values} values", field=f"{field}.timestamps"
            )
        if self.freq:
            check_sampling(ts, self.freq, sid=s.id, model=self.model_name, field=f"{field}.timestamps")
        freq = self.freq or (
            pd.infer_freq(pd.DatetimeIndex(ts[-min(ts.size, 50) :])) if ts.size >= 3 else None
        )
        if freq is None:
            raise DataValidationError(
                f"cannot tell the frequency of series {s.id!r} from its timestamps",
                field=f"{field}.timestamps",
            )
        future = dates_after(ts[-1], freq, h)
        if future is None:  # this series' own steps: named here (each may have its own frequency)
            raise past_range_refusal(s, i, h)
        if not calendar_steps:
            return future, None
        return future, calendar_indices(calendar_dates_after(ts[-1], freq, calendar_steps))


def _dated(s: SeriesInput) -> bool:
    """Whether a series carries dates (the calendar), not just a step index or nothing."""
    return s.timestamps is not None and np.asarray(s.timestamps).dtype.kind == "M"


def _as_one_window(batch: dict[str, torch.Tensor]) -> dict[str, torch.Tensor]:
    """Per-series rows ``[B, L, 1]`` → one window whose channels are the series ``[1, L, B]``.

    Why: a channel-mixing model (iTransformer) was trained and evaluated on every channel of a
    window at once; forecasting each series alone would attend to that series only and differ
    from the evaluated forecast. Calendar features are shared by aligned series (the first row's).
    """
    joint = {
        "idx": batch["idx"][:1],
        "x": batch["x"][:, :, 0].T.unsqueeze(0),
        "x_mask": batch["x_mask"][:, :, 0].T.unsqueeze(0),
        "channels": batch["channels"][:, 0].unsqueeze(0),
    }
    for key in ("x_cal", "y_cal"):
        if key in batch:
            joint[key] = batch[key][:1]
    if "coords" in batch:
        joint["coords"] = batch["coords"][:, 0].unsqueeze(0)
    return joint
