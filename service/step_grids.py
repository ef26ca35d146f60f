"""A posted series laid on its step grid, and the notes that say which series skipped steps.

Why a module of its own: ``/v1/profile`` (each series at its own frequency) and
``/v1/recommend`` with ``per_series`` (every series at the request's one frequency) both read
the steps a series' timestamps skip as missing values, as ``/v1/forecast`` does, and each had
its own copy of the loop and of the note's words; one function lays a series on its grid and
the library's :func:`~tsforge.inference.notes.skipped_steps_note` (what ``/v1/forecast``'s
notes come from) says it, so the three routes say one thing in one way.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from service.convert import series_timestamps
from service.schemas.forecast import HistoryIn
from tsforge.data.frequency import infer_freq, rate_words
from tsforge.data.history import SeriesInput
from tsforge.data.step_grid import on_integer_grid, on_step_grid
from tsforge.inference.notes import skipped_steps_note

__all__ = ["INTEGER_STEPS", "on_its_grid", "skipped_notes"]

#: what a series on an integer step index skipped, in the words of its note
INTEGER_STEPS = "steps of their integer step index,"


def on_its_grid(
    s: HistoryIn, i: int, *, purpose: str, freq: str | None = None
) -> tuple[np.ndarray, int, str]:
    """The values of ``s`` (the request's ``i``-th series) on its step grid → ``(values, steps
    inserted, what was skipped in words)``; as posted when it has no timestamps, or (``freq``
    not given) fewer than 3 dates or dates too irregular to have a frequency.

    The grid of dates is ``freq``'s, or with none the series' own frequency (inferred from its
    dates); an integer step index's is the gcd of its steps. A series mostly of skipped steps is
    refused naming ``series[i].timestamps`` (``purpose`` says what its grid is for, in the
    library's refusal: ``"profile"``, ``"per-series recommendation"``).

    Why read skipped steps as missing values rather than refuse: the profiler and the
    recommender take missing values, and ``/v1/forecast`` reads the same body so, with a note;
    a monthly series missing two months was profiled (and placed in a panel) as contiguous, its
    seasonality and trend measured on a history it does not have, silently. A client that
    profiles what it is about to forecast expects the history the forecast reads. Why the
    frequency may be given: ``/v1/profile`` profiles each series alone, at its own rate, while
    ``/v1/recommend`` places every series of a request in one panel, at the request's.
    """
    values = np.asarray(s.values, dtype=np.float64)  # None → NaN
    if s.timestamps is None or not s.timestamps:
        return values, 0, ""
    if isinstance(s.timestamps[0], int):
        history = SeriesInput(id=str(s.id), values=values, steps=np.asarray(s.timestamps, dtype=np.int64))
        on_grid, n = on_integer_grid(history, field=f"series[{i}]")
        return np.asarray(on_grid.values, dtype=np.float64), n, INTEGER_STEPS
    ts = series_timestamps(s.timestamps, i)
    if freq is None:
        freq = infer_freq(ts) if ts.size >= 3 else None
    if freq is None:
        return values, 0, ""
    history = SeriesInput(id=str(s.id), values=values, timestamps=ts)
    on_grid, n = on_step_grid(history, freq, purpose, field=f"series[{i}]")
    return np.asarray(on_grid.values, dtype=np.float64), n, f"steps of their frequency, {rate_words(freq)},"


def skipped_notes(skipped: Sequence[tuple[str, int, str]], n_series: int) -> list[str]:
    """The notes for ``skipped`` (``(series id, steps inserted, what was skipped)`` per series
    that skipped any, in request order) of a request of ``n_series``: one per kind of step
    skipped, in the words ``/v1/forecast`` uses."""
    by_what: dict[str, dict[str, int]] = {}
    for sid, n, what in skipped:
        if n:
            by_what.setdefault(what, {})[sid] = n
    return [skipped_steps_note(what, ids, n_series) for what, ids in by_what.items()]
