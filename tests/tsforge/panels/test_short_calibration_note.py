"""The note that a model-selecting local model was calibrated on refits that saw fewer than three
seasons while its forecasts are fitted on three or more (:class:`ShortCalibrationWarning`).

Why it matters: on 20 monthly series of 48 values with a shared season, AutoETS's calibration
refits (12 and 24 values) chose non-seasonal forms, its final fit (36) a seasonal one, and the
conformal 80 % band covered 29 % of the test window. AutoETS's short refits now keep the final
fit's seasonal form, as AutoARIMA's do (``tests/tsforge/panels/test_kept_forms.py``), so the note
names the other model-selecting models (AutoTheta here), never those two.
"""

from __future__ import annotations

import warnings

import pytest

from tests.conftest import seasonal_monthly_panel
from tsforge.data.panel import Panel
from tsforge.errors import ShortCalibrationWarning
from tsforge.panels.calibrate import calibrate_panel

H = 12


def _short_notes(history: Panel, models: str | list[str]) -> list[str]:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        calibrate_panel(history, models, H)
    return [str(w.message) for w in caught if issubclass(w.category, ShortCalibrationWarning)]


def test_short_panel_notes_calibration_refits_that_saw_fewer_than_three_seasons():
    """48 values, horizon 12: the history ends at 36 (three seasons), the calibration windows
    refit on 24 and 12 — every series, one note naming the counts, lengths and season."""
    history = seasonal_monthly_panel([48] * 20).head_cut(H)
    assert history.season_length == 12
    with pytest.warns(ShortCalibrationWarning) as record:
        calibrate_panel(history, "auto_theta", H)
    notes = [str(w.message) for w in record if issubclass(w.category, ShortCalibrationWarning)]
    assert len(notes) == 1
    note = notes[0]
    assert note.startswith("auto_theta: ")
    assert "on 20 of 20 series" in note
    assert "fewer than 3 seasons (12–24 values, season length 12)" in note
    assert "fitted on 36 values" in note
    assert "check their test coverage" in note


def test_one_note_per_call_naming_only_the_models_that_select_their_form():
    """Two model-selecting models and naive in one call: one note, naming the two (naive is the
    same model on any history length); auto_ets and auto_arima, whose short refits keep the final
    fit's seasonal form, are not named, alone or beside them.

    Four series, not 20: which models the note names does not depend on the fits (only on the
    models and the series' lengths; all are short here), and AutoARIMA's calibration costs
    ~0.8 s of CPU per series, twice."""
    history = seasonal_monthly_panel([48] * 4).head_cut(H)
    notes = _short_notes(history, ["auto_ets", "naive", "auto_theta", "auto_arima", "auto_ces"])
    assert len(notes) == 1
    assert notes[0].startswith("auto_theta, auto_ces: ")
    assert "auto_ets" not in notes[0] and "auto_arima" not in notes[0]
    assert _short_notes(history, ["auto_ets", "auto_arima"]) == []


def test_no_note_for_long_histories_or_models_that_do_not_select():
    """120 values: the calibration refits see 7–8 seasons, as the final fit does — no note; nor
    for naive on the short panel."""
    assert _short_notes(seasonal_monthly_panel([120] * 20).head_cut(H), "auto_theta") == []
    assert _short_notes(seasonal_monthly_panel([48] * 20).head_cut(H), "naive") == []


def test_noted_when_at_least_half_of_the_series_that_see_three_seasons_are_short():
    """Half of the series (10 of 20) calibrated on short refits: noted with those counts and
    their lengths only; 9 of 20: not noted."""
    half = seasonal_monthly_panel([48] * 10 + [120] * 10).head_cut(H)
    notes = _short_notes(half, "auto_theta")
    assert len(notes) == 1
    assert "on 10 of 20 series" in notes[0]
    assert "(12–24 values, season length 12)" in notes[0]
    assert "fitted on 36 values" in notes[0]
    fewer = seasonal_monthly_panel([48] * 9 + [120] * 11).head_cut(H)
    assert _short_notes(fewer, "auto_theta") == []
