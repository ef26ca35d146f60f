"""Series profiles for ``POST /v1/profile``: one call of ``recommender.properties.profile`` per series.

Each series is an independent task (a function over one history). :func:`plan_profile` checks a
request against the service's limits in the server (cheap); :func:`profile_request` does the
work in a CPU worker process of :mod:`service.cpu_pool`, within the request's time budget.
A series whose timestamps skip steps is profiled with those steps as missing values, and the
answer's ``notes`` say so (:func:`service.step_grids.on_its_grid`), as ``/v1/forecast`` reads it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from recommender.properties import profile
from recommender.properties.profile import MIN_WINDOW
from service.convert import Limits
from service.schemas.profile import ProfileRequest, ProfileResponse, SeriesProfile
from service.step_grids import on_its_grid, skipped_notes
from tsforge.errors import DataValidationError, ResourceLimitError

__all__ = ["ProfilePlan", "plan_profile", "profile_request"]


@dataclass
class ProfilePlan:
    """What :func:`plan_profile` found a request asks: per series ``(id, values, window)`` with
    its skipped steps inserted as missing values, and the notes that say which were."""

    series: list[tuple[str, np.ndarray, int]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def _clean(x: float) -> float | None:
    return float(x) if math.isfinite(x) else None


def plan_profile(req: ProfileRequest, limits: Limits) -> ProfilePlan:
    """Check a request against the limits without profiling anything → a :class:`ProfilePlan`.

    Cheap (no property is computed; laying a series on its step grid takes microseconds to a
    few milliseconds), so the server runs it before handing the request to a worker: a request
    that is too large, or a series mostly of skipped steps, is refused at once, not after
    waiting for a worker.
    """
    limits.check(
        len(req.series), [(f"series[{i}].values", len(s.values)) for i, s in enumerate(req.series)], None
    )
    if req.window is not None and req.window > limits.max_profile_window:
        raise ResourceLimitError(
            f"window {req.window} exceeds this service's limit of {limits.max_profile_window} "
            "(profiling cost grows with the square of the window)",
            field="window",
        )
    plan = ProfilePlan()
    skipped: list[tuple[str, int, str]] = []  # (id, steps skipped, what in words) per series
    total = 0
    for i, s in enumerate(req.series):
        # each series at its own frequency: each is profiled alone, so rates may differ
        values, n_skipped, what = on_its_grid(s, i, purpose="profile")
        skipped.append((str(s.id), n_skipped, what))
        if not np.isfinite(values).any():  # it profiled as all-null properties, a 200
            raise DataValidationError(f"series {s.id!r} has no observed value", field=f"series[{i}].values")
        window = req.window or min(336, values.size, limits.max_profile_window)
        if values.size < max(window, MIN_WINDOW):
            raise DataValidationError(
                f"series {s.id!r} has {values.size} values; profiling needs at least {max(window, MIN_WINDOW)}",
                field=f"series[{i}].values",
            )
        stride = req.stride or max(1, window // 14)
        total += min(req.max_windows, (values.size - window) // stride + 1)
        plan.series.append((s.id, values, window))
    if total > limits.max_profile_windows:
        raise ResourceLimitError(
            f"this request would profile {total} windows; the service profiles at most "
            f"{limits.max_profile_windows} per request (lower max_windows, raise stride, or send fewer series)",
            field="max_windows",
        )
    plan.notes = skipped_notes(skipped, len(req.series))
    return plan


def profile_request(req: ProfileRequest, limits: Limits) -> ProfileResponse:
    """Profile every series of ``req`` (runs in a CPU worker); refuses what :func:`plan_profile` refuses."""
    plan = plan_profile(req, limits)
    out = []
    for i, (sid, values, window) in enumerate(plan.series):
        # a window under 100 values has no Hurst exponent: null, not the lineage's 0 ("no memory")
        result = profile(
            values,
            window=window,
            stride=req.stride,
            max_windows=req.max_windows,
            seed=0,
            mask_short_hurst=True,
        )
        summ = result.summary
        if int(summ["n_windows"]) == 0:
            raise _nothing_profiled(sid, values, window, f"series[{i}].values")
        out.append(
            SeriesProfile(
                id=sid,
                window=window,
                n_windows=int(summ["n_windows"]),
                properties={p: {k: _clean(v) for k, v in st.items()} for p, st in summ["properties"].items()},
                buckets=summ["buckets"],
            )
        )
    return ProfileResponse(profiles=out, notes=plan.notes or None)


def _nothing_profiled(sid: str, values: np.ndarray, window: int, field: str) -> DataValidationError:
    """The error for a series none of whose windows could be profiled.

    Why refuse: the answer was a 200 with ``n_windows`` 0, every property null and every bucket
    0, and nothing said why; a window is left out for more than 10 % missing values (or values
    too large to compute with), and the client can choose a smaller window, fill the gaps or
    rescale.
    """
    missing = int((~np.isfinite(values)).sum())
    return DataValidationError(
        f"series {sid!r}: no window of {window} values could be profiled ({missing} of its "
        f"{values.size} values are missing; a window with more than 10 % missing values is left out, "
        "as is one with values too large to compute with): give a smaller window, fill the gaps, or "
        "rescale the series",
        field=field,
    )
