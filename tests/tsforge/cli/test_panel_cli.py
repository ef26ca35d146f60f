"""The panel protocol from the CLI on a tiny ragged CSV: train (local and global), forecast, cv,
and bad inputs that name the series."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest

from tests.conftest import run_cli as _cli


def _ragged() -> pd.DataFrame:
    """Three monthly series with their own starts and lengths (20, 31, 44 values)."""
    rng = np.random.default_rng(0)
    frames = []
    for sid, start, n, level in (
        ("a", "2001-03-01", 20, 10.0),
        ("b", "1999-01-01", 31, 50.0),
        ("c", "2000-07-01", 44, 5.0),
    ):
        t = np.arange(n)
        y = level + 2 * np.sin(2 * np.pi * t / 12) + 0.1 * rng.standard_normal(n)
        frames.append(
            pd.DataFrame({"unique_id": sid, "ds": pd.date_range(start, periods=n, freq="MS"), "y": y})
        )
    return pd.concat(frames, ignore_index=True)


@pytest.fixture
def ragged_csv(tmp_path) -> str:
    path = tmp_path / "ragged.csv"
    _ragged().to_csv(path, index=False)
    return str(path)


@pytest.mark.parametrize("model", ["auto_ets", "dlinear"])
def test_train_then_forecast_a_ragged_panel(model, ragged_csv, tracking_uri, tmp_path, capsys):
    code, out, err = _cli(
        capsys,
        "train",
        "--dataset",
        ragged_csv,
        "--model",
        model,
        "--horizon",
        "3",
        "--register-as",
        f"rp-{model}",
    )
    assert code == 0, err[-3000:]
    assert "Holdout result" in out and "MASE" in out and f"rp-{model}" in out
    # the run records the level its calibration resolves and the command says which scored bounds
    # are clamped: a local model calibrates on as many windows as these short series allow (13;
    # 5, 9 and 13 of them per series: 23 effective scores, 91.7 %, short of the 39 a 95 % interval
    # needs); a global one is refit on such windows too (11: the earliest must leave a series
    # longer than 2H to train on; 91.3 %), where its one validation window gave 3 scores (50 %)
    import mlflow

    run = mlflow.search_runs(experiment_names=None, search_all_experiments=True, output_format="list")[0]
    said = " ".join(err.split())
    assert float(run.data.params["intervals.resolved_level"]) > 90.0
    # the console shows the test-window coverage the run logged, beside its level
    printed = " ".join(out.split())
    assert "Intervals on the test window" in printed
    for level in (80, 95):
        assert f"{level} % {100 * run.data.metrics[f'test_coverage_{level}']:.1f} %" in printed
    assert "the 95 % interval needs 39" in said and "80 %" not in said
    dest = tmp_path / "fc.csv"
    code, out, err = _cli(
        capsys,
        "forecast",
        "--model",
        f"rp-{model}",
        "--input",
        ragged_csv,
        "--horizon",
        "3",
        "--output",
        str(dest),
    )
    assert code == 0, err[-3000:]
    fc = pd.read_csv(dest, parse_dates=["ds"])
    assert len(fc) == 9 and np.isfinite(fc["y_hat"]).all()
    # every series is forecast after its own last date
    hist = _ragged().groupby("unique_id")["ds"].max()
    for sid, group in fc.groupby("unique_id"):
        assert group["ds"].min() == hist[sid] + pd.offsets.MonthBegin(1)
    # --plot draws history + forecast + the asked-for interval; a non-PNG target is refused first
    png, other = tmp_path / "fc.png", tmp_path / "fc2.csv"
    args = ("forecast", "--model", f"rp-{model}", "--input", ragged_csv, "--horizon", "3", "--level", "50")
    code, out, err = _cli(capsys, *args, "--plot", str(png))
    assert code == 0, err[-3000:]
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and f"wrote{png}" in "".join(out.split())
    code, _, err = _cli(capsys, *args, "--output", str(other), "--plot", str(tmp_path / "fc.jpg"))
    assert code == 2 and "--plot writes a PNG" in err and not other.exists(), err
    code, out, err = _cli(capsys, "evaluate", "--model", f"rp-{model}", "--dataset", ragged_csv, "--json")
    assert code == 0 and '"test_mase"' in out, err[-2000:]
    # printed (no --output): one line per forecast row even in an 80-column pipe, where rich broke
    # each row with its interval columns over two lines
    code, out, err = _cli(capsys, *args[:-2], "--level", "80", "--level", "95")
    assert code == 0, err[-2000:]
    rows = [ln.split() for ln in out.splitlines() if ln.split()[:1] in (["a"], ["b"], ["c"])]
    assert len(rows) == 9 and all(len(r) == 8 for r in rows), out  # id, ds, step, y_hat + 4 bounds


@pytest.mark.parametrize(
    ("args", "field"),
    [
        (("train", "--model", "naive", "--horizon", "0", "--no-track"), "horizon"),
        (("cv", "--model", "naive", "--horizon", "0"), "horizon"),
        (("cv", "--model", "naive", "--horizon", "2", "--n-windows", "0"), "n_windows"),
        (("recommend", "--horizon", "0"), "horizon"),
    ],
)
def test_a_zero_horizon_or_window_count_is_refused_by_name(ragged_csv, capsys, args, field):
    """`--horizon 0` is not "the default horizon" (it became 18 and failed as "too short")."""
    code, _, err = _cli(capsys, args[0], ragged_csv, *args[1:])
    flag = "--" + field.replace("_", "-")
    assert code == 2 and err.startswith(f"error: {flag} must be at least 1") and "field=" not in err, err


def test_cv_writes_one_long_frame(ragged_csv, tmp_path, capsys):
    dest = tmp_path / "cv.csv"
    code, out, err = _cli(
        capsys, "cv", "--dataset", ragged_csv, "--model", "seasonal_naive", "--model", "naive",
        "--horizon", "2", "--n-windows", "2", "--output", str(dest),
    )  # fmt: skip
    assert code == 0, err[-3000:]
    cv = pd.read_csv(dest)
    assert list(cv.columns) == ["unique_id", "ds", "cutoff", "y", "seasonal_naive", "naive"]
    assert len(cv) == 3 * 2 * 2 and cv.groupby("unique_id")["cutoff"].nunique().eq(2).all()
    assert "MASE" in out and "seasonal_naive" in out
    # a file with its own column names gets them back in the output file, with the same numbers
    renamed = tmp_path / "renamed.csv"
    pd.read_csv(ragged_csv).rename(columns={"unique_id": "store", "ds": "day", "y": "units"}).to_csv(
        renamed, index=False
    )
    dest2 = tmp_path / "cv2.csv"
    code, out, err = _cli(
        capsys, "cv", str(renamed), "--model", "seasonal_naive", "--model", "naive", "--horizon", "2",
        "--n-windows", "2", "--output", str(dest2), "--id-col", "store", "--time-col", "day", "--target-col", "units",
    )  # fmt: skip
    assert code == 0, err[-3000:]
    cv2 = pd.read_csv(dest2)
    assert list(cv2.columns) == ["store", "day", "cutoff", "units", "seasonal_naive", "naive"]
    pd.testing.assert_frame_equal(cv2.set_axis(cv.columns, axis=1), cv)


def test_cv_names_the_series_no_window_scores_and_survives_an_empty_window(ragged_csv, capsys):
    """H 25, two windows: series a (20 values) has no window, b and c one each, and the second
    window (51 values needed) none — it crashed (an empty chunk's dates), and a was left out silently."""
    code, out, err = _cli(capsys, "cv", ragged_csv, "--model", "naive", "--horizon", "25", "--n-windows", "2")
    assert code == 0, err[-3000:]
    said = " ".join(err.split())
    assert "note: 1 of 3 series is too short for any of the 2 windows of 25 steps" in said, said
    assert re.search(r"naive(\s+[\d.]+){5}\s+2\s", out), out  # 2 cases scored


def test_cv_says_why_no_conformal_interval_was_scored(ragged_csv, capsys):
    """One window, or one populated window: the table read "nan %" with 0 cases and no reason."""
    args = ("cv", ragged_csv, "--model", "naive", "--level", "80")
    code, _, err = _cli(capsys, *args, "--horizon", "3", "--n-windows", "1")
    assert code == 0 and "ask for --n-windows 2 or more" in " ".join(err.split()), err
    code, _, err = _cli(capsys, *args, "--horizon", "25", "--n-windows", "2")
    said = " ".join(err.split())
    assert code == 0 and "naive: no interval was scored" in said and "only the first window" in said, err
    code, _, err = _cli(capsys, *args, "--horizon", "3", "--n-windows", "3")
    assert code == 0 and "no interval was scored" not in err, err


def test_cv_says_when_three_series_cannot_resolve_a_95_percent_interval(ragged_csv, capsys):
    """Three series give each window's calibration at most three scores per step: a 95 % interval
    needs 39, so the command still answers but says, in one note, that those bounds are clamped."""
    code, out, err = _cli(
        capsys, "cv", ragged_csv, "--model", "naive", "--horizon", "2", "--n-windows", "3", "--level", "95",
    )  # fmt: skip
    assert code == 0, err[-3000:]
    note = " ".join(err.split())
    assert note.count("note:") == 1 and "naive, 2 of 2 calibrated cross-validation windows" in note
    assert "95 % interval needs 39 calibration scores" in note and "cover less than nominal" in note
    assert "more windows, --n-windows" in note  # the way out that applies to cross-validation
    assert "95 %" in out  # the interval table is still printed


@pytest.mark.parametrize(
    ("case", "expect"),
    [
        ("one_value", ["'d'"]),
        ("non_numeric", ["non-numeric", "'b'", "oops"]),
        ("duplicate", ["duplicate timestamp", "'c'"]),
    ],
)
def test_bad_panels_exit_2_naming_the_series(case, expect, tmp_path, capsys):
    df = _ragged()
    if case == "one_value":
        df = pd.concat(
            [df, pd.DataFrame({"unique_id": ["d"], "ds": [pd.Timestamp("2003-01-01")], "y": [1.0]})]
        )
    elif case == "non_numeric":
        df["y"] = df["y"].astype(object)
        df.loc[df.index[df["unique_id"] == "b"][4], "y"] = "oops"
    else:
        rows = df.index[df["unique_id"] == "c"]
        df.loc[rows[5], "ds"] = df.loc[rows[4], "ds"]
    path = tmp_path / f"{case}.csv"
    df.to_csv(path, index=False)
    code, out, err = _cli(
        capsys, "train", "--dataset", str(path), "--model", "naive", "--horizon", "2", "--no-track"
    )
    assert code == 2, out + err
    lines = [ln for ln in err.strip().splitlines() if ln.strip()]
    assert len(lines) == 1 and lines[0].startswith("error: "), err
    for word in expect:
        assert word in lines[0], lines[0]


def test_recommend_a_panel_by_validation(ragged_csv, capsys):
    import json

    code, out, err = _cli(capsys, "recommend", ragged_csv, "--horizon", "3", "--json")
    assert code == 0, err[-3000:]
    rec = json.loads(out)
    scores = [r["val_mase"] for r in rec["ranking"]]
    assert scores == sorted(scores) and rec["n_series"] == 3 and rec["horizon"] == 3
    assert rec["ranking"][0]["model"] in rec["explanation"]


def test_recommend_ranks_the_candidates_that_can_train_and_says_why_the_others_are_not_ranked(
    ragged_csv, capsys
):
    """H 15: series a (20 values) is too short for the holdout (31) and is left out on request;
    b and c leave 16 and 29 values before the test window, too few for a global model's training
    window (more than 30): DLinear/NLinear used to sink the whole ranking with that error."""
    import json

    code, out, err = _cli(capsys, "recommend", ragged_csv, "--horizon", "15", "--json")
    assert code == 2 and "--drop-short" in err, err
    code, out, err = _cli(capsys, "recommend", ragged_csv, "--horizon", "15", "--drop-short", "--json")
    assert code == 0, err[-3000:]
    rec = json.loads(out)
    assert rec["n_series"] == 2 and set(rec["skipped"]) == {"nlinear", "dlinear"}
    assert {r["model"] for r in rec["ranking"]} == {"seasonal_naive", "naive", "auto_theta", "auto_ets"}
    assert "long enough for a training window" in rec["skipped"]["dlinear"]
    assert "not ranked: nlinear, dlinear" in rec["explanation"]
    code, out, err = _cli(capsys, "recommend", ragged_csv, "--horizon", "15", "--drop-short")
    assert "--drop-short --train" in " ".join(out.split())  # the next command keeps the option


def test_recommend_table_says_how_many_candidates_it_leaves_out(ragged_csv, capsys):
    code, out, err = _cli(capsys, "recommend", ragged_csv, "--horizon", "3", "--top", "2")
    assert code == 0, err[-3000:]
    code, js, err = _cli(capsys, "recommend", ragged_csv, "--horizon", "3", "--json")
    n = len(__import__("json").loads(js)["ranking"])
    assert n > 2
    assert f"top 2 of {n} candidates" in " ".join(out.split()), out
    # the next command keeps the horizon asked for (without it --train would use the default)
    assert "".join(f"next: tsforge recommend {ragged_csv} --horizon 3 --train".split()) in "".join(
        out.split()
    )


def test_recommend_train_json_stays_json_and_the_table_points_to_the_forecast(
    ragged_csv, tracking_uri, capsys
):
    """``--json --train`` prints one JSON document (the training under ``training``), and the
    table view's next step after training is a forecast from the registered model."""
    import json

    code, out, err = _cli(
        capsys, "recommend", ragged_csv, "--horizon", "3", "--json", "--train", "--register-as", "rag-best"
    )
    assert code == 0, err[-3000:]
    payload = json.loads(out)
    assert payload["training"]["registered_name"] == "rag-best" and payload["training"]["version"] == "1"
    assert payload["training"]["metrics"]["test_mase"] > 0
    code, out, err = _cli(
        capsys, "recommend", ragged_csv, "--horizon", "3", "--train", "--register-as", "rag-best"
    )
    assert code == 0, err[-3000:]
    # a command to paste is one line, never wrapped by the console (a pipe is 80 columns)
    expected = f"next: tsforge forecast --model rag-best --input {ragged_csv} --level 80 --level 95"
    assert expected in out.splitlines()
    assert out.count("next:") == 1  # not also "next: tsforge recommend ... --train", already done
    assert "Against Naive2 (M4's benchmark" in " ".join(out.split())  # the trained pick's skill
    # where @champion now points, in train's words (it said "registered ... version 2" alone)
    assert "Registered rag-best version 2; champion = version" in " ".join(out.split()), out


def test_a_model_trained_on_a_tsf_file_forecasts_from_the_same_file(tracking_uri, tmp_path, capsys):
    """``train`` reads Monash ``.tsf`` files; ``forecast --input`` refused the same file
    ("unsupported file type '.gz'"): it now reads it as the long frame, each series after its
    own last date."""
    import gzip

    rows = []
    for sid, start, n in (("A", "2001-03-01", 30), ("B", "1999-01-01", 40)):
        y = 20 + 3 * np.sin(2 * np.pi * np.arange(n) / 12)
        rows.append(f"{sid}:{start} 00-00-00:" + ",".join(f"{v:.3f}" for v in y))
    text = "@relation tiny\n@attribute series_name string\n@attribute start_timestamp date\n"
    text += "@frequency monthly\n@horizon 3\n@missing false\n@equallength false\n@data\n" + "\n".join(rows)
    path = tmp_path / "tiny.tsf.gz"
    path.write_bytes(gzip.compress(text.encode()))
    code, _, err = _cli(capsys, "train", str(path), "--model", "seasonal_naive", "--register-as", "tsf-sn")
    assert code == 0, err[-3000:]
    dest = tmp_path / "fc.csv"
    code, _, err = _cli(capsys, "forecast", "--model", "tsf-sn", "--input", str(path), "--output", str(dest))
    assert code == 0, err[-3000:]
    fc = pd.read_csv(dest, parse_dates=["ds"])
    assert sorted(fc["unique_id"].unique()) == ["A", "B"] and len(fc) == 6
    assert fc.loc[fc["unique_id"] == "A", "ds"].min() == pd.Timestamp("2003-09-01")  # 30 months after 2001-03
    # seasonal naive repeats the value a season before each step
    expected = 20 + 3 * np.sin(2 * np.pi * np.arange(30, 33) / 12)
    np.testing.assert_allclose(fc.loc[fc["unique_id"] == "A", "y_hat"], expected.round(3), atol=1e-3)


def test_no_intervals_skips_the_calibration_and_is_refused_where_it_means_nothing(
    ragged_csv, tracking_uri, capsys
):
    """A panel of few series now calibrates on many windows (extra fits); --no-intervals skips
    them: the run has no interval scores, and --level falls back to the model's native intervals."""
    import mlflow

    args = ("train", ragged_csv, "--model", "auto_ets", "--horizon", "3", "--register-as", "rp-noint")
    code, out, err = _cli(capsys, *args, "--no-intervals")
    assert code == 0, err[-2000:]
    assert "Holdout result" in out and "Intervals on the test window" not in out
    run = mlflow.search_runs(search_all_experiments=True, output_format="list")[0]
    assert "intervals.method" not in run.data.params and "test_coverage_80" not in run.data.metrics
    code, out, err = _cli(capsys, "forecast", "--model", "rp-noint", "--input", ragged_csv, "--level", "80")
    assert code == 0 and "y_hat-lo-80" in out, err[-2000:]
    code, _, err = _cli(capsys, "train", ragged_csv, "--model", "naive", "--split", "7:1:2", "--no-intervals")
    assert code == 2 and "--no-intervals applies to the panel protocol" in err, err


def test_drop_short_trains_on_the_long_enough_series_and_is_refused_off_the_panel_protocol(
    ragged_csv, capsys
):
    """Series a (20 values) is too short for H 8 (17 needed is fine) but not for H 10 (21)."""
    code, _, err = _cli(capsys, "train", ragged_csv, "--model", "naive", "--horizon", "10", "--no-track")
    assert code == 2 and "1 of 3 series has fewer than 21 values" in err and "--drop-short" in err, err
    args = ("train", ragged_csv, "--model", "naive", "--horizon", "10", "--no-track", "--drop-short")
    code, out, err = _cli(capsys, *args)
    assert code == 0, err[-2000:]
    said = " ".join(err.split())
    assert "note: left out 1 of 3 series shorter than 21 values" in said and "'a'" in said
    assert re.search(r"naive\s+2\s+10\s", out), out  # model, series, H
    code, _, err = _cli(capsys, "train", ragged_csv, "--model", "naive", "--split", "7:1:2", "--drop-short")
    assert code == 2 and "--drop-short applies to the panel protocol" in err, err


def test_cv_takes_comma_separated_models_and_refuses_an_unknown_one_before_fitting(ragged_csv, capsys):
    """``--model naive,auto_ets`` was one unknown model, refused only after a refit bar had
    started; now a list, and an unknown name fails first, naming it."""
    code, out, err = _cli(capsys, "cv", ragged_csv, "--model", "naive,seasonal_naive", "--horizon", "2",
                          "--n-windows", "2")  # fmt: skip
    assert code == 0, err[-3000:]
    assert "naive" in out and "seasonal_naive" in out
    code, _, err = _cli(capsys, "cv", ragged_csv, "--model", "naive, bogus", "--horizon", "2")
    assert code == 2 and "unknown model 'bogus'" in err and "refitting" not in err, err


def test_cv_sets_local_model_options_and_refuses_them_without_a_local_model(ragged_csv, tmp_path, capsys):
    """``tsforge cv`` had no ``--option``: a user who trained ``--option season_length=4`` could not
    cross-validate that model. The option reaches every window; on a global-only run it is refused."""
    base = ("cv", ragged_csv, "--model", "seasonal_naive", "--horizon", "2", "--n-windows", "2")
    code, _, err = _cli(capsys, *base, "--output", str(tmp_path / "default.csv"))
    assert code == 0, err[-3000:]
    code, _, err = _cli(capsys, *base, "--option", "season_length=3", "--output", str(tmp_path / "s3.csv"))
    assert code == 0, err[-3000:]
    default, three = pd.read_csv(tmp_path / "default.csv"), pd.read_csv(tmp_path / "s3.csv")
    assert not np.allclose(default["seasonal_naive"], three["seasonal_naive"])
    frame = pd.read_csv(ragged_csv)
    for (uid, cutoff), rows in three.groupby(["unique_id", "cutoff"]):
        history = frame[(frame.unique_id == uid) & (frame.ds <= cutoff)]["y"].to_numpy()
        np.testing.assert_allclose(rows["seasonal_naive"], history[-3:-1])  # h 2 of a season of 3
    code, _, err = _cli(
        capsys, "cv", ragged_csv, "--model", "lightgbm", "--horizon", "2", "--option", "season_length=3"
    )
    assert code == 2 and "--option" in err and "none of lightgbm is a local model" in err, err
    assert "field=" not in err, err
    code, _, err = _cli(capsys, *base, "--option", "season=3")
    assert code == 2 and "unknown option(s) ['season']" in err, err


def test_models_registered_lists_what_training_registered(ragged_csv, tracking_uri, capsys):
    """`tsforge models --registered` shows each registered model with its champion's test scores,
    as the run logged them; --json carries every version and metric."""
    import json

    import mlflow

    code, out, err = _cli(capsys, "models", "--registered")
    assert code == 0 and "no registered models" in out
    for _ in range(2):
        code, _, err = _cli(
            capsys, "train", ragged_csv, "--model", "naive", "--horizon", "3", "--register-as", "rp-n"
        )
        assert code == 0, err[-2000:]
    code, out, err = _cli(capsys, "models", "--registered", "--json")
    assert code == 0, err
    (listed,) = json.loads(out)["models"]
    assert listed["name"] == "rp-n" and [v["version"] for v in listed["versions"]] == ["2", "1"]
    champion = listed["aliases"]["champion"]
    row = next(v for v in listed["versions"] if v["version"] == champion)
    logged = mlflow.get_run(row["run_id"]).data.metrics
    assert row["metrics"]["test_mase"] == logged["test_mase"]
    code, out, err = _cli(capsys, "models", "--registered")
    assert code == 0, err
    flat = " ".join(out.split())
    assert "rp-n" in flat and f"champion → v{champion}" in flat and f"MASE {logged['test_mase']:.4g}" in flat
    assert f"skill {logged['test_skill']:+.1%}" in flat  # over Naive2, as the run logged it
    code, _, err = _cli(capsys, "models", "--json")
    assert code == 2 and "--registered" in err


@pytest.mark.parametrize("top", ["0", "-1"])
def test_recommend_a_panel_refuses_a_top_below_one(ragged_csv, capsys, top):
    """``--top 0`` printed an empty table and ``--top -1`` "top 5 of 6" (a Python slice); long
    data refuses both, and so does a panel now, before any ranking."""
    code, out, err = _cli(capsys, "recommend", ragged_csv, "--horizon", "3", "--top", top)
    assert code == 2 and out == "", out
    assert err.strip() == f"error: --top must be at least 1, got {top}", err


def test_recommend_a_panel_next_command_keeps_the_split_given(ragged_csv, capsys):
    """``--split holdout`` (what makes a catalogue long dataset a panel) carries into the next
    command, or that command would rank it under the catalogue's split instead."""
    code, out, err = _cli(capsys, "recommend", ragged_csv, "--horizon", "3", "--split", "Holdout")
    assert code == 0, err[-3000:]
    expected = f"next: tsforge recommend {ragged_csv} --horizon 3 --split holdout --train"
    assert "".join(expected.split()) in "".join(out.split()), out


def test_forecast_keeps_series_ids_with_leading_zeros_as_train_reads_them(tracking_uri, tmp_path, capsys):
    """``train`` keeps ids ``001``/``002`` as written; ``forecast`` read the same file's ids as the
    numbers 1 and 2, so its rows no longer joined back to the file."""
    frame = _ragged().replace({"unique_id": {"a": "001", "b": "002", "c": "010"}})
    path = tmp_path / "zero_ids.csv"
    frame.to_csv(path, index=False)
    code, _, err = _cli(
        capsys, "train", str(path), "--model", "seasonal_naive", "--horizon", "3", "--register-as", "zeros-sn"
    )
    assert code == 0, err[-3000:]
    dest = tmp_path / "fc.csv"
    code, _, err = _cli(capsys, "forecast", str(path), "--model", "zeros-sn", "--output", str(dest))
    assert code == 0, err[-3000:]
    fc = pd.read_csv(dest, dtype={"unique_id": str})
    assert list(fc["unique_id"].unique()) == ["001", "002", "010"]


def test_forecast_says_how_many_series_a_local_model_left_to_its_fallback(tracking_uri, tmp_path, capsys):
    """Seasonal naive forecast a 5-value monthly series (shorter than its season) with naive,
    without a word: the user believed they had seasonal forecasts."""
    frame = _ragged()
    path = tmp_path / "train.csv"
    frame.to_csv(path, index=False)
    code, _, err = _cli(
        capsys, "train", str(path), "--model", "seasonal_naive", "--horizon", "3", "--register-as", "fb-sn"
    )
    assert code == 0, err[-3000:]
    short = frame[frame["unique_id"] == "a"].tail(5)
    history = pd.concat([short, frame[frame["unique_id"] == "c"]], ignore_index=True)
    hist_path = tmp_path / "history.csv"
    history.to_csv(hist_path, index=False)
    code, _, err = _cli(
        capsys, "forecast", str(hist_path), "--model", "fb-sn", "--output", str(tmp_path / "f.csv")
    )
    assert code == 0, err[-3000:]
    assert "note: 1 of 2 series was too short for seasonal_naive" in " ".join(err.split())
    assert "fallback (naive" in err


def test_train_says_which_series_mase_leaves_out(tmp_path, capsys):
    """A panel with flat series printed a test MASE over the others (or nan) with no word."""
    frame = _ragged()
    frame.loc[frame["unique_id"] == "a", "y"] = 7.0
    path = tmp_path / "flat.csv"
    frame.to_csv(path, index=False)
    code, _, err = _cli(
        capsys,
        "train",
        str(path),
        "--model",
        "seasonal_naive",
        "--horizon",
        "3",
        "--no-intervals",
        "--no-track",
    )
    assert code == 0, err[-3000:]
    assert "note: 1 of 3 series has a flat history" in " ".join(err.split())


def test_recommend_ranks_a_panel_as_the_python_call_does(ragged_csv, capsys):
    """`tsforge recommend my.csv` ranked with seed 0 while recommend_panel (the README's
    equivalent) uses 2024, so the global candidates' scores differed between the two."""
    import json

    from recommender.panel import recommend_panel
    from tsforge.data.load import load_panel

    code, out, err = _cli(capsys, "recommend", ragged_csv, "--horizon", "3", "--json")
    assert code == 0, err[-3000:]
    cli = {r["model"]: r["val_mase"] for r in json.loads(out)["ranking"]}
    api = {
        r["model"]: r["val_mase"]
        for r in recommend_panel(load_panel(ragged_csv).panel, 3).to_dict()["ranking"]
    }
    assert cli == pytest.approx(api, rel=1e-9) and any(m in cli for m in ("dlinear", "nlinear", "lightgbm"))


def test_recommend_says_which_series_its_validation_mase_covers(tmp_path, capsys):
    """The explanation said "on every series'" while a flat series had no MASE and was left out."""
    import json

    frame = _ragged()
    frame.loc[frame["unique_id"] == "a", "y"] = 7.0
    path = tmp_path / "flat.csv"
    frame.to_csv(path, index=False)
    code, out, err = _cli(capsys, "recommend", str(path), "--horizon", "3", "--json")
    assert code == 0, err[-3000:]
    rec = json.loads(out)
    assert "over 2 of 3 series (1 has a flat history: no MASE)" in rec["explanation"]
    assert "every series" not in rec["explanation"]
    assert {r["val_n_mase_excluded"] for r in rec["ranking"]} == {1}


def test_forecasting_with_a_local_model_shows_its_fits_progress(ragged_csv, tracking_uri, capsys):
    """A local model fits every series of the history at forecast time (minutes for 20,000
    AutoETS fits): the CLI shows that on stderr, where the bar was switched off."""
    code, _, err = _cli(
        capsys, "train", ragged_csv, "--model", "naive", "--horizon", "3", "--register-as", "rp-prog"
    )
    assert code == 0, err[-3000:]
    code, out, err = _cli(capsys, "forecast", "--model", "rp-prog", "--input", ragged_csv, "--horizon", "3")
    assert code == 0, err[-3000:]
    assert "local models" in err and "local models" not in out
