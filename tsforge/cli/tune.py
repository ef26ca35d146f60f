"""``tsforge tune``: Optuna search of a model's space, every trial a nested MLflow run.

The command only parses options, draws the progress bar and prints the summary; the work is
:func:`tsforge.tuning.tune`. Optuna's and MLflow's own chatter is turned down while the bar
is shown (the trials are all in MLflow).
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager, redirect_stdout
from typing import Annotated, Any

import typer

from tsforge.cli.app import app, console, err_console, quiet_third_party
from tsforge.cli.core import baseline_comparison, print_registration, warn_unused_training_options
from tsforge.cli.data_options import (
    DROP_SHORT_WAY,
    DataArgument,
    DatasetOption,
    DropShortOption,
    data_source,
    key_value_options,
    reads_data,
    too_few_left_out,
    training_options,
)
from tsforge.cli.model_options import HorizonOption, InputLengthOption, check_at_least_one
from tsforge.data.panel_checks import leave_out_advice
from tsforge.errors import ConfigError
from tsforge.progress import CallbackBar

__all__ = ["tune_cmd", "TrialProgress"]


class TrialProgress:
    """Optuna study callback driving the trial bar: trials done and the best value so far.

    The bar is a :class:`tsforge.progress.CallbackBar` (tqdm, as every tsforge bar): on a
    terminal it redraws per trial, in a log it prints a line at most every
    :data:`~tsforge.progress.LOG_INTERVAL` seconds (the rich bar drawn here before printed
    nothing in a log until the study ended, minutes later).
    """

    def __init__(self, bar: CallbackBar | None) -> None:
        self.bar = bar
        self.counts = {"complete": 0, "pruned": 0, "fail": 0}

    def __call__(self, study: Any, trial: Any) -> None:
        key = trial.state.name.lower()
        self.counts[key] = self.counts.get(key, 0) + 1
        try:
            best = study.best_trial
            best_text = f"best {best.value:.5g} (#{best.number})"
        except ValueError:
            best_text = "best -"
        done = ", ".join(f"{v} {k}" for k, v in self.counts.items() if v)
        if self.bar is not None:
            total = self.bar.total
            self.bar(sum(self.counts.values()), total, f"tune {best_text} | {done}")
        if key == "fail":
            reason = trial.user_attrs.get("error", "see the trial's MLflow run")
            _say(f"trial {trial.number} failed: {reason}")


def _say(text: str) -> None:
    """A line on stderr that a live bar does not overwrite (the bar redraws below it)."""
    from tqdm.auto import tqdm

    tqdm.write(text, file=sys.stderr)


@contextmanager
def _progress_on_stderr(enabled: bool) -> Iterator[None]:
    """While the study runs, what the trials' training writes to stdout goes to stderr.

    Why: each trial shows the training loop's progress (``tune(..., progress=True)``), whose
    per-epoch lines tqdm writes to stdout; stdout holds the study's summary, printed after
    the study, which a user pipes or redirects, so the lines go beside the trial bar instead.
    """
    if not enabled:
        yield
        return
    with redirect_stdout(sys.stderr):
        yield


def _quiet_libraries() -> None:
    """The CLI's usual quieting, plus Optuna's and MLflow's per-trial lines.

    Why: failed trials are reported by the progress callback, so Optuna's per-trial tracebacks
    would only repeat them; and with a tracking server (``MLFLOW_TRACKING_URI=http://...``) MLflow
    prints "View run ... / View experiment ..." to stdout as each run ends, two lines per trial
    (80 for ``--trials 40``) above the study's summary, which names the runs itself. A user's
    own ``MLFLOW_SUPPRESS_PRINTING_URL_TO_STDOUT`` is kept.
    """
    import os

    import optuna

    quiet_third_party()
    optuna.logging.set_verbosity(optuna.logging.ERROR)
    os.environ.setdefault("MLFLOW_SUPPRESS_PRINTING_URL_TO_STDOUT", "true")  # read as each run ends


@app.command("tune")
@reads_data()
def tune_cmd(
    data: DataArgument = None,
    dataset: DatasetOption = None,
    model: Annotated[
        str, typer.Option("--model", "-m", help="Registered model with a search space.")
    ] = "dlinear",
    horizon: HorizonOption = None,
    input_len: InputLengthOption = None,
    split: Annotated[
        str | None,
        typer.Option(
            help="holdout (panels and your own files, as in `tsforge train`: validation MASE is "
            "minimised) or 7:1:2, 6:2:2, ett for long multichannel data (validation MSE) "
            "(default: the catalogue's)."
        ),
    ] = None,
    trials: Annotated[
        int | None,
        typer.Option(
            "--trials",
            "-n",
            help="The study's total number of trials (default 20, or unlimited with --timeout); "
            "resuming a study runs only the trials it still lacks. Workers sharing a study stop "
            "starting trials once it has the total, and the trials then running finish: N workers "
            "can end up to N-1 over it.",
        ),
    ] = None,
    timeout: Annotated[
        float | None, typer.Option(help="Stop starting trials after this many seconds.")
    ] = None,
    study: Annotated[
        str | None,
        typer.Option(
            "--study", help="Study name; an existing name resumes (default <model>-<dataset>-h<H>)."
        ),
    ] = None,
    storage: Annotated[
        str | None,
        typer.Option(
            help="Optuna storage: RDB URL (postgresql://, sqlite:///) or .journal file "
            "(default: optuna.journal beside the MLflow tracking store)."
        ),
    ] = None,
    epochs: Annotated[
        int | None, typer.Option(help="Maximum epochs of every trial (fixed, not searched).")
    ] = None,
    train_option: Annotated[
        list[str] | None,
        typer.Option(
            "--train-option",
            help="Fixed training option key=value (repeatable); a searched one (lr) is then not searched.",
        ),
    ] = None,
    option: Annotated[
        list[str] | None,
        typer.Option(
            "--option",
            "-o",
            help="Fixed model option key=value (repeatable); a searched one (kernel_size) is then not searched.",
        ),
    ] = None,
    strategy: Annotated[
        str | None, typer.Option(help="Loss strategy (its search space joins the search).")
    ] = None,
    selective: Annotated[
        bool, typer.Option("--selective", help="Shorthand for --strategy selective (tunes r_u, r_a).")
    ] = False,
    pruner: Annotated[str, typer.Option(help="median, percentile, hyperband or none.")] = "median",
    startup_trials: Annotated[int, typer.Option(help="Random trials before TPE models the space.")] = 10,
    seed: Annotated[int, typer.Option(help="Training seed of every trial.")] = 2024,
    sampler_seed: Annotated[
        int | None, typer.Option(help="TPE seed (default: --seed); give parallel workers different values.")
    ] = None,
    experiment: Annotated[str | None, typer.Option(help="MLflow experiment (default: dataset name).")] = None,
    register_as: Annotated[
        str | None, typer.Option(help="Registered model name (default: <dataset>-<model>).")
    ] = None,
    retrain: Annotated[
        bool, typer.Option("--retrain/--no-retrain", help="Retrain and register the best parameters.")
    ] = True,
    register: Annotated[
        bool, typer.Option("--register/--no-register", help="Register the retrained best model.")
    ] = True,
    eval_stride: Annotated[int, typer.Option(help="Stride of the scored val/test windows (1 = all).")] = 1,
    no_progress: Annotated[bool, typer.Option("--no-progress", help="No progress bar.")] = False,
    *,
    load_kwargs: dict[str, Any],
    drop_short: DropShortOption = False,
) -> None:
    """Tune a model with Optuna (TPE + pruning); resumable by --study, parallel by a shared --storage."""
    from tsforge.tuning import tune
    from tsforge.tuning.tune import check_session_options

    dataset = data_source(data, dataset, "tune")
    # the counts `train` and `cv` refuse before any data is read, in their words (the library's
    # own checks name its parameters, and came after the file was read in full)
    check_at_least_one(horizon=horizon, input=input_len, epochs=epochs, trials=trials)
    strategy_name = "selective" if selective else strategy
    train_cfg = training_options(train_option, max_epochs=epochs)
    if trials is None and timeout is None:
        trials = 20
    check_session_options(
        timeout=timeout,
        n_startup_trials=startup_trials,
        eval_stride=eval_stride,
        seed=seed,
        sampler_seed=sampler_seed,
    )
    if register_as is not None and not (retrain and register):
        # the name would be dropped without a word: nothing is registered without both
        off = "--no-retrain" if not retrain else "--no-register"
        raise ConfigError(
            f"--register-as names the retrained best model, which {off} skips", field="register_as"
        )
    _preflight(model, strategy_name, pruner)
    warn_unused_training_options(model, train_cfg)  # --epochs on lightgbm, as `train` says
    _quiet_libraries()

    # the bar starts once the study is open: an error in the data or the options before that is
    # then the one line on stderr, not a "0/20 starting" bar left above it; stdout holds the
    # study's summary, the bar and its notes go to stderr
    bar = None if no_progress else CallbackBar("tune", unit="trial")
    trial_bar = TrialProgress(bar)
    try:

        def on_start(done_before: int, to_run: int | None) -> None:
            if bar is not None:
                bar.open("tune", total=to_run)
            if done_before:
                _say(
                    f"resuming: the study has {done_before} finished trial(s)"
                    + (f"; {to_run} to run" if to_run is not None else "")
                )

        def on_retrain(best_trial: int) -> None:
            if bar is not None:
                bar.close()  # the trials are done: the note goes below the finished bar
            _say(
                f"retraining the best trial #{best_trial} with its parameters"
                + (" and registering it" if register else "")
            )

        try:
            with _progress_on_stderr(not no_progress), leave_out_advice(DROP_SHORT_WAY):
                result = tune(
                    dataset,
                    model,
                    n_trials=trials,
                    timeout=timeout,
                    study_name=study,
                    storage=storage,
                    input_len=input_len,
                    horizon=horizon,
                    split=split,
                    train_config=train_cfg,
                    model_config=key_value_options(option, "model"),
                    strategy=strategy_name,
                    seed=seed,
                    sampler_seed=sampler_seed,
                    pruner=pruner,
                    n_startup_trials=startup_trials,
                    experiment=experiment,
                    registered_name=register_as,
                    retrain=retrain,
                    register=register,
                    eval_stride=eval_stride,
                    callbacks=[trial_bar],
                    load_kwargs=too_few_left_out(load_kwargs, drop_short),
                    on_start=on_start,
                    on_retrain=on_retrain,
                    drop_short=drop_short,
                    progress=not no_progress,
                )
        except KeyboardInterrupt:
            if bar is not None:
                bar.close()
            err_console.print(
                "[yellow]interrupted[/]: finished trials are kept; rerun the same command "
                "(same --study and --storage) to continue the study."
            )
            raise
    finally:
        if bar is not None:
            bar.close()
    _print_result(result)


def _preflight(model: str, strategy: str | None, pruner: str) -> None:
    """Refuse options that cannot work before the progress bar appears (``tune`` checks them again)."""
    from tsforge.training.fitting import check_strategy
    from tsforge.tuning.space import has_search_space
    from tsforge.tuning.study import make_pruner

    make_pruner(pruner)
    check_strategy(model, strategy)
    if not has_search_space(model, strategy):
        raise ConfigError(
            f"model {model!r} declares no search space; nothing to tune{_tunable_hint(model)}", field="model"
        )


def _tunable_hint(model: str) -> str:
    """``: the models with a search space are dlinear, …`` for the refusal above.

    Why: ``tune my.csv --model auto_ets`` was answered "nothing to tune" alone; the user had to
    try the models one by one to find those ``tune`` searches, and did not learn that a
    statistical model chooses its own form when ``train`` fits it.
    """
    from tsforge.models.registry import get_model_spec, model_names

    names = [n for n in model_names() if get_model_spec(n).search_space is not None]
    chooses = (
        f"; {model} chooses its own form when `tsforge train` fits it" if model.startswith("auto_") else ""
    )
    return f": the models with a search space are {', '.join(names)}{chooses}"


def _original_units(metrics: dict[str, float]) -> str:
    """``; in the data's units: test MAE 0.827, test MSE 1.05`` for a window model's retrained best.

    Why: the summary gave only normalised scores (test MAE 0.111 for an error of 0.83 in the
    file's units), while ``tsforge train`` prints the MAE in original units beside them; a user
    comparing the tuned model with their own numbers had to open the run to find them.
    """
    parts = [
        f"test {name} {metrics[key]:.5g}"
        for name, key in (("MAE", "test_orig_mae"), ("MSE", "test_orig_mse"))
        if key in metrics
    ]
    return f"; in the data's units: {', '.join(parts)}" if parts else ""


def _print_result(result: Any) -> None:
    from rich.table import Table

    c = result.counts
    console.print(
        f"study [bold]{result.study_name}[/] ({result.storage}): {result.n_trials_session} trial(s) this run, "
        f"{c.get('total', 0)} in total — {c.get('complete', 0)} complete, {c.get('pruned', 0)} pruned, "
        f"{c.get('fail', 0)} failed"
        + (f", {c['interrupted']} interrupted (not counted)" if c.get("interrupted") else "")
        + f"; {result.wall_seconds:.1f} s"
    )
    if result.best_trial is None:
        # nothing to register or retrain: a failed command for scripts and CI, not a success
        err_console.print("[red]no trial completed[/]: every trial of this study failed (reasons above)")
        raise typer.Exit(1)
    panel = result.objective == "val_mase"
    label = "val MASE" if panel else "val MSE"
    table = Table(title=f"Best trial #{result.best_trial}: {label} {result.best_value:.5f}")
    table.add_column("part")
    table.add_column("parameter")
    table.add_column("value", justify="right")
    for part, values in (result.best_config or {}).items():
        for k, v in values.items():
            table.add_row(part, k, f"{v:.4g}" if isinstance(v, float) else str(v))
    console.print(table)
    m = result.final_metrics
    nan = float("nan")
    if m and panel:
        console.print(
            f"retrained best: val MASE {m.get('val_mase', nan):.5f}, test MASE {m.get('test_mase', nan):.5f}, "
            f"test OWA {m.get('test_owa', nan):.5f}; MLflow run {result.final_run_id}"
        )
    elif m:
        console.print(
            f"retrained best: val MSE {m.get('val_mse', nan):.5f}, test MSE {m.get('test_mse', nan):.5f}, "
            f"test MAE {m.get('test_mae', nan):.5f} (normalised){_original_units(m)}; "
            f"MLflow run {result.final_run_id}"
        )
    skill = baseline_comparison(m, result.final_baseline, *(("mase", "naive2_mase") if panel else ()))
    if skill:
        console.print(skill)
    print_registration(result)
    if result.already_registered:
        console.print(
            f"best trial #{result.best_trial} is unchanged: not retrained; "
            f"{result.already_registered} already holds its model"
        )
    if result.parent_run_id is None:  # a finished study rerun: nothing ran, no run was opened
        where = (
            f"; its last parent run is {result.last_parent_run_id} (plots under tuning/)"
            if result.last_parent_run_id
            else ""
        )
        console.print(
            f"the study already has its {c.get('total', 0)} trial(s): no MLflow run opened "
            f"(experiment {result.experiment!r}){where}"
        )
        return
    console.print(
        f"MLflow parent run {result.parent_run_id} (experiment {result.experiment!r}); plots under tuning/"
    )
