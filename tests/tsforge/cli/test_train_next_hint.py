"""``tsforge train`` on a file ends with the forecast command for the model it registered, with
the flags that read the file.

Why: ``recommend --train`` printed ``next: tsforge forecast --model … --input …``, while ``train``
on the same file stopped at the registry line; a user who had read the file with ``--id-col
store`` had to find out that ``forecast`` needs ``--input`` and those flags again.
"""

from __future__ import annotations

import shlex

import numpy as np
import pandas as pd

from tsforge.cli.app import main


def _stores(path) -> str:
    frames = []
    for k, store in enumerate(["north", "south"]):
        months = pd.date_range("2018-01-01", periods=40, freq="MS")
        sales = 100.0 + 10 * np.sin(2 * np.pi * np.arange(40) / 12) + k
        frames.append(pd.DataFrame({"store": store, "date": months.strftime("%Y-%m-%d"), "sales": sales}))
    pd.concat(frames).to_csv(path, index=False)
    return str(path)


def _run(capsys, *args: str) -> tuple[int, str, str]:
    try:
        main(list(args))
        code = 0
    except SystemExit as exc:
        code = int(exc.code or 0)
    out, err = capsys.readouterr()
    return code, out, err


def _next_line(out: str) -> str:
    lines = [line for line in out.splitlines() if line.startswith("next: ")]
    assert len(lines) == 1, out
    return lines[0].removeprefix("next: ")


def test_train_prints_a_forecast_command_that_runs(tracking_uri, tmp_path, capsys):
    data = _stores(tmp_path / "sales.csv")
    flags = ["--id-col", "store", "--time-col", "date", "--target-col", "sales"]
    code, out, err = _run(
        capsys, "train", data, "--model", "seasonal_naive", "--horizon", "6", *flags, "--register-as", "st"
    )
    assert code == 0, err[-2000:]
    command = shlex.split(_next_line(out))
    assert command[:4] == ["tsforge", "forecast", "--model", "st"]
    assert "--input" in command and command[command.index("--input") + 1] == data
    for flag in flags:
        assert flag in command
    written = tmp_path / "fc.csv"
    code, _, err = _run(capsys, *command[1:], "-o", str(written))
    assert code == 0, err[-2000:]
    forecast = pd.read_csv(written)
    assert list(forecast.columns[:2]) == ["store", "date"] and len(forecast) == 12
    assert "y_hat-lo-80" in forecast.columns


def test_no_hint_without_a_registered_model(tmp_path, capsys):
    data = _stores(tmp_path / "sales.csv")
    columns = ("--id-col", "store", "--time-col", "date", "--target-col", "sales")
    code, out, _ = _run(capsys, "train", data, "--model", "naive", "--horizon", "6", *columns, "--no-track")
    assert code == 0 and "next:" not in out


def test_a_registered_name_with_a_blank_is_quoted_as_the_file_is(tracking_uri, tmp_path, capsys):
    """``--register-as "good name.v1"`` printed ``--model good name.v1`` and
    ``models:/good name.v1@champion`` bare: pasted, the shell split the name in two."""
    data = _stores(tmp_path / "my sales.csv")
    columns = ["--id-col", "store", "--time-col", "date", "--target-col", "sales"]
    code, out, err = _run(
        capsys, "train", data, "--model", "naive", "--horizon", "6", *columns, "--register-as", "good name.v1"
    )
    assert code == 0, err[-2000:]
    command = shlex.split(_next_line(out))
    assert command[:4] == ["tsforge", "forecast", "--model", "good name.v1"]
    assert command[command.index("--input") + 1] == data
    registered = next(line for line in out.splitlines() if line.startswith("Registered "))
    assert shlex.split(registered.split("→")[-1]) == ["models:/good name.v1@champion"]
    written = tmp_path / "fc.csv"
    code, _, err = _run(capsys, *command[1:], "-o", str(written))
    assert code == 0, err[-2000:]
    assert len(pd.read_csv(written)) == 12
