"""What a first-time user types from the README's other commands: ``-o`` means a file in
``cv`` and ``forecast``, so ``profile -o x.csv`` and ``train -o x.csv`` must say what ``-o`` is
there; ``--output`` works on ``profile`` too; and ``cv``'s "MASE left out" column is explained.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from tests.conftest import run_cli


def _panel_csv(tmp_path: Path, lengths: tuple[int, ...] = (60, 60, 5)) -> str:
    """Daily series; the last one is 5 values long (one value before its first cutoff at H 2 ×
    2 windows)."""
    rng = np.random.default_rng(0)
    frames = [
        pd.DataFrame(
            {
                "unique_id": f"s{i}",
                "ds": pd.date_range("2024-01-01", periods=n, freq="D"),
                "y": 20 + rng.normal(0, 2, n).round(1),
            }
        )
        for i, n in enumerate(lengths)
    ]
    path = tmp_path / "sales.csv"
    pd.concat(frames).to_csv(path, index=False)
    return str(path)


def _one_line(text: str) -> str:
    return " ".join(text.split())


def test_profile_out_with_a_file_name_is_refused_before_profiling(tmp_path, capsys):
    """`-o p.csv` made a folder `p.csv/` holding profile_sales.csv and .json."""
    path = _panel_csv(tmp_path)
    target = tmp_path / "p.csv"
    code, out, err = run_cli(capsys, "profile", path, "-o", str(target), "--no-progress")
    assert code == 2, out + err
    text = _one_line(err)
    assert text.startswith("error: --out") and "p.csv" in text and "give a folder" in text, text
    assert not target.exists()


def test_profile_takes_output_like_cv_and_forecast(tmp_path, capsys):
    path = _panel_csv(tmp_path)
    folder = tmp_path / "profile"
    code, out, err = run_cli(capsys, "profile", path, "--output", str(folder), "--no-progress")
    assert code == 0, out + err
    assert (folder / "profile_sales.csv").is_file()


def test_train_dash_o_with_a_file_name_says_it_is_option(tmp_path, capsys):
    """It said "model option 'out.csv' must look like key=value (field='model')"."""
    path = _panel_csv(tmp_path)
    code, out, err = run_cli(
        capsys, "train", path, "--model", "naive", "-H", "2", "-o", "out.csv", "--no-track"
    )
    assert code == 2, out + err
    text = _one_line(err)
    assert text.startswith("error: --option 'out.csv' must look like key=value"), text
    assert "-o is short for --option" in text and "field=" not in text, text


def test_a_malformed_train_option_names_its_flag(tmp_path, capsys):
    path = _panel_csv(tmp_path)
    code, out, err = run_cli(
        capsys, "train", path, "--model", "dlinear", "-H", "2", "--train-option", "lr", "--no-track"
    )
    assert code == 2, out + err
    text = _one_line(err)
    assert text.startswith("error: --train-option 'lr' must look like key=value"), text
    assert "-o is short" not in text  # not a file name: no word on -o


def test_cv_explains_its_mase_left_out_column(tmp_path, capsys):
    """The 5-value series has one value before its first cutoff: no scale, MASE left out."""
    path = _panel_csv(tmp_path)
    args = ("cv", path, "--model", "naive", "-H", "2", "--n-windows", "2", "--no-track")
    code, out, err = run_cli(capsys, *args)
    assert code == 0, out + err
    text = _one_line(out + err)
    assert "MASE left out" in text  # the column
    assert "note: MASE left out: cases (a series at one cutoff) with no in-sample error" in text, text


def test_cv_says_nothing_of_left_out_cases_when_there_are_none(tmp_path, capsys):
    path = _panel_csv(tmp_path, lengths=(60, 60, 30))
    args = ("cv", path, "--model", "naive", "-H", "2", "--n-windows", "2", "--no-track")
    code, out, err = run_cli(capsys, *args)
    assert code == 0, out + err
    assert "left out" not in _one_line(out + err)


def test_cv_says_why_some_forecasts_have_no_interval(tmp_path, capsys):
    """`--n-windows 2 --level 80`: the first window's forecasts have no interval, silently."""
    path = _panel_csv(tmp_path, lengths=(60, 60, 30))
    args = ("cv", path, "--model", "naive", "-H", "2", "--n-windows", "2", "--level", "80", "--no-track")
    code, out, err = run_cli(capsys, *args)
    assert code == 0, out + err
    text = _one_line(out + err)
    assert "no interval: forecasts with no earlier window to calibrate on" in text, text


def test_train_input_given_a_file_says_input_is_the_window_length(tmp_path, capsys):
    """`forecast --input history.csv` names a file; `train --input my.csv` said only "Input
    should be a valid integer"."""
    path = _panel_csv(tmp_path)
    code, out, err = run_cli(capsys, "train", "--input", path, "--model", "naive", "-H", "2", "--no-track")
    assert code == 2, out + err
    text = _one_line(err)
    assert "--input/-L is the input window length" in text, text
    assert f"tsforge train {path} ..." in text, text


def test_a_number_for_train_input_gets_no_file_hint(tmp_path, capsys):
    path = _panel_csv(tmp_path)
    code, out, err = run_cli(capsys, "train", path, "--input", "2.5", "--model", "naive", "--no-track")
    assert code == 2, out + err
    assert "input window length" not in err, err


def test_level_takes_a_comma_separated_list_as_quantiles_does(tracking_uri, tmp_path, capsys):
    """`--quantiles 0.1,0.5,0.9` is a list; `--level 80,95` was "Input should be a valid number"."""
    path = _panel_csv(tmp_path, lengths=(60, 60, 60))
    code, out, err = run_cli(capsys, "train", path, "--model", "naive", "-H", "2", "--register-as", "p-naive")
    assert code == 0, out + err
    written = {}
    for name, levels in (("comma", ["--level", "80,95"]), ("repeated", ["--level", "80", "--level", "95"])):
        target = tmp_path / f"{name}.csv"
        code, out, err = run_cli(capsys, "forecast", path, "--model", "p-naive", *levels, "-o", str(target))
        assert code == 0, out + err
        written[name] = pd.read_csv(target)
    assert [c for c in written["comma"].columns if "-lo-" in c or "-hi-" in c] == [
        "y_hat-lo-80",
        "y_hat-hi-80",
        "y_hat-lo-95",
        "y_hat-hi-95",
    ]
    pd.testing.assert_frame_equal(written["comma"], written["repeated"])
    code, out, err = run_cli(capsys, "forecast", path, "--model", "p-naive", "--level", "80,x")
    assert code == 2 and "--level takes numbers, got 'x'" in err, err


def test_cv_level_takes_a_comma_separated_list(tmp_path, capsys):
    path = _panel_csv(tmp_path, lengths=(60, 60, 60))
    target = tmp_path / "cv.csv"
    args = ("cv", path, "--model", "naive", "-H", "2", "--n-windows", "3", "--no-track", "-o", str(target))
    code, out, err = run_cli(capsys, *args, "--level", "80,95")
    assert code == 0, out + err
    assert {"naive-lo-80", "naive-hi-95"} <= set(pd.read_csv(target).columns)


def test_train_says_a_global_model_was_calibrated_on_the_validation_window(tmp_path, capsys):
    """It said "calibrated on 1 rolling-origin window(s) before it"."""
    path = _panel_csv(tmp_path, lengths=(30,) * 40)
    args = ("train", path, "--model", "dlinear", "-H", "2", "--epochs", "1", "--no-track")
    code, out, err = run_cli(capsys, *args)
    assert code == 0, out + err
    text = _one_line(out)
    assert (
        "conformal, calibrated on the validation window (the values just before the test window)" in text
    ), text


def test_train_counts_the_rolling_origin_windows_of_a_local_model(tmp_path, capsys):
    path = _panel_csv(tmp_path, lengths=(30, 30, 30))
    code, out, err = run_cli(capsys, "train", path, "--model", "naive", "-H", "2", "--no-track")
    assert code == 0, out + err
    assert "rolling-origin windows before the test window" in _one_line(out), out


def test_evaluate_prints_the_count_of_unobserved_series_as_a_count() -> None:
    """`tsforge evaluate my.csv --model M` printed `n_unobserved 0.0000` under `n_series 40`."""
    from tsforge.cli.app import console
    from tsforge.cli.tables import metric_list_table

    table = metric_list_table({"test_n_series": 40.0, "test_n_unobserved": 3.0}, "scores")
    with console.capture() as captured:
        console.print(table)
    rows = [line.split() for line in captured.get().splitlines()]
    assert ["series", "40"] in rows and ["series", "with", "no", "test", "value", "3"] in rows


def _gappy_csv(tmp_path: Path) -> str:
    """A weekly series with a missing week: refused without --fill-gaps, when it is read."""
    ds = pd.date_range("2024-01-07", periods=30, freq="W-SUN").delete(10)
    path = tmp_path / "gappy.csv"
    pd.DataFrame({"unique_id": "a", "ds": ds, "y": np.arange(29.0)}).to_csv(path, index=False)
    return str(path)


@pytest.mark.parametrize(
    ("args", "flag"),
    [
        (("cv", "--model", "naive", "-H", "0", "--no-track"), "--horizon"),
        (("cv", "--model", "naive", "--n-windows", "0", "--no-track"), "--n-windows"),
        (("cv", "--model", "naive", "--step-size", "0", "--no-track"), "--step-size"),
        (("train", "--model", "naive", "-H", "-2", "--no-track"), "--horizon"),
        (("train", "--model", "dlinear", "--epochs", "0", "--no-track"), "--epochs"),
    ],
)
def test_a_count_below_one_is_refused_before_the_data_is_read(tmp_path, capsys, args, flag):
    """`cv gappy.csv -H 0` answered with the file's gap, never the flag."""
    code, out, err = run_cli(capsys, args[0], _gappy_csv(tmp_path), *args[1:])
    assert code == 2, out + err
    assert err.startswith(f"error: {flag} must be at least 1"), err
