"""Plots logged with runs: forecast vs actual on a few test windows (multichannel) or series (panels)."""

from __future__ import annotations

from pathlib import Path

import numpy as np

__all__ = ["plot_forecasts", "plot_series_forecasts"]


def plot_forecasts(
    windows: dict[str, np.ndarray],
    path: str | Path,
    *,
    channel_names: tuple[str, ...],
    title: str,
    max_panels: int = 4,
) -> Path:
    """Input history, actual future and forecast for up to ``max_panels`` (window, channel) pairs."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    x, y, pred, mask = windows["x"], windows["y"], windows["pred"], windows["y_mask"]
    B, L, C = x.shape
    H = y.shape[1]
    pairs = [(b, c) for b in range(B) for c in range(C)]
    step = max(1, len(pairs) // max_panels)
    pairs = pairs[::step][:max_panels]
    fig, axes = plt.subplots(len(pairs), 1, figsize=(10, 2.4 * len(pairs)), squeeze=False)
    t_in = np.arange(-L, 0)
    t_out = np.arange(H)
    for ax, (b, c) in zip(axes[:, 0], pairs, strict=False):
        show = min(L, 3 * H)
        ax.plot(t_in[-show:], x[b, -show:, c], color="0.4", lw=1, label="history")
        yy = np.where(mask[b, :, c], y[b, :, c], np.nan)
        ax.plot(t_out, yy, color="black", lw=1.2, label="actual")
        ax.plot(t_out, pred[b, :, c], color="tab:red", lw=1.2, label="forecast")
        ax.axvline(0, color="0.7", ls="--", lw=0.8)
        ax.set_title(f"window {b}, channel {channel_names[c] if c < len(channel_names) else c}", fontsize=9)
    axes[0, 0].legend(loc="upper left", fontsize=8)
    fig.suptitle(title, fontsize=10)
    fig.tight_layout()
    path = Path(path)
    fig.savefig(path, dpi=90)
    plt.close(fig)
    return path


def plot_series_forecasts(
    series: list[dict[str, np.ndarray]], path: str | Path, *, title: str, unit_label: str = "value"
) -> Path:
    """History tail, actual and forecast of a few series, in original units and dates.

    Each item has ``history_t``, ``history``, ``future_t``, ``actual`` and ``forecast`` arrays
    (times are datetimes or step numbers), and optional ``id``.
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(len(series), 1, figsize=(10, 2.4 * len(series)), squeeze=False)
    for ax, item in zip(axes[:, 0], series, strict=True):
        ax.plot(item["history_t"], item["history"], color="0.4", lw=1, label="history")
        ax.plot(item["future_t"], item["actual"], color="black", lw=1.2, label="actual")
        ax.plot(item["future_t"], item["forecast"], color="tab:red", lw=1.2, label="forecast")
        if len(item["future_t"]):
            ax.axvline(item["future_t"][0], color="0.7", ls="--", lw=0.8)
        ax.set_title(f"series {item.get('id', '')}", fontsize=9)
        ax.set_ylabel(unit_label, fontsize=8)
    axes[0, 0].legend(loc="upper left", fontsize=8)
    fig.suptitle(title, fontsize=10)
    fig.autofmt_xdate()
    fig.tight_layout()
    path = Path(path)
    fig.savefig(path, dpi=90)
    plt.close(fig)
    return path
