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

import importlib
from typing import TYPE_CHECKING, Any

from tsforge.data.calendar import calendar_indices
from tsforge.data.catalog import list_datasets
from tsforge.data.frame import TimeSeriesData
from tsforge.data.load import LoadedData, LoadedPanel, load, load_data, load_panel
from tsforge.data.panel import Panel
from tsforge.data.panel_sources import to_panel

if TYPE_CHECKING:
    from tsforge.data.synthetic import synthetic_stations
    from tsforge.data.task import ForecastTask, prepare_task

#: Imported on first use (PEP 562): PyTorch (the task's windows) and SciPy (the generators) cost
#: seconds to import, and every CLI command, ``--help`` included, imports this package.
_LAZY = {"ForecastTask": "tsforge.data.task", "prepare_task": "tsforge.data.task",
         "synthetic_stations": "tsforge.data.synthetic"}  # fmt: skip


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'tsforge.data' has no attribute {name!r}")


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
