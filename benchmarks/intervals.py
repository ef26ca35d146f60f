"""Interval benchmark: conformal vs native prediction intervals on every dev panel collection and ETTh1.

Per panel collection (official horizon ``H``; every series' last ``H`` values are the test
window, everything before is the history the models and the calibration see):

* models: ``seasonal_naive``, ``auto_ets`` (the default panel model), ``auto_theta`` (local,
  statsforecast) and ``lightgbm`` (global, the budget configuration);
* **conformal**: calibrated exactly as ``train_panel`` does (local models: the most recent
  rolling-origin windows of the history, :func:`tsforge.panels.calibrate.calibration_windows`;
  LightGBM: its forecasts of the validation window it was early-stopped on), applied around
  the test forecasts;
* **native**: statsforecast's own intervals for the local models (the anchor: AutoETS native),
  LightGBM's quantile objective (one booster per needed quantile) for the global model;
  **native_floored**: the same clipped at 0 where tsforge clips its own bounds (a history and a
  collection that never went below 0, :func:`tsforge.panels.conformal.nonnegative_floor`), so
  the comparison also holds against native intervals given the same knowledge;
* scores: coverage and scaled width at 80 / 95 %, MSIS (M4), WQL over the nine GIFT-Eval
  quantiles and the scaled CRPS (WQL / seasonal-naive WQL).

The candidate designs of the conformal layer (windows, ranks, the local scale's window and
floor) are scored on the test windows too, and ``design_loco`` records a leave-one-collection-out
choice among them on those windows, for reference only: the shipped design is chosen on the
rolling-origin windows *before* the test windows (``benchmarks/coverage_spread.py``), since one
test window per collection is mostly noise for such a choice and scoring the choice there would
tune it to the windows it is judged on.

ETTh1 (H = 96, L = 336): window models (seasonal naive, DLinear, LightGBM) trained with
``tsforge.pipeline.train`` and calibrated on the validation windows, and AutoETS (native and
conformal) fitted on each input window; all scored on the same evenly spaced test windows.

Latency: single-series ``POST /v1/forecast`` with and without ``level`` (in-process client).

Bounded for a shared 2-core machine (~30 min): collections with many series use a seeded subset
(``MAX_SERIES``; recorded in the JSON), statsforecast runs with ``n_jobs=2``.

    python -m benchmarks.intervals                          # everything
    python -m benchmarks.intervals --collections m1_yearly,cif_2016 --no-etth1 --no-latency

A collection that is not a development one (a later catalogue entry, or a panel file:
``--collections /data/tourism_monthly_dataset.tsf.gz``) is *held out*: scored with the design
as shipped, reported under ``held_out`` (merged with earlier runs'), and never part of the
design choice or the goal counts.

Writes ``benchmarks/results/intervals.json`` and logs a summary run to MLflow
(experiment ``benchmark-intervals``).
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from benchmarks.common import previous_results, split_held_out, write_results
from recommender.series_kb import DEV_COLLECTIONS

#: the development collections: the design is chosen and the goals are counted over these only;
#: a collection added later (electricity weekly) stays a check nothing was chosen on
COLLECTIONS = list(DEV_COLLECTIONS)

LOCAL = ["seasonal_naive", "auto_ets", "auto_theta"]
GLOBAL = "lightgbm"
DEFAULT_MODEL = "auto_ets"
LEVELS = (80.0, 95.0)
SEED = 2024
#: seeded subset sizes: the series count that keeps AutoETS (the slow model: ~0.5 s per fit on
#: long hourly / monthly series) within the time budget; collections not listed keep all series
MAX_SERIES = 250
MAX_SERIES_SLOW = {"m4_hourly_panel": 60, "fred_md": 60, "nn5_daily": 80}
#: candidate designs of the conformal layer, chosen between by leave-one-collection-out:
#: how many calibration windows (the fewest most recent ones giving at least 100 / 300 / 1,000
#: scores per step, at most 5), the quantile ranks (``unbiased``: expected coverage = nominal;
#: ``conservative``: the finite-sample conformal ranks, >= nominal) and the local scale's window
#: (multiples of max(H, season); None = the whole history), and a floor on that scale as a
#: fraction of the whole history's (0: none; ``/floor<f>`` in the key)
SCALE_CANDIDATES: dict[str, tuple[int, str, int | None, float]] = {
    f"min{n}/{rank}/{tag}" + (f"/floor{floor:g}" if floor else ""): (n, rank, mult, floor)
    for n in (100, 300, 1000)
    for rank in ("unbiased", "conservative")
    for tag, mult in (("2x", 2), ("all", None))
    for floor in (0.0, 0.25, 0.5)
    if not (mult is None and floor)  # the whole history's scale is its own floor
}
LGBM_CONFIG = {
    "n_estimators": 80,
    "max_train_rows": 40_000,
    "max_val_rows": 10_000,
    "early_stopping_rounds": 10,
}


def _request() -> Any:
    from tsforge.evaluation.intervals import GIFT_QUANTILES
    from tsforge.inference import IntervalRequest

    return IntervalRequest(LEVELS, GIFT_QUANTILES)


def _subset(panel: Any, name: str) -> tuple[Any, dict[str, Any]]:
    cap = MAX_SERIES_SLOW.get(name, MAX_SERIES)
    info: dict[str, int | str | None] = {"n_series_total": len(panel), "n_series": len(panel), "subset": None}
    if len(panel) <= cap:
        return panel, info
    idx = np.sort(np.random.default_rng(SEED).choice(len(panel), size=cap, replace=False))
    info.update({"n_series": cap, "subset": f"seeded sample of {cap} series (numpy default_rng({SEED}))"})
    return panel.take(idx), info


def _window(h: int, m: int, multiple: int | None) -> int:
    return 10**9 if multiple is None else int(multiple * max(h, m, 1))


def _score(y: np.ndarray, values: np.ndarray, history: Any) -> dict[str, float]:
    from tsforge.evaluation.intervals import score_quantile_forecast
    from tsforge.evaluation.panel_metrics import insample_scale

    probs = _request().probs
    hists = [history.series(i) for i in range(len(history))]
    scale = insample_scale(history.values.astype(np.float64), history.indptr, history.season_length)
    return score_quantile_forecast(
        y, values, probs, LEVELS, scale, season_length=history.season_length, histories=hists
    )


def _last_windows(sid: np.ndarray, k: int) -> np.ndarray:
    """Mask of the cases that are among the last ``k`` of their series (rows: series, cutoff)."""
    n = sid.size
    starts = np.r_[0, np.flatnonzero(np.diff(sid) != 0) + 1]
    counts = np.diff(np.r_[starts, n])
    from_end = np.repeat(counts, counts) - (np.arange(n) - np.repeat(starts, counts)) - 1
    return from_end < k


def design_calibration(
    cv: pd.DataFrame,
    history: Any,
    model: str,
    h: int,
    window: int,
    last_k: int,
    rank: str | None = None,
    scale_floor: float | None = None,
) -> Any:
    """The conformal calibration of ``model`` from the ``last_k`` most recent windows of ``cv``
    under one design (scale ``window``; ``rank`` and ``scale_floor`` default to the product's, as
    ``train_panel`` calibrates). Shared with ``benchmarks/coverage_spread.py``."""
    from tsforge.panels.calibrate import WEIGHT_SERIES_EQUALLY, case_scores, case_zero_histories
    from tsforge.panels.conformal import ConformalCalibration, nonnegative_floor
    from tsforge.panels.local_scale import SCALE_FLOOR, scale_fallbacks

    scale_floor = SCALE_FLOOR if scale_floor is None else scale_floor
    fallbacks = scale_fallbacks(history.values, history.indptr, history.season_length, window)
    scores, _, sid = case_scores(cv, history, model, h, window, scale_floor, **fallbacks._asdict())
    zero = case_zero_histories(cv, history, h)
    keep = _last_windows(sid, last_k)
    return ConformalCalibration.from_scores(
        scores[keep],
        history.ids[sid[keep]],
        season_length=history.season_length,
        scale_window=window,
        weight_series_equally=WEIGHT_SERIES_EQUALLY,
        rank_rule=rank,
        floor=nonnegative_floor(history.values),
        scale_floor=scale_floor,
        **fallbacks._asdict(),
        zero_history=zero[keep],
    )


def _conformal(
    cv: pd.DataFrame,
    history: Any,
    model: str,
    point: np.ndarray,
    h: int,
    window: int,
    last_k: int,
    rank: str | None = None,
    scale_floor: float | None = None,
) -> np.ndarray:
    """The conformal quantiles of ``model`` around ``point`` under one design
    (:func:`design_calibration`)."""
    cal = design_calibration(cv, history, model, h, window, last_k, rank, scale_floor)
    histories = [history.series(i) for i in range(len(history))]
    return cal.quantiles(point, histories, history.ids, _request().probs)


def _floored(values: np.ndarray, history: Any) -> np.ndarray:
    """Native quantiles clipped as tsforge clips its own (see the module doc)."""
    from tsforge.panels.conformal import floor_quantiles, nonnegative_floor

    hists = [history.series(i) for i in range(len(history))]
    return floor_quantiles(values.copy(), nonnegative_floor(history.values), hists)


def _global_part(history: Any, h: int) -> dict[str, Any]:
    """LightGBM fitted on the history (its last ``H`` values validate = early stopping), with one
    quantile booster per needed probability: test point + native quantiles, and its forecasts of
    the validation window (the conformal calibration ``train_panel`` uses for global models)."""
    from tsforge.models.base import QuantileForecaster
    from tsforge.panels.global_models import fit_global

    request = _request()
    probs = tuple(float(p) for p in request.probs if p != 0.5)
    fitted, _ = fit_global(history, GLOBAL, h, model_config={**LGBM_CONFIG, "quantiles": (*probs, 0.5)})
    windows = fitted.future_windows(history)  # scaled as the served model scales them
    batch, loc, scale, _ = windows.batch_with_units(np.arange(len(windows)))
    if not isinstance(fitted.forecaster, QuantileForecaster):  # LightGBM with "quantiles" is one
        raise TypeError(f"{GLOBAL} trained with quantiles has no quantile heads")
    q = fitted.forecaster.predict_quantiles(batch)[:, :h, 0, :].double().numpy()
    q = q * scale.reshape(-1, 1, 1) + loc.reshape(-1, 1, 1)
    return {
        "global_point": fitted.predict_next(history, h),
        "global_native": q,
        "global_val_pred": fitted.predict_next(history.head_cut(h), h),
    }


def forecasts(source: str, n_jobs: int, cache: Path | None = None) -> dict[str, Any]:
    """Everything the scores need for one collection (a catalogue name or a panel file, cached by
    its stem): calibration CV frames and test forecasts with native intervals (local models),
    LightGBM's forecasts and quantiles. ``cache`` (a folder) keeps them, so scoring variants
    re-run without refitting."""
    import pickle

    from tsforge.data.load import load_panel, source_name
    from tsforge.data.protocol import default_panel_horizon
    from tsforge.panels.calibrate import calibration_forms, calibration_windows
    from tsforge.panels.cv import cross_validation
    from tsforge.panels.local import forecast_local
    from tsforge.panels.protocol import holdout_split

    name = source_name(source)
    file = None if cache is None else Path(cache) / f"{name}.pkl"
    cached = pickle.loads(file.read_bytes()) if file is not None and file.exists() else None
    t0 = time.perf_counter()
    loaded = load_panel(source)
    panel, info = _subset(loaded.panel, name)
    h = int(default_panel_horizon(loaded.entry, panel.season_length, panel.horizon))
    history = holdout_split(panel, h, val_h=0).history
    W_cv = max(calibration_windows(history, h, n) for n, *_ in SCALE_CANDIDATES.values())
    fresh = cached is not None and cached["info"].get("forms_kept", False)  # see calibration_forms
    if cached is not None and fresh and cached["info"]["cv_windows"] >= W_cv:
        if "global_val_pred" not in cached:
            assert file is not None  # a cache was read, so there is a cache file
            cached.update(_global_part(history, h))
            file.write_bytes(pickle.dumps(cached))
        return cached
    request = _request()
    fc = forecast_local(history, LOCAL, h, n_jobs=n_jobs, level=request.native_levels, progress=False)
    # auto_ets's short refits keep the final fit's seasonal form, as train_panel calibrates it (the
    # forms read off those final fits, not fitted again)
    forms = calibration_forms(history, LOCAL, h, W_cv, n_jobs=n_jobs, final=fc.attrs["forms"])
    cv = cross_validation(
        history, LOCAL, h, n_windows=W_cv, n_jobs=n_jobs, progress=False, forms=forms, note_short=False
    )
    out = {
        "info": {
            **info,
            "horizon": h,
            "season_length": history.season_length,
            "cv_windows": W_cv,
            "forms_kept": True,
            "series_with_kept_forms": len(forms.get(DEFAULT_MODEL, {})),
        },
        "history": history,
        "y": holdout_split(panel, h, val_h=0).test,
        "cv": cv,
        "fc": fc,
        **_global_part(history, h),
        "seconds": time.perf_counter() - t0,
    }
    if file is not None:
        file.parent.mkdir(parents=True, exist_ok=True)
        file.write_bytes(pickle.dumps(out))
    return out


def run_collection(name: str, n_jobs: int, cache: Path | None = None) -> dict[str, Any]:
    from tsforge.panels.calibrate import calibrate_forecasts, calibration_windows
    from tsforge.panels.local_scale import PANEL_SCALE_WINDOW
    from tsforge.panels.predictor import native_quantiles

    f = forecasts(name, n_jobs, cache)
    history, y, h = f["history"], f["y"], f["info"]["horizon"]
    m, n = history.season_length, len(history)
    request = _request()
    W = calibration_windows(history, h)
    out: dict[str, Any] = {
        **f["info"],
        "calibration_windows": W,
        "models": {},
        "forecast_seconds": f["seconds"],
    }
    for model in LOCAL:
        point = f["fc"][model].to_numpy(dtype=np.float64).reshape(n, h)
        native = native_quantiles(f["fc"], model, request, n, h)
        out["models"][model] = {
            "native": _score(y, native, history),
            "native_floored": _score(y, _floored(native, history), history),
            "conformal": _score(
                y, _conformal(f["cv"], history, model, point, h, PANEL_SCALE_WINDOW, W), history
            ),
            "conformal_design_candidates": {
                key: _score(
                    y,
                    _conformal(
                        f["cv"],
                        history,
                        model,
                        point,
                        h,
                        _window(h, m, mult),
                        calibration_windows(history, h, k),
                        rank,
                        floor,
                    ),
                    history,
                )
                for key, (k, rank, mult, floor) in SCALE_CANDIDATES.items()
            },
        }
    val_history = history.head_cut(h)
    cal = calibrate_forecasts(val_history, history.tail(h), f["global_val_pred"])
    values = cal.quantiles(
        f["global_point"], [history.series(i) for i in range(n)], history.ids, request.probs
    )
    out["models"][GLOBAL] = {
        "native": _score(y, f["global_native"], history),
        "native_floored": _score(y, _floored(f["global_native"], history), history),
        "conformal": _score(y, values, history),
    }
    return out


# -- ETTh1 ------------------------------------------------------------------------------------
ETT_WINDOWS = 48  # evenly spaced test (and, for AutoETS, validation) windows


def _ets_native_and_conformal(task: Any, n_jobs: int) -> dict[str, Any]:
    """AutoETS fitted on each input window (per channel): native intervals, and conformal ones
    calibrated per channel on as many evenly spaced validation windows."""
    import torch

    from tsforge.data.panel import Panel
    from tsforge.evaluation.intervals import score_quantile_forecast
    from tsforge.evaluation.metrics import mase_scale
    from tsforge.panels.conformal import ConformalCalibration
    from tsforge.panels.local import forecast_local
    from tsforge.panels.local_scale import default_scale_window, history_scales
    from tsforge.panels.predictor import native_quantiles

    request = _request()
    mean, std = np.asarray(task.scaler.mean), np.asarray(task.scaler.std)
    m, H, L = 24, task.horizon, task.input_len
    ids = np.asarray([str(c) for c in task.data.channel_ids])

    def windows(split: str) -> tuple[list[np.ndarray], np.ndarray, np.ndarray]:
        data = task.dataset(split)
        idx = np.unique(np.linspace(0, len(data) - 1, ETT_WINDOWS).round().astype(np.int64))
        b = data.get_batch(torch.as_tensor(idx))
        x = (np.where(b["x_mask"].numpy(), b["x"].numpy(), np.nan) * std + mean).transpose(0, 2, 1)
        yy = (np.where(b["y_mask"].numpy(), b["y"].numpy(), np.nan) * std + mean).transpose(0, 2, 1)
        B, C = x.shape[0], x.shape[1]
        return list(x.reshape(B * C, L)), yy.reshape(B * C, H), np.tile(ids, B)

    def fit(hist: list[np.ndarray]) -> pd.DataFrame:
        panel = Panel.from_arrays(hist, ids=np.arange(len(hist)), season_length=m, name="etth1-windows")
        return forecast_local(
            panel, ["auto_ets"], H, n_jobs=n_jobs, level=request.native_levels, progress=False
        )

    val_hist, val_y, val_ids = windows("val")
    vf = fit(val_hist)
    window = min(default_scale_window(H, m), L)
    val_point = vf["auto_ets"].to_numpy().reshape(len(val_hist), H)
    scores = (val_y - val_point) / history_scales(val_hist, m, window)[:, None]
    cal = ConformalCalibration.from_scores(scores, val_ids, season_length=m, scale_window=window)
    test_hist, test_y, test_ids = windows("test")
    tf = fit(test_hist)
    n = len(test_hist)
    point = tf["auto_ets"].to_numpy().reshape(n, H)
    scale = np.tile(mase_scale(task.train_values(), m), n // len(ids))

    def score(values: np.ndarray) -> dict[str, float]:
        return score_quantile_forecast(
            test_y, values, request.probs, LEVELS, scale, season_length=m, histories=test_hist
        )

    return {
        "native": score(native_quantiles(tf, "auto_ets", request, n, H)),
        "conformal": score(cal.quantiles(point, test_hist, test_ids, request.probs)),
    }


def run_etth1(n_jobs: int) -> dict[str, Any]:
    from tsforge.panels.calibrate import task_interval_metrics
    from tsforge.panels.conformal import ConformalCalibration
    from tsforge.pipeline import train

    t0 = time.perf_counter()
    out: dict[str, Any] = {"horizon": 96, "input_len": 336, "test_windows": ETT_WINDOWS, "models": {}}
    task = None
    # each model's TrainingSpec options (train's **options)
    runs: tuple[tuple[str, dict[str, Any]], ...] = (
        ("seasonal_naive", {}),
        ("dlinear", {"train_config": {"max_epochs": 10}}),
        ("lightgbm", {"model_config": LGBM_CONFIG}),
    )
    for model, cfg in runs:
        res = train("etth1", model, input_len=336, horizon=96, track=False, progress=False, **cfg)
        task = res.task
        calibration = res.predictor.calibration
        if not isinstance(calibration, ConformalCalibration):  # train calibrates a kept model
            raise TypeError(f"etth1/{model}: trained without a conformal calibration")
        metrics = task_interval_metrics(calibration, res.forecaster, res.task, max_windows=ETT_WINDOWS)
        out["models"][model] = {"conformal": metrics, "test_mse": res.metrics["test_mse"]}
        print(json.dumps({"etth1": model, **{k: round(v, 4) for k, v in metrics.items()}}), flush=True)
    out["models"]["auto_ets"] = _ets_native_and_conformal(task, n_jobs)
    out["seconds"] = time.perf_counter() - t0
    return out


# -- latency ----------------------------------------------------------------------------------
def run_latency(n_requests: int = 150) -> dict[str, Any]:
    """Single-series ``/v1/forecast`` with and without ``level=[80, 95]``, interleaved."""
    import logging

    import torch
    from fastapi.testclient import TestClient

    from service.main import create_app
    from service.settings import ServiceSettings
    from tsforge.data.load import load_panel
    from tsforge.data.synthetic import synthetic_stations
    from tsforge.pipeline import TrackingOptions, train
    from tsforge.pipeline.panel import train_panel
    from tsforge.tracking import configure_tracking

    torch.set_num_threads(1)
    logging.getLogger("mlflow").setLevel(logging.WARNING)
    root = Path(tempfile.mkdtemp(prefix="bench-intervals-"))
    uri = f"sqlite:///{root}/mlflow.db"
    configure_tracking(uri)
    data = synthetic_stations(n_channels=3, n_steps=1200, seed=0)
    train(data, "dlinear", input_len=96, horizon=24, registered_name="lat_dlinear", experiment="lat", progress=False,
          train_config={"max_epochs": 3})  # fmt: skip
    monthly = load_panel("m1_monthly").panel.take(np.arange(120))
    opts = TrackingOptions(registered_name="lat_ets", experiment="lat", progress=False)
    train_panel(monthly, "auto_ets", horizon=18, tracking=opts)
    series = {
        "lat_dlinear": {"id": str(data.channel_ids[0]), "values": data.values[-96:, 0].tolist()},
        "lat_ets": {"id": "x", "values": monthly.series(3).astype(float).tolist()},
    }
    out: dict[str, Any] = {
        "requests_per_variant": n_requests,
        "client": "in-process TestClient, 1 torch thread",
    }
    settings = ServiceSettings(tracking_uri=uri, default_model="lat_dlinear", alias_poll_seconds=0)
    with TestClient(create_app(settings)) as client:
        for model, s in series.items():
            plain = {"series": [s], "model": model}
            asked = {**plain, "level": [80, 95]}
            for body in (plain, asked):  # warm the model cache and code paths
                assert client.post("/v1/forecast", json=body).status_code == 200
            times: dict[str, list[float]] = {"point": [], "intervals": []}
            for _ in range(n_requests):
                for key, body in (("point", plain), ("intervals", asked)):
                    t = time.perf_counter()
                    r = client.post("/v1/forecast", json=body)
                    times[key].append(time.perf_counter() - t)
                    assert r.status_code == 200, r.text
            med = {k: float(np.median(v)) * 1e3 for k, v in times.items()}
            out[model] = {
                "median_ms": med,
                "p90_ms": {k: float(np.quantile(v, 0.9)) * 1e3 for k, v in times.items()},
                "overhead": med["intervals"] / med["point"] - 1.0,
            }
            print(json.dumps({"latency": model, **out[model]}), flush=True)
    return out


# -- summary ----------------------------------------------------------------------------------
def _coverage_error(metrics: dict[str, float]) -> float:
    return float(np.mean([abs(metrics[f"coverage_{lv:g}"] - lv / 100) for lv in LEVELS]))


def loco_design_choice(collections: dict[str, Any]) -> dict[str, Any]:
    """Leave-one-collection-out choice of the scale window (default model, coverage error)."""
    names = list(collections)
    folds = {}
    for held in names:
        others = [c for c in names if c != held]
        err = {
            key: float(
                np.mean([
                    _coverage_error(collections[c]["models"][DEFAULT_MODEL]["conformal_design_candidates"][key])
                    for c in others
                ])
            )
            for key in SCALE_CANDIDATES
        }  # fmt: skip
        choice = min(err, key=err.__getitem__)
        held_metrics = collections[held]["models"][DEFAULT_MODEL]["conformal_design_candidates"][choice]
        folds[held] = {"choice": choice, "others_mean_coverage_error": err, "held_out": held_metrics}
    choices = [f["choice"] for f in folds.values()]
    return {"folds": folds, "chosen_by_fold": {k: choices.count(k) for k in SCALE_CANDIDATES}}


def _wins(collections: dict[str, Any], lv: float, reference: str) -> int:
    """Collections where the default model's conformal MSIS at level ``lv`` is no worse than the
    ``reference`` intervals' and its coverage error no larger than the native intervals'."""
    count = 0
    for res in collections.values():
        r = res["models"][DEFAULT_MODEL]
        if reference not in r:
            continue
        key, cov = f"msis_{lv:g}", f"coverage_{lv:g}"
        count += int(
            r["conformal"][key] <= r[reference][key]
            and abs(r["conformal"][cov] - lv / 100) <= abs(r["native"][cov] - lv / 100)
        )
    return count


def summarise(collections: dict[str, Any]) -> dict[str, Any]:
    rows: dict[str, dict[str, Any]] = {}  # per collection: its JSON record
    msis_ok = 0
    for name, res in collections.items():
        conf = res["models"][DEFAULT_MODEL]["conformal"]
        nat = res["models"][DEFAULT_MODEL]["native"]
        within = {f"{lv:g}": abs(conf[f"coverage_{lv:g}"] - lv / 100) <= 0.025 for lv in LEVELS}
        better_msis = all(conf[f"msis_{lv:g}"] <= nat[f"msis_{lv:g}"] for lv in LEVELS)
        covers_better = all(
            abs(conf[f"coverage_{lv:g}"] - lv / 100) <= abs(nat[f"coverage_{lv:g}"] - lv / 100)
            for lv in LEVELS
        )
        msis_ok += int(better_msis and covers_better)
        rows[name] = {
            "coverage_conformal": {f"{lv:g}": conf[f"coverage_{lv:g}"] for lv in LEVELS},
            "coverage_native": {f"{lv:g}": nat[f"coverage_{lv:g}"] for lv in LEVELS},
            "msis_conformal": {f"{lv:g}": conf[f"msis_{lv:g}"] for lv in LEVELS},
            "msis_native": {f"{lv:g}": nat[f"msis_{lv:g}"] for lv in LEVELS},
            "within_2.5_points": within,
            "msis_no_worse_and_covers_better": better_msis and covers_better,
        }
    per_level = {f"{lv:g}": _wins(collections, lv, "native") for lv in LEVELS}
    # the same count against native intervals clipped at 0 like tsforge's (coverage as native's)
    per_level_floored = {f"{lv:g}": _wins(collections, lv, "native_floored") for lv in LEVELS}
    mean_error = {
        method: float(
            np.mean([_coverage_error(r["models"][DEFAULT_MODEL][method]) for r in collections.values()])
        )
        for method in ("conformal", "native")
    }
    return {
        "default_model": DEFAULT_MODEL,
        "mean_abs_coverage_error": mean_error,
        "n_collections_msis_no_worse_and_covering_better_per_level": per_level,
        "n_collections_msis_no_worse_than_floored_native_and_covering_better_per_level": per_level_floored,
        "per_collection": rows,
        "goal_coverage_within_2.5_all": all(all(r["within_2.5_points"].values()) for r in rows.values()),
        "n_collections_within_2.5": sum(all(r["within_2.5_points"].values()) for r in rows.values()),
        "goal_msis_half": msis_ok >= len(rows) / 2,
        "n_collections_msis_no_worse_and_covering_better": msis_ok,
        "n_collections": len(rows),
    }


def _flat(prefix: str, d: dict[str, Any]) -> dict[str, float]:
    out = {}
    for k, v in d.items():
        key = f"{prefix}.{k}" if prefix else k
        if isinstance(v, dict):
            out.update(_flat(key, v))
        elif isinstance(v, (int, float)) and not isinstance(v, bool) and np.isfinite(v):
            out[key] = float(v)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--collections", default=",".join(COLLECTIONS))
    parser.add_argument("--n-jobs", type=int, default=2)
    parser.add_argument("--no-etth1", action="store_true")
    parser.add_argument("--no-latency", action="store_true")
    parser.add_argument("--no-track", action="store_true")
    parser.add_argument("--cache", type=Path, default=None, help="keep/reuse forecasts in this folder")
    args = parser.parse_args(argv)
    import logging
    import warnings

    warnings.filterwarnings("ignore")
    logging.getLogger("mlflow").setLevel(logging.WARNING)
    from tsforge.data.load import source_name

    previous = previous_results("intervals")
    collections: dict[str, Any] = {
        k: v for k, v in previous.get("collections", {}).items() if k in COLLECTIONS
    }
    # a collection that is not a development one is scored with the design as shipped and kept
    # apart: it never takes part in the design choice or the goal counts
    held_out: dict[str, Any] = dict(previous.get("held_out", {}).get("collections", {}))
    dev, held = split_held_out([c for c in args.collections.split(",") if c.strip()], COLLECTIONS)
    for source in [*dev, *held]:
        name = source_name(source)
        result = run_collection(source, args.n_jobs, args.cache)
        (collections if source in dev else held_out)[name] = result
        brief = {
            m: {
                meth: {k: round(v, 3) for k, v in r[meth].items() if k.startswith(("coverage", "msis"))}
                for meth in ("conformal", "native", "native_floored")
            }
            for m, r in result["models"].items()
        }
        print(
            json.dumps({"collection": name, "forecast_seconds": round(result["forecast_seconds"]), **brief}),
            flush=True,
        )
    payload: dict[str, Any] = {
        "config": {
            "levels": list(LEVELS),
            "local_models": LOCAL,
            "global_model": GLOBAL,
            "global_config": LGBM_CONFIG,
            "default_model": DEFAULT_MODEL,
            "max_series": MAX_SERIES,
            "max_series_slow": MAX_SERIES_SLOW,
            "design_candidates": {k: list(v) for k, v in SCALE_CANDIDATES.items()},
            "seed": SEED,
            "n_jobs": args.n_jobs,
            "command": "python -m benchmarks.intervals",
        },
        "collections": collections,
        "etth1": previous.get("etth1"),
        "latency": previous.get("latency"),
    }
    if not args.no_etth1:
        payload["etth1"] = run_etth1(args.n_jobs)
    if not args.no_latency:
        payload["latency"] = run_latency()
    payload["design_loco"] = loco_design_choice(collections)
    payload["summary"] = summarise(collections)
    if held_out:
        payload["held_out"] = {"collections": held_out, "summary": summarise(held_out)}
    out = write_results("intervals", payload)
    print(json.dumps(payload["summary"], indent=1, default=str))
    print(json.dumps(payload["design_loco"]["chosen_by_fold"]))
    if held_out:
        print("held out (the design as shipped):")
        print(json.dumps(payload["held_out"]["summary"], indent=1, default=str))
    if not args.no_track:
        from tsforge.tracking.runs import tracked_run

        with tracked_run(
            experiment="benchmark-intervals", run_name="summary", tags={"tsforge.benchmark": "intervals"}
        ) as run:
            metrics = {}
            for name, res in {**collections, **held_out}.items():
                for model, r in res["models"].items():
                    for meth in ("conformal", "native", "native_floored"):
                        metrics.update(_flat(f"{name}.{model}.{meth}", r.get(meth, {})))
            run.log_metrics(metrics)
            run.log_artifact(out, "results")
    print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
