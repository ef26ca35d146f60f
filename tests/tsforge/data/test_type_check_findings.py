"""Defects the type check pointed at in the data layer: a dated panel without a frequency that
counted steps in days, a re-raised file error that lost its command-line wording, and a
cached dataset without channels that could not be read back."""

from __future__ import annotations

import numpy as np
import pytest

from tsforge.data.catalog_cache import read_series, write_series
from tsforge.data.frame import TimeSeriesData
from tsforge.data.panel import Panel
from tsforge.data.panel_sources import naming_file
from tsforge.errors import DataValidationError


def _dated_panel_without_freq() -> Panel:
    starts = np.array(["2020-01-01", "2020-03-01"], dtype="datetime64[ns]")
    return Panel.from_arrays([np.arange(5.0), np.arange(4.0)], ids=["a", "b"], starts=starts)


def test_a_dated_panel_without_frequency_refuses_to_count_steps_as_it_refuses_to_place_times():
    panel = _dated_panel_without_freq()
    assert panel.is_datetime and panel.freq is None
    with pytest.raises(DataValidationError, match="needs a frequency"):
        panel.times_at(np.array([0]), np.array([2]))
    # it answered 2 (pandas' default daily grid), a number of steps of no frequency at all
    with pytest.raises(DataValidationError, match="needs a frequency"):
        panel.steps_at(np.array([0]), np.array(["2020-01-03"], dtype="datetime64[ns]"))


def test_steps_at_inverts_times_at_on_a_calendar_panel():  # guard: the frequency path is unchanged
    starts = np.array(["2020-01-01", "2020-03-01"], dtype="datetime64[ns]")
    panel = Panel.from_arrays([np.arange(5.0), np.arange(4.0)], ids=["a", "b"], starts=starts, freq="MS")
    series, step = np.array([0, 1, 1]), np.array([0, 2, 7])
    assert panel.steps_at(series, panel.times_at(series, step)).tolist() == step.tolist()


def test_naming_file_keeps_the_command_line_wording_of_the_error():
    with pytest.raises(DataValidationError) as info, naming_file("sales.csv"):
        raise DataValidationError(
            "column 'stor' not found (pass id_col='store')",
            cli_message="column 'stor' not found (pass --id-col store)",
            column="stor",
        )
    assert info.value.where == {"file": "sales.csv", "column": "stor"}
    assert (
        info.value.for_cli()
        == "column 'stor' not found (pass --id-col store) (file='sales.csv', column='stor')"
    )


def test_a_cached_dataset_without_channels_reads_back(tmp_path):
    stamps = np.arange("2020-01-01", "2020-01-04", dtype="datetime64[D]").astype("datetime64[ns]")
    data = TimeSeriesData(values=np.empty((3, 0)), timestamps=stamps, channel_ids=(), freq="D", name="none")
    write_series(data, tmp_path / "c.parquet")
    back = read_series(tmp_path / "c.parquet")
    assert back.values.shape == (3, 0)
    assert back.timestamps is not None and back.timestamps.tolist() == stamps.tolist()
