"""A search space offers the choices the data can tell apart: what a study reports is what its
trials trained (LightGBM caps ``n_lags`` at the input window; a period model's default period is
the season; PatchTST refuses a patch longer than the input)."""

from __future__ import annotations

from types import SimpleNamespace

import optuna
import pytest

from tsforge.data.synthetic import synthetic_panel
from tsforge.errors import ConfigError
from tsforge.tuning import tune
from tsforge.tuning.space import suggest_config
from tsforge.tuning.study import resolve_storage


class _Trials:
    """``train_panel`` stand-in: every trial scores, nothing is trained (the search is tested)."""

    def __init__(self) -> None:
        self.model_configs: list[dict] = []

    def __call__(self, data, **kwargs):
        self.model_configs.append(dict(kwargs["model_config"]))
        return SimpleNamespace(run_id=None, metrics={"val_mase": 0.5, "val_mse": 0.5})


def _study(journal, name):
    return optuna.load_study(study_name=name, storage=resolve_storage(str(journal)))


@pytest.mark.parametrize(
    ("model", "freq", "horizon", "input_len", "param", "offered"),
    [
        # monthly, horizon 6: a 24-step window; 48 and 96 lags trained the 24-lag model
        ("lightgbm", "MS", 6, None, "n_lags", (24,)),
        ("lightgbm", "MS", 6, 36, "n_lags", (24, 36)),
        # quarterly: the default period is the season, 4 steps, the other choice's
        ("sparsetsf", "QS", 4, None, "period_len", (None,)),
        ("timebase", "QS", 4, None, "period_len", (None,)),
        # a 12-step window holds patches of 8 only (16 and 24 failed every trial given them)
        ("patchtst", "MS", 6, 12, "patch_len", (8,)),
    ],
)
def test_a_search_offers_each_choice_the_data_tells_apart_once(
    model, freq, horizon, input_len, param, offered, store, tmp_path
):
    panel = synthetic_panel(n_series=4, freq=freq, min_length=40, max_length=50, seed=3)
    journal = tmp_path / "optuna.journal"
    trials = _Trials()
    res = tune(
        panel, model, n_trials=2, horizon=horizon, input_len=input_len, storage=str(journal),
        study_name=f"space-{model}", experiment="exp-space", retrain=False, train_fn=trials,
    )  # fmt: skip
    study = _study(journal, f"space-{model}")
    assert {t.distributions[param].choices for t in study.trials} == {offered}
    assert {cfg[param] for cfg in trials.model_configs} <= set(offered)  # what each trial trained
    assert res.best_config["model"][param] in offered  # what the best-trial table reports


def test_a_study_that_drew_from_choices_the_data_does_not_offer_is_refused_by_name(store, tmp_path):
    """A study started when LightGBM offered 24, 48 and 96 lags on a 24-step window failed its
    first new trial with Optuna's "CategoricalDistribution does not support dynamic value space"."""
    panel = synthetic_panel(n_series=4, min_length=40, max_length=50, seed=3)
    journal = tmp_path / "optuna.journal"
    old = optuna.create_study(study_name="old-lags", storage=resolve_storage(str(journal)))
    old.optimize(lambda t: len(suggest_config(t, "lightgbm").model) / 10, n_trials=1)  # no data: every choice
    with pytest.raises(ConfigError, match=r"drew n_lags from \[24, 48, 96\].*offers \[24\]") as err:
        tune(panel, "lightgbm", n_trials=2, horizon=6, storage=str(journal), study_name="old-lags",
             experiment="exp-space", retrain=False, train_fn=_Trials())  # fmt: skip
    assert "--study name" in err.value.for_cli() and "--study" not in str(err.value)
    assert len(_study(journal, "old-lags").trials) == 1  # nothing ran


def test_without_data_a_space_offers_every_choice():
    """Callers with no data (the model's own tests, a space listed for reading) see the full space."""
    from tsforge.tuning.space import probe_space

    _, choices = probe_space("lightgbm")
    assert choices["n_lags"] == (24, 48, 96)
    assert probe_space("sparsetsf")[1]["period_len"] == (None, 4)


def test_options_a_model_adapts_to_the_window_are_reported_as_trained(store, tmp_path):
    """HUTFormer replaces a tiling its input cannot hold (``prepare_config``): segment 12 × 2
    stages with a window of 3 does not tile 24 steps and trained segment 4; the best-trial table,
    ``best.json`` and the trial's ``config`` said 12. The search no longer draws such a tiling
    (``test_search_spaces_valid.py``); a user's fixed one still reaches the model."""
    panel = synthetic_panel(n_series=4, min_length=40, max_length=50, seed=3)
    res = tune(
        panel, "hutformer", n_trials=1, horizon=6, storage=str(tmp_path / "j.journal"), study_name="tiling",
        experiment="exp-space", retrain=False, train_fn=_Trials(),
        model_config={"segment_len": 12, "stages": 2, "window": 3},
    )  # fmt: skip
    trained = {k: res.best_config["model"][k] for k in ("segment_len", "stages", "window")}
    assert trained == {"segment_len": 4, "stages": 2, "window": 3}
    assert "segment_len" not in res.best_params  # fixed, not searched
    trial = _study(tmp_path / "j.journal", "tiling").trials[0]
    assert trial.user_attrs["config"]["model"]["segment_len"] == 4
