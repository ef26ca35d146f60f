"""``tsforge profile --png``: counts read as counts, and a property defined nowhere says so."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from tsforge.cli.profile import plot_distributions


def _result(n: int = 5):
    rng = np.random.default_rng(0)
    table = pd.DataFrame(
        {
            "trend_strength": rng.random(n),
            "season_strength": rng.random(n),
            "volatility": rng.random(n),
            "hurst": np.full(n, np.nan),  # series too short for it
            "anomaly_ratio": rng.random(n) / 10,
            "stationarity": [0, 1, 1, 0, 1][:n],
            "trend_label": [1, 1, 0, 2, 1][:n],
            "season_count": [1.0, 1.0, 2.0, 0.0, 1.0][:n],
            "scedasticity": [0, 0, 1, 1, 0][:n],
        }
    )
    return SimpleNamespace(table=table, summary={"kind": "per_series", "name": "shops", "n_windows": n})


def _axes_by_title(fig: Figure) -> dict[str, object]:
    return {ax.get_title().split(" (")[0]: ax for ax in fig.axes}


def test_a_property_defined_for_no_series_says_so_instead_of_an_empty_frame(saved_figures, tmp_path):
    plot_distributions(_result(), tmp_path / "p.png")
    (fig,) = saved_figures
    hurst = _axes_by_title(fig)["hurst"]
    assert [t.get_text() for t in hurst.texts] == ["not defined for any of the 5 series"]


def test_counts_have_whole_ticks_and_a_label_naming_what_is_counted(saved_figures, tmp_path):
    """Five series were counted on a 0, 0.5, 1.0, ... 2.5 axis with no label."""
    plot_distributions(_result(), tmp_path / "p.png")
    (fig,) = saved_figures
    for name, ax in _axes_by_title(fig).items():
        if name == "hurst":
            continue
        assert ax.get_ylabel() == "series (count)", name
        low, high = ax.get_ylim()
        ticks = [t for t in ax.get_yticks() if low <= t <= high]
        assert ticks and all(float(t).is_integer() for t in ticks), (name, ticks)
    assert fig._suptitle.get_text() == "ARIES properties of shops: 5 series"
