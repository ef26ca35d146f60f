"""The one forecast call behind ``/v1/forecast`` and ``/invocations``: model → checked batch forecast."""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np

from service.convert import Limits, check_finite_forecasts
from service.inline import Predict, predict_here
from service.model_store import LoadedModel, ModelStore
from service.notes import Caught, merge_notes
from tsforge.data.coordinates import with_frame_coordinates_advice
from tsforge.data.frequency import check_sampling
from tsforge.errors import (
    DataValidationError,
    ModelNotFoundError,
    TsforgeError,
    UnusedCoordinatesWarning,
)
from tsforge.inference import SeriesForecast, SeriesInput, level_note, zero_width_note
from tsforge.inference.predictor import RETRAIN_WORDS, TrimmedHistoryWarning, horizon_refusal

__all__ = ["forecast", "forecast_notes", "coords_note"]


def forecast(
    store: ModelStore,
    model: str | None,
    series: Sequence[SeriesInput],
    horizon: int | None,
    limits: Limits,
    *,
    horizon_field: str = "horizon",
    series_field: str = "series",
    model_field: str = "model",
    level: Sequence[float] | None = None,
    quantiles: Sequence[float] | None = None,
    predict: Predict = predict_here,
) -> tuple[LoadedModel, int, list[SeriesForecast]]:
    """Resolve the model, check the horizon against it, forecast every series in one batch.

    ``level`` / ``quantiles`` (default: those the batch carries, see
    :class:`service.convert.ForecastBatch`) add bounds to every forecast. ``*_field`` name the
    request's fields in errors: ``/invocations`` has ``params.model`` and a history frame
    (``series_field``, e.g. ``inputs``), not ``model`` and ``series[i]``. ``predict`` computes
    the forecasts once the request is checked (default: here; :func:`service.inline.run_short`
    passes one that sends a large request to a worker process with a time budget); errors it
    raises are named as the request's fields like the library's.

    Returns:
        ``(loaded model, horizon used, forecasts)``.
    """
    # the service's own limit first, as /v1/forecast checks it before reading the series: on
    # /invocations a params.horizon of 100000 was a 422 for the model's horizon, not the 413
    # the API documents, and a limit below the model's horizon was named "horizon"
    limits.check(0, [], None if horizon is None else int(horizon), horizon_field=horizon_field)
    try:
        loaded = store.get(model)
    except TsforgeError as exc:  # unknown (404) or malformed (422): named as the request names it
        if isinstance(exc, ModelNotFoundError) or exc.where.get("field") == "model":
            exc.where["field"] = model_field
        raise
    predictor = loaded.predictor
    h = predictor.max_horizon if horizon is None else int(horizon)
    if h > predictor.max_horizon:  # the words of every door, naming the version served
        raise horizon_refusal(
            h,
            predictor.max_horizon,
            calibrated=getattr(predictor, "calibration", None) is not None,
            who=f"model {loaded.name}/{loaded.version}",
            field=horizon_field,
            retrain=getattr(predictor, "retrain_words", RETRAIN_WORDS),
        )
    limits.check(0, [], h, horizon_field=horizon_field)  # the model's default horizon too
    level, quantiles = _bounds(series, level, quantiles)
    # only a request that asks for bounds passes them: any predictor answers point forecasts
    bounds = {"level": list(level or []), "quantiles": list(quantiles or [])} if level or quantiles else {}
    try:
        _check_sampling(loaded, series)
        forecasts = predict(loaded, list(series), h, bounds)
    except TsforgeError as exc:  # forecast steps past the dates tsforge holds too (the library's refusal)
        _name_grid_field(exc, series)
        _name_frame_field(exc, series, series_field)
        raise
    check_finite_forecasts(forecasts, field=series_field)
    return loaded, h, forecasts


def _check_sampling(loaded: LoadedModel, series: Sequence[SeriesInput]) -> None:
    """Refuse a series sampled at another rate than the model's, naming the registered model.

    Why here and not only in the library: a routed model's members check the rate too, but their
    message named a member ("this naive model forecasts MS series"), not the model asked for.
    """
    freq = getattr(loaded.predictor, "freq", None)
    if not isinstance(freq, str) or not freq:
        return
    for i, s in enumerate(series):
        if s.timestamps is not None and np.asarray(s.timestamps).dtype.kind == "M":
            check_sampling(s.timestamps, freq, sid=s.id, model=loaded.name, field=f"series[{i}].timestamps")


_SERIES_FIELD = re.compile(r"^series\[(\d+)\]")

#: what the request can change when its series do not share one calendar grid
_ONE_GRID_ADVICE = (
    "; the series of one request share one calendar grid (times with a UTC offset are read in "
    "UTC): send a series on another anchor (month ends beside month starts, another time of day, "
    "another UTC offset) in a separate request"
)


def _name_grid_field(exc: TsforgeError, series: Sequence[SeriesInput]) -> None:
    """A series off the calendar grid the request's other series set is refused by the library
    naming the panel's ``starts`` and the series (``series=<id>``), fields no request to this
    service has: name the series' timestamps instead (``series[i].timestamps``), and say what
    to change.

    Why: each such series alone is forecast on its own dates (month ends for a month-start
    model, a history at -03:00 at that offset), so the request's mix is the cause, and the
    client needs to know that it can split the request.
    """
    if exc.where.get("field") != "starts" or "series" not in exc.where:
        return
    sid = str(exc.where["series"])
    i = next((k for k, s in enumerate(series) if str(s.id) == sid), None)
    exc.where["field"] = "series" if i is None else f"series[{i}].timestamps"
    exc.message += _ONE_GRID_ADVICE


def _name_frame_field(exc: TsforgeError, series: Sequence[SeriesInput], series_field: str) -> None:
    """An error naming ``series[i]...`` names the request's own field instead when the request
    is a history frame (``/invocations``: ``inputs``, ``dataframe_split``, ...), with the series'
    ``unique_id``: a client of that protocol sent no ``series``."""
    field = exc.where.get("field")
    if field is None and "series" in exc.where:  # the library named a series, not a field
        _name_series_field(exc, series, series_field)
        return
    if series_field == "series" or not isinstance(field, str) or not field.startswith("series"):
        return
    exc.where["field"] = series_field
    if isinstance(exc, DataValidationError):  # a new station: the frame's columns give its coordinates
        exc.message = with_frame_coordinates_advice(exc).message
    found = _SERIES_FIELD.match(field)
    if found and int(found.group(1)) < len(series):
        exc.where.setdefault("unique_id", str(series[int(found.group(1))].id))


def _name_series_field(exc: TsforgeError, series: Sequence[SeriesInput], series_field: str) -> None:
    """An error naming only a series (``series='s9'``: "1 series has fewer than 2 values ...",
    raised where the histories become a panel) names the request's field too, as every other
    422 does: ``series[i]`` on ``/v1/forecast``, the payload key with the ``unique_id`` on
    ``/invocations`` (whose answer had no ``field`` at all)."""
    sid = str(exc.where["series"])
    i = next((k for k, s in enumerate(series) if str(s.id) == sid), None)
    if series_field != "series":
        exc.where["field"] = series_field
        exc.where.setdefault("unique_id", sid)
    elif i is not None:
        exc.where["field"] = f"series[{i}]"


def _bounds(
    series: Sequence[SeriesInput], level: Sequence[float] | None, quantiles: Sequence[float] | None
) -> tuple[Sequence[float] | None, Sequence[float] | None]:
    """The levels / quantiles asked for: those passed, else those the batch carries."""
    return (
        level if level is not None else getattr(series, "level", None),
        quantiles if quantiles is not None else getattr(series, "quantiles", None),
    )


def forecast_notes(
    loaded: LoadedModel,
    series: Sequence[SeriesInput],
    horizon: int,
    *,
    level: Sequence[float] | None = None,
    quantiles: Sequence[float] | None = None,
    forecasts: Sequence[SeriesForecast] | None = None,
    caught: Sequence[Caught] = (),
    trailing_gaps: bool = True,
) -> list[str] | None:
    """What limits a forecast's answer, in words (``None``: nothing to say); both endpoints
    return it, whichever protocol a client speaks.

    * A level the model's conformal calibration cannot resolve is answered with its most
      extreme scores and covers less than nominal. Only a request for bounds asks (any
      predictor answers points, the service's fakes too).
    * A level below 1 (0.5: a 0.5 % interval), most often a fraction meant as a percentage
      (:func:`~tsforge.inference.level_note`); it is answered as asked.
    * An interval of zero width at every step (``forecasts``, the answer's; see
      :func:`~tsforge.inference.zero_width_note`): native intervals of a flat history.
    * An input the model reads that the series lacked: dates for a calendar model
      (:meth:`~tsforge.inference.FramePredictor.input_note`), forecast without them.
    * An input sent that the model does not read: station coordinates (:func:`coords_note`).
      The library says so too (an :class:`~tsforge.errors.UnusedCoordinatesWarning`, in
      ``caught``, with the coordinates dropped where the model was trained without any), in
      words of its own, whenever this note is said (both ask
      :attr:`~tsforge.inference.FramePredictor.reads_coords`): that warning is dropped, so the
      answer says it once, in the words of the request's ``coords``.
    * A series forecast from before its last sent time, its trailing missing values trimmed: the
      library warns it (:func:`~tsforge.inference.predictor.trailing_gap_note`, one place for the
      CLI, the Python API, the pyfunc and this service), so it arrives in ``caught``.
      ``trailing_gaps=False`` drops that note: a wide history frame (``/invocations``) pads the
      series that end earlier than the others with nulls, by design of its layout, so the note
      would tell a client about nulls it never chose to send. The note is recognised by its
      class (:class:`~tsforge.inference.predictor.TrimmedHistoryWarning`), which ``caught``
      keeps, from a worker process too.
    * ``caught``: what the library warned while answering (:func:`service.notes.caught_notes`),
      e.g. series too short for a local model forecast by its fallback — what the CLI prints as
      a note and the Python API and the pyfunc warn; a warning repeating a note above is kept once.
      A routed ensemble's member note comes framed by the ensemble itself ("routed model
      'my-routed', member auto_ets (weighted into the forecast of 1 series: b): …",
      :meth:`recommender.routed.RoutedPredictor.member_frame`), as every door says it.
    """
    notes = []
    level, quantiles = _bounds(series, level, quantiles)
    if level or quantiles:
        notes.append(level_note(level))
        notes.append(loaded.predictor.interval_shortfall(level, quantiles, horizon))
        if forecasts is not None:
            notes.append(zero_width_note(forecasts, getattr(loaded.predictor, "interval_method", None)))
    input_note = getattr(loaded.predictor, "input_note", None)  # the service's test fakes lack it
    notes.append(input_note(series) if callable(input_note) else None)
    notes.append(coords_note(loaded, series))
    caught = [c for c in caught if not issubclass(c.category, UnusedCoordinatesWarning)]
    if not trailing_gaps:
        caught = [c for c in caught if not issubclass(c.category, TrimmedHistoryWarning)]
    return merge_notes([n for n in notes if n], caught)


#: at most this many series ids named in a note (the count says how many there are)
_NAMED_IDS = 5


def coords_note(loaded: LoadedModel, series: Sequence[SeriesInput]) -> str | None:
    """One sentence when series came with station coordinates the model does not read, else None.

    Why: only a model with a coordinate embedding (STPE-MLP, HUTFormer with ``spatial='coords'``)
    reads ``coords``; every other model — DLinear or a panel model trained on stations with
    coordinates, which the library lets through — forecast without them, and the client that
    sent them to place a station was answered as if they had counted.
    """
    sent = [str(s.id) for s in series if s.coords is not None]
    if not sent or getattr(loaded.predictor, "reads_coords", False):  # the test fakes lack it
        return None
    named = ", ".join(repr(i) for i in sent[:_NAMED_IDS]) + (", ..." if len(sent) > _NAMED_IDS else "")
    return (
        f"{loaded.name} does not read station coordinates, so the coords sent with {len(sent)} of "
        f"{len(series)} series ({named}) were not used; only a model with a coordinate embedding "
        "(e.g. stpe_mlp trained with coordinates) reads them"
    )
