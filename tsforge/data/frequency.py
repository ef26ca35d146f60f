"""Frequency inference and the natural season length of a frequency."""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["infer_freq", "season_length", "steps_per_hour"]


def infer_freq(timestamps: np.ndarray) -> str | None:
    """Pandas offset alias for regular timestamps (``None`` when fewer than 3 or irregular).

    Falls back to the modal step when pandas cannot name the frequency (e.g. a series with a
    single gap), so the caller can then report where the spacing breaks.
    """
    ts = pd.DatetimeIndex(np.asarray(timestamps).astype("datetime64[ns]"))
    if len(ts) < 3:
        return None
    freq = pd.infer_freq(ts)
    if freq is not None:
        return freq
    deltas = np.diff(ts.asi8)
    values, counts = np.unique(deltas, return_counts=True)
    step = int(values[np.argmax(counts)])
    if step <= 0:
        return None
    return pd.tseries.frequencies.to_offset(pd.Timedelta(step, unit="ns")).freqstr


def _step_seconds(freq: str) -> float | None:
    try:
        return pd.Timedelta(pd.tseries.frequencies.to_offset(freq)).total_seconds()
    except (ValueError, TypeError):
        return None


def steps_per_hour(freq: str | None) -> float | None:
    """1 for hourly, 4 for 15-minute data, ...; ``None`` for daily or coarser."""
    if not freq:
        return None
    sec = _step_seconds(freq)
    if sec is None or sec > 3600:
        return None
    return 3600.0 / sec


def season_length(freq: str | None) -> int:
    """Dominant seasonal period in steps: a day for sub-daily data, a week for daily data,
    a year for weekly/monthly/quarterly data, 1 when unknown."""
    if not freq:
        return 1
    sec = _step_seconds(freq)
    if sec is not None:
        if sec < 86_400:
            return max(1, int(round(86_400 / sec)))
        if sec == 86_400:
            return 7
        if sec == 7 * 86_400:
            return 52
        return 1
    name = pd.tseries.frequencies.to_offset(freq).name.upper()
    if name.startswith("W"):
        return 52
    if name.startswith(("ME", "MS", "M", "BM", "SM")):
        return 12
    if name.startswith(("QE", "QS", "Q", "BQ")):
        return 4
    if name.startswith("B"):
        return 5
    return 1
