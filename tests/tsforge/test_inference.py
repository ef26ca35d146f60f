import numpy as np
import pandas as pd
import pytest

from tsforge.data.task import prepare_task
from tsforge.errors import ConfigError, DataValidationError
from tsforge.inference import Predictor, SeriesInput
from tsforge.models import ModelContext, build_model
from tsforge.models.persistence import load_model, save_model
from tsforge.training import TrainConfig
from tsforge.training.fitting import train_forecaster


@pytest.fixture
def fitted(toy_series):
    task = prepare_task(toy_series, 48, 12)
    model = build_model("lightgbm", ModelContext.from_task(task), {"n_estimators": 15})
    train_forecaster(model, task, train_config=TrainConfig(progress=False))
    return task, model


def test_saved_model_reloads_to_identical_predictions(fitted, tmp_path):
    task, model = fitted
    save_model(model, task.scaler, tmp_path / "m")
    loaded, scaler, meta = load_model(tmp_path / "m")
    batch = task.dataset("test").get_batch([0, 3, 7])
    np.testing.assert_array_equal(model.predict(batch).numpy(), loaded.predict(batch).numpy())
    assert meta["model"] == "lightgbm"
    np.testing.assert_allclose(scaler.mean, task.scaler.mean)


def _history_and_direct(task, model, end: int) -> tuple[list[SeriesInput], np.ndarray]:
    """Every channel's history up to ``end`` as predictor inputs, and the evaluated forecast of
    the test window that starts there (``[H, C]``, original units) through the task machinery."""
    data = task.data
    inputs = [
        SeriesInput(cid, data.values[:end, c], data.timestamps[:end])
        for c, cid in enumerate(data.channel_ids)
    ]
    windows = task.dataset("test")
    i = int(np.where(windows.starts.numpy() == end - task.input_len)[0][0])
    return inputs, task.scaler.inverse(model.predict(windows.get_batch([i])).numpy()[0])


def test_predictor_matches_the_task_windows_on_original_scale(fitted):
    task, model = fitted
    pred = Predictor(model, task.scaler)
    data = task.data
    end = data.n_steps - 30
    inputs, direct = _history_and_direct(task, model, end)
    out = pred.predict_series(inputs, 12)
    np.testing.assert_allclose(np.stack([o.values for o in out], 1), direct, rtol=1e-4, atol=1e-4)
    assert out[0].timestamps[0] == data.timestamps[end]


def test_predictor_errors_name_the_problem(fitted):
    task, model = fitted
    pred = Predictor(model, task.scaler)
    with pytest.raises(DataValidationError, match="needs at least 48"):
        pred.predict_series([SeriesInput("s0", np.ones(10))], 5)
    with pytest.raises(ConfigError, match="horizon 13"):
        pred.predict_series([SeriesInput("s0", np.ones(60))], 13)
    with pytest.raises(DataValidationError, match="infinite"):
        pred.predict_series([SeriesInput("s0", np.r_[np.ones(59), np.inf])], 5)
    with pytest.raises(DataValidationError, match=r"column 'y' \(target_col\) not found"):
        pred.predict_frame(pd.DataFrame({"unique_id": ["a"], "value": [1.0]}), 3)
    # another sampling rate than the model's: daily timestamps for an hourly model were answered
    # with hourly forecast timestamps after the last day; now a 4xx naming both rates
    assert task.data.freq == "h"
    days = pd.date_range("2021-01-01", periods=60, freq="D").values
    with pytest.raises(
        DataValidationError, match=r"sampled daily \(D\) .* forecasts hourly \(h\) series"
    ) as exc:
        pred.predict_series([SeriesInput("s0", np.ones(60), days)], 5)
    assert exc.value.where["field"] == "series[0].timestamps"
    hours_with_gaps = pd.date_range("2021-01-01", periods=80, freq="h").values[np.r_[0:30, 40:70]]
    assert len(pred.predict_series([SeriesInput("s0", np.ones(60), hours_with_gaps)], 5)[0].values) == 5


def test_unknown_series_uses_its_own_scale(fitted):
    task, model = fitted
    pred = Predictor(model, task.scaler)
    base = np.sin(np.arange(60) / 3)
    small = pred.predict_series([SeriesInput("new", base)], 12)[0].values
    big = pred.predict_series([SeriesInput("new", 1000 + 50 * base)], 12)[0].values
    np.testing.assert_allclose(big, 1000 + 50 * small, rtol=1e-4)


def test_predict_frame_takes_long_and_wide_histories_alike(fitted):
    task, model = fitted
    pred = Predictor(model, task.scaler)
    data = task.data
    end = data.n_steps - 30
    wide = pd.DataFrame(
        {"date": data.timestamps[:end], **{c: data.values[:end, j] for j, c in enumerate(data.channel_ids)}}
    )
    long = wide.melt(id_vars="date", var_name="unique_id", value_name="y").rename(columns={"date": "ds"})
    from_wide, from_long = pred.predict_frame(wide, 12), pred.predict_frame(long, 12)
    pd.testing.assert_frame_equal(from_wide, from_long)
    assert len(from_wide) == data.n_channels * 12
    assert from_wide["ds"].iloc[0] == data.timestamps[end]


def test_predict_frame_continues_an_integer_time_index(fitted):
    """Integer ``ds`` (a step index, Nixtla-style) has no calendar; the forecast's ``ds`` numbers
    the steps after each series' last one, in its own spacing, instead of leaving them empty."""
    task, model = fitted
    pred = Predictor(model, task.scaler)
    data = task.data
    end = data.n_steps - 30
    long = pd.concat(
        pd.DataFrame({"unique_id": c, "ds": start + 5 * np.arange(end), "y": data.values[:end, j]})
        for j, (c, start) in enumerate(zip(data.channel_ids, [0, 1000, 7], strict=False))
    )
    out = pred.predict_frame(long.sample(frac=1.0, random_state=0), 4)
    by_id = {k: g["ds"].tolist() for k, g in out.groupby("unique_id")}
    last = {c: start + 5 * (end - 1) for c, start in zip(data.channel_ids, [0, 1000, 7], strict=False)}
    for c in by_id:
        assert by_id[c] == [last[c] + 5 * k for k in (1, 2, 3, 4)]
    # the index orders the (shuffled) rows and labels the forecast; it is no model input
    unindexed = pred.predict_frame(long.drop(columns="ds"), 4)
    assert unindexed["ds"].isna().all()
    keys = ["unique_id", "step"]
    np.testing.assert_allclose(
        unindexed.sort_values(keys)["y_hat"].to_numpy(), out.sort_values(keys)["y_hat"].to_numpy()
    )


def test_cli_forecast_accepts_the_wide_history_of_the_training_file(tmp_path):
    """A model trained on a wide frame forecasts from a wide CSV of the same rows (no unique_id)."""
    from typer.testing import CliRunner

    from tsforge.cli import app
    from tsforge.pipeline import train

    ts = pd.date_range("2021-01-01", periods=400, freq="h")
    t = np.arange(400)
    wide = pd.DataFrame(
        {"date": ts, "HUFL": np.sin(2 * np.pi * t / 24), "OT": 10 + np.cos(2 * np.pi * t / 24)}
    )
    outcome = train(wide, "seasonal_naive", input_len=48, horizon=12, track=False, progress=False)
    model_dir = save_model(outcome.forecaster, outcome.predictor.scaler, tmp_path / "model")
    history = tmp_path / "history.csv"
    wide.tail(100).to_csv(history, index=False)
    out = tmp_path / "forecast.csv"
    result = CliRunner().invoke(
        app, ["forecast", "--model", str(model_dir), "--input", str(history), "-H", "6", "--output", str(out)]
    )
    assert result.exit_code == 0, result.output
    fc = pd.read_csv(out, parse_dates=["ds"])
    assert len(fc) == 2 * 6
    assert sorted(fc["unique_id"].unique()) == ["HUFL", "OT"]
    assert fc.groupby("unique_id")["step"].apply(list).tolist() == [[1, 2, 3, 4, 5, 6]] * 2
    assert fc["ds"].min() == ts[-1] + pd.Timedelta("1h")
    ot = fc[fc["unique_id"] == "OT"]["y_hat"].to_numpy()
    np.testing.assert_allclose(ot, wide["OT"].to_numpy()[-24:-18], rtol=1e-5)  # a day ago, same hour


def test_a_channel_mixing_model_serves_the_evaluated_multichannel_forecast(toy_series):
    """iTransformer attends across channels: the predictor must forecast a request's series as
    one window (every channel together), exactly as evaluation does, not one series at a time."""
    task = prepare_task(toy_series, 48, 12)
    config = {"d_model": 16, "d_ff": 16, "e_layers": 1, "n_heads": 2}
    model = build_model("itransformer", ModelContext.from_task(task), config)
    train_forecaster(model, task, train_config=TrainConfig(max_epochs=1, progress=False))
    pred = Predictor(model, task.scaler)
    data = task.data
    end = data.n_steps - 30
    inputs, direct = _history_and_direct(task, model, end)
    joint = np.stack([o.values for o in pred.predict_series(inputs, 12)], 1)
    np.testing.assert_allclose(joint, direct, rtol=1e-4, atol=1e-4)
    # alone, a series is forecast from itself only: a different (conditioned) answer
    alone = pred.predict_series(inputs[:1], 12)[0].values
    assert not np.allclose(alone, joint[:, 0], rtol=1e-4, atol=1e-4)

    shifted = [inputs[0], SeriesInput(inputs[1].id, data.values[: end - 1, 1], data.timestamps[: end - 1])]
    with pytest.raises(DataValidationError, match="must end at the same time"):
        pred.predict_series(shifted, 12)


def test_a_history_file_error_names_the_file_column_and_series_not_a_request_field(fitted):
    """``tsforge forecast --input short.csv`` said ``(field='series[0].values')``, the location a
    REST client reads; from a file it names the file, the column and the series."""
    task, model = fitted
    pred = Predictor(model, task.scaler)
    long = pd.DataFrame(
        {"unique_id": "s0", "ds": pd.date_range("2021-01-01", periods=10, freq="h"), "y": 1.0}
    )
    with pytest.raises(DataValidationError, match="needs at least 48") as exc:
        pred.predict_frame(long, 5, file="short.csv")
    assert exc.value.where == {"file": "short.csv", "column": "y", "series": "s0"}
    wide = pd.DataFrame({"ds": long["ds"], "s0": 1.0})
    with pytest.raises(DataValidationError) as exc:
        pred.predict_frame(wide, 5, file="wide.csv")
    assert exc.value.where == {"file": "wide.csv", "column": "s0", "series": "s0"}
    with pytest.raises(DataValidationError) as exc:  # no file: the request's own location stays
        pred.predict_frame(long, 5)
    assert exc.value.where["field"] == "series[0].values"


def test_a_one_value_history_is_refused_naming_the_file_and_the_plain_id():
    """It read ``first np.str_('z') (1 value) (series=np.str_('z'))``, with no file."""
    from tsforge.errors import DataValidationError
    from tsforge.panels.predictor import PanelPredictor

    predictor = PanelPredictor("naive", 3, freq="MS", season_length=12)
    history = pd.DataFrame({"unique_id": ["z"], "ds": ["2020-01-01"], "y": [5.0]})
    with pytest.raises(DataValidationError) as err:
        predictor.predict_frame(history, 3, file="one.csv")
    assert "np.str_" not in str(err.value) and "1 series has fewer than 2 values" in str(err.value)
    assert err.value.where["file"] == "one.csv" and err.value.where["series"] == "z"


def test_a_calendar_model_says_when_series_come_without_dates(fitted):
    """A model that reads the calendar answered undated series silently, forecasting them
    without it."""
    from tsforge.errors import MissingCalendarWarning

    task, model = fitted
    assert model.uses_calendar and model.context.calendar_terms
    pred = Predictor(model, task.scaler)
    dated, _ = _history_and_direct(task, model, task.data.n_steps - 30)
    assert pred.input_note(dated) is None
    n = len(dated)
    undated = [SeriesInput(s.id, s.values) for s in dated]
    with pytest.warns(MissingCalendarWarning, match=f"{n} of {n} series came without dates"):
        out = pred.predict_series(undated, 12)
    assert all(np.isfinite(o.values).all() for o in out)
    assert "reads the calendar" in pred.input_note(undated)
