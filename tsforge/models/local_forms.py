"""The seasonal form a model-selecting local model chooses on a series, and that model held to it.

Why this exists: a conformal calibration refits a local model on the values before each
calibration window (:mod:`tsforge.panels.calibrate`), and on a short series those refits see
fewer seasons than the final fit. A model that chooses its form on the history it is given may
then drop the season in the refits while the final fit keeps it: on 20 monthly series of 48
values with a shared season (horizon 12: refits on 12 and 24 values, final fit on 36), AutoETS
chose ETS(A,N,N) in the refits and a seasonal form in the final fit, AutoARIMA a non-seasonal
order against a seasonal one; the signed calibration errors were the season the served model
forecasts, and the 80 % bands covered 29 % (AutoETS) and 32 % (AutoARIMA) of the test window.
A refit on fewer than :data:`FORM_SEASONS` seasons therefore keeps the seasonal form the final
fit chose on the whole training history (its parameters are still fitted on the values before
its window): 85 % for both then (:func:`kept_form_spec`).

Only seasonal forms are kept: a non-seasonal choice is as well posed on 15 values as on 39, and
keeping every refit at the final form, short or not, was measured and not adopted (AutoETS on
hospital: 77.9 → 75.8 % at 80 %; ``benchmarks/intervals.py``, ``docs/intervals.md`` "Short panels"). AutoTheta
and AutoCES covered 77 / 93 % and 82 / 96 % on the same panel without it, so they choose on every
refit as before.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from tsforge.models.statistical import (
    ETS_MAX_SEASON,
    LOCAL_MODELS,
    LocalModelSpec,
    LocalOptions,
    recent_history,
    statsforecast_models,
    working_exponent,
)
from tsforge.quiet import quiet_libraries

__all__ = [
    "FORM_SEASONS",
    "KEEPS_FORM",
    "keeps_form",
    "fitted_form",
    "selected_form",
    "form_words",
    "kept_form_spec",
]

#: Seasons a refit must see to choose its own form where the final fit's is known (and, for the
#: models that keep none, for the calibration note of :mod:`tsforge.panels.calibrate`): AutoETS
#: (season 12) chose a seasonal form on 3 % / 40 % / 57 % of 60 M1 monthly series fitted on 24 /
#: 36 / 48 values, 0 / 5 / 18 % of hospital, 7 / 32 / 38 % of CIF 2016.
FORM_SEASONS = 3

#: The local models whose short refits keep the final fit's seasonal form.
KEEPS_FORM = frozenset({"auto_ets", "auto_arima"})


def keeps_form(model: str, m: int) -> bool:
    """Whether ``model`` at season ``m`` has a seasonal form to keep: ``auto_ets`` at a season
    ETS holds in its state (above :data:`ETS_MAX_SEASON` it is STL + non-seasonal ETS, whose
    season needs no choosing), ``auto_arima`` at any season over 1."""
    if model == "auto_ets":
        return 1 < m <= ETS_MAX_SEASON
    return model in KEEPS_FORM and m > 1


def _ets_form(fit: Any) -> str | None:
    """``"AAAN"`` (error, trend, season, ``D`` where damped) of a fitted AutoETS, if seasonal."""
    form = str(fit.model_["components"])
    return form if len(form) == 4 and form[2] != "N" else None


def _arima_form(fit: Any) -> str | None:
    """``"p,d,q,P,D,Q,mean,drift"`` of a fitted AutoARIMA, if it has a seasonal part."""
    p, q, P, Q, _, d, D = (int(v) for v in fit.model_["arma"])
    if P + D + Q == 0:
        return None
    coef = fit.model_["coef"]
    return ",".join(str(v) for v in (p, d, q, P, D, Q, int("intercept" in coef), int("drift" in coef)))


def fitted_form(model: str, fit: Any) -> str | None:
    """The seasonal form of ``fit``, a fitted statsforecast ``AutoETS`` (``model`` ``auto_ets``)
    or ``AutoARIMA``; ``None`` where it has no season. The one reading of a fit's form, for
    :func:`selected_form` and for the final fits that record theirs
    (:func:`~tsforge.models.statistical.forecast_series`' ``chosen``)."""
    return _ets_form(fit) if model == "auto_ets" else _arima_form(fit)


def selected_form(model: str, y: np.ndarray, m: int, options: LocalOptions | None = None) -> str | None:
    """The seasonal form ``model`` chooses for ``y``, fitted exactly as
    :func:`~tsforge.models.statistical.forecast_series` fits it (recent history, working units);
    ``None`` where the model keeps no form (:func:`keeps_form`), where the chosen form has no
    season, or where the fit fails."""
    opts = options or LocalOptions()
    m = opts.season(m)
    if not keeps_form(model, m):
        return None
    fitted = opts.history(LOCAL_MODELS[model], np.asarray(y, dtype=np.float64), m)
    k = working_exponent(fitted)
    sfm = statsforecast_models()
    try:
        with quiet_libraries():  # not catch_warnings: fits run in several threads
            factory = sfm.AutoETS if model == "auto_ets" else sfm.AutoARIMA
            return fitted_form(model, factory(season_length=m).fit(np.ldexp(fitted, -k)))
    except Exception:  # noqa: BLE001 — a form that cannot be found is simply not kept
        return None


def form_words(model: str, form: str) -> str:
    """``ETS(A,A,A)``, ``ETS(M,A,M) damped``, ``ARIMA(0,1,1)(0,1,1)``: a form of
    :func:`selected_form` as the literature writes it (its code ``AAAN`` is statsforecast's)."""
    if model == "auto_ets":
        return f"ETS({','.join(form[:3])}){' damped' if form[3] == 'D' else ''}"
    p, d, q, P, D, Q = form.split(",")[:6]
    return f"ARIMA({p},{d},{q})({P},{D},{Q})"


def _held(model: str, form: str) -> tuple[Any, str]:
    """(factory, words) of ``model`` held to ``form``."""
    sfm = statsforecast_models()
    if model == "auto_ets":
        return (
            lambda m: sfm.AutoETS(season_length=m, model=form[:3], damped=form[3] == "D"),
            form_words(model, form),
        )
    p, d, q, P, D, Q, mean, drift = (int(v) for v in form.split(","))
    return (
        lambda m: sfm.ARIMA(
            order=(p, d, q),
            season_length=m,
            seasonal_order=(P, D, Q),
            include_mean=bool(mean),
            include_drift=bool(drift),
        ),
        form_words(model, form),
    )


def kept_form_spec(model: str, form: str) -> LocalModelSpec:
    """``model`` held to ``form`` (:func:`selected_form`'s), falling back to ``model`` choosing
    its own where that form cannot be fitted on the values given.

    What it changed on 20 monthly series of 48 values with a shared season (horizon 12): the
    conformal test coverage at 80 / 95 % went from 29 / 42 % to 85 / 97 % for AutoETS (MSIS at
    80 % 11.1 → 6.6) and from 32 / 47 % to 86 / 98 % for AutoARIMA (MSIS 10.9 → 3.9). On the
    twelve development collections it moved AutoETS's coverage by at most 1.9 points (M1 monthly
    88.0 / 99.0 → 86.1 / 98.6 %; ``benchmarks/intervals.py``), AutoARIMA's on the six it touches by
    at most 1.0 (M1 monthly 88.4 → 87.4 % at 80 %; ``docs/intervals.md``, "Short panels").
    """
    factory, words = _held(model, form)
    return LocalModelSpec(
        f"{model}[{form}]",
        factory,
        f"{words}, the form of the series' final fit",
        True,
        fallback=model,
        max_history=recent_history,
        unit_sensitive=True,
    )
