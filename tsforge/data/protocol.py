"""Protocol defaults: input length, horizon and split of a dataset when the user gives none.

Why here: the CLI, the pipeline, tuning, the recommender and the demo all need the same
defaults, and they are a property of the data (its catalogue entry and frequency), not of any
one caller.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from tsforge.data.frame import TimeSeriesData
from tsforge.data.frequency import season_length, steps_per_hour
from tsforge.data.splits import split_borders

__all__ = [
    "panel_horizon",
    "longest_fitting_horizon",
    "DEFAULT_SPLIT",
    "HOLDOUT",
    "default_input_note",
    "default_lengths",
    "default_split",
    "default_panel_horizon",
    "protocol_for",
    "drop_channels_unobserved_in_train",
]

log = logging.getLogger(__name__)

#: Split of long multichannel data that has no published one.
DEFAULT_SPLIT = "7:1:2"
#: The per-series holdout protocol (panels; the default for a user's own files).
HOLDOUT = "holdout"
#: The M4 competition's horizons by season length (yearly 6, quarterly 8, monthly 18, weekly 13,
#: daily 14, hourly 48): the defaults users of panel data know.
_PANEL_HORIZONS = {1: 6, 4: 8, 12: 18, 52: 13, 7: 14, 24: 48}


def default_lengths(
    data: TimeSeriesData, entry: Any, input_len: int | None, horizon: int | None
) -> tuple[int, int]:
    """Catalogue defaults, else horizon = one season (≥ 12, ≤ 48) and input = 4 × horizon
    (≥ 2 seasons), capped so a 7:1:2 split keeps at least one training window."""
    m = season_length(data.freq)
    if horizon is None:
        horizons = getattr(entry, "horizons", None)
        horizon = int(horizons[0]) if horizons else int(min(max(m, 12), 48))
    if input_len is None:
        input_len = getattr(entry, "input_len", None) or int(max(4 * horizon, 2 * m))
        input_len = int(min(input_len, max(8, int(0.7 * data.n_steps) - horizon - 1)))
    return int(input_len), int(horizon)


def default_input_note(entry: Any, input_len: int | None, horizon: int) -> str | None:
    """Where an input length the caller left out came from, for a refusal that names it (None
    where the caller gave it): the default grows with the horizon, so "input 1600" alone named a
    number the user never typed."""
    if input_len is not None:
        return None
    if getattr(entry, "input_len", None):
        return "the dataset's default"
    return f"the default for horizon {horizon}"


def default_split(entry: Any, split: str | None) -> str:
    """The user's split, else the catalogue entry's published one, else 7:1:2."""
    return split or getattr(entry, "split", None) or DEFAULT_SPLIT


def drop_channels_unobserved_in_train(series: TimeSeriesData, split: str) -> tuple[TimeSeriesData, list[str]]:
    """Catalogue datasets only: drop channels with no observation in the training split (e.g. a
    pm10 station that starts reporting later). A user's own file gets a clear error instead
    (from ``prepare_task``)."""
    a, b = split_borders(series.n_steps, split, steps_per_hour=steps_per_hour(series.freq)).train
    seen = np.asarray(series.mask[a:b].any(axis=0))  # [N] (NumPy types a reduction as maybe a scalar)
    if seen.all():
        return series, []
    kept = [c for c, ok in zip(series.channel_ids, seen, strict=True) if ok]
    dropped = [c for c, ok in zip(series.channel_ids, seen, strict=True) if not ok]
    log.warning("dropping %d channel(s) with no observation in the training split: %s", len(dropped), dropped)
    return series.select_channels(kept), dropped


def default_panel_horizon(entry: Any, season_length: int, declared: int | None = None) -> int:
    """The catalogue entry's horizon, else the one the data declares (a ``.tsf`` header), else
    the M4 horizon of the frequency (2 seasons when the season is not an M4 one)."""
    horizons = getattr(entry, "horizons", None)
    if horizons:
        return int(horizons[0])
    if declared:
        return int(declared)
    return int(_PANEL_HORIZONS.get(int(season_length), max(2 * int(season_length), 6)))


def panel_horizon(horizon: int | None, entry: Any, season_length: int, declared: int | None = None) -> int:
    """The horizon a panel command uses: the one asked for, else :func:`default_panel_horizon`.

    Why not ``horizon or default``: ``--horizon 0`` then silently became the default (18 for
    monthly data) and failed later as "series too short"; a horizon that is given must be ≥ 1.
    """
    if horizon is None:
        return default_panel_horizon(entry, season_length, declared)
    from tsforge.arguments import whole_number

    h = whole_number(horizon, "horizon")  # 2.5 is refused, not cut to 2
    if h < 1:
        from tsforge.errors import ConfigError

        raise ConfigError(f"horizon must be at least 1, got {horizon}", field="horizon")
    return h


def longest_fitting_horizon(h: int, fits: Callable[[int], bool]) -> int | None:
    """The longest horizon shorter than ``h`` that ``fits`` (``None``: not even 1).

    Why one search: a default horizon too long for the data falls back to the longest one that
    fits, with a note, for long data (:func:`recommender.api.recommend`) and for a panel's
    holdout (:func:`~tsforge.panels.protocol.default_horizon_that_fits`) alike; each caller
    says only what "fits" means for its protocol.
    """
    return next((k for k in range(int(h) - 1, 0, -1) if fits(k)), None)


def protocol_for(dataset: str, split: str | None) -> str:
    """The protocol ``tsforge train`` applies: the user's ``split``, else a catalogue entry's
    (published LTSF splits for long benchmarks, holdout for panel collections), else holdout
    (a user's own file: most real data is a panel of short series)."""
    from tsforge.data.catalog import dataset_names, get_entry

    if split:
        return split.strip().lower()
    if not Path(dataset).is_file() and str(dataset).strip().lower() in dataset_names():
        return getattr(get_entry(dataset), "split", None) or DEFAULT_SPLIT
    return HOLDOUT
