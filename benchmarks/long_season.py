"""AutoETS on seasons longer than ETS can hold — ``python -m benchmarks.long_season``.

statsforecast's ETS (like R's ``ets``) keeps at most 24 seasonal states; on weekly data with a
yearly cycle (m = 52) it fits only non-seasonal models and says nothing. tsforge's ``auto_ets``
therefore fits ETS to the STL-deseasonalised series there (R's ``stlf``; statsforecast's MSTL with
an ETS trend) once a series has two seasons (:func:`tsforge.models.statistical._auto_ets`). This
benchmark measures that choice against what ``auto_ets`` was before (statsforecast's AutoETS at
the data's season) and seasonal naive, on every weekly series set tsforge has:

* the weekly panel collections (NN5 weekly, electricity weekly): the holdout protocol's
  validation and test windows (each series' last ``H`` values and the ``H`` before them);
* Mauna Loa CO2 (weekly, shipped inside statsmodels): the last ``--windows`` rolling origins of
  13 weeks (the catalogue's shortest horizon), gaps interpolated.

Mean MASE (seasonal-naive scale of each series' values before the window) and fit seconds.
Writes ``benchmarks/results/long_season.json`` and, unless ``--no-track``, one MLflow run per data
set in experiment ``benchmark-long-season``.

    python -m benchmarks.long_season
    python -m benchmarks.long_season --data co2 --windows 20
"""

from __future__ import annotations

import argparse
import logging
import time
import warnings
from typing import Any

import numpy as np

from benchmarks.common import previous_rows, write_results

log = logging.getLogger("benchmarks.long_season")
EXPERIMENT = "benchmark-long-season"
PANELS = ("nn5_weekly", "electricity_weekly")
CO2_HORIZON = 13


def _statsforecast_auto_ets(m: int) -> Any:
    """What ``auto_ets`` was before: statsforecast's AutoETS at the data's season."""
    from statsforecast.models import AutoETS

    return AutoETS(season_length=m)


def _specs() -> dict[str, Any]:
    """The three forecasters compared, as local-model specs (same history cap and fallbacks)."""
    from tsforge.models.statistical import LOCAL_MODELS, LocalModelSpec, recent_history

    before = LocalModelSpec(
        "auto_ets_before",
        _statsforecast_auto_ets,
        "statsforecast AutoETS at the data's season (non-seasonal above 24)",
        True,
        max_history=recent_history,
    )
    return {
        "auto_ets": LOCAL_MODELS["auto_ets"],
        "auto_ets_before": before,
        "seasonal_naive": LOCAL_MODELS["seasonal_naive"],
    }


def _score(spec: Any, cases: list[tuple[np.ndarray, np.ndarray]], m: int) -> dict[str, Any]:
    """Mean MASE and fit seconds of ``spec`` over (history, target) cases."""
    from tsforge.evaluation.metrics import mase_scale
    from tsforge.models.statistical import forecast_series

    mase, seconds, fell_back = [], 0.0, 0
    for y, target in cases:
        t0 = time.perf_counter()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            res, fb = forecast_series(spec, y, target.size, m)
        seconds += time.perf_counter() - t0
        fell_back += int(fb)
        scale = float(mase_scale(y.reshape(-1, 1), m)[0])
        mase.append(float(np.mean(np.abs(target - res["mean"]))) / scale)
    return {"mase": float(np.nanmean(mase)), "seconds": seconds, "fell_back": fell_back, "cases": len(cases)}


def run_panel(name: str) -> dict[str, Any]:
    """Validation and test windows of a weekly panel collection."""
    from tsforge.data.load import load_panel
    from tsforge.data.protocol import default_panel_horizon
    from tsforge.panels.protocol import holdout_split

    loaded = load_panel(name)
    panel = loaded.panel.fill_missing()
    m = panel.season_length
    h = int(default_panel_horizon(loaded.entry, m, panel.horizon))
    split = holdout_split(panel, h)
    windows = {
        "validation": [(split.train.series(i).astype(np.float64), split.val[i]) for i in range(len(panel))],
        "test": [(split.history.series(i).astype(np.float64), split.test[i]) for i in range(len(panel))],
    }
    out: dict[str, Any] = {"data": name, "season_length": m, "horizon": h, "n_series": len(panel)}
    for window, cases in windows.items():
        out[window] = {model: _score(spec, cases, m) for model, spec in _specs().items()}
    out["command"] = f"python -m benchmarks.long_season --data {name}"
    return out


def run_co2(n_windows: int) -> dict[str, Any]:
    """The last ``n_windows`` rolling origins of 13 weeks of Mauna Loa CO2."""
    import pandas as pd

    from tsforge.data.catalog import load_dataset

    data = load_dataset("co2")
    y = pd.Series(np.asarray(data.values[:, 0], dtype=np.float64)).interpolate().bfill().to_numpy()
    m, h = 52, CO2_HORIZON
    ends = [y.size - (n_windows - w) * h for w in range(n_windows)]
    cases = [(y[:end], y[end : end + h]) for end in ends]
    out: dict[str, Any] = {
        "data": "co2",
        "season_length": m,
        "horizon": h,
        "n_series": 1,
        "windows": n_windows,
    }
    out["rolling"] = {model: _score(spec, cases, m) for model, spec in _specs().items()}
    out["command"] = f"python -m benchmarks.long_season --data co2 --windows {n_windows}"
    return out


def _track(row: dict[str, Any]) -> None:
    from tsforge.tracking.runs import tracked_run

    with tracked_run(
        experiment=EXPERIMENT,
        run_name=row["data"],
        tags={"tsforge.benchmark": "long_season"},
        description=(
            f"auto_ets (STL + ETS above a season of 24) against statsforecast's AutoETS alone and "
            f"seasonal naive on {row['data']} (m = {row['season_length']}, H = {row['horizon']})."
        ),
    ) as run:
        run.log_params({k: row[k] for k in ("data", "season_length", "horizon", "n_series")})
        for window in ("validation", "test", "rolling"):
            for model, r in row.get(window, {}).items():
                run.log_metrics(
                    {f"{window}_{model}_mase": r["mase"], f"{window}_{model}_seconds": r["seconds"]}
                )
        run.log_dict(row, "result.json")


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--data", default=",".join((*PANELS, "co2")))
    p.add_argument("--windows", type=int, default=20, help="CO2: rolling origins of 13 weeks")
    p.add_argument("--no-track", dest="track", action="store_false")
    args = p.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    rows = previous_rows("long_season", lambda r: r["data"])  # one data set can be re-run on its own
    for name in [d.strip() for d in args.data.split(",") if d.strip()]:
        row = run_co2(args.windows) if name == "co2" else run_panel(name)
        rows[name] = row
        for window in ("validation", "test", "rolling"):
            if window in row:
                log.info("%s %s: %s", name, window, {k: round(v["mase"], 3) for k, v in row[window].items()})
        if args.track:
            _track(row)
        write_results("long_season", {"rows": [rows[k] for k in sorted(rows)]})
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
