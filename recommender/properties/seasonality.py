"""Seasonality, batched: number of seasonal periods (0-3) and seasonal strength (ARIES §1.2 (3)).

Recipe (per window x of length T):
1. STL with period T//2 gives a seasonal component s.
2. |FFT(s)| on frequency indices 2 .. T//2 - 1; the 3 largest amplitudes; periods round(1/f).
3. Duplicated periods are merged; each kept period carries the largest amplitude among the peaks
   that round to it (the spec's "clean pairing", which differs from BLAST only when two of the top
   3 peaks round to the same period).
4. Keep periods < T//2 - 1; of those, keep peaks with amplitude >= 0.2 x the largest; count = #kept.
5. Strength F_S = max(0, 1 - Var(R) / Var(S + R)) from STL (one period) or MSTL (several), with
   trend/seasonal jumps 5 when T > 200.
6. A window with |τ| = 1 (perfectly monotone) gets count 0 and strength 0.

The STL/MSTL steps use exact linear operators (:mod:`recommender.properties._stl_operators`), so
the fast path matches statsmodels to float rounding; no LOESS approximation is involved.
"""

from __future__ import annotations

from collections import defaultdict
from typing import TypedDict

import numpy as np

from recommender.properties._stl_operators import mstl_batch, stl_batch

__all__ = [
    "SeasonalityResult",
    "seasonal_peaks",
    "select_periods",
    "seasonal_strength_batch",
    "seasonality_batch",
]

TOP_K = 3
REL_THRESHOLD = 0.2


def seasonal_peaks(seasonal: np.ndarray, k: int = TOP_K) -> tuple[np.ndarray, np.ndarray]:
    """Top-k FFT peaks of each row: ``(periods [B, k] int, amplitudes [B, k])``, by amplitude desc."""
    n = seasonal.shape[1]
    amp = np.abs(np.fft.fft(seasonal, axis=1))[:, 2 : n // 2]
    freqs = np.fft.fftfreq(n)[2 : n // 2]
    top = np.argsort(amp, axis=1)[:, -k:][:, ::-1]
    periods = np.round(1.0 / freqs[top]).astype(np.int64)
    return periods, np.take_along_axis(amp, top, axis=1)


def select_periods(periods: np.ndarray, amps: np.ndarray, n: int) -> list[tuple[int, ...]]:
    """Steps 3-4 of the recipe for each row: the kept periods, in order of decreasing amplitude."""
    limit = n // 2 - 1
    out: list[tuple[int, ...]] = []
    for row_p, row_a in zip(periods.tolist(), amps.tolist(), strict=True):
        best: dict[int, float] = {}
        for p, a in zip(row_p, row_a, strict=True):
            if p < limit and a > best.get(p, -1.0):
                best[p] = a
        if not best:
            out.append(())
            continue
        thr = REL_THRESHOLD * max(best.values())
        out.append(tuple(p for p, a in best.items() if a >= thr))
    return out


def _strength(part_sr: np.ndarray, resid: np.ndarray) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore"):
        f = 1.0 - resid.var(axis=1) / part_sr.var(axis=1)
    return np.maximum(0.0, np.nan_to_num(f, nan=0.0))


def seasonal_strength_batch(x: np.ndarray, chosen: list[tuple[int, ...]]) -> np.ndarray:
    """Step 5: strength of every row of ``x`` for its chosen periods (0 where none)."""
    n = x.shape[1]
    jump = 5 if n > 200 else 1
    strength = np.zeros(x.shape[0])
    groups: dict[tuple[int, ...], list[int]] = defaultdict(list)
    for i, ps in enumerate(chosen):
        if ps:
            groups[tuple(sorted(ps))].append(i)
    for ps, rows in groups.items():
        idx = np.asarray(rows)
        xs = x[idx]
        if len(ps) == 1:
            seas, trend = stl_batch(xs, ps[0], 7, jump)
            resid = xs - seas - trend
        else:
            seas, resid = mstl_batch(xs, ps, jump)
        strength[idx] = _strength(seas + resid, resid)
    return strength


class SeasonalityResult(TypedDict):
    """What :func:`seasonality_batch` gives for ``B`` windows."""

    #: ``[B]`` number of kept seasonal periods (int)
    count: np.ndarray
    #: ``[B]`` seasonal strength (float)
    strength: np.ndarray
    #: the kept periods of each window
    periods: list[tuple[int, ...]]


def seasonality_batch(x: np.ndarray, tau: np.ndarray | None = None) -> SeasonalityResult:
    """Season count and strength of every row of ``x [B, T]`` (z-normalised windows).

    Args:
        x: windows.
        tau: Kendall τ per window; rows with |τ| == 1 get count 0 and strength 0 (step 6).

    Returns:
        dict with ``count`` (int), ``strength`` (float) and ``periods`` (list of tuples).
    """
    x = np.asarray(x, dtype=np.float64)
    n = x.shape[1]
    seas, _ = stl_batch(x, n // 2, 7, 1)
    periods, amps = seasonal_peaks(seas)
    chosen = select_periods(periods, amps, n)
    if tau is not None:
        chosen = [() if abs(t) == 1.0 else c for c, t in zip(chosen, np.asarray(tau).tolist(), strict=True)]
    strength = seasonal_strength_batch(x, chosen)
    count = np.asarray([len(c) for c in chosen], dtype=np.int64)
    return {"count": count, "strength": strength, "periods": chosen}
