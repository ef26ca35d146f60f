"""Where a level is unresolved, its bound is the most extreme pooled score; when one series'
error is that bound, the resolution note names the series and the steps.

A user's panel of twelve series, one with a stock-out (four zeros in a series around 115), had
every series' 95 % lower bound at about 0 at three of twelve steps, and the note said only that
the calibration had too few scores. See ``tsforge.panels.conformal``'s module doc, "One series
sets a clamped bound".
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from tsforge.data.panel import Panel
from tsforge.inference import IntervalRequest
from tsforge.panels.calibrate import calibrate_panel
from tsforge.panels.conformal import CALIBRATION_FILE, ConformalCalibration

H = 6
LENGTH = 40
NINETY_FIVE = IntervalRequest((80.0, 95.0)).probs


def _panel(stock_out: bool) -> Panel:
    """Twelve random walks around 100; with ``stock_out``, 's03' sells nothing at the 2nd and
    4th steps of the first of the two calibration windows (cutoff ``LENGTH − 2H``)."""
    rng = np.random.default_rng(7)
    arrays = [100 + np.cumsum(rng.normal(size=LENGTH)) for _ in range(12)]
    if stock_out:
        arrays[3][LENGTH - 2 * H + np.array([1, 3])] = 0.0
    return Panel.from_arrays(arrays, ids=[f"s{i:02d}" for i in range(12)], season_length=1, name="shop")


def _calibration(stock_out: bool) -> ConformalCalibration:
    """The naive model's calibration on two windows: 24 scores a step, 95 % unresolved."""
    return calibrate_panel(_panel(stock_out), "naive", H, n_windows=2)["naive"]


def _said(note: str | None) -> str:
    assert note is not None
    return " ".join(note.split())


def test_the_note_names_the_series_whose_error_alone_sets_a_clamped_bound_and_its_steps():
    note = _said(_calibration(stock_out=True).shortfall(NINETY_FIVE, H))
    assert "95 % interval needs 39 calibration scores" in note and "has 24" in note, note
    assert "at steps 2 and 4 the lower bound is an error of 's03'" in note, note
    assert "upper bound" not in note, note  # nothing set the upper ends alone
    assert note.count("'s") == 1, note  # one series named, once


def test_a_level_the_scores_resolve_names_no_series():
    """The 80 % bounds are read inside the scores: no one series sets them, whatever its error."""
    assert _calibration(stock_out=True).shortfall(IntervalRequest((80.0,)).probs, H) is None


def test_without_a_series_apart_the_note_names_none():
    """The same panel without the stock-out: the bounds are still the extreme scores (the note
    says so), but no series' error lies three times as far out as the next one's."""
    cal = _calibration(stock_out=False)
    note = _said(cal.shortfall(NINETY_FIVE, H))
    assert "cover less than nominal" in note
    assert note.endswith("calibrate on more series or longer histories"), note
    assert np.nanmax(cal.lone_ratio) > 1.0  # the ratios are there, just not apart


def test_a_calibration_stored_before_the_series_were_kept_says_the_old_note(tmp_path: Path):
    """A registered model's ``calibration.npz`` written before this change has no ``lone_*``
    arrays: it loads, serves the same bounds and says the note as it did."""
    cal = _calibration(stock_out=True)
    cal.save(tmp_path / "new")
    saved = ConformalCalibration.load(tmp_path / "new")
    assert saved is not None and "'s03'" in _said(saved.shortfall(NINETY_FIVE, H))
    with np.load(tmp_path / "new" / CALIBRATION_FILE, allow_pickle=False) as z:
        old = {k: z[k] for k in z.files if not k.startswith("lone_")}
    (tmp_path / "old").mkdir()
    np.savez_compressed(tmp_path / "old" / CALIBRATION_FILE, **old)
    loaded = ConformalCalibration.load(tmp_path / "old")
    assert loaded is not None and loaded.lone_ids.shape == (2, 0)
    note = _said(loaded.shortfall(NINETY_FIVE, H))
    assert note.endswith("calibrate on more series or longer histories") and "'s03'" not in note, note
    point, scale, ids = np.full((2, H), 100.0), np.ones(2), ["s00", "new"]
    with pytest.warns(Warning):
        assert np.array_equal(
            loaded.quantiles_from_scale(point, scale, ids, NINETY_FIVE),
            cal.quantiles_from_scale(point, scale, ids, NINETY_FIVE),
        )


def test_at_most_three_series_are_named_then_how_many_more():
    """Five series each far out at its own step: the three farthest are named, farthest first,
    then 'and 2 more'."""
    scores = np.tile(np.linspace(-1.0, 1.0, 24)[:, None], (1, H))  # 's0' holds every step's -1
    for i in range(1, 6):  # series i's first case is 4 + i times as far out, at step i + 1
        scores[2 * i, i] = -(4.0 + i)
    cal = ConformalCalibration.from_scores(
        scores, np.repeat([f"s{i}" for i in range(12)], 2), season_length=1, scale_window=6,
        weight_series_equally=True,
    )  # fmt: skip
    note = _said(cal.shortfall(NINETY_FIVE, H))
    named = [s for s in ("s1", "s2", "s3", "s4", "s5") if f"'{s}'" in note]
    assert named == ["s3", "s4", "s5"], note  # the farthest out
    assert (
        note.index("at step 6 the lower bound is an error of 's5'") < note.index("'s4'") < note.index("'s3'")
    )
    assert "and 2 more series set others alone" in note, note


def test_training_and_forecasting_say_the_series(tracking_uri):
    """The note reaches the run's description (what ``tsforge train`` prints, and the run page)
    and the trained predictor's note for a forecast request (what ``tsforge forecast`` and the
    service say)."""
    import mlflow

    from tsforge.pipeline import TrackingOptions
    from tsforge.pipeline.panel import train_panel

    out = train_panel(
        _panel(stock_out=True),
        "naive",
        horizon=H,
        n_calibration_windows=2,
        tracking=TrackingOptions(progress=False),
    )
    description = _said(mlflow.MlflowClient().get_run(out.run_id).data.tags["mlflow.note.content"])
    assert "Intervals (conformal): the 95 % interval needs" in description
    assert "at steps 2 and 4 the lower bound is an error of 's03'" in description, description
    served = _said(out.predictor.interval_shortfall(level=[80, 95], horizon=H))
    assert "at steps 2 and 4 the lower bound is an error of 's03'" in served, served
    assert out.predictor.interval_shortfall(level=[80], horizon=H) is None


def test_cross_validation_names_a_lone_series_without_advising_more_windows():
    """With 60 series every cross-validation window's calibration resolves the 95 % interval;
    a stock-out in one series' first window still sets the second window's bound alone. The cv
    note named it, then advised more windows (--n-windows), which resolve more scores and do
    nothing for one series' outlier."""
    import warnings

    from tsforge.errors import IntervalResolutionWarning
    from tsforge.panels.calibrate import conformal_cv
    from tsforge.panels.cv import cross_validation

    rng = np.random.default_rng(7)
    arrays = [100 + np.cumsum(rng.normal(size=LENGTH)) for _ in range(60)]
    arrays[3][LENGTH - 3 * H + np.array([1, 3])] = 0.0  # in the first of three windows
    panel = Panel.from_arrays(arrays, ids=[f"s{i:02d}" for i in range(60)], season_length=1, name="shop")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        frame = cross_validation(panel, ["naive"], H, n_windows=3, progress=False)
        conformal_cv(frame, panel, ["naive"], H, level=[80, 95])  # as `tsforge cv --level` does
    notes = [" ".join(str(w.message).split()) for w in caught if w.category is IntervalResolutionWarning]
    assert any("'s03'" in n for n in notes), notes
    assert not any("--n-windows" in n for n in notes), notes
