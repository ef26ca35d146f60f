"""AutoETS's and AutoARIMA's conformal calibration refits keep the seasonal form of each series'
final fit where they see fewer than three seasons (:func:`tsforge.panels.calibrate.calibration_forms`).

Why: on 20 monthly series of 48 values with a shared season (horizon 12), the refits on 12 and
24 values chose non-seasonal forms while the final fit on 36 chose a seasonal one; the signed
calibration errors were the season the served model forecasts, and its 80 % band covered 29 % of
the test window.
"""

from __future__ import annotations

import re
import warnings
from typing import TYPE_CHECKING

import numpy as np
import pytest

from tests.conftest import seasonal_monthly_panel
from tsforge.data.panel import Panel
from tsforge.models.local_forms import form_words, kept_form_spec, selected_form
from tsforge.models.statistical import LOCAL_MODELS, forecast_series
from tsforge.panels.calibrate import calibrate_panel, calibration_cv, calibration_forms
from tsforge.panels.local import forecast_local, selected_forms

if TYPE_CHECKING:
    from tsforge.pipeline import PanelOutcome

H = 12
AUTO_ETS = LOCAL_MODELS["auto_ets"]


def _seasonal_series(n: int, seed: int = 1) -> np.ndarray:
    return seasonal_monthly_panel([n], seed).series(0).astype(np.float64)


def test_a_short_refit_keeps_the_given_form_and_a_long_one_chooses_its_own():
    """Under three seasons (24 values) the forecast is that of ETS held to the form, not a
    fallback; from three seasons on (36 values) the form is ignored."""
    short, long_ = _seasonal_series(24), _seasonal_series(36)
    kept, fell = forecast_series(AUTO_ETS, short, H, 12, form="AAAN")
    held, _ = forecast_series(kept_form_spec("auto_ets", "AAAN"), short, H, 12)
    chosen, _ = forecast_series(AUTO_ETS, short, H, 12)
    assert not fell
    np.testing.assert_allclose(kept["mean"], held["mean"])
    assert not np.allclose(kept["mean"], chosen["mean"])  # AutoETS alone picks another form here
    with_form, _ = forecast_series(AUTO_ETS, long_, H, 12, form="ANNN")
    without, _ = forecast_series(AUTO_ETS, long_, H, 12)
    np.testing.assert_allclose(with_form["mean"], without["mean"])


def test_auto_arima_keeps_its_seasonal_order_on_a_short_refit():
    """AutoARIMA's form is its orders (with the mean and drift terms); a 24-value refit given it
    forecasts as ARIMA held to those orders, and a 36-value one chooses its own."""
    form = selected_form("auto_arima", _seasonal_series(36), 12)
    assert form is not None
    p, d, q, P, D, Q, mean, drift = (int(v) for v in form.split(","))
    assert P + D + Q > 0  # a seasonal part, or no form to keep
    arima = LOCAL_MODELS["auto_arima"]
    short, long_ = _seasonal_series(24), _seasonal_series(36)
    kept, fell = forecast_series(arima, short, H, 12, form=form)
    held, _ = forecast_series(kept_form_spec("auto_arima", form), short, H, 12)
    assert not fell
    np.testing.assert_allclose(kept["mean"], held["mean"])
    np.testing.assert_allclose(
        forecast_series(arima, long_, H, 12, form=form)[0]["mean"],
        forecast_series(arima, long_, H, 12)[0]["mean"],
    )


def test_the_form_is_only_for_the_models_that_keep_one():
    """Another model given a form forecasts as without one."""
    y = _seasonal_series(24)
    theta = LOCAL_MODELS["auto_theta"]
    np.testing.assert_allclose(
        forecast_series(theta, y, H, 12, form="AAAN")[0]["mean"], forecast_series(theta, y, H, 12)[0]["mean"]
    )


def test_only_seasonal_forms_are_kept():
    """A seasonal series gets a seasonal form; a random walk, a yearly series (season 1) and a
    season over ETS's 24 (52) get none: there is nothing a short refit could not choose."""
    form = selected_form("auto_ets", _seasonal_series(48), 12)
    assert form is not None and len(form) == 4 and form[2] in "AM"
    walk = 100 + np.cumsum(np.random.default_rng(3).normal(0, 1, 48))
    assert selected_form("auto_ets", walk, 12) is None
    assert selected_form("auto_ets", _seasonal_series(48), 1) is None
    assert selected_form("auto_ets", np.tile(_seasonal_series(52), 3), 52) is None


def test_forms_are_found_only_for_series_with_short_refits():
    """Series of 48 values (history 36, refits on 24 and 12) get forms; series of 120 (refits on
    96 and 108 values) do not; nor do models other than auto_ets."""
    history = seasonal_monthly_panel([48] * 4 + [120] * 4).head_cut(H)
    forms = calibration_forms(history, ["auto_ets", "auto_theta"], H, 2)
    assert set(forms) == {"auto_ets"}
    assert set(forms["auto_ets"]) <= {str(i) for i in history.ids[:4]}  # keyed by id as text
    assert len(forms["auto_ets"]) >= 3  # these seasonal series choose seasonal forms
    assert calibration_forms(history, ["auto_theta"], H, 2) == {}


def test_forms_are_the_same_on_every_engine():
    """The forms are a pure map over chunks: in-process and a two-process pool agree."""
    panel = seasonal_monthly_panel([40, 44, 48, 52, 36, 60])
    assert selected_forms(panel, "auto_ets", n_jobs=1) == selected_forms(panel, "auto_ets", n_jobs=2)


def _coverage(panel: Panel, h: int, model: str) -> tuple[float, float]:
    """Test coverage of ``model``'s conformal 80 % and 95 % bands (last ``h`` values held out),
    calibrated as ``train_panel`` calibrates the model it serves: the final fits first, their
    seasonal forms handed to the calibration's short refits (``final``).

    Why not let the calibration fit the forms again: that second fit of every series (a quarter
    of this test's time for AutoARIMA) finds exactly the forms the final fits recorded
    (``test_forms_recorded``), so the bands are the same; the short refits still keep them.
    """
    history = panel.head_cut(h)
    n = len(history)
    final = forecast_local(history, [model], h, progress=False)
    assert final.attrs["forms"].get(model)  # the final fits chose seasonal forms to keep
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        frame = calibration_cv(history, [model], h, final=final.attrs["forms"])
        cal = calibrate_panel(history, model, h, frame=frame)[model]
    point = final[model].to_numpy().reshape(n, h)
    q = cal.quantiles(
        point, [history.series(i) for i in range(n)], history.ids, np.array([0.025, 0.1, 0.9, 0.975])
    )
    y = np.stack([panel.series(i)[-h:] for i in range(n)])
    return (
        float(np.mean((y >= q[..., 1]) & (y <= q[..., 2]))),
        float(np.mean((y >= q[..., 0]) & (y <= q[..., 3]))),
    )


@pytest.mark.parametrize("model", ["auto_ets", "auto_arima"])
def test_a_short_seasonal_panel_is_calibrated_on_the_model_it_serves(model):
    """20 series of 48 values, horizon 12: the bands of the served (seasonal) model cover near
    nominal on the test window, where refits that chose their own forms put the 80 % band
    above the forecast (29 % covered by AutoETS's, 32 % by AutoARIMA's on a panel like this)."""
    cov80, cov95 = _coverage(seasonal_monthly_panel([48] * 20, seed=5), H, model)
    assert 0.65 <= cov80 <= 0.95
    assert cov95 >= 0.85


@pytest.fixture(scope="module")
def short_training() -> tuple[Panel, PanelOutcome, list[warnings.WarningMessage]]:
    """``train_panel`` of AutoETS on the short panel (20 series of 48 values), with every warning
    it gave: the two tests below read the same training (it tracks nothing, and is seeded), so
    it runs once."""
    from tsforge.pipeline import TrackingOptions, train_panel

    panel = seasonal_monthly_panel([48] * 20, seed=5)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        out = train_panel(panel, "auto_ets", horizon=H, tracking=TrackingOptions(track=False, progress=False))
    return panel, out, caught


def test_train_panel_validates_the_model_as_served_and_calibrates_the_kept_form(short_training):
    """train_panel on the short panel: the validation scores are those of AutoETS refit choosing
    its own form on the training part (the kept form was chosen with the validation window in
    view), and the test window's 80 % band covers near nominal."""
    from tsforge.evaluation.panel_metrics import panel_scores, summarise
    from tsforge.panels.protocol import holdout_split

    panel, out, _ = short_training
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        split = holdout_split(panel, H)
        n = len(panel)
        plain = (
            forecast_local(split.train, ["auto_ets"], H, progress=False)["auto_ets"].to_numpy().reshape(n, H)
        )
    expected = summarise(panel_scores(split.val, {"auto_ets": plain}, split.train, 12))["auto_ets"]["mase"]
    assert np.isclose(out.metrics["val_mase"], expected)
    assert 0.65 <= out.metrics["test_coverage_80"] <= 0.95


def test_train_panel_says_when_its_validation_fit_is_simpler_than_the_model_registered(short_training):
    """On the short panel AutoETS's fit on the 24 values before the validation window chooses no
    season where the final fit on 36 chooses one; the validation MASE is that simpler model's,
    and the user hears so, naming the series and the registered form. A panel long enough for
    every fit to see the season keeps quiet."""
    from tsforge.errors import SimplerValidationFitWarning
    from tsforge.panels.protocol import holdout_split
    from tsforge.pipeline import TrackingOptions, train_panel

    quiet = TrackingOptions(track=False, progress=False)
    panel, _, caught = short_training
    said = [str(w.message) for w in caught if issubclass(w.category, SimplerValidationFitWarning)]
    assert len(said) == 1, said
    split = holdout_split(panel, H)
    simpler = [
        sid
        for i, sid in enumerate(split.train.ids)
        if selected_form("auto_ets", split.train.series(i), 12) is None
    ]
    final = selected_forms(split.history, "auto_ets")
    expected = [sid for sid in simpler if str(sid) in final]
    assert expected  # the panel is one where this happens
    assert f"on {len(expected)} of 20 series" in said[0] and "(24 values, season length 12)" in said[0]
    assert f"{str(expected[0])!r}: {form_words('auto_ets', final[str(expected[0])])}" in said[0]
    assert re.search(r"ETS\([ANM],[ANM],[AM]\)", said[0])  # in words, not statsforecast's code
    long_panel = seasonal_monthly_panel([96] * 6, seed=5)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        train_panel(long_panel, "auto_ets", horizon=H, tracking=quiet)
    assert not [w for w in caught if issubclass(w.category, SimplerValidationFitWarning)]
