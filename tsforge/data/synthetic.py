"""A synthetic multi-station dataset whose signals depend on where each station is.

Why: demos and tests need data that exists on every machine, is cheap to make, and has the
structure the models are meant to exploit — trend, several seasonalities, cross-channel
correlation, missing-free but optionally spiky — plus coordinates that *matter*: the level
and the seasonal amplitude grow with latitude and the daily phase shifts with longitude (solar
time), so a model with coordinate embeddings (STELLA) has something to learn that a model
without them must infer per channel.

Everything is generated in one vectorised pass from a ``numpy.random.Generator`` seeded with
``seed``: equal arguments give bit-identical data.
"""

from __future__ import annotations

from typing import Literal, overload

import numpy as np
import pandas as pd
from scipy.signal import lfilter

from tsforge.data.frame import TimeSeriesData
from tsforge.data.panel import Panel
from tsforge.errors import ConfigError

__all__ = ["synthetic_stations", "LAT_RANGE", "LON_RANGE"]

# A plausible mid-latitude box (roughly Central Europe).
LAT_RANGE: tuple[float, float] = (44.0, 58.0)
LON_RANGE: tuple[float, float] = (4.0, 20.0)
# Candidate seasonal periods in hours: day, week, year.
_PERIOD_HOURS: tuple[float, ...] = (24.0, 168.0, 8766.0)


def _period_steps(freq: str) -> list[float]:
    """The day, week and year (:data:`_PERIOD_HOURS`) in steps of ``freq``.

    Why: the seasons are drawn on the step index, so each must be its length in *steps*. For a
    fixed step that is hours over the step's hours; a calendar step (weeks, months, quarters,
    years) has a nominal length; business days and hours skip weekends (and nights), so their
    week is counted on the calendar: 5 business days, 40 business hours. Earlier a table of
    name prefixes read business days and hours and custom business months as yearly steps (no
    season at all), semi-months as months and week-of-month as weeks.
    """
    try:
        offset = pd.tseries.frequencies.to_offset(freq)
    except ValueError:
        raise ConfigError(f"unknown frequency {freq!r}", field="freq") from None
    try:
        step_h = pd.Timedelta(offset).total_seconds() / 3600.0
    except (ValueError, TypeError):
        name = offset.name.upper()
        if name.startswith("CB"):  # custom business months and hours: sampled as business ones
            name = name[1:]
        if name in ("B", "C", "BH"):
            monday = pd.Timestamp("2024-01-01")  # a Monday: count one whole working week
            per_week = len(
                pd.date_range(monday, monday + pd.Timedelta(days=7), freq=offset, inclusive="left")
            )
            return [per_week / 5.0, float(per_week), per_week * 365.25 / 7.0]
        step_h = 8766.0  # yearly, and what the table below does not name
        for prefixes, hours in (
            (("WOM", "LWOM"), 730.5),  # the n-th weekday of each month: monthly
            (("W",), 168.0),
            (("SM",), 365.25),  # semi-monthly
            (("M", "BM"), 730.5),
            (("Q", "BQ"), 2191.5),
        ):
            if name.startswith(prefixes):
                step_h = hours
                break
    return [p / step_h for p in _PERIOD_HOURS]


@overload
def synthetic_stations(
    n_channels: int = ...,
    n_steps: int = ...,
    freq: str = ...,
    seed: int = ...,
    n_seasons: int = ...,
    trend: float = ...,
    noise: float = ...,
    anomaly_rate: float = ...,
    start: str = ...,
    *,
    return_anomalies: Literal[False] = ...,
) -> TimeSeriesData: ...


@overload
def synthetic_stations(
    n_channels: int = ...,
    n_steps: int = ...,
    freq: str = ...,
    seed: int = ...,
    n_seasons: int = ...,
    trend: float = ...,
    noise: float = ...,
    anomaly_rate: float = ...,
    start: str = ...,
    *,
    return_anomalies: Literal[True],
) -> tuple[TimeSeriesData, np.ndarray]: ...


@overload
def synthetic_stations(
    n_channels: int = ...,
    n_steps: int = ...,
    freq: str = ...,
    seed: int = ...,
    n_seasons: int = ...,
    trend: float = ...,
    noise: float = ...,
    anomaly_rate: float = ...,
    start: str = ...,
    *,
    return_anomalies: bool,
) -> TimeSeriesData | tuple[TimeSeriesData, np.ndarray]: ...


def synthetic_stations(
    n_channels: int = 8,
    n_steps: int = 2000,
    freq: str = "h",
    seed: int = 0,
    n_seasons: int = 2,
    trend: float = 1.0,
    noise: float = 0.3,
    anomaly_rate: float = 0.0,
    start: str = "2022-01-01",
    *,
    return_anomalies: bool = False,
) -> TimeSeriesData | tuple[TimeSeriesData, np.ndarray]:
    """Generate ``n_channels`` station series of ``n_steps`` steps.

    Each channel is ``level + trend·t + Σ_k amp_k·sin(2π t / P_k + phase) + regional + noise``:

    * ``level`` and every ``amp_k`` grow linearly with the station's latitude;
    * the daily phase follows longitude (15° = one hour of solar time);
    * ``regional`` is one slow AR(1) "weather" factor shared by all stations, loaded more
      strongly at higher latitudes, so channels are correlated;
    * ``noise`` is per-station AR(1) noise with standard deviation ``noise``;
    * with ``anomaly_rate > 0`` a fraction of points gets a spike of 4–8 noise-free signal
      standard deviations (sign random).

    Args:
        n_seasons: how many of (day, week, year) periods to include, counting only periods that
            span at least 2 steps and fit in the series (hourly: daily + weekly; daily: weekly + yearly).
        trend: total rise over the series, in units of the level spread (scaled per station).
        return_anomalies: also return the ``[T, N]`` bool mask of injected spikes.

    Returns:
        ``TimeSeriesData`` named ``"synthetic"`` with ``[N, 2]`` (lat, lon) coordinates
        (and the anomaly mask when asked).
    """
    if n_channels < 1 or n_steps < 2:
        raise ConfigError(
            f"need n_channels >= 1 and n_steps >= 2, got {n_channels}, {n_steps}", field="n_steps"
        )
    if not 0.0 <= anomaly_rate < 1.0:
        raise ConfigError(f"anomaly_rate must be in [0, 1), got {anomaly_rate}", field="anomaly_rate")
    rng = np.random.default_rng(seed)
    period_steps = _period_steps(freq)
    timestamps = pd.date_range(start, periods=n_steps, freq=freq)

    lat = rng.uniform(*LAT_RANGE, size=n_channels)
    lon = rng.uniform(*LON_RANGE, size=n_channels)
    north = (lat - LAT_RANGE[0]) / (LAT_RANGE[1] - LAT_RANGE[0])  # 0 (south) .. 1 (north)

    t = np.arange(n_steps, dtype=np.float64)[:, None]  # [T, 1]
    level = 10.0 + 10.0 * north + rng.normal(0.0, 0.5, n_channels)
    slope = trend * (0.5 + north) * rng.uniform(0.5, 1.5, n_channels) / n_steps
    signal = level + slope * t

    # Random draws do not depend on n_seasons, so adding a season changes nothing else.
    amp_jitter = rng.uniform(0.8, 1.2, (len(_PERIOD_HOURS), n_channels))
    base_phase = rng.uniform(0, 2 * np.pi, len(_PERIOD_HOURS))
    periods = [p for p in period_steps if 2.0 <= p <= n_steps]
    for k, period in enumerate(periods[: max(0, n_seasons)]):
        amp = (2.0 / (k + 1)) * (0.5 + 1.5 * north) * amp_jitter[k]
        phase = base_phase[k] + (2 * np.pi * lon / 360.0 if k == 0 else 0.0)
        signal = signal + amp * np.sin(2 * np.pi * t / period + phase)
        if k == 0:  # a harmonic makes the first season non-sinusoidal, as real daily cycles are
            signal = signal + 0.3 * amp * np.sin(4 * np.pi * t / period + 2 * phase)

    regional = lfilter([1.0], [1.0, -0.97], rng.normal(0.0, 0.25, n_steps))[:, None]
    signal = signal + regional * (0.5 + north)

    eps = rng.normal(0.0, 1.0, (n_steps, n_channels))
    ar = lfilter([1.0], [1.0, -0.5], eps, axis=0) * np.sqrt(1 - 0.5**2)  # unit variance AR(1)
    values = signal + noise * ar

    anomalies = rng.random((n_steps, n_channels)) < anomaly_rate
    if anomaly_rate > 0:
        scale = signal.std(axis=0, keepdims=True) + noise
        spikes = rng.uniform(4.0, 8.0, (n_steps, n_channels)) * rng.choice([-1.0, 1.0], (n_steps, n_channels))
        values = np.where(anomalies, values + spikes * scale, values)

    data = TimeSeriesData(
        values=values.astype(np.float32),
        timestamps=timestamps.to_numpy(),
        channel_ids=tuple(f"S{i:02d}" for i in range(n_channels)),
        freq=timestamps.freqstr,
        coords=np.stack([lat, lon], axis=1),
        name="synthetic",
    )
    return (data, anomalies) if return_anomalies else data


def synthetic_panel(
    n_series: int = 120,
    *,
    freq: str = "MS",
    min_length: int = 24,
    max_length: int = 120,
    intermittent_share: float = 0.15,
    seed: int = 0,
    start: str = "2010-01-01",
) -> Panel:
    """A ragged monthly panel (or one at ``freq``, its season ``freq``'s) like real sales/ops
    data, generated (no download).

    Each series has its own length (``min_length``..``max_length``) and end date (so starts
    differ too), a level, and a mix of trend, yearly seasonality of varying strength and noise;
    ``intermittent_share`` of them are intermittent counts (mostly zeros). Seeded: equal seeds
    give equal panels.
    """
    from tsforge.data.frequency import season_length

    rng = np.random.default_rng(seed)
    m = max(season_length(freq), 1)
    step = pd.tseries.frequencies.to_offset(freq)
    lengths = rng.integers(min_length, max_length + 1, size=n_series)
    end_offset = rng.integers(0, 13, size=n_series)  # series end up to 12 steps before the latest
    arrays, starts = [], []
    # on ``freq``'s grid (a quarterly panel started on any month before, and its Panel refused it)
    last = pd.date_range(pd.Timestamp(start), periods=int(max_length + 13), freq=freq)[-1]
    for i, n in enumerate(lengths):
        t = np.arange(n)
        if rng.random() < intermittent_share:
            demand = rng.poisson(rng.uniform(1.0, 6.0), size=n) * (rng.random(n) < rng.uniform(0.1, 0.4))
            y = demand.astype(np.float64)
        else:
            level = rng.uniform(50, 5000)
            trend = rng.normal(0, 0.004) * level * t
            season = rng.uniform(0, 0.3) * level * np.sin(2 * np.pi * (t + rng.integers(m)) / m)
            noise = rng.normal(0, rng.uniform(0.02, 0.1) * level, size=n)
            y = np.maximum(level + trend + season + noise, 0.0)
        arrays.append(y)
        starts.append(last - int(end_offset[i] + n - 1) * step)
    return Panel.from_arrays(
        arrays,
        ids=[f"P{i:03d}" for i in range(n_series)],
        starts=pd.DatetimeIndex(starts).values,
        freq=freq,
        name="synthetic_panel",
    )
