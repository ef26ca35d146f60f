"""The CLI's one-line errors name the flag the user typed, and ``forecast`` says it is loading.

``tsforge forecast --level nan`` ended ``got nan at position 0 (field='level')`` and
``recommend --adapt`` ended ``(field='adapt')``: the Python argument's name and a list index,
where the README promises the CLI names the option (``--level``). And ``tsforge forecast
--model NAME`` printed nothing for the seconds MLflow and the model took to load.
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from tests.conftest import run_cli
from tsforge.errors import ConfigError, DataValidationError
from tsforge.panels.predictor import PanelPredictor


@pytest.fixture
def history(tmp_path) -> str:
    rows = []
    for sid in ("a", "b"):
        ds = pd.date_range("2020-01-01", periods=30, freq="MS")
        rows.append(pd.DataFrame({"unique_id": sid, "ds": ds, "y": 10 + np.sin(np.arange(30))}))
    path = tmp_path / "h.csv"
    pd.concat(rows).to_csv(path, index=False)
    return str(path)


@pytest.fixture
def naive_model(tmp_path) -> str:
    """A saved folder ``--model`` reads (a local model: nothing to train)."""
    return str(PanelPredictor("naive", 3, freq="MS", season_length=12).save(tmp_path / "naive"))


def test_a_field_that_is_an_option_is_said_as_the_option():
    from tsforge.cli.app import flag_worded

    args = ["forecast", "h.csv", "--model", "m", "--level", "80", "--level", "nan"]
    exc = ConfigError("level must be finite numbers, got nan at position 1", field="level")
    assert flag_worded(exc, args) == "--level must be finite numbers, got nan (the 2nd --level value)"
    said = flag_worded(ConfigError("cannot listen on 127.0.0.1:80", field="port"), ["serve"])
    assert said == "cannot listen on 127.0.0.1:80 (--port)"


def test_other_places_stay_and_a_field_with_no_option_is_left_as_it_was():
    from tsforge.cli.app import flag_worded, option_for_field

    exc = DataValidationError("horizon too long", field="horizon", h=100)
    assert flag_worded(exc, ["cv", "x.csv", "-H", "100"]) == "--horizon too long (h=100)"
    exc = DataValidationError("bad timestamps", field="series[0].timestamps")
    assert flag_worded(exc, ["forecast"]) == str(exc)
    assert option_for_field("n_windows", ["cv"]) == "--n-windows"
    assert option_for_field("level[0]", ["forecast"]) == "--level"
    assert option_for_field("level", ["recommender", "build"]) is None  # no such option there
    assert option_for_field("level", []) is None


def test_recommend_adapt_without_train_names_no_python_field(history, capsys):
    code, out, err = run_cli(capsys, "recommend", history, "--horizon", "3", "--adapt")
    assert code == 2 and out == "", out
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: --adapt "), err
    assert "field=" not in err, err


@pytest.mark.parametrize(
    ("level", "said"),
    [
        (
            ["--level", "80", "--level", "nan"],
            "error: --level must be finite numbers, got nan (the 2nd --level value)",
        ),
        (
            ["--level", "80", "--level", "150"],
            "error: --level must be between 0 and 100 (exclusive), got 150 (the 2nd --level value)",
        ),
    ],
)
def test_forecast_refuses_a_bad_level_naming_the_flag_before_loading(
    history, naive_model, capsys, level, said
):
    code, out, err = run_cli(capsys, "forecast", history, "--model", naive_model, *level)
    assert code == 2 and out == "", out
    assert err.strip() == said, err  # one line, and before the model is loaded


def test_forecast_says_it_is_loading_the_model_on_stderr(history, naive_model, capsys):
    code, out, err = run_cli(capsys, "forecast", history, "--model", naive_model)
    assert code == 0, err
    assert err.splitlines()[0] == f"loading model {naive_model} …", err
    assert "loading" not in out  # stdout holds the forecast only


def test_evaluate_json_says_nothing_of_loading(history, naive_model, capsys):
    code, out, err = run_cli(capsys, "evaluate", history, "--model", naive_model, "--json")
    assert code == 0, err
    assert "loading model" not in err + out, err
    json.loads(out)
    code, _, err = run_cli(capsys, "evaluate", history, "--model", naive_model)
    assert code == 0 and f"loading model {naive_model} …" in err, err


def test_a_dataset_given_as_the_argument_is_not_said_as_dataset_flag():
    """``train nosuchset`` gave DATA as the argument: its refusal (``field='dataset'``) must not
    end "(--dataset)", an option with no default the user did not type."""
    from tsforge.cli.app import option_for_field

    assert option_for_field("dataset", ["train", "nosuchset", "-m", "naive"]) is None
    assert option_for_field("dataset", ["train", "--dataset", "m1_monthly", "-m", "naive"]) == "--dataset"
