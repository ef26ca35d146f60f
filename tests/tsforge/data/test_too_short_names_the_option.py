"""A split with no window is refused naming the option that fixes it, and by how much.

Why: on 3,000 hourly rows split 7:1:2, ``--input 4000`` was refused "(--horizon)", and a horizon
of 400 with no ``--input`` named "input 1600", a default the user never gave, where only the
300-row validation split was short of the horizon.
"""

from __future__ import annotations

import pytest

from tsforge.data.synthetic import synthetic_stations
from tsforge.data.task import prepare_task
from tsforge.errors import DataValidationError
from tsforge.pipeline.multichannel import train


@pytest.fixture(scope="module")
def sensors():
    return synthetic_stations(n_channels=2, n_steps=3000, freq="h", seed=0)


def test_an_input_longer_than_the_training_split_blames_the_input_with_the_longest_that_fits(sensors):
    with pytest.raises(DataValidationError) as exc:
        prepare_task(sensors, 4000, 24, "7:1:2")
    assert exc.value.where["field"] == "input_len"
    assert "the train split has 2100 rows" in str(exc.value)
    assert "the longest input that fits is 2076" in str(exc.value)
    prepare_task(sensors, 2076, 24, "7:1:2")  # the advice holds


def test_a_horizon_longer_than_the_validation_split_is_said_without_the_input(sensors):
    with pytest.raises(DataValidationError) as exc:
        prepare_task(sensors, 1600, 400, "7:1:2")
    message = str(exc.value)
    assert exc.value.where["field"] == "horizon"
    assert message.startswith("series too short for horizon 400: the val split has 300 rows")
    assert "input 1600" not in message and "the largest horizon that fits is 300" in message
    prepare_task(sensors, 1600, 300, "7:1:2")


def test_a_horizon_that_fills_the_training_split_blames_the_horizon(sensors):
    with pytest.raises(DataValidationError) as exc:
        prepare_task(sensors, 10, 2200, "7:1:2")
    assert exc.value.where["field"] == "horizon"
    assert "the largest horizon that fits is 300" in str(exc.value)


def test_a_default_input_too_long_for_the_training_split_is_called_the_default(sensors):
    """Split 1:4:5 leaves 300 training rows: horizon 200's default input (800) does not fit."""
    with pytest.raises(DataValidationError) as exc:
        train(sensors, "dlinear", horizon=200, split="1:4:5", track=False)
    message = str(exc.value)
    assert exc.value.where["field"] == "input_len"
    assert "input 800, the default for horizon 200, + horizon 200" in message, message
    assert "the longest input that fits is 100" in message


def test_the_command_line_names_the_flag_that_fixes_it(tmp_path, capsys, sensors):
    """``train --input 4000`` on 3,000 rows ended "(--horizon)"; the flag to change is --input."""
    import pandas as pd

    from tests.conftest import run_cli

    path = tmp_path / "sensors.csv"
    frame = pd.DataFrame(sensors.values, columns=[str(c) for c in sensors.channel_ids])
    frame.insert(0, "time", pd.date_range("2024-01-01", periods=sensors.n_steps, freq="h"))
    frame.to_csv(path, index=False)
    base = ("train", str(path), "--split", "7:1:2", "--model", "dlinear", "--epochs", "1", "--no-track")
    code, _, err = run_cli(capsys, *base, "--horizon", "24", "--input", "4000")
    assert code == 2 and "the longest input that fits is 2076 (--input)" in err, err
    code, _, err = run_cli(capsys, *base, "--horizon", "400")
    assert code == 2 and "series too short for horizon 400" in err and "input 1600" not in err, err
    assert "the largest horizon that fits is 300 (--horizon)" in err, err


def _fits(n_steps: int, input_len: int, horizon: int, split: str) -> bool:
    from tsforge.data.splits import split_borders

    borders = split_borders(n_steps, split)  # a ratio split: the same borders prepare_task uses
    return all(len(borders.window_starts(s, input_len, horizon)) >= 1 for s in ("train", "val", "test"))


@pytest.mark.parametrize("n_steps", [40, 100, 3000])
@pytest.mark.parametrize("split", ["7:1:2", "6:2:2"])
def test_the_number_said_to_fit_fits_and_one_more_does_not(n_steps, split):
    """Every refusal's advice, over a grid of inputs and horizons: the longest input or largest
    horizon it says fits (with this input, else with a shorter one), and one more does not. It
    once said "the longest input that fits is 1700" beside a horizon the validation split could
    not hold, so that input failed next (review, s71)."""
    import re

    data = synthetic_stations(n_channels=1, n_steps=n_steps, freq="h", seed=0)
    for input_len in (1, 8, n_steps // 3, n_steps, 2 * n_steps):
        for horizon in (1, 5, n_steps // 8, n_steps // 4, n_steps // 2, n_steps):
            if _fits(n_steps, input_len, horizon, split):
                continue
            with pytest.raises(DataValidationError) as exc:
                prepare_task(data, input_len, horizon, split)
            message = str(exc.value)
            if m := re.search(r"the longest input that fits is (\d+)", message):
                n = int(m[1])
                assert _fits(n_steps, n, horizon, split) and not _fits(n_steps, n + 1, horizon, split), (
                    message
                )
            elif m := re.search(r"the largest horizon that fits is (\d+)(, with a shorter input)?", message):
                n, shorter = int(m[1]), bool(m[2])
                if shorter:  # some input fits beside it, not this one
                    assert any(_fits(n_steps, k, n, split) for k in range(1, n_steps)), message
                    assert not _fits(n_steps, input_len, n, split), message
                else:
                    assert _fits(n_steps, input_len, n, split), message
                    assert not _fits(n_steps, input_len, n + 1, split), message
            else:
                assert "no horizon fits" in message, message
