"""The CLI's bad-input paths: each is one clear line on stderr and exit code 2.

Commands run in-process through ``tsforge.cli.main`` (the console script's entry point); one test
runs the real ``python -m tsforge`` process to cover the process boundary.
"""

import json
import re
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

from tests.conftest import run_cli as _cli


def _csv(tmp_path, name, frame: pd.DataFrame):
    path = tmp_path / name
    frame.to_csv(path, index=False)
    return str(path)


def _long(n=200):
    return pd.DataFrame(
        {
            "unique_id": "a",
            "ds": pd.date_range("2021-01-01", periods=n, freq="h"),
            "y": np.sin(np.arange(n) / 5),
        }
    )


@pytest.mark.parametrize(
    ("case", "expect"),
    [
        ("missing_column", ["'y'", "Did you mean 'value'", "(pass --target-col value)"]),
        ("duplicate_timestamps", ["duplicate timestamp", "2021-01-01 03:00:00"]),
        ("non_numeric", ["non-numeric", "on line", "oops"]),
        ("too_short", ["too short", "horizon"]),
    ],
)
def test_train_bad_input_is_one_line_and_exit_2(case, expect, tmp_path, capsys):
    df = _long()
    if case == "missing_column":
        # long-shaped (text id column) but the target is misnamed; a second number (a covariate)
        # leaves no certain guess of the target (a three-column table would be read as long)
        df = df.rename(columns={"y": "value"}).assign(promo=0.0)
    elif case == "duplicate_timestamps":
        df.loc[4, "ds"] = df.loc[3, "ds"]
    elif case == "non_numeric":
        df["y"] = df["y"].astype(object)
        df.loc[7, "y"] = "oops"
    elif case == "too_short":  # 30 values: the default horizon 48 falls back to 14, with a note
        df = _long(3)  # no horizon leaves a series of 3 values two to train on
    path = _csv(tmp_path, f"{case}.csv", df)
    code, out, err = _cli(capsys, "train", "--dataset", path, "--model", "naive", "--no-track")
    assert code == 2, out + err
    lines = [ln for ln in err.strip().splitlines() if ln.strip()]
    assert len(lines) == 1 and lines[0].startswith("error: "), err
    for word in expect:
        assert word in lines[0], lines[0]


def test_unknown_model_missing_file_and_bad_option_exit_2(tmp_path, capsys):
    path = _csv(tmp_path, "ok.csv", _long())
    code, _, err = _cli(capsys, "train", "--dataset", path, "--model", "prophet", "--no-track")
    assert code == 2 and "unknown model 'prophet'" in err
    code, _, err = _cli(capsys, "train", "--dataset", str(tmp_path / "nope.csv"), "--no-track")
    assert code == 2 and err.startswith("error:") and "nope.csv" in err
    code, _, err = _cli(capsys, "train", "--bogus")
    assert code == 2 and err.strip() == "error: No such option: --bogus"


def test_a_loss_strategy_on_a_model_without_the_training_loop_is_refused(tracking_uri, monkeypatch, capsys):
    """`--selective` on LightGBM (or a baseline) used to be ignored silently, after training the
    strategy's DLinear estimator; now it is one line naming the strategy, before any training."""
    import tsforge.pipeline.multichannel as multichannel

    def _no_estimator(*args, **kwargs):
        raise AssertionError("the estimator was trained for a model that cannot use it")

    monkeypatch.setattr(multichannel, "get_or_train_estimator", _no_estimator)
    for model in ("lightgbm", "naive"):
        code, _, err = _cli(capsys, "train", "etth1", "--model", model, "--selective")
        assert code == 2 and len(err.strip().splitlines()) == 1, err
        assert "'selective'" in err and f"'{model}'" in err and "strategy" in err


def test_a_loss_strategy_on_a_panel_is_refused_by_train_and_tune_alike(tracking_uri, tmp_path, capsys):
    """The holdout protocol of panels has no training windows for a strategy to reweight: both
    commands refuse it with the same line, naming the strategy, before anything is trained."""
    path = _csv(tmp_path, "panel.csv", pd.concat([_long().assign(unique_id=u) for u in "ab"]))
    lines = []
    for argv in (
        ("train", path, "--model", "dlinear", "--selective", "--no-track"),
        ("tune", path, "--model", "dlinear", "--selective", "--trials", "1", "--no-progress"),
    ):
        code, _, err = _cli(capsys, *argv)
        assert code == 2 and len(err.strip().splitlines()) == 1, err
        lines.append(" ".join(err.split()))
    assert lines[0] == lines[1]
    assert "'selective'" in lines[0] and "holdout protocol of panels" in lines[0]
    assert not list((tmp_path / "mlruns").glob("*.journal")), "tune opened a study before refusing"


def test_training_loop_options_on_a_model_without_one_are_named_as_ignored(tmp_path, capsys):
    path = _csv(tmp_path, "pos.csv", _long())
    code, _, err = _cli(
        capsys,
        "train",
        path,
        "--model",
        "naive",
        "--horizon",
        "12",
        "--no-track",
        "--epochs",
        "3",
        "--lr",
        "0.1",
    )
    assert code == 0, err[-3000:]
    note = " ".join(err.split())
    assert "naive (baseline model) has no training loop; ignored training options: --epochs, --lr" in note
    code, _, err = _cli(capsys, "train", path, "--model", "naive", "--horizon", "12", "--no-track")
    assert code == 0 and "ignored training options" not in err


def test_train_evaluate_forecast_end_to_end(tracking_uri, tmp_path, capsys):
    path = _csv(tmp_path, "ok.csv", _long(400))
    code, out, err = _cli(
        capsys,
        "train",
        "--dataset",
        path,
        "--model",
        "seasonal_naive",
        "--horizon",
        "12",
        "--register-as",
        "cli-m",
    )
    assert code == 0, err[-3000:]
    assert "cli-m" in out
    # the data as the command's argument (as `profile`/`recommend` take it) or as --dataset: the same
    code, out, err = _cli(capsys, "evaluate", path, "--model", "models:/cli-m@champion", "--json")
    assert code == 0, err[-3000:]
    # a user's file follows the per-series holdout protocol: panel scores
    assert '"test_mase"' in out and '"test_smape"' in out and '"test_owa"' in out
    # the same series under other column names, named with the column options: the same scores
    renamed = _csv(tmp_path, "renamed.csv", _long(400).rename(columns={"unique_id": "store", "y": "units"}))
    code, out_renamed, err = _cli(
        capsys, "evaluate", renamed, "--model", "models:/cli-m@champion", "--json",
        "--id-col", "store", "--target-col", "units",
    )  # fmt: skip
    assert code == 0, err[-3000:]
    assert json.loads(out_renamed) == json.loads(out)
    hist = _csv(tmp_path, "hist.csv", _long(100))
    dest = tmp_path / "fc.csv"
    code, out, err = _cli(
        capsys,
        "forecast",
        "--model",
        "models:/cli-m@champion",
        "--input",
        hist,
        "--horizon",
        "6",
        "--output",
        str(dest),
    )
    assert code == 0, err[-3000:]
    fc = pd.read_csv(dest)
    assert len(fc) == 6 and list(fc.columns) == ["unique_id", "ds", "step", "y_hat"]
    # seasonal naive with a daily season repeats the value 24 h earlier
    np.testing.assert_allclose(fc["y_hat"].to_numpy(), np.sin(np.arange(100, 106) / 5 - 24 / 5), atol=1e-5)
    code, _, err = _cli(
        capsys, "forecast", "--model", "models:/cli-m@champion", "--input", hist, "--horizon", "99"
    )
    assert code == 2 and "horizon 99" in err
    code, _, err = _cli(capsys, "forecast", "--model", "models:/nope@champion", "--input", hist)
    assert code == 2 and "no registered model named 'nope'" in err
    # the history as the command's argument, as `train FILE` takes its data (it was refused:
    # "Missing option '--input'"): the same forecasts; none, or two different ones, is one line
    code, out_pos, err = _cli(capsys, "forecast", hist, "--model", "models:/cli-m@champion", "--horizon", "6")
    assert code == 0, err[-3000:]
    np.testing.assert_allclose(
        [float(line.split()[-1]) for line in out_pos.strip().splitlines()[-6:]],
        fc["y_hat"].to_numpy(),
        rtol=1e-5,
    )
    code, _, err = _cli(capsys, "forecast", "--model", "models:/cli-m@champion")
    assert code == 2 and err.startswith("error: no history given") and "tsforge forecast HISTORY" in err, err
    code, _, err = _cli(capsys, "forecast", hist, "--input", path, "--model", "models:/cli-m@champion")
    assert (
        code == 2
        and err.startswith("error: two history sources given")
        and len(err.strip().splitlines()) == 1
    )


@pytest.mark.parametrize("command", ["train", "evaluate", "cv", "tune"])
def test_data_source_missing_or_ambiguous_is_one_line_and_exit_2(command, tmp_path, capsys):
    path = _csv(tmp_path, "ok.csv", _long())
    model = ["--model", "models:/x@champion"] if command == "evaluate" else ["--model", "naive"]
    code, _, err = _cli(capsys, command, *model)
    assert code == 2 and err.startswith("error: no data given") and f"tsforge {command} DATA" in err, err
    code, _, err = _cli(capsys, command, path, "--dataset", str(tmp_path / "other.csv"), *model)
    assert code == 2 and err.startswith("error: two data sources given") and "other.csv" in err, err
    assert len(err.strip().splitlines()) == 1


def test_train_takes_the_data_as_its_argument(tmp_path, capsys):
    path = _csv(tmp_path, "pos.csv", _long())
    code, out, err = _cli(capsys, "train", path, "--model", "naive", "--horizon", "12", "--no-track")
    assert code == 0, err[-3000:]
    # the file's name titles the one-row result; the row is the model's
    assert re.search(r"— pos\s*$", out, re.M) and re.search(r"^\s*naive\s", out, re.M) and "MASE" in out


def test_console_entry_point_exit_code_in_a_real_process(tmp_path):
    df = _long()
    df.loc[4, "ds"] = df.loc[3, "ds"]
    path = _csv(tmp_path, "dup.csv", df)
    proc = subprocess.run(
        [sys.executable, "-m", "tsforge", "train", "--dataset", path, "--no-track"],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=tmp_path,
    )
    assert proc.returncode == 2
    assert proc.stderr.startswith("error: duplicate timestamp") and proc.stderr.count("\n") == 1


@pytest.mark.parametrize("command", ["train", "cv", "tune"])
def test_column_options_reach_the_loader_or_are_refused(command, tracking_uri, tmp_path, capsys):
    """Column names are never dropped: a renamed file's columns are used, and a catalogue name
    (whose columns are fixed) refuses a changed one by name instead of ignoring it."""
    model = "dlinear" if command == "tune" else "naive"  # tune needs a model with a search space
    code, _, err = _cli(capsys, command, "etth1", "--model", model, "--id-col", "store")
    assert code == 2 and "--id-col" in err and "etth1" in err, err  # the option as typed
    assert len(err.strip().splitlines()) == 1
    frame = _long().rename(columns={"unique_id": "store", "ds": "day", "y": "units"})
    path = _csv(tmp_path, "renamed.csv", frame)
    if command == "train":
        code, out, err = _cli(
            capsys, "train", path, "--model", "naive", "--horizon", "12", "--no-track",
            "--id-col", "store", "--time-col", "day", "--target-col", "units",
        )  # fmt: skip
        assert code == 0, err[-3000:]
        assert re.search(r"— renamed\s*$", out, re.M) and re.search(r"^\s*naive\s", out, re.M)


def _monthly_with_a_gap() -> pd.DataFrame:
    """Three monthly series; the first misses Oct-Dec 2016 (its other steps are 28-31 days)."""
    frames = []
    for i in range(3):
        ds = pd.date_range("2014-01-01", periods=48, freq="MS")
        y = 100 + 10 * np.sin(np.arange(48) * 2 * np.pi / 12) + i
        frames.append(pd.DataFrame({"unique_id": f"s{i}", "ds": ds, "y": y}))
    frames[0] = frames[0][~frames[0]["ds"].between("2016-10-01", "2016-12-01")]
    return pd.concat(frames, ignore_index=True)


def test_a_gap_is_named_where_it_is_and_fill_gaps_reads_the_file(tracking_uri, tmp_path, capsys):
    import mlflow

    path = _csv(tmp_path, "gap.csv", _monthly_with_a_gap())
    args = ("train", path, "--model", "seasonal_naive", "--horizon", "6")
    code, _, err = _cli(capsys, *args, "--no-track")
    assert code == 2 and len(err.strip().splitlines()) == 1, err
    assert "2016-09-01 → 2017-01-01 is not one monthly (MS) step" in err and "--fill-gaps" in err
    code, out, err = _cli(capsys, *args, "--fill-gaps")
    assert code == 0, err[-3000:]
    assert re.search(r"— gap\s*$", out, re.M) and re.search(r"^\s*seasonal_naive\s+3\s", out, re.M), out
    run_id = re.search(r"MLflow run (\w+)", out).group(1)
    assert mlflow.get_run(run_id).data.params["missing_values"] == "3"  # the three months filled in
    code, _, err = _cli(capsys, "train", "etth1", "--model", "naive", "--fill-gaps", "--no-track")
    assert code == 2 and "--fill-gaps" in err and "etth1" in err, err


def test_reader_flags_carry_what_differs_from_the_defaults():
    from tsforge.cli.data_options import reader_flags, reader_options

    assert reader_flags(reader_options("unique_id", None, "y")) == ""
    flags = reader_flags(reader_options("store", "day", "y", "MS", True))
    assert flags == " --id-col store --time-col day --freq MS --fill-gaps"


def test_profile_reads_a_file_with_its_own_column_names(tmp_path, capsys):
    frame = _long(400).rename(columns={"unique_id": "store", "ds": "day", "y": "units"})
    path = _csv(tmp_path, "renamed.csv", frame)
    code, out, err = _cli(capsys, "profile", path, "--window", "96", "--no-progress")
    said = "".join(err.split())  # rich wraps long lines, a long path mid-word
    needle = "".join(("note: read " + path + " as long: id 'store', time 'day'").split())
    assert code == 0 and said.count(needle) == 1, err
    assert "stationarity" in out.lower()
    frame["price"] = 1.0  # a second number beside the id: which is the target? the flags say
    _csv(tmp_path, "renamed.csv", frame)
    code, _, err = _cli(capsys, "profile", path, "--window", "96", "--no-progress")
    assert code == 2 and "--id-col store" in err, err
    code, out, err = _cli(
        capsys, "profile", path, "--window", "96", "--no-progress",
        "--id-col", "store", "--time-col", "day", "--target-col", "units",
    )  # fmt: skip
    assert code == 0, err
    assert "stationarity" in out.lower()


def test_train_reads_station_coordinates_from_coords(tmp_path, capsys, tracking_uri):
    """The library took a coordinates table (``coords=``) but no command did: a user's own
    stations could not reach STPE-MLP from the CLI. ``--coords`` reads it for long multichannel
    data; under the panel protocol (a file without --split) it is refused with the way out."""
    t = pd.date_range("2020-01-01", periods=300, freq="D")
    names = ["BASEL", "BUDAPEST", "OSLO"]
    wide = pd.DataFrame({"date": t, **{s: np.sin(np.arange(300) / 7 + i) for i, s in enumerate(names)}})
    data = _csv(tmp_path, "st.csv", wide)
    coords = _csv(
        tmp_path,
        "st_coords.csv",
        pd.DataFrame({"station": names, "lat": [47.5, 47.5, 59.9], "lon": [7.6, 19.0, 10.7]}),
    )
    args = ("train", data, "--coords", coords, "--model", "stpe_mlp", "--horizon", "7", "--epochs", "1")
    code, _, err = _cli(capsys, *args, "--no-track")
    assert code == 2 and "--split 7:1:2" in err and "coords" in err, err
    code, out, err = _cli(capsys, *args, "--split", "7:1:2", "--register-as", "st")
    assert code == 0, err[-3000:]
    from tsforge.tracking import load_predictor

    forecaster = load_predictor("st").forecaster  # the registered model, as `tsforge forecast` loads it
    assert forecaster.context.coords is not None
    np.testing.assert_allclose(forecaster.context.coords, [[47.5, 7.6], [47.5, 19.0], [59.9, 10.7]])
    # the "next:" commands a command prints carry it, like the other reader options
    from tsforge.cli.data_options import reader_flags, reader_options

    assert reader_flags(reader_options("unique_id", None, "y", coords=coords)) == f" --coords {coords}"
    # `forecast --coords`: a station the model never saw is forecast from its coordinates
    new = _csv(tmp_path, "new.csv", pd.DataFrame({"date": t, "ZURICH": np.sin(np.arange(300) / 7 + 5)}))
    code, _, err = _cli(capsys, "forecast", "--model", "st", "--input", new)
    flat = " ".join(err.split())
    # the command line's words: how a CLI user gives coordinates (it said "send")
    assert code == 2 and "ZURICH" in err and "give its coordinates (its row of a --coords FILE)" in flat, err
    outs = []
    for lat, lon in ((47.4, 8.5), (-33.9, 151.2)):
        where = _csv(
            tmp_path, f"zurich_{lat}.csv", pd.DataFrame({"id": ["ZURICH"], "lat": [lat], "lon": [lon]})
        )
        out_csv = tmp_path / f"fc_{lat}.csv"
        code, _, err = _cli(
            capsys, "forecast", "--model", "st", "--input", new, "--coords", where, "-o", str(out_csv)
        )
        assert code == 0, err
        outs.append(pd.read_csv(out_csv))
    assert (outs[0]["unique_id"] == "ZURICH").all() and len(outs[0]) == 7
    assert not np.allclose(outs[0]["y_hat"], outs[1]["y_hat"])  # the coordinates reach the model
    elsewhere = _csv(tmp_path, "elsewhere.csv", pd.DataFrame({"id": ["GENEVA"], "lat": [46.2], "lon": [6.1]}))
    code, _, err = _cli(capsys, "forecast", "--model", "st", "--input", new, "--coords", elsewhere)
    assert code == 2 and "none of the history's series" in err and "GENEVA" in err, err
    code, _, err = _cli(
        capsys,
        "train",
        data,
        "--model",
        "naive",
        "--horizon",
        "7",
        "--split",
        "7:1:2",
        "--register-as",
        "st-naive",
    )
    assert code == 0, err[-3000:]
    code, _, err = _cli(capsys, "forecast", "--model", "st-naive", "--input", data, "--coords", coords)
    # trained without coordinates: forecast without them, as the service answers, with a note
    flat = " ".join(err.split())
    assert (
        code == 0 and "trained without station coordinates, so the coordinates given were not used" in flat
    ), err
    # DLinear trained on the stations accepts their coordinates but has no embedding to read them:
    # it forecasts, and says the coordinates were not used (it said nothing)
    dl = ("train", data, "--coords", coords, "--model", "dlinear", "--horizon", "7", "--epochs", "1")
    code, _, err = _cli(capsys, *dl, "--split", "7:1:2", "--register-as", "st-dlinear")
    assert code == 0, err[-3000:]
    code, _, err = _cli(capsys, "forecast", "--model", "st-dlinear", "--input", data, "--coords", coords)
    assert code == 0 and "'dlinear' does not read station coordinates" in err, err
    code, _, err = _cli(capsys, "forecast", "--model", "st", "--input", new, "--coords", where)
    assert code == 0 and "does not read station coordinates" not in err, err


def test_a_wide_file_with_a_note_column_is_read_with_value_cols(tmp_path, capsys):
    """A wide file with a comment column could only be used by editing the file: the error
    pointed at value_cols=, which no command took."""
    t = np.arange(120)
    frame = pd.DataFrame(
        {
            "date": pd.date_range("2021-01-01", periods=120, freq="D"),
            "s1": 10 + np.sin(2 * np.pi * t / 7),
            "s2": 5 + np.cos(2 * np.pi * t / 7),
            "note": ["ok"] * 120,
        }
    )
    path = _csv(tmp_path, "wide_note.csv", frame)
    code, _, err = _cli(capsys, "profile", path, "--window", "32")
    assert code == 2 and "--value-cols s1,s2" in err
    code, out, err = _cli(capsys, "profile", path, "--window", "32", "--value-cols", "s1,s2")
    assert code == 0, err[-2000:]
    assert "(2 channels," in out  # s1 and s2, not the note


def test_next_commands_quote_column_names_for_the_shell():
    """`--id-col Store ID` pasted from a "next:" hint passed `Store` and a stray `ID`."""
    from tsforge.cli.data_options import reader_flags, reader_options

    flags = reader_options("Store ID", "day", "y", value_cols="a b,c")
    assert reader_flags(flags) == " --id-col 'Store ID' --time-col day --value-cols 'a b,c'"


def test_profile_takes_n_jobs_like_every_other_command(capsys):
    """`tsforge profile synthetic --n-jobs 2` was refused (it only knew --jobs)."""
    for flag in ("--n-jobs", "--jobs"):
        code, out, err = _cli(
            capsys, "profile", "synthetic", "--max-windows", "20", flag, "2", "--no-progress"
        )
        assert code == 0, err[-2000:]
        assert "20 windows" in out


def test_evaluate_names_the_file_and_every_channel_without_a_training_value(tracking_uri, tmp_path, capsys):
    """``evaluate`` on a wide file whose late stations have no value in the training rows named
    the first channel only, and no file; ``train`` already named them all and the file."""
    rng = np.random.default_rng(0)
    frame = pd.DataFrame(rng.normal(size=(200, 4)), columns=["A", "LATE1", "B", "LATE2"])
    frame.loc[:150, ["LATE1", "LATE2"]] = np.nan
    frame.insert(0, "date", pd.date_range("2020-01-01", periods=200, freq="D").strftime("%Y-%m-%d"))
    path = _csv(tmp_path, "stations.csv", frame)
    code, _, err = _cli(
        capsys, "train", path, "--model", "naive", "--split", "7:1:2", "--input", "14", "--horizon", "7",
        "--value-cols", "A,B", "--register-as", "cli-wide",
    )  # fmt: skip
    assert code == 0, err[-3000:]
    code, out, err = _cli(capsys, "evaluate", path, "--model", "cli-wide", "--split", "7:1:2")
    assert code == 2, out + err
    message = " ".join(err.split())
    assert "['LATE1', 'LATE2']" in message and "--value-cols A,B" in message
    assert "stations.csv" in message
