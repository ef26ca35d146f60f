"""The reader's advice works where it is raised: its options are keywords of the entry points.

Found by a user walk (s71): ``train_panel("panel.csv", "auto_ets", horizon=12)`` refused a gap
with "... or insert the missing steps as missing values: fill_gaps=True", and following it,
``train_panel(..., fill_gaps=True)``, raised ``TypeError: unexpected keyword argument
'fill_gaps'``; only ``load_kwargs={"fill_gaps": True}`` worked. The entry points that read a
file now take the reader's options as keywords and merge them into ``load_kwargs``.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from tsforge.errors import ConfigError, DataValidationError
from tsforge.panels.predictor import PanelPredictor
from tsforge.pipeline import TrackingOptions, train, train_panel
from tsforge.pipeline.panel import evaluate_panel_model

_H = 6
_UNTRACKED = TrackingOptions(track=False, progress=False)


@pytest.fixture(autouse=True)
def _own_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("TSFORGE_CACHE_DIR", str(tmp_path / "cache"))


def _gappy_panel(tmp_path: Path, time_col: str = "ds") -> str:
    """Three monthly series of 40 values; ``s1`` misses two months (a gap on the monthly grid)."""
    frames = []
    for i, sid in enumerate(("s0", "s1", "s2")):
        months = pd.date_range("2015-01-01", periods=40, freq="MS").strftime("%Y-%m-%d")
        frame = pd.DataFrame({"unique_id": sid, time_col: months, "y": 50 + i + np.sin(np.arange(40) / 2)})
        frames.append(frame.drop(index=[20, 21]) if sid == "s1" else frame)
    path = tmp_path / "gappy.csv"
    pd.concat(frames).to_csv(path, index=False)
    return str(path)


def _gappy_wide(tmp_path: Path) -> str:
    """One hourly channel of 400 values with two hours missing."""
    times = pd.date_range("2020-01-01", periods=400, freq="h")
    frame = pd.DataFrame({"date": times.strftime("%Y-%m-%d %H:%M"), "a": np.sin(np.arange(400) / 4)})
    path = tmp_path / "wide.csv"
    frame.drop(index=[200, 201]).to_csv(path, index=False)
    return str(path)


def test_train_panel_takes_the_fill_gaps_its_refusal_advises(tmp_path):
    path = _gappy_panel(tmp_path)
    with pytest.raises(DataValidationError, match=r"fill_gaps=True"):
        train_panel(path, "naive", horizon=_H, tracking=_UNTRACKED, intervals=False)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        out = train_panel(path, "naive", horizon=_H, tracking=_UNTRACKED, intervals=False, fill_gaps=True)
    assert len(out.per_series) == 3


def test_train_panel_takes_a_time_column_by_keyword(tmp_path):
    path = _gappy_panel(tmp_path, time_col="month")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        out = train_panel(
            path, "naive", horizon=_H, tracking=_UNTRACKED, intervals=False, time_col="month", fill_gaps=True
        )
    assert len(out.per_series) == 3


def test_evaluate_panel_model_takes_fill_gaps(tmp_path):
    path = _gappy_panel(tmp_path)
    predictor = PanelPredictor("naive", _H, freq="MS", season_length=12)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        scores, per_series = evaluate_panel_model(predictor, path, fill_gaps=True)
    assert len(per_series) == 3 and np.isfinite(scores["test_mase"])


def test_an_option_given_both_ways_with_different_values_is_refused_naming_it(tmp_path):
    path = _gappy_panel(tmp_path)
    with pytest.raises(ConfigError, match=r"fill_gaps is given twice") as caught:
        train_panel(
            path, "naive", horizon=_H, tracking=_UNTRACKED, fill_gaps=True, load_kwargs={"fill_gaps": False}
        )
    assert caught.value.where["field"] == "fill_gaps"


def test_the_same_value_both_ways_is_no_conflict(tmp_path):
    path = _gappy_panel(tmp_path)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        out = train_panel(
            path,
            "naive",
            horizon=_H,
            tracking=_UNTRACKED,
            intervals=False,
            fill_gaps=True,
            load_kwargs={"fill_gaps": True},
        )
    assert len(out.per_series) == 3


def test_a_mistyped_keyword_is_still_a_type_error(tmp_path):
    with pytest.raises(TypeError, match=r"train_panel\(\) got an unexpected keyword argument 'fill_gap'"):
        train_panel(_gappy_panel(tmp_path), "naive", horizon=_H, tracking=_UNTRACKED, fill_gap=True)


def test_train_on_long_multichannel_data_takes_fill_gaps(tmp_path):
    path = _gappy_wide(tmp_path)
    with pytest.raises(DataValidationError, match=r"fill_gaps=True"):
        train(path, "seasonal_naive", input_len=48, horizon=12, track=False, progress=False)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        out = train(
            path, "seasonal_naive", input_len=48, horizon=12, track=False, progress=False, fill_gaps=True
        )
    assert np.isfinite(out.metrics["test_mse"])


def test_recommend_series_reads_with_fill_gaps(tmp_path):
    """The gap is no longer refused: the refusal that comes (a horizon too long) is about the
    data as filled, before any router is needed."""
    from recommender.series_recommendation import recommend_series

    path = _gappy_panel(tmp_path)
    with pytest.raises(DataValidationError, match=r"irregular spacing"):
        recommend_series(path, horizon=30, build_if_missing=False)
    with pytest.raises(DataValidationError) as caught, warnings.catch_warnings():
        warnings.simplefilter("ignore")
        recommend_series(path, horizon=30, build_if_missing=False, fill_gaps=True)
    assert "irregular spacing" not in str(caught.value) and "30" in str(caught.value)


def test_recommend_reads_with_fill_gaps(tmp_path):
    """As above for the long-data recommender: the refusal is the horizon's, not the gap's."""
    from recommender import recommend

    path = _gappy_wide(tmp_path)
    with pytest.raises(DataValidationError, match=r"irregular spacing"):
        recommend(path, horizon=1000, build_if_missing=False)
    with pytest.raises(DataValidationError) as caught, warnings.catch_warnings():
        warnings.simplefilter("ignore")
        recommend(path, horizon=1000, build_if_missing=False, fill_gaps=True)
    assert "irregular spacing" not in str(caught.value) and "1000" in str(caught.value)


def test_tune_and_the_routed_training_take_the_keywords(tmp_path):
    """Both merge them into ``load_kwargs`` before anything else (a conflict is the merge's
    refusal, where a keyword they did not take was a TypeError)."""
    from recommender.routed_training import train_routed
    from tsforge.tuning.tune import tune

    path = _gappy_panel(tmp_path)
    with pytest.raises(ConfigError, match=r"fill_gaps is given twice"):
        tune(path, "dlinear", n_trials=1, fill_gaps=True, load_kwargs={"fill_gaps": False})
    with pytest.raises(ConfigError, match=r"freq is given twice"):
        train_routed(path, _H, freq="MS", load_kwargs={"freq": "D"})


def test_tune_takes_the_panel_readers_drop_too_few_its_own_refusal_advises(tmp_path, monkeypatch):
    """tune's refusal of a one-value series advises ``drop_too_few=True``; tune(...,
    drop_too_few=True) raised TypeError (review, s71). It reaches the panel's reader now."""
    import importlib

    tune_module = importlib.import_module("tsforge.tuning.tune")  # the package's name is the function

    seen: dict[str, object] = {}

    def _stop(data, model, input_len, horizon, drop_short, load_kwargs):
        seen.update(load_kwargs)
        raise RuntimeError("stop before any trial")

    monkeypatch.setattr(tune_module, "_panel_for_study", _stop)
    with pytest.raises(RuntimeError, match="stop before any trial"):
        tune_module.tune(
            _gappy_panel(tmp_path), "dlinear", horizon=_H, n_trials=1, storage=None, drop_too_few=True
        )
    assert seen.get("drop_too_few") is True, seen


def test_tune_on_a_split_refuses_drop_too_few_by_name(tmp_path):
    from tsforge.tuning import tune

    with pytest.raises(ConfigError, match="drop_too_few applies to a panel"):
        tune("synthetic", "dlinear", horizon=_H, split="7:1:2", n_trials=1, storage=None, drop_too_few=True)


def test_train_suggests_the_readers_option_for_a_misspelling():
    """train() refuses an unknown keyword listing the valid names; the reader's options it takes
    (fill_gaps, ...) were missing from that list, so fill_gap got no "did you mean"."""
    with pytest.raises(ConfigError, match="did you mean 'fill_gaps' for 'fill_gap'"):
        train("synthetic", "dlinear", fill_gap=True, tracking=_UNTRACKED)


def test_one_option_given_both_ways_as_a_list_and_a_tuple_or_equal_arrays_is_no_conflict():
    from tsforge.data.load_options import LOAD_OPTIONS, merged_load_kwargs

    merged = merged_load_kwargs(
        {"value_cols": ["a", "b"]}, {"value_cols": ("a", "b")}, accepted=LOAD_OPTIONS, caller="f"
    )
    assert list(merged["value_cols"]) == ["a", "b"]
    arrays = merged_load_kwargs(
        {"value_cols": np.array(["a", "b"])},
        {"value_cols": np.array(["a", "b"])},
        accepted=LOAD_OPTIONS,
        caller="f",
    )
    assert list(arrays["value_cols"]) == ["a", "b"]
    with pytest.raises(ConfigError, match="given twice with different values"):
        merged_load_kwargs(
            {"value_cols": ["a", "b"]}, {"value_cols": ("a", "c")}, accepted=LOAD_OPTIONS, caller="f"
        )


def test_values_that_cannot_be_compared_are_a_conflict_not_a_crash():
    """A string against an array raised numpy's "truth value ... ambiguous", a 0-d array
    ``len() of unsized object`` (review, s71): both are options given twice, differently."""
    from tsforge.data.load_options import LOAD_OPTIONS, merged_load_kwargs

    for given, kept in (("a", np.array(["a", "b"])), (np.array("a"), ["a", "b"])):
        with pytest.raises(ConfigError, match="given twice with different values"):
            merged_load_kwargs({"value_cols": kept}, {"value_cols": given}, accepted=LOAD_OPTIONS, caller="f")


def test_tune_on_a_split_takes_drop_too_few_false_as_asking_for_nothing(tmp_path, monkeypatch):
    import importlib

    tune_module = importlib.import_module("tsforge.tuning.tune")  # the package's name is the function

    def _stop(*args, **kwargs):
        raise RuntimeError("reached the split's windows")

    monkeypatch.setattr(tune_module, "_check_windows", _stop)
    with pytest.raises(RuntimeError, match="reached the split's windows"):
        tune_module.tune(
            "synthetic", "dlinear", horizon=_H, split="7:1:2", n_trials=1, storage=None, drop_too_few=False
        )
