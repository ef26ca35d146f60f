"""train / train_panel / recommend_panel refuse bad arguments with a ConfigError naming them."""

import pytest

from tests.conftest import monthly_frame as _frame
from tsforge.errors import ConfigError
from tsforge.pipeline import TrackingOptions, train, train_panel

QUIET = TrackingOptions(track=False, progress=False)


@pytest.fixture(scope="module")
def panel(monthly_panel):
    """The shared three-series monthly panel of ``tests/conftest.py``."""
    return monthly_panel


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"horizon": 2.5}, "horizon"),
        ({"horizon": "abc"}, "horizon"),
        ({"horizon": True}, "horizon"),
        ({"horizon": 6, "seed": 1.5}, "seed"),
        ({"horizon": 6, "n_jobs": 2.5}, "n_jobs"),
        ({"horizon": 6, "n_calibration_windows": 0}, "n_calibration_windows"),
        ({"horizon": 6, "tracking": {"track": False}}, "tracking"),
    ],
)
def test_train_panel_refuses_bad_arguments(panel, kwargs, field):
    kwargs = {"tracking": QUIET, **kwargs}
    with pytest.raises(ConfigError) as err:
        train_panel(panel, "naive", **kwargs)
    assert err.value.where["field"] == field


@pytest.mark.parametrize("model", [None, 123])
def test_train_panel_refuses_a_model_that_is_not_a_name(panel, model):
    with pytest.raises(ConfigError, match="model name"):
        train_panel(panel, model, horizon=6, tracking=QUIET)


def test_train_panel_refuses_local_options_that_are_not_a_dict(panel):
    with pytest.raises(ConfigError, match="must be a dict"):
        train_panel(panel, "auto_ets", horizon=6, tracking=QUIET, model_config=[1, 2])


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"seed": 1.5}, "seed"),
        ({"seed": "a"}, "seed"),
        ({"eval_stride": "x"}, "eval_stride"),
        ({"input_len": 2.5}, "input_len"),
        ({"model_config": [1]}, "model_config"),
        ({"tracking": {"track": False}}, "tracking"),
    ],
)
def test_train_refuses_bad_arguments(kwargs, field):
    wide = _frame(length=120).pivot(index="ds", columns="unique_id", values="y").reset_index()
    kwargs = {"track": False, "progress": False, "horizon": 6, "input_len": 24, **kwargs}
    if "tracking" in kwargs:
        kwargs.pop("track"), kwargs.pop("progress")
    with pytest.raises(ConfigError) as err:
        train(wide, "dlinear", train_config={"max_epochs": 1}, **kwargs)
    assert err.value.where["field"] == field


@pytest.mark.parametrize("model", [None, 3])
def test_train_refuses_a_model_that_is_not_a_name(model):
    """train(data, None) said "unknown model 'none'": a name it was never given."""
    wide = _frame(length=120).pivot(index="ds", columns="unique_id", values="y").reset_index()
    with pytest.raises(ConfigError, match="must be a model name") as err:
        train(wide, model, horizon=6, input_len=24, track=False, progress=False)
    assert err.value.where["field"] == "model"


@pytest.mark.parametrize("horizon", [2.5, None])
def test_recommend_panel_refuses_a_horizon_that_is_not_a_whole_number(panel, horizon):
    from recommender.panel import recommend_panel

    with pytest.raises(ConfigError) as err:
        recommend_panel(panel, horizon, candidates=["naive"])
    assert err.value.where["field"] == "horizon"


@pytest.mark.parametrize("model", ["mean", "ensemble"])
def test_a_model_with_no_panel_version_is_refused_before_a_run_opens(panel, tracking_uri, model):
    """`tsforge train panel.csv --model mean` left a FAILED MLflow run behind for a typo-sized
    mistake: the check now runs before the run is opened, and the store has no run."""
    import mlflow

    with pytest.raises(ConfigError) as err:
        train_panel(panel, model, horizon=6, tracking=TrackingOptions(progress=False))
    assert err.value.where["field"] == "model"
    assert mlflow.search_runs(search_all_experiments=True).empty


@pytest.mark.parametrize(
    ("kwargs", "words"),
    [
        ({"epochs": 1}, "'epochs' is a training-loop option: pass train_config={'max_epochs': ...}"),
        ({"horizn": 6}, "did you mean 'horizon' for 'horizn'?"),
    ],
)
def test_train_says_where_an_unknown_keyword_belongs(kwargs, words):
    """``train(..., epochs=1)`` listed the valid keywords only: the loop's options go in
    train_config (``max_epochs``), and a misspelt keyword gets its likely name."""
    with pytest.raises(ConfigError) as exc:
        train(_frame(), "dlinear", tracking=QUIET, **kwargs)
    assert words in str(exc.value)
    assert exc.value.where["field"] == next(iter(kwargs))
