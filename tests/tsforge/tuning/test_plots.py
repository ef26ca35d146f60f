"""The study plots: drawn without touching the process's matplotlib state, with readable axes."""

from __future__ import annotations

import matplotlib
import optuna
from optuna.visualization import matplotlib as ovm

from tsforge.tuning.plots import save_study_plots


def _small_study(n_trials: int = 3) -> optuna.Study:
    """An in-memory study of a few trials over two parameters (enough for both plots)."""
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    study = optuna.create_study(sampler=optuna.samplers.RandomSampler(seed=0))
    study.optimize(lambda t: t.suggest_float("x", -1, 1) ** 2 + t.suggest_int("n", 1, 4), n_trials=n_trials)
    return study


def _recorded_axes(monkeypatch, plot: str) -> list:
    """The axes Optuna's ``plot`` returns during the test, as a list filled when it is drawn."""
    drawn = []
    original = getattr(ovm, plot)

    def recording(*args, **kwargs):
        ax = original(*args, **kwargs)
        drawn.append(ax)
        return ax

    monkeypatch.setattr(ovm, plot, recording)
    return drawn


def test_study_plots_leave_the_global_matplotlib_style_alone(tmp_path):
    """Optuna's plots switch the global style to ggplot; the retrained best run's forecast plots,
    drawn afterwards in the same process, came out grey-backgrounded."""
    matplotlib.use("Agg")  # choosing Agg is the plots' documented side effect, not a style

    before = dict(matplotlib.rcParams.copy())
    written = save_study_plots(_small_study(), tmp_path)
    assert {p.name for p in written} == {"optimization_history.png", "param_importances.png"}
    after = dict(matplotlib.rcParams.copy())
    assert {k for k in before if before[k] != after[k]} == set()


def test_optimization_history_has_integer_trial_ticks(tmp_path, monkeypatch):
    """With three trials matplotlib's default locator ticked the trial axis at 0.25, 0.5, ..."""
    drawn = _recorded_axes(monkeypatch, "plot_optimization_history")
    save_study_plots(_small_study(), tmp_path)
    (ax,) = drawn
    ticks = [t for t in ax.get_xticks() if ax.get_xlim()[0] <= t <= ax.get_xlim()[1]]
    assert ticks and all(float(t).is_integer() for t in ticks)


def _titles(ax) -> str:
    return " | ".join(ax.get_title(loc=loc) for loc in ("left", "center", "right"))


def test_importance_plot_of_a_few_trials_says_it_is_a_rough_guide(tmp_path, monkeypatch):
    """Three trials gave a confident-looking bar chart of importances with no hint that a forest on
    three points assigns them by chance."""
    drawn = _recorded_axes(monkeypatch, "plot_param_importances")
    save_study_plots(_small_study(3), tmp_path)
    (ax,) = drawn
    assert "Importances\n(from 3 trials only" in _titles(ax)


def test_importance_plot_of_enough_trials_has_no_caveat(tmp_path, monkeypatch):
    drawn = _recorded_axes(monkeypatch, "plot_param_importances")
    save_study_plots(_small_study(25), tmp_path)
    (ax,) = drawn
    assert "Importances" in _titles(ax) and "trials only" not in _titles(ax)


def test_optimization_history_legend_sits_inside_the_axes(tmp_path, monkeypatch):
    """Optuna anchors the legend outside the axes, where it took 40 % of the figure's width."""
    drawn = _recorded_axes(monkeypatch, "plot_optimization_history")
    save_study_plots(_small_study(), tmp_path)
    (ax,) = drawn
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    renderer = FigureCanvasAgg(ax.figure).get_renderer()
    legend, box = ax.get_legend().get_window_extent(renderer), ax.get_window_extent(renderer)
    assert box.x0 <= legend.x0 and legend.x1 <= box.x1 + 1
