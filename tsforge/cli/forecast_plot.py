"""``tsforge forecast --plot``: a picture of what was just forecast, for people who would rather look.

The history tail, the forecast and its intervals of the first few series (or of the ones named
with ``--plot-series``), in the file's own units and dates — the same drawing as the forecast
plot of a training run (``tsforge.tracking.plots``),
without the actuals a forecast of the future cannot have.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

if TYPE_CHECKING:
    from tsforge.data.history import SeriesInput

__all__ = ["PLOT_SERIES", "check_plot_path", "check_plot_series", "write_forecast_plot"]

#: series drawn (the file's first ones): more panels than this stop being readable on one page
PLOT_SERIES = 6


def check_plot_path(path: Path) -> None:
    """Refuse a ``--plot`` target that is not a PNG before any forecasting is done."""
    from tsforge.errors import ConfigError

    if path.suffix.lower() != ".png":
        raise ConfigError(f"--plot writes a PNG; got {path.name!r}", field="plot")


def check_plot_series(
    history: Any, series: list[str], *, id_col: str, time_col: str, target_col: str, file: str | None = None
) -> None:
    """Refuse ``--plot-series`` ids that are not in the history file before any forecasting is
    done (a forecast of thousands of series should not end in "no such series")."""
    from tsforge.data.history import histories_from_frame
    from tsforge.errors import ConfigError

    known = [s.id for s in histories_from_frame(history, id_col, time_col, target_col, file=file)]
    present = set(known)
    missing = [s for s in series if s not in present]
    if missing:
        shown = ", ".join(repr(k) for k in known[:5]) + (", …" if len(known) > 5 else "")
        raise ConfigError(
            f"--plot-series {missing[0]!r} is not a series of {file or 'the history'} "
            f"({len(known)} series: {shown})",
            field="plot_series",
        )
    if len(series) > PLOT_SERIES:
        raise ConfigError(
            f"--plot-series names {len(series)} series; a page stays readable up to {PLOT_SERIES}",
            field="plot_series",
        )


def write_forecast_plot(
    history: Any,
    forecast: pd.DataFrame,
    path: Path,
    *,
    id_col: str,
    time_col: str,
    target_col: str,
    levels: list[float] | None,
    file: str | None = None,
    model: str = "",
    series: list[str] | None = None,
) -> Path:
    """Draw ``series`` (ids; default: the file's first :data:`PLOT_SERIES`) of ``forecast`` after
    their histories to ``path`` (a PNG: the command checks it with :func:`check_plot_path`, and
    the ids with :func:`check_plot_series`, before forecasting)."""
    from tsforge.tracking.plots import plot_series_forecasts

    inputs = _drawn_histories(
        history, series, id_col=id_col, time_col=time_col, target_col=target_col, file=file
    )
    if series:
        by_name = {s.id: s for s in inputs}
        inputs = [by_name[s] for s in series]
    inputs = inputs[:PLOT_SERIES]
    # the drawn series' rows only: grouping all of a 20,000-series forecast took over a second
    drawn = forecast[forecast[id_col].astype(str).isin([str(one.id) for one in inputs])]
    by_id = {str(k): g for k, g in drawn.groupby(id_col, sort=False)}
    items = []
    for one in inputs:
        rows = by_id[str(one.id)]
        h = len(rows)
        tail = min(len(one.values), max(3 * h, 24))
        history_t, future_t = _time_axes(one, rows[time_col], tail, h)
        items.append(
            {
                "id": one.id,
                "history_t": history_t,
                "history": one.values[-tail:],
                "future_t": future_t,
                "forecast": rows["y_hat"].to_numpy(),
                # the interval columns spell a level as f"{level:g}" (80, 97.5)
                "bands": {
                    float(lv): (rows[f"y_hat-lo-{lv:g}"].to_numpy(), rows[f"y_hat-hi-{lv:g}"].to_numpy())
                    for lv in levels or []
                },
                # the y axis is the file's value column (its name is what the user called it)
                "unit": target_col,
                "time_label": _time_label(one, rows[time_col], time_col),
            }
        )
    n_series = forecast[id_col].nunique()
    which = "" if series else "first "  # ``series``: the ids named with --plot-series
    more = f" ({which}{len(items)} of {n_series} series)" if n_series > len(items) else ""
    return plot_series_forecasts(items, path, title=f"{model} forecast{more}".strip())


def _drawn_histories(
    history: Any, series: list[str] | None, *, id_col: str, time_col: str, target_col: str, file: str | None
) -> list[SeriesInput]:
    """The histories of the series to draw (``series``, else the file's first :data:`PLOT_SERIES`),
    parsed from their rows only, as the whole file's parse would give them.

    Why not parse the whole file: grouping every row of a 50,000-series history to draw six of
    them took most of ``forecast --plot``. The time column is still parsed whole, because how
    it is read depends on all of its values (``202001``… is months only when it spans years; a
    text date's format is inferred from the column), and the rows drawn get those parsed keys.
    A wide history (one column per series) is parsed as before.
    """
    import polars as pl

    from tsforge.data.history import histories_from_frame
    from tsforge.data.tables import to_polars
    from tsforge.data.timeaxis import parse_time_column

    def whole() -> list[SeriesInput]:
        return histories_from_frame(history, id_col, time_col, target_col, file=file)

    df = pl.DataFrame(dict(history)) if isinstance(history, Mapping) else to_polars(history)
    if id_col not in df.columns:
        return whole()
    ids = df[id_col].cast(pl.String)
    wanted = list(series) if series else ids.unique(maintain_order=True).head(PLOT_SERIES).to_list()
    keep = ids.is_in(wanted)
    rows = df.filter(keep)
    dated = None
    if time_col in df.columns and df[time_col].null_count() < df.height:
        keys, dated = parse_time_column(df[time_col], column=time_col, file=file)
        rows = rows.with_columns(pl.Series(time_col, keys[keep.to_numpy()]))
    # a subset of the file's rows: an error would name a line they no longer hold (the whole file was read first)
    inputs = histories_from_frame(rows, id_col, time_col, target_col)
    if dated is False and any(s.timestamps is not None for s in inputs):
        return whole()  # integer keys of these rows alone look like dates (202001…): as the file reads them
    return inputs


def _time_label(series: Any, future: pd.Series, time_col: str) -> str | None:
    """The x label where the axis is not dates: the file's integer time column, or steps from
    the forecast origin where the file has no time column (see :func:`_time_axes`)."""
    if future.notna().all() and series.timestamps is not None:
        return None
    if future.notna().all() and series.steps is not None:
        return f"{time_col} (step)"
    return "steps from the forecast origin"


def _time_axes(series: Any, future: pd.Series, tail: int, h: int) -> tuple[np.ndarray, np.ndarray]:
    """x values of the history tail and the forecast: the dates, else the integer time index,
    else steps relative to the forecast origin (-tail..-1 then 0..h-1)."""
    if future.notna().all():
        if series.timestamps is not None:
            return series.timestamps[-tail:], future.to_numpy()
        if series.steps is not None:
            return series.steps[-tail:], future.to_numpy()
    return np.arange(-tail, 0), np.arange(h)
