"""Local models on long series: recent history vs the whole of it — ``python -m benchmarks.local_history``.

The model-selecting local models (ETS, Theta, ARIMA, CES, MSTL) are fitted on a series' most
recent values only (:func:`tsforge.models.statistical.recent_history`: 1,000 values or ten of the
longest cycles). This benchmark measures what that costs and saves on the long single series of
``shared/datasets`` (none of the development panel collections has a series that long): for each
series and model, the last ``--windows`` rolling-origin windows of ``--horizon`` steps are forecast
from the recent history and from the whole history, scored by MASE (seasonal-naive scale of the
whole series), and each fit is timed. Whole-history fits of series longer than
``--max-whole`` values are skipped (AutoTheta on 74,000 daily values takes minutes per fit).

Writes ``benchmarks/results/local_history.json`` and, unless ``--no-track``, one MLflow run per
(series, model) in experiment ``benchmark-local-history``.

    python -m benchmarks.local_history
    python -m benchmarks.local_history --series us_births --models auto_theta --windows 10
"""

from __future__ import annotations

import argparse
import logging
import time
import warnings
from typing import Any

import numpy as np

from benchmarks.common import previous_rows, write_results

log = logging.getLogger("benchmarks.local_history")
EXPERIMENT = "benchmark-local-history"
SERIES = {
    "us_births": "us_births_dataset.tsf.gz",
    "saugeenday": "saugeenday_dataset.tsf.gz",
    "sunspot": "sunspot_dataset_without_missing_values.tsf.gz",
}


def run_one(name: str, model: str, windows: int, horizon: int, max_whole: int) -> dict[str, Any]:
    """MASE and seconds per fit of ``model`` on the last ``windows`` windows of series ``name``."""
    from tsforge.data.catalog import data_dir
    from tsforge.data.load import load_panel
    from tsforge.models.statistical import LOCAL_MODELS

    folder = data_dir()
    if folder is None:
        raise SystemExit("no data folder: set TSFORGE_DATA_DIR or put shared/datasets beside the repository")
    panel = load_panel(str(folder / SERIES[name])).panel
    y = panel.fill_missing().series(0).astype(np.float64)
    m = panel.season_length
    spec = LOCAL_MODELS[model]
    scale = float(np.mean(np.abs(y[m:] - y[:-m])))
    out: dict[str, Any] = {"series": name, "model": model, "length": int(y.size), "season_length": m}
    for label, fit_on in (("recent", spec.history), ("whole", lambda v, _m: v)):
        if label == "whole" and y.size > max_whole:
            out[label] = None
            continue
        mase, secs = [], []
        for w in range(windows):
            end = y.size - (windows - w) * horizon
            t0 = time.perf_counter()
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                fc = np.asarray(spec.factory(m).forecast(y=fit_on(y[:end], m), h=horizon)["mean"])
            secs.append(time.perf_counter() - t0)
            mase.append(float(np.mean(np.abs(y[end : end + horizon] - fc)) / scale))
        out[label] = {
            "values_fitted": int(fit_on(y[:end], m).size),  # at the last window
            "mase": float(np.mean(mase)),
            "seconds_per_fit": float(np.mean(secs)),
            "per_window_mase": mase,
        }
    if out["whole"] is not None:
        out["mase_ratio_recent_to_whole"] = out["recent"]["mase"] / out["whole"]["mase"]
        out["speedup"] = out["whole"]["seconds_per_fit"] / out["recent"]["seconds_per_fit"]
    out["command"] = (
        f"python -m benchmarks.local_history --series {name} --models {model} --windows {windows} "
        f"--horizon {horizon} --max-whole {max_whole}"
    )
    return out


def _track(row: dict[str, Any]) -> None:
    from tsforge.tracking.runs import tracked_run

    with tracked_run(
        experiment=EXPERIMENT,
        run_name=f"{row['series']}-{row['model']}",
        tags={"tsforge.benchmark": "local_history", "tsforge.model": row["model"]},
        description=(
            f"{row['model']} on {row['series']} ({row['length']} values): the recent history it is "
            "fitted on by default vs the whole series, last rolling-origin windows."
        ),
    ) as run:
        run.log_params({k: row[k] for k in ("series", "model", "length", "season_length")})
        for label in ("recent", "whole"):
            if row[label] is not None:
                run.log_metrics(
                    {
                        f"{label}_mase": row[label]["mase"],
                        f"{label}_seconds_per_fit": row[label]["seconds_per_fit"],
                    }
                )
        run.log_dict(row, "result.json")


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--series", default=",".join(SERIES))
    p.add_argument("--models", default="auto_ets,auto_theta")
    p.add_argument("--windows", type=int, default=10)
    p.add_argument("--horizon", type=int, default=14)
    p.add_argument("--max-whole", type=int, default=30_000)
    p.add_argument("--no-track", dest="track", action="store_false")
    args = p.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    # rows of other (series, model) pairs are kept: one pair can be re-run on its own
    rows = previous_rows("local_history", lambda r: (r["series"], r["model"]))
    for name in [s.strip() for s in args.series.split(",") if s.strip()]:
        for model in [m.strip() for m in args.models.split(",") if m.strip()]:
            row = run_one(name, model, args.windows, args.horizon, args.max_whole)
            rows[(name, model)] = row
            whole = row["whole"]
            log.info("%s/%s: recent MASE %.4f (%.2f s/fit), whole %s", name, model, row["recent"]["mase"],
                     row["recent"]["seconds_per_fit"],
                     "skipped" if whole is None else f"{whole['mase']:.4f} ({whole['seconds_per_fit']:.2f} s/fit)")  # fmt: skip
            if args.track:
                _track(row)
            write_results("local_history", {"rows": [rows[k] for k in sorted(rows)]})
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
