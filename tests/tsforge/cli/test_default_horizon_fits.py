"""A panel too short for its default horizon is answered at the longest horizon every series
fits, with a note, as long data is.

Why: ``tsforge recommend`` / ``train`` on a monthly panel without ``--horizon`` took M4's 18 and
refused the panel because 2 of 8 series had 30 values ("fewer than 37 values"), while long data
too short for its default horizon falls back to the longest horizon that fits: the default is
tsforge's choice, not the user's.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from tests.conftest import run_cli
from tsforge.data.panel import Panel
from tsforge.errors import DataValidationError, WordedWarning
from tsforge.panels.protocol import holdout_split


def _frame(lengths: list[int]) -> pd.DataFrame:
    """Monthly series ``s0``, ``s1``, … of the given lengths (a season and a trend, noise)."""
    rng = np.random.default_rng(0)
    parts = []
    for i, n in enumerate(lengths):
        t = np.arange(n)
        y = 100 + 10 * np.sin(2 * np.pi * t / 12) + 0.5 * t + rng.normal(0, 2, n)
        ds = pd.date_range("2010-01-01", periods=n, freq="MS")
        parts.append(pd.DataFrame({"unique_id": f"s{i}", "ds": ds, "y": y}))
    return pd.concat(parts, ignore_index=True)


def _csv(tmp_path: Path, lengths: list[int]) -> str:
    path = tmp_path / "monthly.csv"
    _frame(lengths).to_csv(path, index=False)
    return str(path)


def _panel(lengths: list[int]) -> Panel:
    return Panel.from_long(_frame(lengths))


#: 6 series of 80 months and 2 of 30: 18 needs 37 values; 14 leaves the short ones 2 to train on
LENGTHS = [80] * 6 + [30] * 2


def _said(caught: list[warnings.WarningMessage]) -> list[str]:
    return [str(w.message) for w in caught if issubclass(w.category, WordedWarning)]


def test_the_default_falls_back_to_the_longest_horizon_every_series_holds():
    from tsforge.panels.protocol import default_horizon_that_fits

    panel = _panel(LENGTHS)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        h = default_horizon_that_fits(panel, None, 18)
    assert h == 14
    holdout_split(panel, h)  # the holdout takes it: no series is refused
    with pytest.raises(DataValidationError):  # and one more is too long for the short series
        holdout_split(panel, h + 1)
    said = _said(caught)
    assert len(said) == 1, said
    assert (
        "2 of 8 series have fewer than the 37 values the holdout needs at the default horizon 18" in said[0]
    )
    assert (
        "'s6', 's7'" in said[0]
        and "using horizon 14, the longest that leaves every series 2 training values" in said[0]
    )
    assert "drop_short=True to keep 18 for the other 6" in said[0]
    cli = [w.message.cli_message for w in caught if issubclass(w.category, WordedWarning)]
    assert "--drop-short to keep 18 for the other 6" in cli[0]


@pytest.mark.parametrize(
    ("given", "lengths", "drop_short", "expected"),
    [
        (18, LENGTHS, False, 18),  # the user's horizon is the user's: the holdout refuses it
        (None, LENGTHS, True, 18),  # --drop-short: the short series go, the default stays
        (None, [80] * 8, False, 18),  # every series holds the default
        (None, [2, 2, 80], False, 18),  # none of the short ones holds any horizon: refused as before
        # horizon 1 holds 3 values (1 + 1 + 1) but leaves one to train on: no MASE, no calibration
        (None, [3, 80], False, 18),
    ],
)
def test_the_default_stays_where_it_fits_or_where_the_user_decides(given, lengths, drop_short, expected):
    from tsforge.panels.protocol import default_horizon_that_fits

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        assert default_horizon_that_fits(_panel(lengths), given, 18, drop_short=drop_short) == expected
    assert not _said(caught)


def test_a_panel_of_short_series_only_is_not_advised_to_leave_them_out():
    from tsforge.panels.protocol import default_horizon_that_fits

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        assert default_horizon_that_fits(_panel([30, 31, 35]), None, 18) == 14
    said = _said(caught)
    assert len(said) == 1 and "3 of 3 series" in said[0] and "drop_short" not in said[0], said


def test_longest_fitting_horizon_searches_below_the_default():
    from tsforge.data.protocol import longest_fitting_horizon

    assert longest_fitting_horizon(18, lambda k: 2 * k + 1 <= 30) == 14
    assert longest_fitting_horizon(18, lambda k: False) is None


def test_recommend_ranks_at_the_longest_horizon_that_fits_and_says_why(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("TSFORGE_CACHE_DIR", str(tmp_path / "cache"))
    code, out, err = run_cli(capsys, "recommend", _csv(tmp_path, LENGTHS), "--json")
    assert code == 0, err[-3000:]
    flat = " ".join(err.split())
    assert (
        "note: 2 of 8 series have fewer than the 37 values the holdout needs at the default horizon 18"
        in flat
    )
    assert "using horizon 14" in flat and "pass --horizon to choose another, or --drop-short" in flat, err
    assert '"horizon": 14' in out


def test_train_holds_out_the_longest_horizon_that_fits_and_says_why(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("TSFORGE_CACHE_DIR", str(tmp_path / "cache"))
    code, out, err = run_cli(capsys, "train", _csv(tmp_path, LENGTHS), "--model", "naive", "--no-track")
    assert code == 0, err[-3000:]
    flat = " ".join(err.split())
    assert "using horizon 14, the longest that leaves every series 2 training values" in flat, err
    assert "14" in next(line for line in out.splitlines() if line.strip().startswith("naive")).split()


def test_tune_studies_the_longest_horizon_that_fits_and_says_why():
    """``tune`` cut its panel's holdout at the default as ``train`` did, and refused it alike."""
    from tsforge.tuning.tune import _panel_for_study

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        _, h, history, _ = _panel_for_study(_frame(LENGTHS), "dlinear", None, None, False, None)
    assert h == 14 and int(history.lengths.min()) == 30 - 14
    said = _said(caught)
    assert len(said) == 1 and "using horizon 14" in said[0], said


@pytest.mark.parametrize("official", ["catalogue", "declared"])
def test_a_published_horizon_is_kept_and_refused_not_shortened(official):
    """A catalogue collection's horizon, or one a ``.tsf`` file declares, is the protocol its
    scores are compared under: only the frequency's default is tsforge's to shorten."""
    from types import SimpleNamespace

    from tsforge.panels.protocol import default_horizon_that_fits

    panel = _panel(LENGTHS)
    entry = SimpleNamespace(horizons=[18]) if official == "catalogue" else None
    if official == "declared":
        panel.meta["horizon"] = 18
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        assert default_horizon_that_fits(panel, None, 18, entry=entry) == 18
    assert _said(caught) == []
