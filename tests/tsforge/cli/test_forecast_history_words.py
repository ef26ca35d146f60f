"""``tsforge forecast`` speaks of the history file the user wrote: its lines, rows and empty cells.

Found by using the CLI as a user would:

* a one-value series in a long file was refused naming the series alone, where every other
  refusal of a file's rows names its line;
* the notes on skipped steps, trailing missing values, a fractional ``--level`` and a calendar
  model given undated histories spoke the REST service's words ("a missing value as NaN (null in
  JSON)", "leave the trailing nulls out", "ask for level 50", "send ISO-8601 timestamps") to a
  user who had sent nothing;
* a wide history's 0/1 column (a promo flag) was forecast as one more series without the note
  ``tsforge train`` gives for the same file.

The service's own words are kept: :mod:`tests.tsforge.inference.test_notes_by_door`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from tests.conftest import monthly_frame, run_cli
from tsforge.panels.predictor import PanelPredictor


@pytest.fixture
def naive_model(tmp_path) -> str:
    """Naive on monthly data, saved as a folder ``tsforge forecast --model`` reads (no training:
    a local model fits each history when it forecasts)."""
    return str(PanelPredictor("naive", 3, freq="MS", season_length=12).save(tmp_path / "naive"))


def _forecast(capsys, history, model: str, *extra: str) -> tuple[int, str, str]:
    """Run ``tsforge forecast``; the exit code, stdout and stderr with its lines joined."""
    code, out, err = run_cli(capsys, "forecast", str(history), "--model", model, *extra)
    return code, out, " ".join(err.split())


def _with_lone_series(at: int) -> pd.DataFrame:
    """Three monthly series with a series ``lone`` of one row placed at data row ``at``."""
    frame = monthly_frame(3, 24)
    lone = pd.DataFrame({"unique_id": ["lone"], "ds": [pd.Timestamp("2001-01-01")], "y": [4.0]})
    return pd.concat([frame.iloc[:at], lone, frame.iloc[at:]], ignore_index=True)


def test_a_one_value_series_is_refused_naming_its_line(tmp_path, capsys, naive_model, monkeypatch):
    monkeypatch.chdir(tmp_path)  # the file as typed in its folder: the sentence's name is its path
    path = tmp_path / "history.csv"
    _with_lone_series(at=30).to_csv(path, index=False)  # data row 30: line 32 (the header is line 1)
    assert path.read_text().splitlines()[31].startswith("lone,")
    code, out, err = run_cli(capsys, "forecast", "history.csv", "--model", naive_model)
    assert code != 0 and not out, out
    # the one-line error, after the line that says the model is loading
    lines = [line for line in err.strip().splitlines() if not line.startswith("loading model ")]
    assert len(lines) == 1 and lines[0].startswith("error:"), err
    said = lines[0]
    assert "'lone'" in said and "on line 32 of history.csv" in said, said
    # the file and line are said in the sentence, so not again after it (nor the row beside the line)
    assert "line=" not in said and "row=" not in said and "file=" not in said and "series='lone'" in said, (
        said
    )


def test_a_wide_column_with_one_value_is_refused_naming_its_line(tmp_path, capsys, naive_model):
    months = pd.date_range("2000-01-01", periods=24, freq="MS")
    c = np.full(24, np.nan)
    c[20] = 7.0  # data row 20: line 22
    frame = pd.DataFrame({"date": months.strftime("%Y-%m-%d"), "a": np.arange(24.0), "b": 2.0, "c": c})
    path = tmp_path / "wide.csv"
    frame.to_csv(path, index=False)
    code, _, err = _forecast(capsys, path, naive_model)
    assert code != 0 and "'c'" in err and "on line 22 of wide.csv" in err, err


def test_a_one_value_series_of_a_parquet_file_is_refused_at_its_row(tmp_path, capsys, naive_model):
    path = tmp_path / "history.parquet"
    _with_lone_series(at=5).to_parquet(path, index=False)
    code, _, err = _forecast(capsys, path, naive_model)
    assert code != 0 and "'lone'" in err and "at row 5" in err and "row=" not in err, err  # said once


def test_skipped_months_are_said_as_rows_of_the_file(tmp_path, capsys, naive_model):
    frame = monthly_frame(2, 24)
    frame = frame.drop(index=frame.index[frame["unique_id"] == "s1"][10:12])
    path = tmp_path / "history.csv"
    frame.to_csv(path, index=False)
    code, _, err = _forecast(capsys, path, naive_model)
    assert code == 0, err
    assert (
        "'s1' (2)" in err
        and "give every step its row in history.csv, a missing value as an empty cell" in err
    )
    assert "JSON" not in err and "NaN" not in err, err


def test_a_series_mostly_of_skipped_months_is_refused_in_the_file_s_words(tmp_path, capsys, naive_model):
    """The refusal of a history that skips more steps than it has said "send every step, a
    missing value as NaN (an empty cell in a file, null in JSON)" to a user with a file."""
    frame = monthly_frame(2, 24)
    s1 = frame.index[frame["unique_id"] == "s1"]
    kept = {0, 1, 4, 9, 10, 16, 20, 23}  # 8 months of 24, unevenly: still read as monthly
    frame = frame.drop(index=[i for k, i in enumerate(s1) if k not in kept])
    path = tmp_path / "history.csv"
    frame.to_csv(path, index=False)
    code, out, err = _forecast(capsys, path, naive_model)
    assert code != 0 and not out, out
    assert (
        "'s1' skips" in err
        and "give every step its row in history.csv, a missing value as an empty cell" in err
    )
    assert "JSON" not in err and "NaN" not in err, err


def _ending_empty(frame: pd.DataFrame, sid: str, n: int) -> pd.DataFrame:
    rows = frame.index[frame["unique_id"] == sid][-n:]
    frame.loc[rows, "y"] = np.nan
    return frame


def test_a_long_file_s_trailing_empty_cells_are_said_so(tmp_path, capsys, naive_model):
    path = tmp_path / "history.csv"
    _ending_empty(monthly_frame(3, 24), "s1", 2).to_csv(path, index=False)
    code, _, err = _forecast(capsys, path, naive_model)
    assert code == 0, err
    assert "1 of 3 series ends with empty cells in history.csv" in err and "'s1' (2)" in err, err
    assert "delete those rows, or fill in their values" in err, err
    assert "null" not in err, err


def test_a_wide_file_s_trailing_empty_cells_are_said_for_its_layout(tmp_path, capsys, naive_model):
    """A wide file's column that ends early shares its last rows with the other series: the
    advice is to fill the cells, not to delete the rows."""
    frame = monthly_frame(2, 24).pivot(index="ds", columns="unique_id", values="y").reset_index()
    frame.loc[frame.index[-3:], "s0"] = np.nan
    path = tmp_path / "wide.csv"
    frame.to_csv(path, index=False)
    code, _, err = _forecast(capsys, path, naive_model)
    assert code == 0, err
    assert "1 of 2 series ends with empty cells in wide.csv" in err and "'s0' (3)" in err, err
    assert "fill in those cells" in err and "delete those rows" not in err, err


def test_a_fractional_level_is_said_with_the_flags(tmp_path, capsys, naive_model):
    path = tmp_path / "history.csv"
    monthly_frame(2, 24).to_csv(path, index=False)
    code, _, err = _forecast(capsys, path, naive_model, "--level", "0.5")
    assert code == 0, err
    assert "--level 0.5 asks for a 0.5 % central interval" in err, err
    assert "give --level 50" in err and "use --quantiles" in err and "ask for level" not in err, err


def _stores() -> pd.DataFrame:
    """Two stores and a 0/1 promo column, monthly."""
    steps = np.arange(36)
    frame = pd.DataFrame({"date": pd.date_range("2020-01-01", periods=36, freq="MS").strftime("%Y-%m-%d")})
    for k in range(2):
        frame[f"store_{k + 1}"] = 50.0 + 5 * np.sin(2 * np.pi * steps / 12) + k
    frame["promo"] = (steps % 5 == 0).astype(int)
    return frame


def test_a_wide_history_s_flag_column_is_noted_as_train_notes_it(tmp_path, capsys, naive_model):
    path = tmp_path / "stores.csv"
    _stores().to_csv(path, index=False)
    code, _, err = _forecast(capsys, path, naive_model)
    assert code == 0, err
    assert err.count("note:") == 1, err
    flat = "".join(err.split())  # the console wraps the note, a long temporary path inside it too
    assert "stores.csv:column(s)'promo'holdonly0and1" in flat, err
    assert "--value-colsstore_1,store_2" in flat and "value_cols=[" not in flat, err


def test_no_flag_note_once_the_series_are_named(tmp_path, capsys, naive_model):
    """Guard: ``--value-cols`` leaves the flag out, as it does for ``train``."""
    path = tmp_path / "stores.csv"
    _stores().to_csv(path, index=False)
    code, _, err = _forecast(capsys, path, naive_model, "--value-cols", "store_1,store_2")
    assert code == 0 and "0 and 1" not in err, err


def test_a_calendar_model_given_an_undated_file_names_the_time_column_to_give(tmp_path, capsys, toy_series):
    """LightGBM reads the calendar; an integer step index carries none."""
    from tsforge.data.task import prepare_task
    from tsforge.models import ModelContext, build_model
    from tsforge.models.persistence import save_model
    from tsforge.training import TrainConfig
    from tsforge.training.fitting import train_forecaster

    task = prepare_task(toy_series, 48, 12)
    model = build_model("lightgbm", ModelContext.from_task(task), {"n_estimators": 15})
    train_forecaster(model, task, train_config=TrainConfig(progress=False))
    folder = save_model(model, task.scaler, tmp_path / "lgbm")
    steps = np.arange(60)
    history = pd.DataFrame({"step": steps, "s0": np.sin(2 * np.pi * steps / 24), "s1": np.cos(steps / 5.0)})
    path = tmp_path / "undated.csv"
    history.to_csv(path, index=False)
    code, _, err = _forecast(capsys, path, str(folder), "--horizon", "6")
    assert code == 0, err
    assert "series came without dates (no time column, or integer steps)" in err, err
    assert "give undated.csv a time column of dates" in err and "ISO-8601" not in err, err
