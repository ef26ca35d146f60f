"""Local statistical models (statsforecast), one table for the whole platform.

Why here, in the models package: these are models like any other — listed by ``tsforge
models``, registered in the one model registry (kind ``local``), usable on long multichannel
data through the window protocol (each input window is fitted on its own) — and the panel
runner (:mod:`tsforge.panels.local`) fits them per series with the same specs. statsforecast
does the statistics; nothing here re-implements ETS, ARIMA, Theta or CES.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import torch

from tsforge.errors import ConfigError
from tsforge.models.base import FitReport, Forecaster, config_from_dict
from tsforge.models.registry import register_model
from tsforge.quiet import quiet_libraries

__all__ = [
    "LocalModelSpec",
    "LocalOptions",
    "local_options",
    "LOCAL_MODELS",
    "TSB_ALPHA_D",
    "TSB_ALPHA_P",
    "ETS_MAX_SEASON",
    "mstl_periods",
    "recent_history",
    "forecast_series",
    "LocalForecaster",
]

#: TSB smoothing constants. alpha_d = 0.1 is the constant statsforecast's ``CrostonClassic``
#: uses for demand sizes, so TSB and Croston differ only in how the demand *probability* is
#: updated (every period, which lets TSB decay towards zero for obsolete items), not in how
#: strongly they smooth; alpha_p = 0.1 is within the 0.01–0.3 range studied by Teunter,
#: Syntetos & Babai (2011) and slow enough for monthly spare-parts data.
TSB_ALPHA_D = 0.1
TSB_ALPHA_P = 0.1


@dataclass(frozen=True)
class LocalModelSpec:
    """One local model: how to build it and what it can do.

    Attributes:
        name: output column name.
        factory: ``season_length -> statsforecast model``.
        summary: one line for listings.
        supports_level: whether it returns prediction intervals (``level=``).
        min_length: ``season_length -> fewest values`` to try the model on a series.
        fallback: model used for a series that is too short or on which this one fails.
        max_history: ``season_length -> most recent values fitted on`` (``None``: all of them);
            see :func:`recent_history`.
        revision: raised whenever the model's forecasts change (``auto_ets`` 1: long seasons, 2:
            fitted in working units; ``auto_theta``/``auto_arima``/``mstl`` 1: fitted in working
            units), so caches of its forecasts —
            the recommender's knowledge base — are recomputed instead of served stale.
        unit_sensitive: statsforecast's fit of this model depends on the unit of the series, so
            :func:`forecast_series` fits it in working units (see :data:`WORKING_LEVEL`).
        reads_zeros: the model reads a zero as "no demand" (Croston, IMAPA, TSB), so on windows
            it is fitted on the series in its own units, never on the standardised window,
            where a zero is −mean/std and every period looks like a demand
            (:class:`LocalForecaster`).
    """

    name: str
    factory: Callable[[int], Any]
    summary: str
    supports_level: bool
    min_length: Callable[[int], int] = lambda m: 1
    fallback: str | None = "naive"
    max_history: Callable[[int], int | None] = lambda m: None
    revision: int = 0
    unit_sensitive: bool = False
    reads_zeros: bool = False

    def history(self, y: np.ndarray, m: int) -> np.ndarray:
        """The part of ``y`` this model is fitted on (its last ``max_history(m)`` values)."""
        cap = self.max_history(m)
        return y if cap is None or y.size <= cap else y[-cap:]


@dataclass(frozen=True)
class LocalOptions:
    """What a user may set on a local model (``--option key=value``), on a panel or on windows.

    Why these two: the season length is the one modelling choice statsforecast's ``Auto*``
    models do not search (daily data with a yearly cycle, weekly data read as 4-weekly), and the
    history cap trades fit time for the old values a user may know still matter (on the Saugeen
    river series AutoETS scored 7.7 % better on its whole history, at 21× the fit time).

    Attributes:
        season_length: the season the model (and its fallbacks) fits; ``None``: the data's.
        max_history: most recent values fitted on; ``0``: the whole history; ``None``: the
            model's default (:func:`recent_history` for ETS, Theta, ARIMA, CES and MSTL, all
            values for the others).
    """

    season_length: int | None = None
    max_history: int | None = None

    def season(self, data_season: int) -> int:
        return int(self.season_length) if self.season_length else int(data_season)

    def history(self, spec: LocalModelSpec, y: np.ndarray, m: int) -> np.ndarray:
        """The part of ``y`` ``spec`` is fitted on under these options."""
        if self.max_history is None:
            return spec.history(y, m)
        cap = int(self.max_history)
        return y if cap == 0 or y.size <= cap else y[-cap:]

    def as_dict(self) -> dict[str, int]:
        """The options that were set (what a run logs and a saved model stores)."""
        return {
            k: int(v)
            for k, v in (("season_length", self.season_length), ("max_history", self.max_history))
            if v is not None
        }


def local_options(model: str, config: Mapping[str, Any] | LocalOptions | None) -> LocalOptions:
    """Validated :class:`LocalOptions` of ``model`` from ``--option`` values (unknown keys and
    bad types are refused naming the option, as for every model's config)."""
    if isinstance(config, LocalOptions):
        opts = config
    elif config is not None and not isinstance(config, Mapping):
        raise ConfigError(
            f"the options of model {model!r} must be a dict, got {type(config).__name__} {config!r}",
            field="model_config",
        )
    else:
        opts = config_from_dict(LocalOptions, dict(config or {}), model)
    if opts.season_length is not None and int(opts.season_length) < 1:
        raise ConfigError(
            f"option 'season_length' of model {model!r} must be at least 1, got {opts.season_length}",
            field="season_length",
        )
    if opts.max_history is not None and int(opts.max_history) < 0:
        raise ConfigError(
            f"option 'max_history' of model {model!r} must be 0 (the whole history) or a number of "
            f"values, got {opts.max_history}",
            field="max_history",
        )
    return opts


def mstl_periods(season_length: int) -> list[int]:
    """Seasonal periods MSTL decomposes: the panel's season plus the next calendar cycle where
    data usually has one (hourly: day and week; half-hourly: day and week; daily: week only,
    a yearly cycle of 365 would need more than two years per series)."""
    m = int(season_length)
    if m <= 1:
        return []
    if m in (24, 48):
        return [m, 7 * m]
    return [m]


#: A model-selecting local model (ETS, Theta, ARIMA, CES, MSTL) is fitted on at most this many of
#: a series' most recent values, or ten of its longest cycles where that is more.
RECENT_VALUES = 1000
RECENT_CYCLES = 10


def recent_history(season_length: int) -> int:
    """How many recent values a model-selecting local model is fitted on.

    Why a cap: their fit time grows faster than the history (statsforecast's AutoTheta on one
    daily series: 0.3 s on 1,000 values, 11 s on 7,305), and a series is refitted once per
    cross-validation and calibration window, so one 20-year daily series took 7.5 minutes to
    train; yet these models weigh recent values (exponential smoothing forgets geometrically),
    so values decades old barely move a forecast. ``benchmarks/local_history.py`` measures both
    sides on three long daily series (US births, Saugeen river flow, sunspots). Ten cycles
    keep what the seasonal (and MSTL's weekly) estimates need: 1,680 values for hourly data.
    """
    periods = mstl_periods(season_length) or [max(int(season_length), 1)]
    return max(RECENT_VALUES, RECENT_CYCLES * max(periods))


def statsforecast_models() -> Any:
    """``statsforecast.models``, imported on first use (it takes seconds to import)."""
    import statsforecast.models as sfm

    return sfm


def _stl_ets(periods: list[int]) -> Any:
    """MSTL over ``periods`` with non-seasonal AutoETS on the deseasonalised remainder: the one
    place that model is built (``mstl``, and ``auto_ets`` on seasons ETS cannot hold)."""
    sfm = statsforecast_models()
    return sfm.MSTL(season_length=periods, trend_forecaster=sfm.AutoETS(model="ZZN"))


def _mstl(m: int) -> Any:
    return _stl_ets(mstl_periods(m) or [2])


#: The longest season statsforecast's ETS holds in its state (as R's ``forecast::ets``): for a
#: longer one — weekly data with a yearly cycle, m = 52 — it fits only non-seasonal models, silently.
ETS_MAX_SEASON = 24

#: ``min_length`` of a model that never applies (its series go straight to its fallback).
_NEVER = int(np.iinfo(np.int64).max)


def _auto_ets(m: int) -> Any:
    """AutoETS; for a season longer than ETS can hold, ETS on the STL-deseasonalised series.

    Why: above :data:`ETS_MAX_SEASON` statsforecast's AutoETS drops the season without a word, so
    on weekly data it forecasts a December drop as a straight line (electricity weekly, test
    window in December: MASE 1.53 against seasonal naive's 0.88; 0.85 with STL, see
    ``benchmarks/long_season.py``). STL removes the yearly cycle,
    non-seasonal ETS forecasts the rest and the last cycle is added back — what R's ``stlf`` does
    where ``ets`` refuses the season; statsforecast's MSTL with an ETS trend is that model.
    """
    if m <= ETS_MAX_SEASON:
        return statsforecast_models().AutoETS(season_length=m)
    return _stl_ets([m])


#: Where :func:`_auto_ets` cannot decompose (fewer than two of its long seasons): AutoETS at that
#: season, i.e. the non-seasonal ETS statsforecast fits there, exactly as before STL was added.
#: Not a model of its own (not registered); for seasons ETS holds it never applies, so a failing
#: AutoETS still falls back to naive.
_ETS_WITHOUT_SEASON = LocalModelSpec(
    "auto_ets (no season)",
    lambda m: statsforecast_models().AutoETS(season_length=m),
    "non-seasonal AutoETS, for histories shorter than two long seasons",
    True,
    min_length=lambda m: 1 if m > ETS_MAX_SEASON else _NEVER,
    max_history=recent_history,
    unit_sensitive=True,
)


def _model_selecting(
    name: str, statsforecast_class: str, summary: str, unit_sensitive: bool = False
) -> LocalModelSpec:
    """A statsforecast ``Auto*`` model: seasonal, with intervals, fitted on the recent history."""
    return LocalModelSpec(
        name,
        lambda m: getattr(statsforecast_models(), statsforecast_class)(season_length=m),
        summary,
        True,
        max_history=recent_history,
        revision=1 if unit_sensitive else 0,
        unit_sensitive=unit_sensitive,
    )


LOCAL_MODELS: dict[str, LocalModelSpec] = {
    spec.name: spec
    for spec in [
        LocalModelSpec("naive", lambda m: statsforecast_models().Naive(), "last value", True, fallback=None),
        LocalModelSpec(
            "seasonal_naive",
            lambda m: statsforecast_models().SeasonalNaive(season_length=m),
            "value one season ago (naive when shorter than a season)",
            True,
            min_length=lambda m: m,
        ),
        LocalModelSpec(
            "rw_drift",
            lambda m: statsforecast_models().RandomWalkWithDrift(),
            "random walk with drift",
            True,
            lambda m: 2,
        ),
        LocalModelSpec(
            "auto_ets",
            _auto_ets,
            f"ETS chosen by AICc (a season over {ETS_MAX_SEASON}: ETS of the STL-deseasonalised series)",
            True,
            min_length=lambda m: 2 * m if m > ETS_MAX_SEASON else 1,
            fallback=_ETS_WITHOUT_SEASON.name,
            max_history=recent_history,
            revision=2,
            unit_sensitive=True,
        ),
        _model_selecting("auto_theta", "AutoTheta", "Theta variants chosen by MSE", unit_sensitive=True),
        _model_selecting("auto_arima", "AutoARIMA", "ARIMA chosen by AICc", unit_sensitive=True),
        _model_selecting("auto_ces", "AutoCES", "complex exponential smoothing"),
        LocalModelSpec(
            "mstl",
            _mstl,
            "multiple seasonal STL + ETS trend (auto_ets below two of the longest cycles)",
            True,
            min_length=lambda m: 2 * max(mstl_periods(m)) if mstl_periods(m) else _NEVER,
            fallback="auto_ets",
            max_history=recent_history,
            revision=1,
            unit_sensitive=True,
        ),
        LocalModelSpec(
            "croston",
            lambda m: statsforecast_models().CrostonClassic(),
            "Croston, classic (SES alpha 0.1)",
            False,
            reads_zeros=True,
        ),
        LocalModelSpec(
            "imapa",
            lambda m: statsforecast_models().IMAPA(),
            "intermittent multiple aggregation",
            False,
            reads_zeros=True,
        ),
        LocalModelSpec(
            "tsb",
            lambda m: statsforecast_models().TSB(alpha_d=TSB_ALPHA_D, alpha_p=TSB_ALPHA_P),
            f"Teunter-Syntetos-Babai (alpha_d {TSB_ALPHA_D}, alpha_p {TSB_ALPHA_P})",
            False,
            reads_zeros=True,
        ),
    ]
}


#: Fallbacks that are not models of their own (reached only through a model's ``fallback``).
_FALLBACK_ONLY: dict[str, LocalModelSpec] = {_ETS_WITHOUT_SEASON.name: _ETS_WITHOUT_SEASON}


#: Relative rounding of a float32 value, with headroom: how far a standardised float32 input,
#: brought back to its units, may sit from the value it was made from (in units of |loc| + scale).
_F32_ROUNDING = 4.0 * float(np.finfo(np.float32).eps)


class LocalForecaster(Forecaster):
    """A local statistical model behind the window interface: every (window, channel) of a
    batch is fitted on its own observed inputs and forecast ``horizon`` steps.

    Nothing is learned at ``fit`` time (there is no shared state), so a saved model is its
    name, season length and :class:`LocalOptions` (its config). On a panel,
    :mod:`tsforge.panels.local` fits the (recent) history of each series instead of a window.
    """

    spec: LocalModelSpec
    Config = LocalOptions
    uses_calendar = False
    #: ``(mean, std)`` per channel of the task's scaler, kept by a model that ``reads_zeros``
    #: to fit each window in its channel's own units (None: not fitted on a scaled task)
    _units: tuple[np.ndarray, np.ndarray] | None = None

    def fit(
        self, task: Any, *, train_config: Any = None, loss: Any = None, callbacks: Sequence = ()
    ) -> FitReport:
        scaler = getattr(task, "scaler", None)
        if self.spec.reads_zeros and scaler is not None:
            self._units = (
                np.asarray(scaler.mean, dtype=np.float64).copy(),
                np.asarray(scaler.std, dtype=np.float64).copy(),
            )
        return FitReport()

    def predict(self, batch: dict[str, torch.Tensor]) -> torch.Tensor:
        x, observed = batch["x"].numpy().astype(np.float64), batch["x_mask"].numpy()
        B, _, C = x.shape
        H, m = self.context.horizon, self.context.season_length
        units = self._window_units(batch) if self.spec.reads_zeros else None
        if units is not None:  # the series in its own units, where a zero is a zero
            loc, scale = units
            x = x * scale[:, None, :] + loc[:, None, :]
            # the window arrives in float32: a zero comes back as ±|loc|·1e-7, which these models
            # would count as a demand; anything within that rounding of zero is a zero
            tol = _F32_ROUNDING * (np.abs(loc) + scale)[:, None, :]
            x = np.where(np.abs(x) <= tol, 0.0, x)
        out = np.zeros((B, H, C), dtype=np.float64)
        for b in range(B):
            for c in range(C):
                y, late = _observed_span(x[b, :, c], observed[b, :, c])
                out[b, :, c] = _forecast_one(self.spec, y, H + late, m, self.config)[late:]
        if units is not None:
            loc, scale = units
            out = (out - loc[:, None, :]) / scale[:, None, :]
        return torch.from_numpy(out.astype(np.float32))

    def _window_units(self, batch: dict[str, torch.Tensor]) -> tuple[np.ndarray, np.ndarray]:
        """``[B, C]`` location and scale that bring each window back to its series' units.

        Why: a model that reads zeros as "no demand" fitted on a standardised window sees no
        zero at all (Croston forecast 13.0 where its forecast of the series is 2.0). Panel
        windows carry their own ``loc`` / ``scale``; windows of long multichannel data are
        standardised per channel by the scaler :meth:`fit` kept. A series the model was not
        trained on is standardised by its own history, which the model never sees: refused.
        """
        if "loc" in batch and "scale" in batch:  # panel windows: instance-normalised, [B, 1, 1]
            loc = batch["loc"].double().numpy().reshape(-1, 1)
            scale = batch["scale"].double().numpy().reshape(-1, 1)
            return loc, np.where(scale > 0, scale, 1.0)  # as the window was scaled
        channels = batch["channels"].numpy() if "channels" in batch else None
        if self._units is None or channels is None:
            raise ConfigError(
                f"model {self.name!r} reads a zero as no demand, so it forecasts a series in its own "
                "units, and this model holds no channel scaling to recover them (saved before it was "
                "kept); retrain it, or forecast the series as a panel (long unique_id, ds, y)",
                field="model",
            )
        if (channels < 0).any():
            raise ConfigError(
                f"model {self.name!r} reads a zero as no demand, so it forecasts a series in its own "
                "units; a series it was not trained on is standardised by its own history, which it "
                f"does not see: forecast only its training channels ({', '.join(self.context.channel_ids[:8])}), "
                "or forecast new series with a panel model (long unique_id, ds, y)",
                field="series",
            )
        mean, std = self._units
        return mean[channels], std[channels]

    def get_state(self) -> dict[str, Any]:
        if self._units is None:
            return {}
        return {"unit_mean": torch.from_numpy(self._units[0]), "unit_std": torch.from_numpy(self._units[1])}

    def set_state(self, state: dict[str, Any]) -> None:
        if "unit_mean" in state and "unit_std" in state:
            self._units = (
                state["unit_mean"].double().numpy().copy(),
                state["unit_std"].double().numpy().copy(),
            )


def _observed_span(x: np.ndarray, observed: np.ndarray) -> tuple[np.ndarray, int]:
    """The values a local model fits from one window's channel, and how many steps at the
    window's end are missing (the model forecasts through them: ``horizon + late`` steps, the
    first ``late`` dropped).

    The span runs from the first to the last observed value; missing values inside it are
    filled by linear interpolation between their observed neighbours, as
    :mod:`tsforge.panels.local` fills a series. Why not just the observed values: dropping a
    missing position closes the gap, so every later value moves one step back in the season
    and a seasonal model forecasts the season late (a sine of period 24 with one missing value:
    error 6.3 for an amplitude of 5, 0 without the gap; three missing at the end: 3.8). Positions
    before the first observed value are padding, not data, and stay out of the fit. A window
    with no observed value is fitted as it is.
    """
    seen = np.flatnonzero(observed)
    if seen.size == 0 or seen.size == x.size:
        return x, 0
    first, last = int(seen[0]), int(seen[-1])
    return np.interp(np.arange(first, last + 1), seen, x[seen]), x.size - 1 - last


def _forecast_one(
    spec: LocalModelSpec, y: np.ndarray, h: int, m: int, options: LocalOptions | None = None
) -> np.ndarray:
    """One window's series: :func:`forecast_series`, the last value where its chain ends empty."""
    mean = np.asarray(forecast_series(spec, y, h, m, options=options)[0]["mean"], dtype=np.float64)
    return mean if np.isfinite(mean).all() else np.full(h, y[-1] if y.size else 0.0)


#: The mean |y| a unit-sensitive model's series is brought near before the fit (by a power of
#: two, so the rescaling is exact in floating point and undone exactly). Why it is needed:
#: statsforecast's Theta, ARIMA and ETS optimisers stop on absolute tolerances and bound
#: parameters in absolute terms (Theta's initial level to ±1e10), so the same series in other
#: units got another forecast: an intermittent series in millionths was off by up to 0.6
#: (Theta) and 0.4 (ARIMA) of its level; a seasonal ETS of 42 monthly counts that start with
#: zeros chose ETS(A,A,N) in units and ETS(A,N,N) in thousands, 1.3 of its level apart (so
#: ``mstl``, whose trend is an ETS, is fitted in working units too). Why about 1,000: there
#: Theta's optimiser has converged (on six intermittent series its forecasts moved ≤ 3e-4 of the
#: level between ×10 and ×1e9) and ARIMA's fit is unit-free (≤ 1e-5) except where two orders nearly
#: tie (a √2 move of the working level can flip the choice); on the dev panels Theta's
#: test MASE moved ≤ 0.5 % against fitting in the data's own units (CIF 2016 0.9994 → 1.0043,
#: car parts 1.2473 → 1.2460), and AutoETS's was identical on ten collections and better on the
#: two of counts with zeros (car parts 1.2202 → 1.1792, COVID deaths 4.8421 → 4.8373; fitted at
#: a level of 1: 1.2100 and 4.8473).
WORKING_LEVEL = 1024.0


def working_exponent(y: np.ndarray) -> int:
    """``k`` such that ``y · 2^-k`` has a mean |y| within a factor √2 of :data:`WORKING_LEVEL`
    (0 for an all-zero or non-finite series: nothing to rescale)."""
    level = float(np.mean(np.abs(y))) if y.size else 0.0
    if not (level > 0 and np.isfinite(level)):
        return 0
    return int(np.round(np.log2(level / WORKING_LEVEL)))


def forecast_series(
    spec: LocalModelSpec,
    y: np.ndarray,
    h: int,
    m: int,
    levels: Sequence[int | float] = (),
    cache: dict[str, Any] | None = None,
    options: LocalOptions | None = None,
    form: str | None = None,
    chosen: list[str | None] | None = None,
) -> tuple[dict[str, np.ndarray], bool]:
    """Forecast one series with ``spec`` or its fallback chain; returns (result, fell_back).

    The one place a local model meets a series — the panel runner and the window interface both
    call it: a series too short for the model (``min_length``, counted on the history it is
    fitted on), or one on which statsforecast raises or returns non-finite values, goes to the
    fallback, recursively; the mean is NaN when the chain ends without a forecast. ``cache``
    reuses one statsforecast object per model name (one ``options`` per cache). ``options``
    (the user's season length and history cap) apply to the fallbacks too: a season set for
    ETS is the season its seasonal-naive fallback repeats. A ``unit_sensitive`` model is fitted
    in working units (:data:`WORKING_LEVEL`) and its forecast and bounds returned in the
    series' own, so every local model gives ``c·f(y)`` for ``c·y``.

    ``form`` (:func:`tsforge.models.local_forms.selected_form` of the series' whole history):
    where ``y`` holds fewer than ``FORM_SEASONS`` seasons, the fit keeps that form instead of
    choosing one (a calibration refit of a short series, see :mod:`tsforge.models.local_forms`);
    otherwise it is ignored.

    ``chosen`` (a list, appended to): where given, receives the seasonal form the model chose on
    ``y`` — :func:`tsforge.models.local_forms.selected_form`'s, from this same fit — or ``None``
    (no form to keep, or held to ``form``). Why: the calibration of a short panel needs the form
    of each series' final fit, and finding it by fitting the model again on the same values took
    31 % of ``train_panel``'s CPU time on 200 monthly series of 48 values. An out-argument, not
    a third return value, since every caller reads the pair.
    """
    cache = {} if cache is None else cache
    opts = options or LocalOptions()
    m = opts.season(m)
    cur = spec
    if form is not None:
        from tsforge.models.local_forms import (  # builds on this module
            FORM_SEASONS,
            KEEPS_FORM,
            kept_form_spec,
        )

        if spec.name in KEEPS_FORM and np.size(y) < FORM_SEASONS * m:
            cur = kept_form_spec(spec.name, form)  # the model asked for, held to a form: not a fallback
    found: list[str | None] = [None]
    record = chosen is not None and cur is spec and _keeps_form(spec.name, m)
    try:
        return _forecast_chain(spec, cur, y, h, m, levels, cache, opts, found if record else None)
    finally:
        if chosen is not None:
            chosen.append(found[0])


def _keeps_form(model: str, m: int) -> bool:
    from tsforge.models.local_forms import keeps_form  # builds on this module

    return keeps_form(model, m)


def _forecast_chain(
    spec: LocalModelSpec,
    cur: LocalModelSpec,
    y: np.ndarray,
    h: int,
    m: int,
    levels: Sequence[int | float],
    cache: dict[str, Any],
    opts: LocalOptions,
    found: list[str | None] | None,
) -> tuple[dict[str, np.ndarray], bool]:
    """:func:`forecast_series`' chain from ``cur`` (``spec``, or ``spec`` held to a form); where
    ``found`` is given, ``cur``'s own fit is fitted and then predicted (statsforecast's ``fit`` +
    ``predict``: the numbers of its ``forecast``, which keeps no fitted model) and its seasonal
    form stored in ``found[0]``, whether or not its forecast is then used."""
    asked = cur
    while True:
        fitted = opts.history(cur, y, m)
        if fitted.size >= cur.min_length(m):
            model = cache.get(cur.name)
            if model is None:
                model = cache[cur.name] = cur.factory(m)
            k = working_exponent(fitted) if cur.unit_sensitive else 0
            try:
                level = levels if (levels and cur.supports_level) else None
                with quiet_libraries():  # not catch_warnings: fits run in several threads
                    if found is not None and cur is asked:
                        res = _fit_predict(cur.name, model, np.ldexp(fitted, -k), h, level, found)
                    else:
                        res = model.forecast(y=np.ldexp(fitted, -k), h=h, level=level)
                if np.all(np.isfinite(res["mean"])):
                    if k:  # back to the series' units (the other models' results pass untouched)
                        res = {key: np.ldexp(np.asarray(v, dtype=np.float64), k) for key, v in res.items()}
                    return _bounds_around_mean(res), cur is not asked and cur is not spec
            except Exception:  # noqa: BLE001 — any statsforecast failure on one series → fallback
                pass
        if cur.fallback is None:
            return {"mean": np.full(h, np.nan)}, True
        cur = LOCAL_MODELS.get(cur.fallback) or _FALLBACK_ONLY[cur.fallback]


def _fit_predict(
    name: str, model: Any, y: np.ndarray, h: int, level: Sequence[int | float] | None, found: list[str | None]
) -> dict[str, Any]:
    """``model.forecast(y, h, level)`` as ``fit`` then ``predict``, the seasonal form of the fit
    stored in ``found[0]`` before the prediction (that may still fail)."""
    from tsforge.models.local_forms import fitted_form  # builds on this module

    model.fit(y)
    try:
        found[0] = fitted_form(name, model)
    except Exception:  # noqa: BLE001 — as selected_form: a form that cannot be read is not kept
        found[0] = None
    return model.predict(h=h, level=level)


def _bounds_around_mean(res: dict[str, Any]) -> dict[str, Any]:
    """``res`` with every ``lo-<level>`` bound at most its mean and every ``hi-<level>`` at least.

    Why here, the one place a local model meets a series: AutoTheta draws its intervals from
    simulated paths, and on a series falling steadily towards 0 its 95 % band sat above its own
    forecast (its 95 % band 0.02 above the forecast, 0.004 wide). A forecast widened that band
    afterwards but cross-validation (``tsforge cv --intervals native``, the interval benchmark)
    kept it, so the two doors gave different bands for one fit; an interval that excludes its own
    point forecast breaks the output convention (bands contain the median). Conformal bounds are
    not touched: they are asymmetric on purpose where a model is biased.
    """
    mean = np.asarray(res["mean"], dtype=np.float64)
    out = dict(res)
    for key, bound in res.items():
        if key.startswith("lo-"):
            out[key] = np.minimum(np.asarray(bound, dtype=np.float64), mean)
        elif key.startswith("hi-"):
            out[key] = np.maximum(np.asarray(bound, dtype=np.float64), mean)
    return out


def _register_local_models() -> None:
    """Register every local model the window baselines don't already provide (``naive`` and
    ``seasonal_naive`` exist as window baselines with the same forecasts)."""
    from tsforge.models.registry import MODELS

    for name, spec in LOCAL_MODELS.items():
        if name in MODELS:
            continue
        cls = type(
            f"Local_{name}", (LocalForecaster,), {"spec": spec, "__doc__": f"{spec.summary} (statsforecast)."}
        )
        # a sentence like every other model's line in `tsforge models`
        sentence = f"{spec.summary[:1].upper()}{spec.summary[1:]}; statsforecast, fitted per series."
        register_model(name, kind="local", summary=sentence)(cls)


_register_local_models()
