"""Optuna's optimisation-history and parameter-importance plots, saved as PNG files.

Uses Optuna's matplotlib backend (no plotly/kaleido needed) on the non-interactive ``Agg``
canvas, so it works on headless machines. A plot that cannot be drawn (e.g. importances need
two finished trials with varying parameters) is skipped with a log line, never an error: the
plots are a report, not a result.
"""

from __future__ import annotations

import logging
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import optuna

__all__ = ["save_study_plots"]

log = logging.getLogger(__name__)

#: Below this many complete trials the importance plot carries a caveat in its title: Optuna's
#: fANOVA importances come from a random forest fitted on the trials, and a forest on a handful of
#: points assigns importance by chance (two trials always give one parameter 100 %).
FEW_TRIALS_FOR_IMPORTANCE = 20


def save_study_plots(study: optuna.Study, out_dir: str | Path) -> list[Path]:
    """Write ``optimization_history.png`` and ``param_importances.png`` for ``study`` into ``out_dir``.

    Drawn inside :func:`matplotlib.rc_context`: Optuna's matplotlib backend switches the global
    style to ``ggplot``, which would otherwise leak into every figure drawn afterwards in the
    process (the retrained best run's forecast plots came out grey).

    Returns:
        The files written (possibly fewer than two, see the module docstring).
    """
    import matplotlib

    matplotlib.use("Agg", force=False)
    from optuna.visualization import matplotlib as ovm

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    done = [t for t in study.get_trials(deepcopy=False) if t.state == optuna.trial.TrialState.COMPLETE]
    # the axis says what was minimised (a panel study minimises MASE, a windowed one MSE)
    target = {"val_mase": "validation MASE", "val_mse": "validation MSE (normalised)"}.get(
        str(study.user_attrs.get("objective", "val_mse")), "objective"
    )
    written: list[Path] = []
    # (file, plot, complete trials needed, x axis = trial numbers, caveat under the title)
    plots: list[tuple[str, Callable[..., Any], int, bool, str | None]] = [
        ("optimization_history.png", ovm.plot_optimization_history, 1, True, None)
    ]
    plots.append(
        ("param_importances.png", ovm.plot_param_importances, 2, False, importance_caveat(len(done)))
    )
    for filename, fn, min_trials, trial_axis, caveat in plots:
        if len(done) < min_trials:
            log.info("skipping %s: %d complete trial(s), need %d", filename, len(done), min_trials)
            continue
        try:
            with matplotlib.rc_context():
                written.append(
                    _draw(
                        study,
                        fn,
                        target,
                        out / filename,
                        trial_axis=trial_axis,
                        caveat=caveat,
                        subject=study_subject(study, len(done)),
                    )
                )
        except Exception as exc:  # noqa: BLE001 - a missing plot must not fail the study
            log.warning("could not draw %s: %s", filename, exc)
    return written


def study_subject(study: optuna.Study, n_complete: int) -> str:
    """What a plot is about, for its title: the model, data and horizon the study searched
    (its user attributes), its name and how many trials finished. A PNG is read outside the
    run too, and Optuna's own title ("Optimization History Plot") names none of them."""
    attrs = study.user_attrs
    what = " on ".join(str(attrs[k]) for k in ("model", "dataset") if attrs.get(k))
    if attrs.get("horizon"):
        what = f"{what}, H={attrs['horizon']}" if what else f"H={attrs['horizon']}"
    trials = f"{n_complete} complete trial{'s' if n_complete != 1 else ''}"
    return (
        f"{what} (study {study.study_name!r}, {trials})" if what else f"study {study.study_name!r}, {trials}"
    )


def importance_caveat(n_complete: int) -> str | None:
    """The line put under the importance plot's title for a study too small to trust it, else None."""
    if n_complete >= FEW_TRIALS_FOR_IMPORTANCE:
        return None
    return f"from {n_complete} trials only: a rough guide, not a measurement"


def _draw(
    study: optuna.Study,
    fn: Callable[..., Any],
    target: str,
    path: Path,
    *,
    trial_axis: bool,
    caveat: str | None = None,
    subject: str | None = None,
) -> Path:
    """Draw one Optuna plot of ``study`` and save it to ``path``.

    ``trial_axis``: the x axis counts trials, so it gets integer ticks only; matplotlib's default
    locator puts a study of a few trials at 0.2, 0.4, ... (trials that do not exist).
    ``caveat``: a second title line (see :func:`importance_caveat`).
    ``subject``: what the study searched (see :func:`study_subject`), the figure's title above
    the plot's own.
    """
    import matplotlib.pyplot as plt
    from matplotlib.ticker import MaxNLocator

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # ExperimentalWarning of the matplotlib backend
        ax = fn(study, target_name=target)
    fig = ax.figure if hasattr(ax, "figure") else ax.flat[0].figure
    try:
        if trial_axis:
            ax.xaxis.set_major_locator(MaxNLocator(integer=True))
            if ax.get_legend() is not None:
                # Optuna anchors it outside the axes, where it took 40 % of the figure's width
                ax.legend(loc="best", fontsize="small")
        if caveat:  # Optuna titles some plots on the left: extend whichever title is there
            loc = next((loc for loc in ("center", "left", "right") if ax.get_title(loc=loc)), "center")
            ax.set_title(f"{ax.get_title(loc=loc)}\n({caveat})", loc=loc)
        if subject:
            fig.suptitle(subject, fontsize=10)
        fig.set_size_inches(8, 5)
        fig.tight_layout()
        fig.savefig(path, dpi=110)
    finally:
        plt.close(fig)
    return path
