"""``--time-format``: the library's ``time_format=`` on the command line, for every command that
reads a user's file, and the advice of the readers naming it instead of Python.

The files here are the ones a format is for: dates day first whose days never pass 12
(``01/01/2017`` … ``12/01/2017``, twelve days of January that the inference reads as the first
of twelve months), and Excel's ``yy-mmm`` labels (``10-Jan``), refused unless a format says they
are a two-digit year and a month.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import typer

from tests.conftest import run_cli as _cli

DAYS = pd.date_range("2017-01-01", periods=12, freq="D")  # day first, every day ≤ 12
MONTHS = pd.date_range("2010-01-01", periods=24, freq="MS")
FILE_COMMANDS = ["train", "evaluate", "cv", "tune", "profile", "recommend", "forecast"]


def _long(path, dates: pd.DatetimeIndex, fmt: str, columns=("unique_id", "ds", "y")) -> str:
    """Two series ``a``, ``b`` over ``dates`` written by ``fmt``, as a long CSV named ``columns``."""
    rng = np.random.default_rng(0)
    ids, times, values = columns
    frame = pd.concat(
        pd.DataFrame({ids: sid, times: dates.strftime(fmt), values: 100 + rng.normal(0, 5, len(dates))})
        for sid in ("a", "b")
    )
    frame.to_csv(path, index=False)
    return str(path)


def _wide(path, dates: pd.DatetimeIndex, fmt: str) -> str:
    rng = np.random.default_rng(1)
    n = len(dates)
    pd.DataFrame({"date": dates.strftime(fmt), "a": rng.normal(size=n), "b": rng.normal(size=n)}).to_csv(
        path, index=False
    )
    return str(path)


def _one_line(text: str) -> str:
    """Rich wraps stderr at 80 columns in a pipe; the words are what is checked."""
    return " ".join(text.split())


@pytest.fixture(autouse=True)
def _own_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("TSFORGE_CACHE_DIR", str(tmp_path / "cache"))


@pytest.mark.parametrize("name", FILE_COMMANDS)
def test_every_command_that_reads_a_file_takes_the_time_format_after_the_time_column(name):
    """One definition: the same help and default in every command, next to --time-col."""
    import tsforge.cli  # noqa: F401  (registers the commands)
    from tsforge.cli.app import app

    commands = typer.main.get_group(app).commands
    flags = [p.opts[0] for p in commands[name].params]
    assert flags[flags.index("--time-col") + 1] == "--time-format"
    (given,) = [p for p in commands[name].params if p.opts[0] == "--time-format"]
    (reference,) = [p for p in commands["train"].params if p.opts[0] == "--time-format"]
    assert (given.help, given.default) == (reference.help, None)
    assert "%d/%m/%Y" in given.help


def test_forecast_reads_its_history_by_the_options_train_reads_the_file_by():
    """``forecast`` declared its own --id-col/--time-col/--target-col (another default and help)
    and had no --value-cols; it takes the shared definitions now, those that apply to a history
    read as it comes (no --freq, --fill-gaps: gaps are forecast through)."""
    import tsforge.cli  # noqa: F401
    from tsforge.cli.app import app

    commands = typer.main.get_group(app).commands
    shared = ["--id-col", "--time-col", "--time-format", "--target-col", "--value-cols", "--coords"]
    forecast = {p.opts[0]: p for p in commands["forecast"].params}
    train = {p.opts[0]: p for p in commands["train"].params}
    for flag in shared:
        assert (forecast[flag].help, forecast[flag].default) == (train[flag].help, train[flag].default), flag
    assert "--freq" not in forecast and "--fill-gaps" not in forecast


@pytest.mark.parametrize("layout", ["long", "wide"])
def test_cv_reads_day_first_dates_by_the_format_given(layout, tmp_path, capsys):
    """The twelve days of January stay days (the output's dates are January's), long or wide."""
    write = _long if layout == "long" else _wide
    data = write(tmp_path / f"{layout}.csv", DAYS, "%d/%m/%Y")
    out = tmp_path / "cv.csv"
    code, _, err = _cli(
        capsys, "cv", data, "--model", "naive", "--horizon", "2", "--time-format", "%d/%m/%Y", "-o", str(out)
    )
    assert code == 0, err[-2000:]
    written = pd.read_csv(out, parse_dates=["ds", "cutoff"])
    assert sorted(set(written["ds"])) == list(DAYS[-6:])


@pytest.mark.parametrize(
    ("layout", "row", "value", "column"),
    [("long", 5, "2017-01-06", "ds"), ("wide", 7, "8 Jan 2017", "date")],
)
def test_a_row_the_format_does_not_read_is_named_on_one_line(
    layout, row, value, column, tmp_path, capsys, monkeypatch
):
    monkeypatch.chdir(tmp_path)  # the file as typed in its folder: the sentence's name is its path
    path = tmp_path / f"{layout}.csv"
    frame = pd.read_csv(_long(path, DAYS, "%d/%m/%Y") if layout == "long" else _wide(path, DAYS, "%d/%m/%Y"))
    frame.loc[row, column] = value
    frame.to_csv(path, index=False)
    code, _, err = _cli(
        capsys, "cv", path.name, "--model", "naive", "--horizon", "2", "--time-format", "%d/%m/%Y"
    )
    assert code == 2
    assert err == (
        f"error: unparsable date {value!r} in time column {column!r} on line {row + 2} of {path.name}: "
        "it does not match --time-format %d/%m/%Y\n"  # file, column and line said in the sentence: no trailer
    )


@pytest.mark.parametrize(
    "args",
    [
        ["train", "--model", "naive", "--horizon", "3", "--no-track"],
        ["recommend", "--horizon", "3"],
        ["recommend", "--horizon", "3", "--per-series"],
        ["profile", "--no-progress"],
    ],
    ids=["train", "recommend", "recommend-per-series", "profile"],
)
def test_labels_refused_without_a_format_are_read_with_one(args, tmp_path, capsys, monkeypatch):
    """``10-Jan`` … ``11-Dec`` is refused as it stands; ``--time-format %y-%b`` reaches the
    reader of each command (panel, per-series and profile paths alike) and reads it."""
    monkeypatch.chdir(tmp_path)  # profile writes its files here
    data = _long(tmp_path / "labels.csv", MONTHS, "%y-%b")
    command, *rest = args
    code, _, err = _cli(capsys, command, data, *rest)
    assert code == 2 and "unparsable date '10-Jan'" in err
    code, _, err = _cli(capsys, command, data, *rest, "--time-format", "%y-%b")
    assert code == 0, err[-2000:]
    assert "error" not in err


def test_evaluate_reads_its_file_by_the_format(tracking_uri, tmp_path, capsys):
    data = _long(tmp_path / "labels.csv", MONTHS, "%y-%b")
    fmt = ["--time-format", "%y-%b"]
    code, _, err = _cli(
        capsys, "train", data, "--model", "seasonal_naive", "-H", "3", "--register-as", "tf-ev", *fmt
    )
    assert code == 0, err[-2000:]
    code, _, err = _cli(capsys, "evaluate", data, "--model", "tf-ev")
    assert code == 2 and "unparsable date '10-Jan'" in err
    code, out, err = _cli(capsys, "evaluate", data, "--model", "tf-ev", *fmt)
    assert code == 0, err[-2000:]
    assert "Against Naive2" in out  # the skill, in words as train says it


def test_tune_reads_its_file_by_the_format(tracking_uri, tmp_path, capsys):
    data = _long(tmp_path / "labels.csv", MONTHS, "%y-%b")
    args = ["tune", data, "--model", "lightgbm", "--horizon", "3", "--trials", "1", "--no-retrain"]
    code, _, err = _cli(capsys, *args, "--no-register", "--no-progress", "--time-format", "%y-%b")
    assert code == 0, err[-2000:]


def test_the_next_command_printed_keeps_the_format(tmp_path, capsys):
    data = _long(tmp_path / "labels.csv", MONTHS, "%y-%b")
    code, out, err = _cli(
        capsys, "recommend", data, "--horizon", "3", "--per-series", "--time-format", "%y-%b"
    )
    assert code == 0, err[-2000:]
    expected = f"next: tsforge recommend {data} --time-format %y-%b --horizon 3 --per-series --train"
    assert "".join(expected.split()) in "".join(out.split()), out  # rich may fold the long path


def _registered(capsys, tmp_path, name: str) -> str:
    """A naive model of daily series, trained on ISO dates and registered as ``name``."""
    trained = _long(tmp_path / "train.csv", pd.date_range("2016-10-01", periods=60, freq="D"), "%Y-%m-%d")
    code, _, err = _cli(capsys, "train", trained, "--model", "naive", "--horizon", "3", "--register-as", name)
    assert code == 0, err[-2000:]
    return name


def test_forecast_reads_its_history_by_the_format(tracking_uri, tmp_path, capsys, request):
    """The forecast follows twelve days of January (not twelve months), and so does its plot."""
    model = _registered(capsys, tmp_path, "tf-naive")
    drawn = request.getfixturevalue("drawn")  # after training, which draws its own plots
    history = _long(tmp_path / "history.csv", DAYS, "%d/%m/%Y")
    out, png = tmp_path / "fc.csv", tmp_path / "p.png"
    code, _, err = _cli(
        capsys, "forecast", history, "--model", model, "-H", "2", "-o", str(out), "--plot", str(png),
        "--time-format", "%d/%m/%Y",
    )  # fmt: skip
    assert code == 0, err[-2000:]
    written = pd.read_csv(out, parse_dates=["ds"])
    assert list(written["ds"].unique()) == list(pd.to_datetime(["2017-01-13", "2017-01-14"]))
    (items,) = drawn
    assert list(items[0]["history_t"]) == list(DAYS.to_numpy())


def test_forecast_names_the_missing_time_column_and_refuses_a_format_for_a_tsf(
    tracking_uri, tmp_path, capsys
):
    model = _registered(capsys, tmp_path, "tf-nc")
    history = _long(tmp_path / "history.csv", DAYS, "%d/%m/%Y", columns=("unique_id", "day", "y"))
    args = ["forecast", history, "--model", model, "--time-format", "%d/%m/%Y"]
    code, _, err = _cli(capsys, *args)
    assert code == 2
    assert "--time-format %d/%m/%Y was given, but the history has no time column 'ds'" in err
    assert "name it with --time-col" in err
    code, _, err = _cli(capsys, *args, "--time-col", "day")
    assert code == 0, err[-2000:]
    tsf = tmp_path / "h.tsf"
    tsf.write_text("@relation x\n@attribute series_name string\n@frequency daily\n@data\na:1,2,3,4\n")
    code, _, err = _cli(capsys, "forecast", str(tsf), "--model", model, "--time-format", "%d/%m/%Y")
    assert code == 2 and "--time-format does not apply to" in err


def test_forecast_of_a_history_whose_roles_were_guessed_ends_without_a_traceback(
    tracking_uri, tmp_path, capsys, request
):
    """``Store, Day, Sales``: the forecast is named so; the summary line and the plot looked its
    series up under ``unique_id`` and ended in a ``KeyError`` after the file was written."""
    model = _registered(capsys, tmp_path, "tf-st")
    drawn = request.getfixturevalue("drawn")
    dates = pd.date_range("2017-01-01", periods=20, freq="D")
    history = _long(tmp_path / "history.csv", dates, "%Y-%m-%d", ("Store", "Day", "Sales"))
    out = tmp_path / "fc.csv"
    code, stdout, err = _cli(
        capsys, "forecast", history, "--model", model, "-o", str(out), "--plot", str(tmp_path / "p.png")
    )
    assert code == 0, err[-2000:]
    said = f"wrote 6 forecast rows for 2 series to {out}"
    assert "".join(said.split()) in "".join(stdout.split()), stdout
    assert list(pd.read_csv(out).columns[:3]) == ["Store", "Day", "step"]
    assert [item["id"] for item in drawn[0]] == ["a", "b"]


def test_forecast_reads_a_wide_file_s_series_columns_as_train_does(tracking_uri, tmp_path, capsys):
    """A wide file with a note column trains with --value-cols; its forecast was refused for the
    note, with advice to read the file as long."""
    rng = np.random.default_rng(2)
    dates = pd.date_range("2017-01-01", periods=40, freq="D")
    path = tmp_path / "wide.csv"
    pd.DataFrame(
        {"date": dates.strftime("%d/%m/%Y"), "a": rng.normal(size=40), "b": rng.normal(size=40), "note": "ok"}
    ).to_csv(path, index=False)
    reading = ["--value-cols", "a,b"]  # day first, days past 12: read without a format
    code, _, err = _cli(
        capsys, "train", str(path), "--model", "naive", "-H", "3", "--register-as", "tf-w", *reading
    )
    assert code == 0, err[-2000:]
    out = tmp_path / "fc.csv"
    code, _, err = _cli(capsys, "forecast", str(path), "--model", "tf-w", "-H", "2", "-o", str(out), *reading)
    assert code == 0, err[-2000:]
    written = pd.read_csv(out, parse_dates=["ds"])
    assert sorted(set(written["unique_id"])) == ["a", "b"]
    assert set(written["ds"]) == set(pd.to_datetime(["2017-02-10", "2017-02-11"]))


def test_a_catalogue_dataset_refuses_a_format_as_it_refuses_column_names(capsys):
    code, _, err = _cli(capsys, "cv", "etth1", "--model", "naive", "--time-format", "%Y-%m-%d")
    assert code == 2
    # in the command line's words: the flag, not the Python argument
    assert err.startswith("error: --time-format does not apply to catalogue dataset 'etth1'")


def test_a_format_without_a_directive_is_refused_before_reading(tmp_path, capsys):
    """``dd/mm/yyyy`` (a spreadsheet's spelling) matches no date: said as such, not as row 0."""
    data = _long(tmp_path / "days.csv", DAYS, "%d/%m/%Y")
    code, _, err = _cli(capsys, "cv", data, "--model", "naive", "--time-format", "dd/mm/yyyy")
    assert code == 2
    assert err.startswith(
        "error: --time-format dd/mm/yyyy names no date part: write it in strftime codes, e.g. %d/%m/%Y"
    )


def test_the_readers_advice_names_the_flag_on_the_command_line_and_the_argument_in_python(tmp_path, capsys):
    """The refusal of ``10-Jan`` and the note on ``Jan-10`` told CLI users to give a format "in
    Python"; they name ``--time-format`` now, and Python users still read ``time_format=``."""
    from tsforge.data.load import load_panel
    from tsforge.errors import DataValidationError

    refused = _long(tmp_path / "yy_mmm.csv", MONTHS, "%y-%b")
    code, _, err = _cli(capsys, "cv", refused, "--model", "naive", "--horizon", "3")
    assert code == 2
    assert "or give --time-format %y-%b for a month and a two-digit year" in err
    assert "Python" not in err
    with pytest.raises(DataValidationError, match=r"in Python, time_format='%y-%b'"):
        load_panel(refused)
    noted = _long(tmp_path / "mmm_yy.csv", MONTHS, "%b-%y")
    code, _, err = _cli(capsys, "cv", noted, "--model", "naive", "--horizon", "3")
    assert code == 0, err[-2000:]
    assert "(2010-01-10), or give their strftime format with --time-format" in _one_line(err)
    assert "Python" not in err


def test_the_note_keeps_its_command_line_words_across_processes():
    """A pool worker's warning reaches the driver pickled: both wordings must survive it."""
    import pickle

    from tsforge.data.period_labels import GuessedLabelsWarning

    note = pickle.loads(pickle.dumps(GuessedLabelsWarning("time_format in Python", "--time-format")))
    assert (str(note), note.cli_message) == ("time_format in Python", "--time-format")
