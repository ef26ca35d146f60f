"""The seasonal form AutoETS / AutoARIMA chose on each series is read off the fit that forecast it
(``forecast_local(...).attrs["forms"]``), so the calibration of a short panel need not fit every
short series a second time to learn it (:func:`tsforge.panels.calibrate.calibration_forms`'
``final``, :func:`~tsforge.panels.calibrate.warn_simpler_validation_fit`'s ``chosen``).

Why: that second fit was 31 % of ``train_panel``'s CPU time for AutoETS on 200 monthly series of
48 values (horizon 12). Every test here checks that the recorded forms are exactly the ones the
second fit found, and that the forecasts and calibration do not move by a bit.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable

import numpy as np
import pandas as pd
import pytest

import tsforge.panels.calibrate as calibrate_mod
from tests.conftest import seasonal_monthly_panel
from tsforge.data.panel import Panel
from tsforge.models.statistical import LOCAL_MODELS, forecast_series
from tsforge.panels.calibrate import (
    calibrate_panel,
    calibration_cv,
    calibration_forms,
    warn_simpler_validation_fit,
)
from tsforge.panels.local import forecast_local, selected_forms

H = 12


def _mixed_panel() -> Panel:
    """Seasonal series of 40–60 values and two random walks (which choose no seasonal form)."""
    seasonal = seasonal_monthly_panel([40, 44, 48, 48, 52, 60], seed=5)
    rng = np.random.default_rng(7)
    arrays = [seasonal.series(i) for i in range(len(seasonal))]
    arrays += [100 + np.cumsum(rng.normal(0, 1, n)) for n in (48, 50)]
    starts = np.full(len(arrays), np.datetime64("2018-01-01", "ns"))
    return Panel.from_arrays(arrays, starts=starts, freq="MS", name="mixed")


def _no_second_fit(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make any fit of the forms in the calibration module an error."""

    def refuse(*args: object, **kwargs: object) -> dict[str, str]:
        raise AssertionError("the forms were fitted again")

    monkeypatch.setattr(calibrate_mod, "selected_forms", refuse)


@pytest.fixture(scope="module")
def second_fit_forms() -> Callable[[str], dict[str, str]]:
    """``forms(model)``: :func:`selected_forms` of :func:`_mixed_panel` for ``model``, fitted once
    per model and module.

    Why: the second fit is the reference both engines' forecasts (``n_jobs`` 1 and 2) are
    compared with; it does not depend on ``n_jobs`` and fitted the same series with the same
    model once per case (AutoARIMA: ~3 s each on CI). Read only: each case gets a copy.
    """
    panel = _mixed_panel()
    found: dict[str, dict[str, str]] = {}

    def forms(model: str) -> dict[str, str]:
        if model not in found:
            found[model] = selected_forms(panel, model)
        return dict(found[model])

    return forms


@pytest.mark.xdist_group("forms_second_fit")  # one worker, so ``second_fit_forms`` is fitted once
@pytest.mark.parametrize("model", ["auto_ets", "auto_arima"])
@pytest.mark.parametrize("n_jobs", [1, 2])
def test_the_forecasts_record_the_forms_a_second_fit_finds(model, n_jobs, second_fit_forms):
    """``attrs["forms"]`` of the forecasts is :func:`selected_forms` of the same panel, on every
    engine: seasonal series only, keyed by id as text."""
    panel = _mixed_panel()
    frame = forecast_local(panel, [model], H, n_jobs=n_jobs, progress=False)
    expected = second_fit_forms(model)
    assert expected  # the panel has seasonal forms to find
    assert len(expected) < len(panel)  # and series without one
    assert frame.attrs["forms"] == {model: expected}


def test_only_the_models_that_keep_forms_record_them():
    """AutoTheta and seasonal naive have no form to keep: nothing is recorded for them."""
    frame = forecast_local(_mixed_panel(), ["auto_theta", "seasonal_naive", "auto_ets"], H, progress=False)
    assert set(frame.attrs["forms"]) == {"auto_ets"}


@pytest.mark.parametrize("model", ["auto_ets", "auto_arima"])
def test_recording_the_form_leaves_the_forecast_bit_for_bit(model):
    """The recording fit (statsforecast's fit + predict) forecasts exactly what its ``forecast``
    did, bounds included, in working units."""
    spec = LOCAL_MODELS[model]
    y = seasonal_monthly_panel([48], seed=2).series(0).astype(np.float64) * 1e6
    chosen: list[str | None] = []
    recorded, fell = forecast_series(spec, y, H, 12, levels=[80, 95], chosen=chosen)
    plain, fell_plain = forecast_series(spec, y, H, 12, levels=[80, 95])
    assert fell == fell_plain
    assert recorded.keys() == plain.keys()
    for key in plain:
        np.testing.assert_array_equal(recorded[key], plain[key], err_msg=key)
    assert chosen and chosen[0] is not None


def test_a_refit_held_to_a_form_records_none():
    """A short refit held to the final fit's form chose nothing: it records no form."""
    y = seasonal_monthly_panel([24], seed=2).series(0).astype(np.float64)
    chosen: list[str | None] = []
    forecast_series(LOCAL_MODELS["auto_ets"], y, H, 12, form="AAAN", chosen=chosen)
    assert chosen == [None]


def test_the_calibration_reads_the_final_fits_forms(monkeypatch):
    """Given the final fits' forms, :func:`calibration_forms` returns what it fitted before, and
    the calibration's forecasts and scores are identical, without fitting a form again."""
    history = _mixed_panel().head_cut(H)
    models = ["auto_ets", "auto_arima", "auto_theta"]
    final = forecast_local(history, models, H, progress=False).attrs["forms"]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fitted = calibration_forms(history, models, H, 2)
        before = calibration_cv(history, models, H, 2)
        cal_before = calibrate_panel(history, models, H, 2, frame=before)
    assert any(fitted.values())  # some short series keep a form
    _no_second_fit(monkeypatch)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        read = calibration_forms(history, models, H, 2, final=final)
        after = calibration_cv(history, models, H, 2, final=final)
        cal_after = calibrate_panel(history, models, H, 2, frame=after)
    assert read == fitted
    pd.testing.assert_frame_equal(after, before, check_exact=True)
    assert after.attrs["forms"] == before.attrs["forms"]
    for name in models:
        np.testing.assert_array_equal(cal_after[name].pooled, cal_before[name].pooled)


def test_a_panel_without_seasonal_forms_is_not_fitted_again(monkeypatch):
    """Where no final fit chose a season (random walks), the model's entry is recorded empty,
    so the calibration reads "no forms" instead of fitting every short series again to find
    that out (a missing entry read as "not recorded")."""
    rng = np.random.default_rng(3)
    arrays = [100 + np.cumsum(rng.normal(0, 1, 48)) for _ in range(6)]
    starts = np.full(len(arrays), np.datetime64("2018-01-01", "ns"))
    history = Panel.from_arrays(arrays, starts=starts, freq="MS", name="walks").head_cut(H)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        final = forecast_local(history, ["auto_ets", "auto_theta"], H, progress=False).attrs["forms"]
        fitted = calibration_forms(history, ["auto_ets"], H, 1)
    assert final == {"auto_ets": {}}  # recorded, and empty; AutoTheta keeps no form
    assert fitted == {"auto_ets": {}}
    _no_second_fit(monkeypatch)
    assert calibration_forms(history, ["auto_ets"], H, 1, final=final) == fitted


def test_the_validation_note_reads_the_validation_fits_forms(monkeypatch):
    """:func:`warn_simpler_validation_fit` given the forms of the fits on ``train`` says what it
    said when it fitted them itself, and fits nothing."""
    panel = seasonal_monthly_panel([48] * 20, seed=5)
    history, train = panel.head_cut(H), panel.head_cut(2 * H)
    final = selected_forms(history, "auto_ets")
    with warnings.catch_warnings(record=True) as fitting:
        warnings.simplefilter("always")
        count = warn_simpler_validation_fit(train, "auto_ets", final)
    assert count > 0  # the panel is one where the note is said
    chosen = forecast_local(train, ["auto_ets"], H, progress=False).attrs["forms"].get("auto_ets", {})
    _no_second_fit(monkeypatch)
    with warnings.catch_warnings(record=True) as reading:
        warnings.simplefilter("always")
        assert warn_simpler_validation_fit(train, "auto_ets", final, chosen=chosen) == count
    assert [str(w.message) for w in reading] == [str(w.message) for w in fitting]
