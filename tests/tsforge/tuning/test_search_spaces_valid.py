"""Every search space samples configurations its model trains as drawn (issue #17).

Why: a model adapts options its input cannot hold before it is built (HUTFormer replaces a
tiling the window cannot hold, :meth:`~tsforge.models.hutformer.HUTFormer.prepare_config`), so a
search that draws such options trains one model under several recorded params, and the study's
best-trial table, ``best.json`` and parameter importances report options that never trained.
"""

from __future__ import annotations

import logging
import warnings
from types import SimpleNamespace
from typing import Any

import optuna
import pytest

from tsforge.data.synthetic import synthetic_panel
from tsforge.errors import TsforgeWarning
from tsforge.models.base import ModelContext
from tsforge.models.registry import get_model_spec, model_names
from tsforge.training.config import TrainConfig
from tsforge.tuning import tune
from tsforge.tuning.space import suggest_config
from tsforge.tuning.study import resolve_storage

optuna.logging.set_verbosity(optuna.logging.WARNING)

#: What trials train on: ETTh1-like hourly windows, and the panel default ``input_len``
#: (two horizons or two seasons) of monthly horizons 18 and 6 and a quarterly horizon 8.
CONTEXTS = {
    "hourly 96→24": ModelContext(96, 24, ("a", "b", "c"), "h", 24, ("hour", "dow")),
    "monthly 36→18": ModelContext(36, 18, ("a", "b"), "MS", 12, ("month",)),
    "monthly 24→6": ModelContext(24, 6, ("a",), "MS", 12, ("month",)),
    "quarterly 16→8": ModelContext(16, 8, ("a",), "QS", 4, ("month",)),
}
SEARCHED = [m for m in model_names() if get_model_spec(m).search_space is not None]


def _samplers() -> list[optuna.samplers.BaseSampler]:
    """Random draws over several seeds, and TPE past its start-up trials (its own proposals)."""
    return [optuna.samplers.RandomSampler(seed=s) for s in range(3)] + [
        optuna.samplers.TPESampler(seed=7, n_startup_trials=3)
    ]


def _drawn(model: str, context: ModelContext, per_sampler: int = 6) -> list[dict]:
    """Model options drawn for ``context`` by each sampler (each trial scored 0, as a study would)."""
    out = []
    for sampler in _samplers():
        study = optuna.create_study(sampler=sampler)
        for i in range(per_sampler):
            trial = study.ask()
            cfg = suggest_config(trial, model, context=context)
            TrainConfig.from_dict(cfg.train)  # the training options build as well
            out.append(cfg.model)
            study.tell(trial, float(i % 3))
    return out


def _prepared(cls: Any, options: dict, context: ModelContext, caplog) -> tuple[dict, list[str]]:
    """The options ``cls`` trains for ``options``, and every note preparing them made: log lines
    of :mod:`tsforge.models` and tsforge warnings.

    Why both: a model says an adaptation of options the user named as a warning (HUTFormer's
    :class:`~tsforge.models.hutformer.TilingReplacedWarning`), and one the user did not choose as
    a log line; a check that read log records alone no longer heard the warning."""
    caplog.clear()
    with (
        caplog.at_level(logging.INFO, logger="tsforge.models"),
        warnings.catch_warnings(record=True) as caught,
    ):
        warnings.simplefilter("always")
        prepared = cls.prepare_config(dict(options), context, seed=0)
    notes = [r.getMessage() for r in caplog.records if r.name.startswith("tsforge.models")]
    notes += [str(w.message) for w in caught if issubclass(w.category, TsforgeWarning)]
    return prepared, notes


@pytest.mark.parametrize("context_name", list(CONTEXTS))
@pytest.mark.parametrize("model", SEARCHED)
def test_a_sampled_configuration_trains_as_drawn(model: str, context_name: str, caplog) -> None:
    context = CONTEXTS[context_name]
    cls = get_model_spec(model).cls
    for options in _drawn(model, context):
        prepared, notes = _prepared(cls, options, context, caplog)
        rewritten = {k: (v, prepared.get(k)) for k, v in options.items() if prepared.get(k) != v}
        assert not rewritten, (
            f"{model} on {context_name}: drawn {options}, trained (drawn, trained) {rewritten}"
        )
        assert not notes, f"{model} on {context_name}: building {options} said {notes}"
        cls(context, prepared)  # and the model builds with them (no ConfigError)


def test_the_notes_check_hears_a_warning_as_well_as_a_log_line(caplog) -> None:
    """The check above would pass a build that warns: HUTFormer's replaced tiling of a named
    segment length is a warning, and the defaults adapted to an input length a log line."""
    cls, context = get_model_spec("hutformer").cls, CONTEXTS["hourly 96→24"]
    _, warned = _prepared(cls, {"segment_len": 7}, context, caplog)
    assert len(warned) == 1 and "do not tile input_len 96" in warned[0] and "(asked 7)" in warned[0], warned
    _, logged = _prepared(cls, {}, CONTEXTS["monthly 24→6"], caplog)
    assert len(logged) == 1 and "do not tile input_len 24" in logged[0], logged


class _Trials:
    """``train_panel`` stand-in: every trial scores, nothing is trained (the search is tested)."""

    def __call__(self, data, **kwargs):
        return SimpleNamespace(run_id=None, metrics={"val_mase": 0.5, "val_mse": 0.5})


def test_a_hutformer_study_on_a_short_window_records_the_tilings_its_trials_trained(store, tmp_path):
    """Monthly horizon 6: 24-step windows. Trials drew segment 12 × 2 stages, or windows of 3-4
    tokens over 2, and each trained the tiling that fits instead, under the params drawn."""
    panel = synthetic_panel(n_series=4, min_length=40, max_length=50, seed=3)
    journal = tmp_path / "hut.journal"
    tune(
        panel, "hutformer", n_trials=8, horizon=6, storage=str(journal), study_name="hut-short",
        experiment="exp-space-valid", retrain=False, train_fn=_Trials(),
    )  # fmt: skip
    study = optuna.load_study(study_name="hut-short", storage=resolve_storage(str(journal)))
    tiling = ("segment_len", "stages", "window")
    for trial in study.trials:
        drawn = {k: trial.params[k] for k in tiling}
        trained = {k: trial.user_attrs["config"]["model"][k] for k in tiling}
        assert drawn == trained, f"trial {trial.number} drew {drawn} and trained {trained}"


def test_a_hutformer_study_that_drew_tilings_the_window_cannot_hold_is_refused_by_name(store, tmp_path):
    """Resuming a study started before the search read the window: Optuna cannot change a
    categorical's choices within a study, so it would fail each new trial ("dynamic value space")."""
    from tsforge.errors import ConfigError

    panel = synthetic_panel(n_series=4, min_length=40, max_length=50, seed=3)
    journal = tmp_path / "old.journal"
    old = optuna.create_study(study_name="old-tilings", storage=resolve_storage(str(journal)))
    # drawn without data: every segment and window
    old.optimize(lambda t: len(suggest_config(t, "hutformer").model) / 10, n_trials=1)
    with pytest.raises(ConfigError, match=r"drew (segment_len|window) from \[.*\].*offers \[") as err:
        tune(panel, "hutformer", n_trials=2, horizon=6, storage=str(journal), study_name="old-tilings",
             experiment="exp-space-valid", retrain=False, train_fn=_Trials())  # fmt: skip
    assert "24 input steps" in str(err.value)
    assert len(optuna.load_study(study_name="old-tilings", storage=resolve_storage(str(journal))).trials) == 1
