"""The one entry point: what a source is, decided explicitly; a folder never shadows a dataset."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from tsforge.data import LoadedData, load, load_data
from tsforge.errors import ConfigError, DatasetNotAvailableError, DataValidationError


def test_catalogue_name_carries_its_entry():
    loaded = load("synthetic", n_channels=3, n_steps=200, seed=1)
    assert isinstance(loaded, LoadedData)
    assert loaded.entry is not None and loaded.entry.name == "synthetic"
    assert loaded.series.n_channels == 3 and loaded.series.n_steps == 200
    assert load("SYNTHETIC", n_channels=2, n_steps=100).entry.name == "synthetic"
    with pytest.raises(dataclasses.FrozenInstanceError):
        loaded.entry = None


def test_a_folder_named_like_a_dataset_does_not_shadow_it(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "synthetic").mkdir()  # e.g. MLflow artifacts of a run on that dataset
    (tmp_path / "synthetic" / "model.pkl").write_bytes(b"x")
    loaded = load("synthetic", n_channels=2, n_steps=100)
    assert loaded.entry is not None and loaded.series.n_channels == 2


def test_an_existing_file_wins_over_a_catalogue_name(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "synthetic").write_text("ds,y\n")
    with pytest.raises(DataValidationError, match="unsupported file type") as exc:
        load("synthetic")
    assert exc.value.where["file"] == "synthetic"


def test_other_folders_and_missing_paths_are_reported_as_such(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "runs").mkdir()
    with pytest.raises(DataValidationError, match="expected a file, got a directory"):
        load("runs")
    with pytest.raises(DataValidationError, match="file not found"):
        load("data/etth1")  # a separator means a path, even with a dataset's name in it
    with pytest.raises(DataValidationError, match="file not found"):
        load(Path("etth1"))  # a Path is a path
    with pytest.raises(
        DatasetNotAvailableError, match=r"unknown dataset 'synthtic'.*Did you mean 'synthetic'"
    ):
        load("synthtic")


def test_file_frame_and_array_sources_have_no_entry(tmp_path):
    ts = pd.date_range("2024-01-01", periods=30, freq="h")
    frame = pd.DataFrame({"date": ts, "a": np.arange(30.0), "b": np.ones(30)})
    path = tmp_path / "wide.csv"
    frame.to_csv(path, index=False)
    from_file = load(str(path))
    assert from_file.entry is None and from_file.series.channel_ids == ("a", "b")
    assert from_file.series.freq == "h" and from_file.series.name == "wide"
    assert load(frame).entry is None
    arr = load(np.arange(10.0), name="arr")
    assert arr.series.values.shape == (10, 1) and arr.series.name == "arr"
    np.testing.assert_array_equal(load_data(path).values, from_file.series.values)


def test_options_that_do_not_apply_are_refused_not_ignored(tmp_path):
    with pytest.raises(ConfigError, match=r"\['time_col'\] do not apply to catalogue dataset 'synthetic'"):
        load("synthetic", time_col="date")
    with pytest.raises(ConfigError, match="does not take option"):
        load("synthetic", n_chanels=3)
    with pytest.raises(ConfigError, match=r"\['layout'\] do not apply to an array"):
        load(np.ones((5, 2)), layout="long")
    frame = pd.DataFrame({"a": [1.0, 2.0]})
    with pytest.raises(ConfigError, match=r"\['n_channels'\] do not apply to a frame"):
        load(frame, n_channels=3)
    data = load_data(frame)
    assert load(data).series is data
    with pytest.raises(ConfigError, match="TimeSeriesData"):
        load(data, name="other")
    # options left at their defaults are fine anywhere (callers pass them through unchanged)
    assert load(data, id_col="unique_id", target_col="y").series is data
