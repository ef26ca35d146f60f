"""``tsforge profile`` and ``tsforge recommend`` off a terminal (a log file, CI, ``nohup``).

rich's live bar, which both drew, prints nothing there until it stops: a profile of a 1M-row
series ran 9 minutes with an empty log. They now draw tqdm bars with
:func:`tsforge.progress.bar_options`, like ``train`` and ``cv``: a line every
:data:`~tsforge.progress.LOG_INTERVAL` seconds (set to 0 here, so every update prints).
Before a profile of many windows, one note gives the count and the options that shorten it.
"""

from __future__ import annotations

import re
import sys

import numpy as np
import pandas as pd
import pytest

import tsforge.cli.profile as profile_module
import tsforge.progress as progress
from tsforge.cli import main

N_ROWS = 600  # window 32, stride 1: 569 windows, profiled in chunks of 256 (3 progress calls)


@pytest.fixture
def long_series(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    rng = np.random.default_rng(0)
    t = np.arange(N_ROWS)
    y = np.sin(2 * np.pi * t / 24) + 0.01 * t + 0.3 * rng.standard_normal(N_ROWS)
    path = tmp_path / "long.csv"
    pd.DataFrame({"date": pd.date_range("2024-01-01", periods=N_ROWS, freq="h"), "y": y}).to_csv(
        path, index=False
    )
    return path


@pytest.fixture
def in_a_log(monkeypatch):
    """stderr is no terminal, and a log bar prints at every update instead of every 30 s."""
    monkeypatch.setattr(sys.stderr, "isatty", lambda: False, raising=False)
    monkeypatch.setattr(progress, "LOG_INTERVAL", 0.0)


def _profile(path, *extra: str) -> None:
    main(["profile", str(path), "--window", "32", "--stride", "1", *extra])


def test_a_profile_in_a_log_prints_progress_lines_while_it_runs(long_series, in_a_log, capsys):
    _profile(long_series)
    out, err = capsys.readouterr()
    assert "569 windows of 32 steps" in " ".join(out.split())  # the summary, on stdout
    lines = [part for part in err.replace("\r", "\n").splitlines() if "profiling" in part]
    # the states between start and end, not only the last one a stopping rich bar printed
    assert any("256/569" in part for part in lines) and any("512/569" in part for part in lines)
    assert any("569/569" in part for part in lines)
    assert "profiling" not in out and "/569" not in out  # stdout holds the summary only


def test_no_progress_prints_no_bar_in_a_log(long_series, in_a_log, capsys):
    _profile(long_series, "--no-progress")
    _, err = capsys.readouterr()
    assert "profiling" not in err and "/569" not in err


def test_a_profile_over_the_threshold_notes_the_window_count_before_it_starts(
    long_series, capsys, monkeypatch
):
    monkeypatch.setattr(profile_module, "LONG_PROFILE_WINDOWS", 500, raising=False)
    _profile(long_series, "--no-progress")
    _, err = capsys.readouterr()
    notes = [line for line in err.splitlines() if line.startswith("note:")]
    assert len(notes) == 1, err
    note = " ".join(err[err.index("note:") :].split())
    assert "569 windows" in note and "--max-windows" in note and "--stride" in note


@pytest.mark.parametrize("extra", [("--stride", "2"), ("--max-windows", "100")])
def test_no_note_below_the_threshold_or_with_a_sample(long_series, capsys, monkeypatch, extra):
    """--stride 2: 285 windows, under the threshold of 500; --max-windows: the user chose a size."""
    monkeypatch.setattr(profile_module, "LONG_PROFILE_WINDOWS", 500, raising=False)
    stride = () if "--stride" in extra else ("--stride", "1")
    main(["profile", str(long_series), "--window", "32", "--no-progress", *stride, *extra])
    _, err = capsys.readouterr()
    assert "note:" not in err


def _phases(update) -> None:
    """The calls ``recommend`` makes: ``progress(description, done, total)``, phase by phase."""
    for done in (1, 2, 3):
        update("validating theta", done, 3)
    update("ranking", 2, 2)


def test_recommend_prints_its_phases_in_a_log(in_a_log, capsys):
    from tsforge.cli.recommend import _progress_bar

    with _progress_bar() as update:
        _phases(update)
    out, err = capsys.readouterr()
    lines = err.replace("\r", "\n").splitlines()
    assert any("validating theta" in line and "1/3" in line for line in lines)
    assert any("ranking" in line and "2/2" in line for line in lines)
    assert out == ""  # stdout is for the ranking (or --json), never the bar


def test_short_recommend_phases_leave_a_log_untouched(monkeypatch, capsys):
    """Guard: phases shorter than the log interval (30 s) print nothing there, so no bar fragment
    comes before the summary or a one-line error."""
    from tsforge.cli.recommend import _progress_bar

    monkeypatch.setattr(sys.stderr, "isatty", lambda: False, raising=False)
    with _progress_bar() as update:
        if update is not None:
            _phases(update)
    assert capsys.readouterr().err == ""


def test_a_phase_that_reports_no_step_leaves_no_empty_bar_in_a_log(in_a_log, capsys):
    """Loading a saved router reports no step: once it outlasted the bar's quiet start (every
    update prints here), a log showed "recommender: 0it" before the next phase's bar."""
    from tsforge.cli.recommend import _progress_bar

    with _progress_bar() as update:
        assert update is not None  # the bar is enabled; it has just nothing to count
    with _progress_bar() as update:
        _phases(update)
    err = capsys.readouterr().err
    # "0it" as a count of its own, not the tail of a rate ("24105.20it/s")
    assert "recommender" not in err and not re.search(r"(?<![\d.])0it\b", err), err
    assert "validating theta" in err, err  # the phase with steps still draws its bar
