"""Recommendations for ``POST /v1/recommend``: posted series → one dataset → ``recommender.recommend``.

The recommender is loaded from disk once per (path, modification time) and reused by the CPU
worker process that runs the request (:mod:`service.cpu_pool`); the service never *builds* one
inside a request (that takes minutes): without a saved recommender the endpoint answers 503
and says how to build it.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import numpy as np

from recommender.api import recommend
from recommender.per_series import SeriesRouter
from recommender.properties.profile import MIN_WINDOW
from recommender.ranker import Recommender, recommender_dir
from recommender.series_recommendation import checked_panel, json_ready, recommend_series
from recommender.shipped_router import default_router_folder
from service.convert import Limits, check_observed, series_timestamps
from service.errors import ServiceUnavailableError
from service.notes import caught_notes, merge_notes
from service.schemas.recommend import RecommendRequest
from service.step_grids import on_its_grid, skipped_notes
from tsforge.data.frame import TimeSeriesData
from tsforge.data.frequency import infer_freq, rate_words
from tsforge.data.panel import Panel
from tsforge.errors import DataValidationError

__all__ = [
    "recommend_request",
    "check_recommend",
    "check_saved",
    "load_recommender",
    "load_series_router",
    "per_series_histories",
    "series_panel",
]

_T = TypeVar("_T")
_lock = threading.Lock()
_cache: dict[tuple[str, float], Recommender] = {}
_router_cache: dict[tuple[str, float], SeriesRouter] = {}


def _load_cached(
    folder: Path,
    marker: str,
    cache: dict[tuple[str, float], _T],
    load: Callable[[Path], _T],
    *,
    what: str,
    how: Callable[[Path], str],
    field: str,
) -> _T:
    """The artefact saved in ``folder``, loaded once per (path, modification time of ``marker``).

    Why one function: both saved recommenders are reloaded only when rebuilt on disk, and a
    missing one is a 503 that says how to build it (``what`` names it, ``how(folder)`` says how).
    """
    meta = _saved_marker(folder, marker, what=what, how=how, field=field)
    key = (str(folder.resolve()), meta.stat().st_mtime)
    with _lock:
        found = cache.get(key)
        if found is None:
            cache.clear()
            found = cache[key] = load(folder)
        return found


def _saved_marker(folder: Path, marker: str, *, what: str, how: Callable[[Path], str], field: str) -> Path:
    """``folder / marker``, the file a saved recommender is known by; a 503 saying how to build
    one when it is not there (the check :func:`_load_cached` and :func:`check_saved` share)."""
    meta = folder / marker
    if not meta.exists():
        raise ServiceUnavailableError(f"no {what} saved at {folder}; {how(folder)}", field=field)
    return meta


def check_saved(req: RecommendRequest, recommender_path: str | None) -> None:
    """A 503 now when the recommender this request needs is not saved (the per-series router
    with ``per_series``, else the dataset recommender at ``recommender_path``).

    Why: the server runs it before handing the request to a worker; a worker that starts and
    imports its libraries first (30 s and more on a loaded machine) could run past the
    request's budget and answer 504 for what is known at once. The worker checks again when it
    loads the recommender (it may have been removed in between).
    """
    if req.per_series:
        _saved_marker(default_router_folder(), "router.json", **_ROUTER_NAMES)
    else:
        folder = Path(recommender_path) if recommender_path else recommender_dir()
        _saved_marker(folder, "meta.json", **_RECOMMENDER_NAMES)


#: The CLI command that builds the quick recommender where the service looks by default: the
#: first ``tsforge recommend`` of long data does, and ``synthetic`` is long data every install has.
_QUICK_BUILD = "tsforge recommend synthetic"


def _recommender_advice(folder: Path) -> str:
    """How to get a dataset recommender into ``folder``: the quick build first.

    Why: the 503 named only ``tsforge recommender build``, the full build (about an hour on two
    cores, README), where the quick one the first ``tsforge recommend`` of long data builds takes
    about a minute and answers the endpoint as well. The quick build saves to the default
    folder only, so a TSFORGE_RECOMMENDER_PATH elsewhere is named as what to change.
    """
    default = recommender_dir()
    if folder.resolve() == default.resolve():
        return _quick_then_full("there ")
    return (
        f"TSFORGE_RECOMMENDER_PATH names it: point it at a saved recommender's folder, or unset it "
        f"to use {default}, where {_quick_then_full('')}"
    )


def _quick_then_full(there: str) -> str:
    """The two builds of the default recommender, the quick one first, with their times (README)."""
    return (
        f"`{_QUICK_BUILD}` saves the quick one {there}in about a minute on two cores (once; run it "
        "with the service's TSFORGE_CACHE_DIR, if set), `tsforge recommender build` the full one in "
        "about an hour"
    )


def _router_advice(folder: Path) -> str:
    """How to build the per-series recommender (its 503 names the command)."""
    return "build one with `tsforge recommender build --per-series`"


#: how a missing recommender / per-series router is named in its 503
_RECOMMENDER_NAMES: dict[str, Any] = {
    "what": "recommender",
    "how": _recommender_advice,
    "field": "recommender",
}
_ROUTER_NAMES: dict[str, Any] = {
    "what": "per-series recommender",
    "how": _router_advice,
    "field": "per_series",
}


def load_recommender(path: str | Path | None) -> Recommender:
    """The saved recommender at ``path`` (default location when ``None``), cached until it changes."""
    return _load_cached(
        Path(path) if path else recommender_dir(),
        "meta.json",
        _cache,
        Recommender.load,
        **_RECOMMENDER_NAMES,
    )


#: Largest magnitude the dataset path computes in (it profiles in float32).
_FLOAT32_MAX = float(np.finfo(np.float32).max)


def check_recommend(req: RecommendRequest, limits: Limits) -> tuple[np.ndarray | None, str | None]:
    """Check a request against the limits and its values and timestamps → ``(timestamps, freq)``
    of the dataset (``(None, None)`` without timestamps, for an integer step index, which has no
    calendar, and with ``per_series``, whose series each have their own start: see
    :func:`series_panel`).

    Cheap: the server runs it before handing the request to a worker, so what the recommender
    would refuse without naming the field is a 4xx naming it. Timestamps a nanosecond clock
    cannot hold (outside :data:`~tsforge.data.timeaxis.TIME_RANGE`) are a 422 naming the
    timestamp, as in ``/v1/forecast``.
    """
    _check_limits(req, limits)
    if req.per_series:
        series_panel(req)  # the per-series data's 422s, before the worker
        return None, None
    _check_dataset_values(req)
    if req.input_len is not None and req.input_len >= len(req.series[0].values):
        raise DataValidationError(
            f"input_len {req.input_len} leaves no room for a horizon in series of "
            f"{len(req.series[0].values)} values; give a shorter input_len, or more data",
            field="input_len",
        )
    first = req.series[0].timestamps
    if first is None or isinstance(first[0], int):
        return None, None
    ts = series_timestamps(first, 0)
    return ts, infer_freq(ts)


def _check_limits(req: RecommendRequest, limits: Limits) -> None:
    """The service's limits on a request's series, their lengths and its horizon (a 413)."""
    limits.check(
        len(req.series),
        [(f"series[{i}].values", len(s.values)) for i, s in enumerate(req.series)],
        req.horizon,
    )


def series_panel(req: RecommendRequest) -> tuple[Panel, str | None]:
    """``per_series``: the posted series as the panel the router reads, checked as the library
    checks it before a router is needed (:func:`recommender.series_recommendation.checked_panel`:
    a horizon no series is long enough for, ...) → ``(panel, note)``; ``note`` says which series
    skipped steps (:func:`per_series_histories`).

    Why apart from the router: every refusal of the data needs no router, and one loaded first
    (from disk, or a 503 when none is saved) made a bad request wait for it, or answered it
    with the 503 instead of the 422 that says what to change.
    """
    for i, s in enumerate(req.series):  # the per-series recommender refused it naming no series
        check_observed(s.id, sum(v is not None for v in s.values), field=f"series[{i}].values")
    arrays, starts, freq, note = per_series_histories(req)
    panel = Panel.from_arrays(
        arrays, ids=[s.id for s in req.series], starts=starts, freq=freq, name="request"
    )
    checked_panel(panel, req.horizon)
    return panel, note


def _check_dataset_values(req: RecommendRequest) -> None:
    """The dataset is profiled in float32: a finite value beyond its range would become infinite
    (and then read as missing), so it is refused naming it; an all-missing dataset too, and one
    shorter than the shortest window the recommender profiles (naming the values, not the horizon)."""
    for i, s in enumerate(req.series):
        j = next((k for k, v in enumerate(s.values) if v is not None and abs(v) > _FLOAT32_MAX), None)
        if j is not None:
            raise DataValidationError(
                f"{s.values[j]!r} is out of the range this endpoint computes in "
                f"(|value| <= {_FLOAT32_MAX:.4g}); rescale the series",
                field=f"series[{i}].values[{j}]",
            )
    if all(v is None for s in req.series for v in s.values):
        n_others = len(req.series) - 1
        others = {0: "", 1: ", nor does the other"}.get(n_others, f", nor do the other {n_others}")
        raise DataValidationError(
            f"every value is missing: series {req.series[0].id!r} has no observed value{others}",
            field="series[0].values",
        )
    n = len(req.series[0].values)
    if n < MIN_WINDOW:
        # the recommender would say "too short for horizon 12 (the default ...)" naming the
        # horizon, which the client may not have sent and which no value of fixes
        raise DataValidationError(
            f"series {req.series[0].id!r} has {n} values, too short to recommend from: the "
            f"recommender reads the data's properties on windows of at least {MIN_WINDOW} steps; "
            "give a longer history",
            field="series[0].values",
        )


def _panel_timestamps(req: RecommendRequest) -> tuple[np.ndarray | None, str | None]:
    """``per_series``: the series' start times and their one frequency → ``(starts, freq)``;
    ``(None, None)`` without timestamps or for integer step indices.

    Why refuse mixed frequencies: the panel has one frequency, and taking the first series' for
    all silently read a monthly series as, say, hourly.
    """
    first = req.series[0].timestamps
    if first is None or isinstance(first[0], int):
        return None, None
    starts, freq, freq_at = [], None, 0
    for i, s in enumerate(req.series):
        # the schema gives every series timestamps of one kind (RecommendRequest._one_dataset)
        assert s.timestamps is not None
        ts = series_timestamps(s.timestamps, i)
        starts.append(ts[0])
        own = infer_freq(ts) if ts.size >= 3 else None
        if own is not None and freq is not None and own != freq:
            raise DataValidationError(
                f"series {s.id!r} is sampled {rate_words(own)} but series {req.series[freq_at].id!r} "
                f"{rate_words(freq)}: the series of one request must share a frequency; send them in "
                "separate requests",
                field=f"series[{i}].timestamps",
            )
        if own is not None and freq is None:
            freq, freq_at = own, i
    return np.asarray(starts, dtype="datetime64[ns]"), freq


def per_series_histories(
    req: RecommendRequest,
) -> tuple[list[np.ndarray], np.ndarray | None, str | None, str | None]:
    """``per_series``: each series' values on the step grid of the request's frequency →
    ``(values, starts, freq, note)``; the steps a series' timestamps skip are missing values
    (NaN), and ``note`` says which series skipped how many (``None`` when none did).

    Why: the panel places a series by its start and frequency alone, so a monthly series that
    skipped two months was read as contiguous: its later values moved two months back and its
    recommendation was for a history it does not have. ``/v1/forecast`` reads skipped steps as
    missing values with a note (:func:`service.step_grids.on_its_grid`, on the library's grid
    functions, with the library's note), and refuses a series that would be mostly gaps naming
    its timestamps; so does this. An integer step index is laid on the grid of its own steps.
    """
    starts, freq = _panel_timestamps(req)
    step_index = starts is None and req.series[0].timestamps is not None
    if freq is None and not step_index:  # no timestamps, or dates of no frequency: as posted
        return [np.asarray(s.values, dtype=np.float64) for s in req.series], starts, None, None
    # dates at the request's one frequency; an integer step index on its own steps
    values, skipped = [], []
    for i, s in enumerate(req.series):
        on_grid, n_skipped, what = on_its_grid(s, i, purpose="per-series recommendation", freq=freq)
        values.append(on_grid)
        skipped.append((str(s.id), n_skipped, what))
    note = next(iter(skipped_notes(skipped, len(req.series))), None)  # one kind of step per request
    return values, starts, freq, note


def load_series_router(path: str | Path | None = None) -> SeriesRouter:
    """The saved per-series recommender (when ``None``: this machine's build, else the one shipped
    with tsforge), cached until it changes."""
    return _load_cached(
        Path(path) if path else default_router_folder(),
        "router.json",
        _router_cache,
        SeriesRouter.load,
        **_ROUTER_NAMES,
    )


def recommend_series_request(req: RecommendRequest) -> dict[str, Any]:
    """``per_series: true``: the posted series as a panel (each its own length and start, at the
    request's frequency, skipped steps as missing values: see :func:`series_panel`, which refuses
    bad data before the router is loaded) →
    :func:`recommender.series_recommendation.recommend_series` with the saved router."""
    panel, note = series_panel(req)
    router = load_series_router()
    out = json_ready(recommend_series(panel, req.horizon, router=router, build_if_missing=False).to_dict())
    out["series"] = [_named_by_id(pick) for pick in out["series"]]
    out["notes"] = [note] if note else None
    return out


def _named_by_id(pick: dict[str, Any]) -> dict[str, Any]:
    """One series' pick with its series named ``id``, first, as the request names it.

    Why: the library's table calls the column ``unique_id`` (a long frame's name for it), and
    the answer carried that name while the request, ``/v1/forecast``'s answer and every error
    (``series[1].id``) say ``id``: a client matching picks to its series needed both names.
    """
    rest = {k: v for k, v in pick.items() if k not in ("unique_id", "id")}
    return {"id": pick.get("id", pick.get("unique_id")), **rest}


def recommend_request(req: RecommendRequest, limits: Limits, recommender_path: str | None) -> dict[str, Any]:
    """Build the dataset from the request and rank the candidate models for it (in a CPU worker);
    with ``per_series``, recommend per series instead."""
    if req.per_series:
        _check_limits(req, limits)
        return recommend_series_request(req)
    ts, freq = check_recommend(req, limits)
    rec = load_recommender(recommender_path)
    values = np.array([s.values for s in req.series], dtype=np.float64).T  # [T, N], None → NaN
    data = TimeSeriesData(
        values=values.astype(np.float32),
        timestamps=ts,
        channel_ids=tuple(s.id for s in req.series),
        freq=freq,
        name="request",
    )
    try:
        with caught_notes() as caught:
            result = recommend(
                data,
                req.horizon,
                req.top,
                input_len=req.input_len,
                recommender=rec,
                max_windows=req.max_windows,
                seed=0,
                build_if_missing=False,
            )
    except DataValidationError as exc:
        # "too short for input + horizon" names the horizon; when the client set only the
        # input length, that is the value to change
        if exc.where.get("field") == "horizon" and req.horizon is None and req.input_len is not None:
            exc.where["field"] = "input_len"
        raise
    out = json_ready(result.to_dict())
    out.pop("features", None)
    out.pop("recommender", None)
    # the answer's own notes (a horizon outside the knowledge base's), then the library's warnings
    out["notes"] = merge_notes(out.pop("notes", {}).values(), (str(c) for c in caught))
    return out
