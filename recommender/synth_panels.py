"""Synthetic panel collections for the per-series knowledge base (issue #14 lists "the synthetic
corpus" among its sources).

The ARIES corpus (:mod:`recommender.synth`) is long GP draws with periods from 4 to 730 steps
and no calendar: nothing a panel's season length or horizon could be read from. A knowledge-base
row needs both (features such as the seasonal-vs-naive step ratio, the candidates' seasonal
naive and AutoETS season). So each collection here is one sampling rate of the M4 competition
(yearly … hourly: its season length and M4 horizon), with ragged lengths in the range such
panels have, and every series one draw from a composite of the ARIES kernel bank in which the
periodic kernels are replaced by the collection's season (a monthly series with a 52-step cycle
would teach the router nothing about monthly data). Draws are put on a positive level
(``level · exp(cv · z)`` of the standardised draw ``z``: panels of sales and counts are
positive, and MASE does not depend on the scale).

Series ``i`` of a collection depends only on ``(seed, profile, i)``: the collections are
rebuilt identically wherever they are built, and the knowledge-base cache keys them by content.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from recommender.synth import BaseKernel, Composite, draw_kernel, kernel_bank, sample_gp
from tsforge.data.panel import Panel
from tsforge.errors import ConfigError

__all__ = ["SYNTHETIC_PROFILES", "SyntheticProfile", "synthetic_collection", "synthetic_collections"]


@dataclass(frozen=True)
class SyntheticProfile:
    """One sampling rate: pandas frequency, season length and the range of series lengths."""

    freq: str
    season_length: int
    min_length: int
    max_length: int


#: The M4 sampling rates (season, M4 horizon by season) with the lengths real panels of that
#: rate have in the development collections (M1, NN5, M4 hourly …), shorter at the long end
#: to keep the knowledge-base build in minutes.
SYNTHETIC_PROFILES: dict[str, SyntheticProfile] = {
    "yearly": SyntheticProfile("YS", 1, 20, 60),
    "quarterly": SyntheticProfile("QS", 4, 24, 100),
    "monthly": SyntheticProfile("MS", 12, 48, 200),
    "weekly": SyntheticProfile("W-SUN", 52, 120, 400),
    "daily": SyntheticProfile("D", 7, 120, 600),
    "hourly": SyntheticProfile("h", 24, 300, 900),
}


def _season_bank(season_length: int) -> list[BaseKernel]:
    """The ARIES bank with its periodic kernels replaced by one of the collection's season (as
    many copies as the bank had periodic kernels, so seasonal draws stay as frequent); without a
    season, the bank without periodic kernels."""
    bank = kernel_bank()
    periodic = [k for k in bank if k.kind == "periodic"]
    rest = [k for k in bank if k.kind != "periodic"]
    if season_length <= 1:
        return rest
    return rest + [BaseKernel("periodic", float(season_length))] * len(periodic)


def _exact_season(comp: Composite, length: int) -> Composite:
    """``comp`` with every periodic kernel's period stretched by ``length / (length − 1)``.

    Why: the ARIES sampler reads a period of ``p`` as the periodicity ``p / L`` on
    ``linspace(0, 1, L)``, whose step is ``1 / (L − 1)``: a cycle is ``p (L − 1) / L`` steps.
    On the ARIES corpus' 2,048-step series that is nothing; on a 50-month series a 12-month
    season would drift a month in four years. Stretched, a cycle is exactly ``p`` steps."""
    stretch = length / max(length - 1, 1)
    kernels = tuple(
        BaseKernel("periodic", k.a * stretch) if k.kind == "periodic" else k for k in comp.kernels
    )
    return Composite(kernels, comp.ops)


def synthetic_collection(profile: str, n_series: int = 200, seed: int = 0) -> Panel:
    """``n_series`` GP-composite series at ``profile``'s rate (see the module docstring); the
    panel is named ``synthetic_<profile>``."""
    if profile not in SYNTHETIC_PROFILES:
        raise ConfigError(
            f"unknown synthetic profile {profile!r}; choose one of {', '.join(SYNTHETIC_PROFILES)}",
            field="profile",
        )
    if n_series < 1:
        raise ConfigError(f"n_series must be at least 1, got {n_series}", field="n_series")
    p = SYNTHETIC_PROFILES[profile]
    bank = _season_bank(p.season_length)
    key = list(profile.encode())
    arrays = []
    for ss in np.random.SeedSequence([seed, *key]).spawn(n_series):
        rng = np.random.default_rng(ss)
        length = int(rng.integers(p.min_length, p.max_length + 1))
        z = sample_gp(_exact_season(draw_kernel(rng, bank), length), length, rng)
        z = (z - z.mean()) / (z.std() or 1.0)
        level = float(rng.uniform(50.0, 5000.0))
        arrays.append(level * np.exp(float(rng.uniform(0.02, 0.3)) * z))
    first = pd.date_range("2000-01-01", periods=1, freq=p.freq)[0]  # on the grid (weekly: a Sunday)
    starts = pd.DatetimeIndex([first] * n_series).values
    return Panel.from_arrays(
        arrays,
        ids=[f"{profile[0].upper()}{i + 1}" for i in range(n_series)],
        starts=starts,
        freq=p.freq,
        season_length=p.season_length,
        name=f"synthetic_{profile}",
    )


def synthetic_collections(n_series: int = 200, seed: int = 0) -> list[Panel]:
    """One :func:`synthetic_collection` per profile."""
    return [synthetic_collection(name, n_series, seed) for name in SYNTHETIC_PROFILES]
