"""The study plots name what was searched: Optuna's own titles ("Optimization History Plot")
said nothing of the model, the data or the study, and the PNGs are read outside the run too."""

from __future__ import annotations

import optuna
from optuna.visualization import matplotlib as ovm

from tsforge.tuning.plots import save_study_plots


def _study(n_trials: int, **attrs) -> optuna.Study:
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    study = optuna.create_study(study_name="shops-dl", sampler=optuna.samplers.RandomSampler(seed=0))
    for key, value in attrs.items():
        study.set_user_attr(key, value)
    study.optimize(lambda t: t.suggest_float("x", -1, 1) ** 2 + t.suggest_int("n", 1, 4), n_trials=n_trials)
    return study


def _figures(monkeypatch) -> list:
    drawn = []
    for name in ("plot_optimization_history", "plot_param_importances"):
        original = getattr(ovm, name)

        def recording(*args, _original=original, **kwargs):
            ax = _original(*args, **kwargs)
            drawn.append(ax.figure)
            return ax

        monkeypatch.setattr(ovm, name, recording)
    return drawn


def test_both_plots_name_the_model_data_horizon_study_and_trials(tmp_path, monkeypatch):
    figures = _figures(monkeypatch)
    save_study_plots(_study(3, model="dlinear", dataset="shops", horizon=12), tmp_path)
    titles = [fig._suptitle.get_text() if fig._suptitle else "" for fig in figures]
    assert titles == ["dlinear on shops, H=12 (study 'shops-dl', 3 complete trials)"] * 2


def test_a_study_without_attributes_is_named_by_its_name(tmp_path, monkeypatch):
    figures = _figures(monkeypatch)
    save_study_plots(_study(1), tmp_path)
    (fig,) = figures  # one trial: the importance plot is skipped
    assert fig._suptitle.get_text() == "study 'shops-dl', 1 complete trial"
