"""Data layer: one representation (:class:`TimeSeriesData`), readers, catalogue, protocol.

Typical use::

    from tsforge.data import load_data, prepare_task
    data = load_data("etth1")                      # or a CSV/Parquet path, or a DataFrame
    task = prepare_task(data, input_len=336, horizon=96, split="ett")
"""

from tsforge.data.calendar import calendar_indices
from tsforge.data.catalog import list_datasets, load_dataset
from tsforge.data.frame import TimeSeriesData
from tsforge.data.io import load_data
from tsforge.data.synthetic import synthetic_stations
from tsforge.data.task import ForecastTask, prepare_task

__all__ = [
    "TimeSeriesData",
    "load_data",
    "load_dataset",
    "list_datasets",
    "prepare_task",
    "ForecastTask",
    "synthetic_stations",
    "calendar_indices",
]
