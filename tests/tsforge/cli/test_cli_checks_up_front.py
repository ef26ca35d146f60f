"""What the CLI checks before it does any work: option types, registry names and output paths
are refused in one line (exit 2) before a run starts or a forecast is computed; and what
`evaluate` and `cv` say about the protocol they scored under."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from tests.conftest import make_series
from tests.conftest import run_cli as _cli


def _runs(uri: str) -> list:
    import mlflow

    mlflow.set_tracking_uri(uri)
    return list(mlflow.search_runs(search_all_experiments=True, output_format="list"))


def _panel_csv(tmp_path, name: str = "panel.csv", n: int = 40, n_series: int = 3) -> str:
    rng = np.random.default_rng(0)
    frames = [
        pd.DataFrame(
            {
                "unique_id": f"s{i}",
                "ds": pd.date_range("2015-01-01", periods=n, freq="MS"),
                "y": 100 + 10 * np.sin(np.arange(n) * 2 * np.pi / 12) + rng.normal(size=n),
            }
        )
        for i in range(n_series)
    ]
    path = tmp_path / name
    pd.concat(frames).to_csv(path, index=False)
    return str(path)


@pytest.mark.parametrize(
    ("option", "expect"),
    [
        ("lr=abc", "training option 'lr' must be float, got 'abc'"),
        ("max_epochs=1.5", "training option 'max_epochs' must be int, got 1.5"),
        ("patience=x", "training option 'patience' must be int, got 'x'"),
    ],
)
def test_a_mistyped_training_option_is_refused_before_any_run(option, expect, tracking_uri, tmp_path, capsys):
    """`--train-option lr=abc` reached the loop as a string: a TypeError traceback, after an
    MLflow run had started (left FAILED); `patience=x` only after the first epoch."""
    series = make_series(400, 2)
    wide = pd.DataFrame(series.values, columns=list(series.channel_ids)).assign(ds=series.timestamps)
    path = tmp_path / "wide.csv"
    wide.to_csv(path, index=False)
    code, out, err = _cli(
        capsys, "train", str(path), "--split", "7:1:2", "--model", "dlinear", "-H", "12", "-L", "24",
        "--train-option", option,
    )  # fmt: skip
    assert code == 2, out + err
    assert err.strip().splitlines() == [err.strip()] and expect in err, err
    assert _runs(tracking_uri) == []


@pytest.mark.parametrize("name", ["a/b", "x@y", "m:1", " padded"])
def test_a_name_the_registry_cannot_read_back_is_refused_before_training(
    name, tracking_uri, tmp_path, capsys
):
    """`--register-as a/b` failed with MLflow's traceback after training; `x@y` registered a
    model that no reference could load (it reads as alias `y` of `x`)."""
    path = _panel_csv(tmp_path)
    code, out, err = _cli(capsys, "train", path, "--model", "naive", "-H", "6", "--register-as", name)
    assert code == 2, out + err
    assert "cannot register a model as" in err and repr(name) in err, err
    assert _runs(tracking_uri) == []


def test_a_default_registry_name_from_an_odd_file_name_loads_back(tracking_uri, tmp_path, capsys):
    """The default name is `<file stem>-<model>`; a stem with `@` or `(` made a name that
    `tsforge forecast --model` could not parse."""
    path = _panel_csv(tmp_path, name="sales (2024)@eu.csv")
    code, out, err = _cli(capsys, "train", path, "--model", "naive", "-H", "6", "--no-intervals")
    assert code == 0, out + err
    assert "sales__2024__eu-naive" in out, out
    code, out, err = _cli(capsys, "forecast", path, "--model", "sales__2024__eu-naive", "-H", "3")
    assert code == 0, out + err
    assert "y_hat" in out


def test_forecast_refuses_an_output_path_it_cannot_write_before_forecasting(tracking_uri, tmp_path, capsys):
    path = _panel_csv(tmp_path)
    assert _cli(capsys, "train", path, "--model", "naive", "-H", "6", "--register-as", "p-naive")[0] == 0
    for target, expect in (
        (tmp_path / "nodir" / "f.csv", "folder"),
        (tmp_path, "is a folder"),
    ):
        code, out, err = _cli(capsys, "forecast", path, "--model", "p-naive", "--output", str(target))
        assert code == 2, out + err
        assert err.startswith("error: --output") and expect in err, err
        assert "y_hat" not in out  # refused before the forecast was computed and printed
    code, out, err = _cli(
        capsys, "forecast", path, "--model", "p-naive", "--plot", str(tmp_path / "no" / "f.png")
    )
    assert code == 2 and err.startswith("error: --plot") and "does not exist" in err, err


def test_cv_refuses_an_unwritable_output_before_cross_validating(tmp_path, capsys, monkeypatch):
    import tsforge.panels.cv as cv

    def _never(*args, **kwargs):
        raise AssertionError("cross-validated before checking --output")

    monkeypatch.setattr(cv, "cross_validation", _never)
    path = _panel_csv(tmp_path)
    code, out, err = _cli(
        capsys, "cv", path, "--model", "naive", "-H", "6", "-o", str(tmp_path / "x" / "cv.csv")
    )
    assert code == 2 and "folder" in err and "does not exist" in err, out + err


def test_cv_says_when_series_fit_fewer_windows_than_asked(tmp_path, capsys):
    """The title says "3 rolling-origin windows"; series that fit one were scored on one, silently."""
    path = _panel_csv(tmp_path, n=40)
    code, out, err = _cli(capsys, "cv", path, "--model", "naive", "-H", "15", "--n-windows", "3")
    assert code == 0, out + err
    text = " ".join((out + err).split())
    assert "3 of 3 series fit fewer than the 3 windows" in text, text
    code, out, err = _cli(capsys, "cv", path, "--model", "naive", "-H", "6", "--n-windows", "3")
    assert code == 0 and "fit fewer" not in " ".join((out + err).split())


def _wide_csv(tmp_path, name: str, freq: str) -> str:
    series = make_series(600, 2, freq=freq)
    wide = pd.DataFrame(series.values, columns=list(series.channel_ids)).assign(ds=series.timestamps)
    path = tmp_path / name
    wide.to_csv(path, index=False)
    return str(path)


def test_evaluate_scores_a_window_model_under_its_own_split_and_sampling(tracking_uri, tmp_path, capsys):
    """`evaluate` fell back to 7:1:2 for a model trained on 6:2:2 (another test window than the
    one training reported), and scored daily data with an hourly model."""
    import json

    hourly = _wide_csv(tmp_path, "hourly.csv", "h")
    code, out, err = _cli(
        capsys, "train", hourly, "--split", "6:2:2", "--model", "nlinear", "-H", "12", "-L", "24",
        "--epochs", "1", "--register-as", "w622",
    )  # fmt: skip
    assert code == 0, out + err
    import mlflow

    (run,) = _runs(tracking_uri)
    trained = run.data.metrics["test_mse"]
    code, out, err = _cli(capsys, "evaluate", hourly, "--model", "w622", "--json")
    assert code == 0, out + err
    assert json.loads(out)["test_mse"] == pytest.approx(trained, rel=1e-9)
    code, out, _ = _cli(capsys, "evaluate", hourly, "--model", "w622", "--split", "7:1:2", "--json")
    assert json.loads(out)["test_mse"] != pytest.approx(trained, rel=1e-6)  # the split matters here
    daily = _wide_csv(tmp_path, "daily.csv", "D")
    code, out, err = _cli(capsys, "evaluate", daily, "--model", "w622")
    assert code == 2 and "sampled daily (D)" in err and "forecasts hourly (h) series" in err, out + err
    assert mlflow.active_run() is None


def test_forecast_on_a_long_file_with_other_column_names_says_which_to_pass(tracking_uri, tmp_path, capsys):
    """`train` advised `--id-col store --time-col day --target-col units`; `forecast` on the same
    file said only "duplicate timestamp ... in column 'day'" (the dates its series share)."""
    frame = pd.read_csv(_panel_csv(tmp_path)).rename(
        columns={"unique_id": "store", "ds": "day", "y": "units"}
    )
    path = tmp_path / "sales.csv"
    frame.to_csv(path, index=False)
    names = ("--id-col", "store", "--time-col", "day", "--target-col", "units")
    code, out, err = _cli(
        capsys, "train", str(path), "--model", "naive", "-H", "6", *names, "--register-as", "s"
    )
    assert code == 0, out + err
    code, out, err = _cli(capsys, "forecast", str(path), "--model", "s", *names)
    assert code == 0 and out.split()[:2] == ["store", "day"], out + err
    # without the flags the file is read as long by its column types (a text id, dates, one
    # number), told in a note, and the forecast is named as with them
    code, out_guessed, err = _cli(capsys, "forecast", str(path), "--model", "s")
    assert code == 0 and out_guessed == out, out_guessed + err
    assert "note: read " in err and "id 'store', time 'day', target 'units'" in " ".join(err.split()), err
    frame["price"] = 1.0  # two numbers beside the id: not guessed, the flags are still advised
    frame.to_csv(path, index=False)
    code, out, err = _cli(capsys, "forecast", str(path), "--model", "s")
    assert code == 2, out + err
    assert "--id-col store --time-col day" in err and "duplicate" not in err, err


def test_profile_refuses_an_out_folder_that_is_a_file_before_profiling(tmp_path, capsys, monkeypatch):
    """`profile --out` naming an existing file failed with FileExistsError after the profile;
    missing parents are still created."""
    import importlib

    profiling = importlib.import_module("recommender.properties.profile")  # the module, not the function
    path = _panel_csv(tmp_path)
    calls = []
    original = profiling.profile_panel
    monkeypatch.setattr(profiling, "profile_panel", lambda *a, **k: calls.append(1) or original(*a, **k))
    code, out, err = _cli(capsys, "profile", path, "--out", path)
    assert code == 2 and "is a file; give a folder" in err and calls == [], out + err
    code, out, err = _cli(capsys, "profile", path, "--out", str(tmp_path / "new" / "deeper"))
    assert code == 0 and (tmp_path / "new" / "deeper" / "profile_panel.csv").is_file(), out + err


@pytest.mark.parametrize(
    ("model", "option", "expect"),
    [
        ("dlinear", "kernel_size=-3", "kernel_size must be at least 1"),
        ("dlinear", "foo=1", "unknown option(s) ['foo'] for model 'dlinear'"),
        ("patchtst", "patch_len=64", "patch_len 64 is longer than the input (24 steps)"),
        ("lightgbm", "num_leaves=1", "num_leaves must be at least 2"),
    ],
)
def test_a_bad_model_option_is_refused_before_any_run(model, option, expect, tracking_uri, tmp_path, capsys):
    """`--option kernel_size=-3` was checked only when the model was built inside the run: the
    one-line error came, but a FAILED run stayed in the store; LightGBM's `num_leaves=1` failed
    in the booster with a C++ check message and a traceback."""
    series = make_series(400, 2)
    wide = pd.DataFrame(series.values, columns=list(series.channel_ids)).assign(ds=series.timestamps)
    path = tmp_path / "wide.csv"
    wide.to_csv(path, index=False)
    code, out, err = _cli(
        capsys, "train", str(path), "--split", "7:1:2", "--model", model, "-H", "12", "-L", "24",
        "--option", option,
    )  # fmt: skip
    assert code == 2, out + err
    assert err.strip().splitlines() == [err.strip()] and expect in err, err
    assert _runs(tracking_uri) == []


@pytest.mark.parametrize(
    ("model", "option", "expect"),
    [
        ("dlinear", "kernel_size=-3", "kernel_size must be at least 1"),
        ("lightgbm", "learning_rate=-0.1", "learning_rate must be above 0"),
    ],
)
def test_a_bad_option_of_a_global_panel_model_is_refused_before_any_run(
    model, option, expect, tracking_uri, tmp_path, capsys
):
    """The same on a panel: the global model was built inside the run and left it FAILED."""
    path = _panel_csv(tmp_path)
    code, out, err = _cli(capsys, "train", path, "--model", model, "-H", "6", "--option", option)
    assert code == 2, out + err
    assert err.strip().splitlines() == [err.strip()] and expect in err, err
    assert _runs(tracking_uri) == []
