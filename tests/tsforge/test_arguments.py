"""The Python API's plain arguments: whole numbers and number lists are checked, not coerced."""

import pytest

from tsforge.arguments import number_list, whole_number
from tsforge.errors import ConfigError, ModelNotFoundError
from tsforge.models.registry import get_model_spec


@pytest.mark.parametrize("value", [2.5, True, "abc", None, [3]])
def test_whole_number_refuses_what_is_not_one(value):
    with pytest.raises(ConfigError) as err:
        whole_number(value, "horizon")
    assert err.value.where["field"] == "horizon"


@pytest.mark.parametrize(("value", "expected"), [(12, 12), (12.0, 12), ("12", 12), (-1, -1)])
def test_whole_number_accepts_whole_numbers(value, expected):
    assert whole_number(value, "horizon") == expected


def test_number_list_wraps_a_number_and_refuses_a_string():
    assert number_list(80, "level") == [80]
    assert number_list(None, "level") is None
    with pytest.raises(ConfigError, match="level"):
        number_list("80", "level")
    with pytest.raises(ConfigError, match="position 1"):
        number_list([80, "95"], "level")


def test_unknown_model_suggests_the_closest_name():
    with pytest.raises(ModelNotFoundError, match="did you mean 'dlinear'"):
        get_model_spec("dlinaer")
    with pytest.raises(ModelNotFoundError, match="model name"):
        get_model_spec(None)


def test_profile_panel_refuses_a_frame_and_a_fractional_n_jobs():
    """A frame failed as "'DataFrame' object has no attribute 'lengths'"; n_jobs=0 ran."""
    import numpy as np
    import pandas as pd

    from recommender.properties.profile import profile_panel
    from tsforge.data.panel import Panel

    frame = pd.DataFrame({"unique_id": "a", "ds": pd.date_range("2020", periods=30, freq="D"), "y": 1.0})
    with pytest.raises(ConfigError, match="load_panel") as err:
        profile_panel(frame)
    assert err.value.where["field"] == "panel"
    panel = Panel.from_arrays([np.sin(np.arange(40.0))], freq="D")
    for bad in (0, 1.5):
        with pytest.raises(ConfigError) as err:
            profile_panel(panel, n_jobs=bad)
        assert err.value.where["field"] == "n_jobs"


def test_tune_refuses_a_fractional_trial_count(tmp_path, monkeypatch):
    """tune(n_trials=1.5) ran a study."""
    from tsforge.tuning import tune

    monkeypatch.setenv("MLFLOW_TRACKING_URI", f"sqlite:///{tmp_path}/m.db")
    with pytest.raises(ConfigError, match="whole number") as err:
        tune("etth1", "dlinear", n_trials=1.5)
    assert err.value.where["field"] == "trials"
