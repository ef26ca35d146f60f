"""Data layer: two representations, one way to tell sources apart.

* :class:`TimeSeriesData` (a dense ``[T, N]`` multichannel matrix) via :func:`load`;
* :class:`Panel` (many ragged univariate series) via :func:`load_panel`.

Typical use::

    from tsforge.data import load, load_panel, prepare_task
    loaded = load("etth1")                         # or a CSV/Parquet/.tsf path, a DataFrame, an array
    task = prepare_task(loaded.series, input_len=336, horizon=96, split=loaded.entry.split)
    m1 = load_panel("m1_monthly")                  # or a long/wide file or frame, a .tsf, a TimeSeriesData
    m1.panel, m1.entry.horizon                     # 617 series of their own lengths, h = 18

``load_data(x)`` is ``load(x).series``. The catalogue's own loader (``catalog.load_dataset``) is
what :func:`load` calls for a dataset name; readers for each layout live in ``layouts``.
"""

from tsforge.data.calendar import calendar_indices
from tsforge.data.catalog import list_datasets
from tsforge.data.frame import TimeSeriesData
from tsforge.data.load import LoadedData, LoadedPanel, load, load_data, load_panel
from tsforge.data.panel import Panel
from tsforge.data.panel_sources import to_panel
from tsforge.data.synthetic import synthetic_stations
from tsforge.data.task import ForecastTask, prepare_task

__all__ = [
    "TimeSeriesData",
    "LoadedData",
    "load",
    "load_data",
    "Panel",
    "LoadedPanel",
    "load_panel",
    "to_panel",
    "list_datasets",
    "prepare_task",
    "ForecastTask",
    "synthetic_stations",
    "calendar_indices",
]
