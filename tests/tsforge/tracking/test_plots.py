"""The run plots, read off the matplotlib Figure they save: a legend that covers no data, every
band the legend names findable, axes that say what they show (units, dates with their year,
steps), and profile rows that say why they are empty."""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from tsforge.tracking.plots import plot_profile, plot_series_forecasts


def _item(uid, *, hourly=True, actual=True, bands=None, **extra):
    if hourly:
        t = pd.date_range("2016-07-01", periods=96, freq="h")
    else:
        t = np.arange(100, 196)
    y = np.sin(np.arange(96) * 2 * np.pi / 24) * 10 + 20
    item = {"id": uid, "history_t": t[:72], "history": y[:72], "future_t": t[72:], "forecast": y[72:] + 1}
    if actual:
        item["actual"] = y[72:]
    if bands:
        item["bands"] = bands
    return {**item, **extra}


def _legend_labels(fig: Figure) -> list[str]:
    legends = list(fig.legends) + [found for ax in fig.axes if (found := ax.get_legend()) is not None]
    return [t.get_text() for legend in legends for t in legend.get_texts()]


def test_legend_covers_no_panel(saved_figures, tmp_path):
    """The legend sat in the first panel's upper left corner, over the start of its history."""
    f = np.full(24, 21.0)
    plot_series_forecasts(
        [_item("a", bands={80.0: (f - 1, f + 1)}), _item("b")], tmp_path / "p.png", title="t"
    )
    (fig,) = saved_figures
    renderer = FigureCanvasAgg(fig).get_renderer()
    legends = list(fig.legends) + [found for ax in fig.axes if (found := ax.get_legend()) is not None]
    assert legends
    for legend in legends:
        box = legend.get_window_extent(renderer)
        for ax in fig.axes:
            assert not box.overlaps(ax.get_window_extent(renderer)), "the legend covers a panel"


def test_legend_names_what_any_panel_draws_once(saved_figures, tmp_path):
    """Built from the first panel only, the legend missed what only later panels drew (the
    actuals, a level)."""
    f = np.full(24, 21.0)
    items = [_item("a", actual=False), _item("b", bands={90.0: (f - 1, f + 1)}), _item("c")]
    plot_series_forecasts(items, tmp_path / "p.png", title="t")
    (fig,) = saved_figures
    assert sorted(_legend_labels(fig)) == sorted(["history", "forecast", "actual", "90% interval"])


def test_a_band_equal_to_a_narrower_one_says_so(saved_figures, tmp_path):
    """Too few calibration scores make the 95 % bounds equal the 80 % ones: the 95 % band lay
    hidden under the 80 % one while the legend named both."""
    f = np.full(24, 21.0)
    bands = {80.0: (f - 1, f + 1), 95.0: (f - 1, f + 1)}
    plot_series_forecasts([_item("a", bands=bands)], tmp_path / "p.png", title="t")
    (fig,) = saved_figures
    labels = _legend_labels(fig)
    assert "95% interval (same as 80%)" in labels and "80% interval" in labels


def test_distinct_bands_keep_plain_labels(saved_figures, tmp_path):
    f = np.full(24, 21.0)
    bands = {80.0: (f - 1, f + 1), 95.0: (f - 2, f + 2)}
    plot_series_forecasts([_item("a", bands=bands)], tmp_path / "p.png", title="t")
    (fig,) = saved_figures
    assert sorted(t for t in _legend_labels(fig) if "interval" in t) == ["80% interval", "95% interval"]


def test_each_panel_takes_its_title_and_unit_from_the_item(saved_figures, tmp_path):
    """A weather channel's plot read "value" on its y axis while its name carried its unit."""
    items = [_item("p", unit="p (mbar)", title="channel p (mbar), test window 0"), _item("b")]
    plot_series_forecasts(items, tmp_path / "p.png", title="t", unit_label="y")
    (fig,) = saved_figures
    first, second = fig.axes[:2]
    assert first.get_ylabel() == "p (mbar)" and first.get_title() == "channel p (mbar), test window 0"
    assert second.get_ylabel() == "y" and second.get_title() == "series b"


def test_sub_daily_dates_show_their_year(saved_figures, tmp_path):
    """Hourly data was labelled "07-01 12": month, day and hour, never the year."""
    plot_series_forecasts([_item("a")], tmp_path / "p.png", title="t")
    (fig,) = saved_figures
    ax = fig.axes[0]
    FigureCanvasAgg(fig).draw()
    shown = [t.get_text() for t in ax.get_xticklabels()] + [ax.xaxis.get_offset_text().get_text()]
    assert any("2016" in text for text in shown), shown


def test_a_step_axis_is_labelled(saved_figures, tmp_path):
    plot_series_forecasts(
        [_item("a", hourly=False), _item("b", hourly=False, time_label="steps from the forecast origin")],
        tmp_path / "p.png",
        title="t",
    )
    (fig,) = saved_figures
    assert [ax.get_xlabel() for ax in fig.axes[:2]] == ["time step", "steps from the forecast origin"]


def test_profile_rows_without_values_say_so(saved_figures, tmp_path):
    """A property defined for no window (Hurst on short series) left an empty row, unexplained."""
    summary = {
        "buckets": {"stationarity": {"stationary": 1.0}, "memorability": {"0-0.5": 0.0, "0.5-1": 0.0}},
        "properties": {
            "volatility": {"q10": 0.1, "q50": 0.2, "q90": 0.3},
            "hurst": {"q10": float("nan"), "q50": float("nan"), "q90": float("nan")},
        },
    }
    plot_profile(summary, tmp_path / "p.png", title="t")
    (fig,) = saved_figures
    ax_b, ax_p = fig.axes[:2]
    assert [t.get_text() for t in ax_b.texts if "not defined" in t.get_text()] == [
        "not defined for any window"
    ]
    (note,) = [t for t in ax_p.texts if "not defined" in t.get_text()]
    assert note.get_position()[1] == 1  # on hurst's row, not volatility's


def test_a_panel_runs_plot_names_the_value_column(saved_figures, tracking_uri, tmp_path):
    """A panel run's forecast plot read "value" on its y axis: the panel did not keep the name of
    the column it was read from (``units`` here)."""
    from tests.conftest import monthly_frame
    from tsforge.pipeline import TrackingOptions, train_panel

    path = tmp_path / "sales.csv"
    monthly_frame(3, 40).rename(columns={"y": "units"}).to_csv(path, index=False)
    train_panel(
        str(path), "naive", horizon=6, load_kwargs={"target_col": "units"},
        tracking=TrackingOptions(progress=False),
    )  # fmt: skip
    forecast_plots = [f for f in saved_figures if "test window of a few series" in f.get_suptitle()]
    assert forecast_plots
    assert {ax.get_ylabel() for ax in forecast_plots[0].axes if ax.has_data()} == {"units"}


def test_a_long_id_is_cut_in_the_middle_and_missing_glyphs_stay_quiet(saved_figures, tmp_path):
    """A 140-character id ran off both edges of its panel, and an id in a script the font lacks
    printed matplotlib's 'Glyph ... missing from font' warning four times a plot."""
    import warnings

    long_id = "SKU-" + "x" * 120 + "-END-0042"
    items = [_item(long_id), _item("商品 🚲 七")]
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # any warning the plot raises fails the test
        plot_series_forecasts(items, tmp_path / "u.png", title="t")
    (fig,) = saved_figures
    title = fig.axes[0].get_title()
    assert len(title) <= 90 and title.startswith("series SKU-xx") and title.endswith("-END-0042")
    assert "…" in title
    assert fig.axes[1].get_title() == "series 商品 🚲 七"  # short ids are kept whole
