"""Plots logged with runs — forecast vs actual on a few test windows (multichannel) or series (panels) —
and the forecast plot of ``tsforge forecast --plot``."""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:  # matplotlib is imported where a plot is drawn (it is slow to import)
    from matplotlib.artist import Artist
    from matplotlib.axes import Axes

__all__ = ["plot_series_forecasts", "plot_profile"]


def _shade(ax: Axes, t: np.ndarray, bands: dict[float, tuple[np.ndarray, np.ndarray]]) -> None:
    """Shade prediction intervals, widest first so narrower ones draw darker on top.

    A level whose bounds equal a narrower level's (too few calibration scores to tell them
    apart: both are the most extreme scores seen) lies hidden under it; its legend entry says
    so instead of naming a band the reader cannot find."""
    levels = sorted(bands, reverse=True)
    for k, level in enumerate(levels):
        lo, hi = bands[level]
        alpha = 0.15 + 0.2 * k / max(1, len(levels) - 1) if len(levels) > 1 else 0.25
        same = next((nv for nv in levels[k + 1 :] if _same_band(bands[nv], (lo, hi))), None)
        label = f"{level:g}% interval" + (f" (same as {same:g}%)" if same is not None else "")
        ax.fill_between(t, lo, hi, color="tab:red", alpha=alpha, lw=0, label=label)


def _same_band(a: tuple[np.ndarray, np.ndarray], b: tuple[np.ndarray, np.ndarray]) -> bool:
    return all(
        np.allclose(np.asarray(x, dtype=float), np.asarray(y, dtype=float), equal_nan=True)
        for x, y in zip(a, b, strict=True)
    )


#: characters a panel's title keeps (about the width of a 10-inch panel at its font size)
TITLE_CHARS = 90


def _fit_title(text: str, limit: int = TITLE_CHARS) -> str:
    """``text`` cut in the middle to ``limit`` characters (``"series abc…xyz"``).

    Why the middle: a long id (140 characters of a product code, a path) ran off both edges of
    its panel; its start and end are what tell two such ids apart.
    """
    if len(text) <= limit:
        return text
    keep = limit - 1
    return f"{text[: keep - keep // 2]}…{text[len(text) - keep // 2 :]}"


def _is_datetime(t: object) -> bool:
    """Whether the times ``t`` are dates (numpy/pandas datetimes, or Python datetimes)."""
    import datetime

    import pandas as pd

    dtype = getattr(t, "dtype", None)
    if dtype is None or dtype == np.dtype(object):
        values = np.asarray(t, dtype=object).ravel()
        return bool(values.size) and isinstance(values[0], (datetime.datetime, datetime.date, np.datetime64))
    return bool(pd.api.types.is_datetime64_any_dtype(dtype))


def plot_series_forecasts(
    series: Sequence[Mapping[str, Any]], path: str | Path, *, title: str, unit_label: str = "value"
) -> Path:
    """History tail, actual and forecast of a few series, in original units and dates.

    Each item has ``history_t``, ``history``, ``future_t`` and ``forecast`` arrays (times are
    datetimes or step numbers), ``actual`` where the future is known, optional ``id``, and
    optional ``bands`` ``{level: (lower, upper)}`` shaded around the forecast (wider levels lighter),
    and an optional ``baseline`` forecast (dotted, in the legend as ``baseline_label``): the naive
    forecast the model's skill is measured against, so a reader sees what it had to beat.
    Optional per item: ``title`` (default ``series <id>``), ``unit`` (the y label, default
    ``unit_label``: a channel's name with its unit, a file's value column) and ``time_label``
    (the x label of a step axis; a date axis needs none).

    The legend is the figure's, one row above the panels: inside the first panel it covered the
    start of that series' history.
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.dates as mdates
    import matplotlib.pyplot as plt

    n = len(series)
    header = 0.45  # inches above the panels: the title, then the legend's row
    height = 2.4 * n + header
    fig, axes = plt.subplots(n, 1, figsize=(10, height), squeeze=False)
    for ax, item in zip(axes[:, 0], series, strict=True):
        ax.plot(item["history_t"], item["history"], color="0.4", lw=1, label="history")
        if "actual" in item:
            ax.plot(item["future_t"], item["actual"], color="black", lw=1.2, label="actual")
        ax.plot(item["future_t"], item["forecast"], color="tab:red", lw=1.2, label="forecast")
        if item.get("baseline") is not None:  # what the forecast must beat, on the same window
            label = item.get("baseline_label") or "baseline"
            ax.plot(item["future_t"], item["baseline"], color="tab:blue", lw=1, ls=":", label=label)
        _shade(ax, item["future_t"], item.get("bands") or {})
        if len(item["future_t"]):
            ax.axvline(item["future_t"][0], color="0.7", ls="--", lw=0.8)
        ax.set_title(_fit_title(item.get("title") or f"series {item.get('id', '')}"), fontsize=9)
        ax.set_ylabel(item.get("unit") or unit_label, fontsize=8)
        ax.tick_params(labelsize=8)
        # every panel keeps its own date labels: series of a panel have their own dates, and
        # fig.autofmt_xdate() would label only the bottom one, as if all shared its axis. Concise
        # dates: the year (and, for sub-daily data, the day) stays readable in the corner instead
        # of being left off ("03-05 12") or repeated on every tick
        if _is_datetime(item["future_t"]) or _is_datetime(item["history_t"]):
            locator = mdates.AutoDateLocator(minticks=3, maxticks=8)
            ax.xaxis.set_major_locator(locator)
            ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))
            ax.xaxis.get_offset_text().set_fontsize(8)
        else:
            ax.set_xlabel(item.get("time_label") or "time step", fontsize=8)
    handles: dict[str, Artist] = {}
    for ax in axes[:, 0]:
        for handle, label in zip(*ax.get_legend_handles_labels(), strict=True):
            handles.setdefault(label, handle)
    fig.suptitle(title, fontsize=10, y=1 - 0.05 / height, va="top")
    fig.legend(
        list(handles.values()),
        list(handles),
        loc="upper center",
        bbox_to_anchor=(0.5, 1 - 0.22 / height),
        ncol=min(len(handles), 6),
        fontsize=8,
        frameon=False,
    )
    path = Path(path)
    with warnings.catch_warnings():
        # an id in a script the font lacks (emoji, CJK in DejaVu Sans) is drawn as boxes; the
        # warning said so four times a plot, once per layout and save pass
        warnings.filterwarnings("ignore", message="Glyph .* missing from font")
        # tight_layout keeps room for the suptitle itself; the rect keeps the legend's row free
        fig.tight_layout(rect=(0, 0, 1, 1 - 0.2 / height))
        fig.savefig(path, dpi=90)
    plt.close(fig)
    return path


def plot_profile(summary: dict, path: str | Path, *, title: str) -> Path:
    """The dataset's property profile on one page: the share of windows in each bucket of every
    property (stacked bars, left) and the spread of each continuous property (q10–q90 bar, median
    tick, right). ``summary`` is :func:`recommender.properties.profile.summarise`'s output."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    buckets: dict[str, dict[str, float]] = summary.get("buckets", {})
    props: dict[str, dict[str, float]] = summary.get("properties", {})
    fig, (ax_b, ax_p) = plt.subplots(
        1, 2, figsize=(12, 0.5 * max(len(buckets), len(props), 4) + 1.5), gridspec_kw={"width_ratios": [3, 2]}
    )
    cmap = plt.get_cmap("tab10")
    for row, shares in enumerate(buckets.values()):
        if not any(share > 0 for share in shares.values()):  # an empty row said nothing
            ax_b.text(
                0.5, row, "not defined for any window", ha="center", va="center", fontsize=7, color="0.4"
            )
            continue
        left = 0.0
        for k, (label, share) in enumerate(shares.items()):
            if share <= 0:
                continue
            ax_b.barh(row, share, left=left, color=cmap(k % 10), edgecolor="white", height=0.7)
            if share >= 0.08:
                ax_b.text(left + share / 2, row, str(label), ha="center", va="center", fontsize=7)
            left += share
    ax_b.set_yticks(range(len(buckets)), list(buckets), fontsize=8)
    ax_b.set_xlim(0, 1)
    ax_b.invert_yaxis()
    ax_b.set_xlabel("share of windows in each bucket", fontsize=8)
    names = list(props)
    undefined: list[int] = []
    for row, name in enumerate(names):
        st = props[name]
        lo, mid, hi = st.get("q10", np.nan), st.get("q50", np.nan), st.get("q90", np.nan)
        if np.isfinite(lo) and np.isfinite(hi):
            ax_p.plot([lo, hi], [row, row], color="tab:blue", lw=6, alpha=0.4, solid_capstyle="butt")
        if np.isfinite(mid):
            ax_p.plot([mid], [row], marker="|", color="black", ms=14)
            ax_p.text(mid, row - 0.3, f"{mid:.3g}", ha="center", fontsize=7)
        elif not (np.isfinite(lo) and np.isfinite(hi)):
            undefined.append(row)
    for row in undefined:  # centred once the axis has its range
        ax_p.text(
            np.mean(ax_p.get_xlim()), row, "not defined", ha="center", va="center", fontsize=7, color="0.4"
        )
    ax_p.set_yticks(range(len(names)), names, fontsize=8)
    ax_p.invert_yaxis()
    ax_p.set_xlabel("q10–q90 across windows (tick: median)", fontsize=8)
    ax_p.grid(axis="x", alpha=0.3)
    fig.suptitle(title, fontsize=10)
    fig.tight_layout()
    path = Path(path)
    fig.savefig(path, dpi=90)
    plt.close(fig)
    return path
