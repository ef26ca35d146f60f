"""What the CLI prints reads as the user's words: ``evaluate``'s scores named as ``train``'s,
one ``--interval-method`` in ``train`` and ``cv``, a routed model's member notes framed, and a
forecast dated in the history's UTC offset. Saved local-model bundles: no training, no MLflow."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from tests.conftest import run_cli
from tsforge.panels.predictor import PanelPredictor


def _monthly_csv(tmp_path: Path, lengths=(30, 30, 30)) -> str:
    rows = []
    for i, n in enumerate(lengths):
        ds = pd.date_range("2019-01-01", periods=n, freq="MS")
        y = 10 + i + np.sin(np.arange(n) * 2 * np.pi / 12) + 0.1 * np.arange(n)
        rows.append(pd.DataFrame({"unique_id": f"s{i}", "ds": ds, "y": y}))
    path = tmp_path / "panel.csv"
    pd.concat(rows).to_csv(path, index=False)
    return str(path)


def _naive_bundle(tmp_path: Path, h: int = 3, freq: str = "MS", season: int = 12) -> str:
    return str(PanelPredictor("naive", h, freq=freq, season_length=season).save(tmp_path / "naive-model"))


def _one_line(text: str) -> str:
    return " ".join(text.split())


def test_evaluate_names_scores_as_train_does_and_says_the_skill_in_words(tmp_path, capsys):
    """`tsforge evaluate my.csv --model M` printed ``smape``, ``n_series``, ``naive2_mase 2.18``
    and ``skill 0.74`` as rows of raw keys; ``train`` prints ``test sMAPE`` and "Against Naive2
    …: test MASE 74.3% lower (0.5597 vs 2.181)"."""
    code, out, err = run_cli(capsys, "evaluate", _monthly_csv(tmp_path), "--model", _naive_bundle(tmp_path))
    assert code == 0, out + err
    rows = {line.split()[0] for line in out.splitlines() if line.strip()}
    assert {"MASE", "sMAPE", "RMSSE", "OWA", "series"} <= rows, out
    assert not {"mase", "smape", "n_series", "skill", "naive2_mase", "n_unobserved"} & rows, out
    assert "Against Naive2" in _one_line(out) and "test MASE" in _one_line(out), out


def test_score_rows_show_left_out_counts_only_when_something_was_left_out() -> None:
    from rich.console import Console

    from tsforge.cli.tables import metric_list_table

    console = Console(width=80, record=True)
    metrics = {"test_mase": 1.0, "test_n_series": 40.0, "test_n_unobserved": 0.0, "test_n_mase_excluded": 2.0}
    console.print(metric_list_table(metrics, "naive: test scores"))
    text = console.export_text()
    assert "MASE left out" in text and "2" in text.split("MASE left out")[1].split()[0]
    assert "no test value" not in text  # zero: no row


def test_train_and_cv_take_one_interval_method_flag(tmp_path, capsys):
    """``cv --intervals native`` chose the method, ``train --intervals/--no-intervals`` switched
    calibration; both now take ``--interval-method conformal|native``, the old spellings with a note."""
    path = _monthly_csv(tmp_path)
    for command in ("train", "cv"):
        code, out, _ = run_cli(capsys, command, "--help")
        assert code == 0 and "--interval-method" in out
    cv = ["cv", path, "-m", "naive", "-H", "3", "--n-windows", "2", "--level", "80", "--no-track"]
    code, out, err = run_cli(capsys, *cv, "--interval-method", "native")
    assert code == 0, err
    assert "native intervals" in out
    code, out, err = run_cli(capsys, *cv, "--intervals", "native")  # the old spelling
    assert code == 0, err
    assert "--intervals native is now --interval-method native" in _one_line(err)
    code, _, err = run_cli(capsys, *cv, "--interval-method", "bootstrap")
    assert code == 2 and "--interval-method must be conformal or native" in err
    code, _, err = run_cli(
        capsys, "train", path, "-m", "naive", "-H", "3", "--split", "7:1:2", "--interval-method", "native"
    )
    assert code == 2 and "--interval-method native applies to the panel protocol" in err, err


def _routed_bundle(tmp_path: Path) -> str:
    """A routed ensemble of naive and seasonal naive behind the shipped router (no fit needed)."""
    from recommender.per_series import SeriesRouter
    from recommender.routed import RoutedPredictor
    from recommender.shipped_router import SHIPPED_ROUTER_DIR

    members = {m: PanelPredictor(m, 3, freq="MS", season_length=12) for m in ("naive", "seasonal_naive")}
    router = SeriesRouter.load(SHIPPED_ROUTER_DIR)
    routed = RoutedPredictor(router, members, 3, freq="MS", season_length=12, mode="weights")
    return str(routed.save(tmp_path / "routed-model"))


def test_a_routed_models_member_notes_say_whose_they_are(tmp_path, capsys):
    """Forecasting with a routed model printed "1 of 3 series were too short for seasonal_naive
    …" — a model the user never named — with no word that it is a member of the ensemble."""
    history = _monthly_csv(tmp_path, lengths=(30, 30, 6))  # s2: too short for a seasonal naive
    code, out, err = run_cli(capsys, "forecast", history, "--model", _routed_bundle(tmp_path))
    assert code == 0, out + err
    notes = [n for n in _one_line(err).split("note: ") if "too short for seasonal_naive" in n]
    assert notes, err
    assert all("member seasonal_naive" in n and "routed model" in n for n in notes), err
    assert all(n.count("routed model") == 1 for n in notes), err  # framed by the model alone, once


def test_a_forecast_is_dated_in_the_offset_its_history_was_written_in(tmp_path, capsys):
    """Hourly times written at +02:00 were read as UTC and the forecast written in UTC without an
    offset: two hours off every time the user wrote, its first step before the last observation."""
    times = pd.date_range("2024-05-01", periods=48, freq="h")
    text = times.strftime("%Y-%m-%dT%H:%M:%S+02:00")
    frame = pd.DataFrame({"unique_id": "a", "ds": text, "y": np.sin(np.arange(48.0))})
    history = tmp_path / "zoned.csv"
    frame.to_csv(history, index=False)
    out_file = tmp_path / "fc.csv"
    bundle = _naive_bundle(tmp_path, h=2, freq="h", season=24)
    code, out, err = run_cli(capsys, "forecast", str(history), "--model", bundle, "-o", str(out_file))
    assert code == 0, out + err
    written = pd.read_csv(out_file)["ds"].tolist()
    assert [pd.Timestamp(t) for t in written] == [
        pd.Timestamp("2024-05-03T00:00:00+02:00"),
        pd.Timestamp("2024-05-03T01:00:00+02:00"),
    ], written
    assert all(t.endswith("+02:00") for t in written), written
    assert "dated in UTC" not in _one_line(err)  # the reader's note is not said of this output


def test_help_shows_no_type_beside_an_on_off_flag(capsys):
    """Typer 0.29 printed ``--no-track <bool>`` and ``--json <bool>``: flags that read as taking
    a value (``--no-track true`` is then refused as an extra argument)."""
    code, out, _ = run_cli(capsys, "train", "--help")
    assert code == 0
    flags = [line for line in out.splitlines() if "--no-track" in line or "--selective " in line]
    assert len(flags) == 2 and not any("<bool>" in line for line in flags), flags
    assert any("<int>" in line for line in out.splitlines() if "--n-jobs" in line)  # values keep theirs


def test_no_track_on_a_command_without_it_says_what_to_do(capsys):
    """``train`` and ``cv`` take ``--no-track``; ``evaluate`` (which logs nothing) and ``recommend
    --train`` (which always logs) answered "No such option: --no-track" and no more."""
    code, _, err = run_cli(capsys, "evaluate", "x.csv", "--model", "m", "--no-track")
    assert code == 2 and "evaluate logs nothing to MLflow: leave --no-track out" in err, err
    code, _, err = run_cli(capsys, "recommend", "x.csv", "--train", "--no-track")
    assert code == 2 and "MLFLOW_TRACKING_URI" in err, err
    assert err.count("\n") == 1


def test_the_notes_of_training_a_routed_model_say_so(tmp_path, capsys, monkeypatch):
    """``recommend --per-series --train`` printed "the 95 % interval needs 39 calibration scores
    … this calibration has 20" before its table, with no word of which model it concerned."""
    import warnings

    import recommender.routed_training as routed_training
    from tsforge.errors import ConfigError, TsforgeWarning

    def training(*args, **kwargs):
        warnings.warn("the 95 % interval needs 39 calibration scores", TsforgeWarning, stacklevel=2)
        raise ConfigError("stopped here: the test needs only the note")

    monkeypatch.setattr(routed_training, "train_routed", training)
    args = ["recommend", _monthly_csv(tmp_path), "-H", "3", "--per-series", "--train", "--register-as", "r1"]
    code, _, err = run_cli(capsys, *args)
    assert code == 2, err
    assert "note: training the routed model 'r1': the 95 % interval needs" in _one_line(err), err


def test_framing_notes_lets_a_silenced_warning_stay_silent(recwarn):
    """Framing recorded every warning and re-issued it: MLflow's schema hint, silenced by the CLI,
    was printed in full after ``recommend --per-series --train``. Notes are now framed where they
    are made (:func:`tsforge.errors.notes_framed`), and nothing else is touched."""
    import warnings

    from tsforge.errors import TsforgeWarning, notes_framed

    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="silenced hint")
        with notes_framed("training x"):
            warnings.warn("silenced hint", UserWarning, stacklevel=1)
            warnings.warn("a note", TsforgeWarning, stacklevel=1)
    assert [str(w.message) for w in recwarn] == ["training x: a note"]


def test_every_command_names_its_data_argument_data(capsys):
    """``train``, ``evaluate``, ``cv`` and ``tune`` show ``[DATA]``; ``profile`` showed ``{source}``
    and ``recommend`` ``{data}``, and a missing one was "Missing argument 'source'"."""
    for command in ("profile", "recommend"):
        code, out, _ = run_cli(capsys, command, "--help")
        assert code == 0 and "DATA" in out.splitlines()[1], out.splitlines()[1]
        code, _, err = run_cli(capsys, command)
        assert code == 2 and "Missing argument 'DATA'" in err, err


def test_each_series_is_dated_at_its_own_last_offset_as_the_service_does(tmp_path, capsys):
    """A daily file from a zone with summer time mixes +01:00 and +02:00: each series' forecast
    is written at the offset of its own last time (the REST service's rule), not without one."""
    frames = []
    for sid, start in (("winter", "2024-01-01"), ("summer", "2024-04-01")):
        days = pd.date_range(start, periods=30, freq="D", tz="Europe/Berlin")
        text = (
            days.strftime("%Y-%m-%dT%H:%M:%S")
            + days.strftime("%z").str[:3]
            + ":"
            + days.strftime("%z").str[3:]
        )
        frames.append(pd.DataFrame({"unique_id": sid, "ds": text, "y": np.arange(30.0)}))
    history = tmp_path / "berlin.csv"
    pd.concat(frames).to_csv(history, index=False)
    bundle = _naive_bundle(tmp_path, h=1, freq="D", season=7)
    out_file = tmp_path / "fc.csv"
    code, out, err = run_cli(capsys, "forecast", str(history), "--model", bundle, "-o", str(out_file))
    assert code == 0, out + err
    written = dict(pd.read_csv(out_file)[["unique_id", "ds"]].itertuples(index=False))
    assert written == {"winter": "2024-01-31 00:00:00+01:00", "summer": "2024-05-01 00:00:00+02:00"}, written


def test_a_wide_files_forecast_is_dated_at_its_offset_as_the_same_data_in_long_layout(tmp_path, capsys):
    """A wide hourly file written across a summer-time change (+01:00, then +02:00) was forecast
    in UTC without an offset, with a note saying so, while the same data melted to long layout was
    answered at +02:00: README promises the offset of the last time for wide files too."""
    times = pd.date_range("2024-03-30", periods=72, freq="h", tz="Europe/Berlin")
    offset = times.strftime("%z")
    text = times.strftime("%Y-%m-%dT%H:%M:%S") + offset.str[:3] + ":" + offset.str[3:]
    t = np.arange(72.0)
    wide = pd.DataFrame({"time": text, "a": 10 + np.sin(t / 4), "b": 20 + np.cos(t / 5)})
    long = wide.melt(id_vars="time", var_name="unique_id", value_name="y").rename(columns={"time": "ds"})
    bundle = _naive_bundle(tmp_path, h=2, freq="h", season=24)
    written = {}
    for layout, frame in (("wide", wide), ("long", long)):
        history, out_file = tmp_path / f"{layout}.csv", tmp_path / f"fc-{layout}.csv"
        frame.to_csv(history, index=False)
        code, out, err = run_cli(capsys, "forecast", str(history), "--model", bundle, "-o", str(out_file))
        assert code == 0, out + err
        assert "dated in UTC" not in _one_line(err), (layout, err)  # not said of an output at +02:00
        fc = pd.read_csv(out_file, dtype=str).sort_values(["unique_id", "ds"])
        written[layout] = fc[["unique_id", "ds"]].to_numpy().tolist()
    # the last time is 2024-04-02T00:00:00+02:00 (71 h after 00:00+01:00): the forecast follows it
    assert written["wide"] == [
        ["a", "2024-04-02 01:00:00+02:00"],
        ["a", "2024-04-02 02:00:00+02:00"],
        ["b", "2024-04-02 01:00:00+02:00"],
        ["b", "2024-04-02 02:00:00+02:00"],
    ], written
    assert written["wide"] == written["long"], written
