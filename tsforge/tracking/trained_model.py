"""Log a trained model to its tracked run: metrics, plots, the pyfunc, the registry.

Why one function for every kind of model: the multichannel pipeline and the panel pipeline
emit plain results (metrics, tables, a way to write the model bundle and its plots) and this
module, the one place that talks to MLflow about them, turns them into a reviewable run and a
registered model version: each version carries a description and tags (dataset, input length,
horizon, validation and test scores, the training command, its serving contract), and
``@champion`` moves only by :func:`~tsforge.tracking.registry.promote_if_better`.
"""

from __future__ import annotations

import logging
import math
import os
import shlex
import sys
import tempfile
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd

    from tsforge.tracking.registry import Promotion
    from tsforge.tracking.runs import TrackedRun

log = logging.getLogger(__name__)

__all__ = [
    "LoggedModel",
    "log_trained_model",
    "register_logged_model",
    "training_command",
    "headline_scores",
    "HEADLINE_METRICS",
]

#: The scores a reviewer compares first (whichever of them the run has): they go into the
#: version's description and tags, and into the run's description.
HEADLINE_METRICS = (
    "val_mse",
    "val_mae",
    "val_mase",
    "test_mse",
    "test_mae",
    "test_mase",
    # skill over the (seasonal) naive baseline on the same windows: whether the model learnt anything
    "val_skill",
    "test_skill",
    "test_orig_mse",
    "test_orig_mae",
    "test_smape",
    "test_orig_smape",
    "test_owa",
    # interval quality, so runs compare on it in the UI's runs table (the rest: metrics/scores.json)
    "test_coverage_80",
    "test_coverage_95",
    "test_msis_80",
    "test_msis_95",
    "test_scaled_crps",
    # a routed ensemble's comparison on the test window: its pick and weights against the best
    # single member and the per-series oracle (both in hindsight); without them in the runs table
    # the run's point was only in metrics/scores.json
    "test_mase_pick",
    "test_mase_weights",
    "test_mase_best_single",
    "test_mase_oracle",
)


@dataclass
class LoggedModel:
    """Where a logged model went: its URI, its registered name/version when registered, and what
    happened to ``@champion`` (``promotion.reason`` is a sentence a CLI prints as is)."""

    model_uri: str | None = None
    registered_name: str | None = None
    version: str | None = None
    champion_version: str | None = None
    promotion: Promotion | None = None

    @property
    def promotion_reason(self) -> str | None:
        return None if self.promotion is None else self.promotion.reason


def training_command(argv: Sequence[str] | None = None) -> str:
    """The command that trained the model, for the registry: ``tsforge train ...`` when run from
    the CLI (whatever path the executable has), else the Python command line."""
    args = list(sys.argv if argv is None else argv)
    if not args:
        return "python (interactive)"
    prog = os.path.basename(args[0])
    if prog in ("tsforge", "tsforge.exe"):
        return shlex.join(["tsforge", *args[1:]])
    return shlex.join(["python", *args])


def _fmt(value: float) -> str:
    return f"{value:.4g}" if math.isfinite(value) else "nan"


def _headline_names(metrics: Mapping[str, float]) -> tuple[str, ...]:
    """The :data:`HEADLINE_METRICS` a run has, less a window model's sMAPE of normalised values
    (``test_smape``, beside its ``test_orig_smape``): an sMAPE of z-scores divides by values near
    zero wherever the series is near its mean, so it headlined a number that means nothing."""
    names = tuple(k for k in HEADLINE_METRICS if k in metrics)
    return tuple(k for k in names if k != "test_smape") if "test_orig_smape" in metrics else names


def headline_scores(metrics: Mapping[str, float]) -> dict[str, float]:
    """The headline scores of ``metrics`` as a training run logs them (:data:`HEADLINE_METRICS`,
    less a window model's sMAPE of normalised values).

    Why public: a tuning study's parent run repeats its best model's headline scores as
    ``best_*``; filtering by :data:`HEADLINE_METRICS` alone put that meaningless sMAPE there
    (``best_test_smape`` 66.9 beside the best run's ``test_orig_smape`` 4.99).
    """
    return {k: float(metrics[k]) for k in _headline_names(metrics)}


def _split_scores(metrics: Mapping[str, float]) -> tuple[dict[str, float], dict[str, float]]:
    """``(metrics to log, all val/test scores)``: scores outside the headline go to the table only."""
    scores = {k: float(v) for k, v in metrics.items() if k.startswith(("val_", "test_"))}
    headline = set(_headline_names(metrics))
    logged = {k: v for k, v in metrics.items() if k not in scores or k in headline}
    return logged, scores


def _scores_table(scores: Mapping[str, float], *, windowed: bool = True) -> Any:
    """Every score as rows ``split, metric, scale, value`` (the UI shows it as a table).

    ``scale`` says what a value is measured in, as the CLI's tables say it: ``n_*`` rows are
    counts, a skill is a ratio of two errors, a coverage a share, a width or MSIS is in each
    channel's training (a panel: each series') seasonal-naive MAE; a window model's errors are on
    the normalised scale unless ``orig_``, its MASE and scaled CRPS scale-free; a panel model's
    are per series and scale-free. A window model's MAPE, sMAPE and WAPE of normalised values
    (:data:`~tsforge.evaluation.metrics.RELATIVE_TO_VALUES`) are left out beside their
    original-units twins, as ``tsforge evaluate`` leaves them out.

    Why: every window row but ``orig_`` was labelled "normalised": a coverage, a width in
    seasonal-naive MAEs and a MAPE of 978 % on z-scores (values near 0) read as a broken model.
    """
    import pandas as pd

    from tsforge.evaluation.metrics import RELATIVE_TO_VALUES

    rows = []
    for key, value in sorted(scores.items()):
        split, _, name = key.partition("_")
        if windowed and name in RELATIVE_TO_VALUES and f"{split}_orig_{name}" in scores:
            continue  # divides by values normalising moved near 0: no error rate
        rows.append(
            {
                "split": split,
                "metric": name.removeprefix("orig_"),
                "scale": _scale(name, windowed),
                "value": value,
                "key": key,
            }
        )
    return pd.DataFrame(rows)


#: scores with no unit: a ratio to a seasonal-naive error (MASE, RMSSE) or to Naive2's (OWA)
_SCALE_FREE = ("mase", "rmsse", "owa")


def _scale(name: str, windowed: bool) -> str:
    """What the score ``name`` (its key less the split) is measured in: :func:`_scores_table`."""
    if name.startswith("n_"):
        return "count"
    if name == "skill":  # a ratio, whichever scale its two errors share
        return "1 − error ÷ the baseline's"
    if name.startswith("coverage"):
        return "share of values inside the interval"
    if name.startswith(("width_", "msis_")):
        # as the CLI's interval table says it (``tsforge train``)
        return "each channel's training seasonal-naive MAE" if windowed else "each series' seasonal-naive MAE"
    if name.startswith("orig_"):
        return "original"
    # pooled, not a mean over series: a reviewer read a panel's scaled CRPS 1.64 beside its MASE
    # 0.86 as a contradiction; one series 10^4 times larger than the others set it alone
    if name == "scaled_crps":
        return "÷ seasonal naive's point forecast (the same loss), pooled: larger series weigh more"
    if name == "wql":  # the quantile losses over the sum of |values|, both in the data's units
        return "quantile loss ÷ sum of |values|, pooled: larger series weigh more"
    if not windowed:
        return "scale-free, per series"
    if name in _SCALE_FREE:
        return "scale-free"
    return "normalised"


def log_trained_model(
    run: TrackedRun,
    *,
    predictor: Any,
    write_bundle: Callable[[Path], Path],
    input_example: pd.DataFrame,
    metrics: Mapping[str, float],
    per_step: Mapping[str, Sequence[float]] | None = None,
    tables: Mapping[str, pd.DataFrame] | None = None,
    make_plots: Callable[[Path], Sequence[Path]] | None = None,
    log_model: bool = True,
    registered_name: str | None = None,
    champion_metric: str = "val_mse",
    dataset: str | None = None,
    protocol: str | None = None,
    data_digest: str | None = None,
    command: str | None = None,
    summary: str | None = None,
    reads: str | None = None,
    note: str | None = None,
) -> LoggedModel:
    """Log ``metrics`` (and per-step errors, tables); with ``log_model`` also the plots and the
    model as a pyfunc (bundle written by ``write_bundle(folder)``), registered under
    ``registered_name`` when given.

    Only the headline scores (:data:`HEADLINE_METRICS`) and the cost figures (seconds, epochs,
    parameters) become MLflow metrics, so a run's charts show the loss curves and the scores
    that matter; every validation/test score (each metric, normalised and original scale) is
    in the ``metrics/scores.json`` table artifact.

    A registered version gets a description and tags: ``dataset``, ``protocol`` and
    ``data_digest`` (what it was validated on), its serving contract (frequency, horizon,
    input length, series), the headline scores, and ``command`` (default
    :func:`training_command`). ``@champion`` then moves to it only if it can serve what the
    current champion serves and beats it on ``champion_metric`` over the same validation
    (:func:`~tsforge.tracking.registry.promote_if_better`); the decision and its reason are
    returned in :attr:`LoggedModel.promotion` and tagged on the run. ``summary`` is one line
    saying what the model is (default: ``<model> on <dataset>``); ``reads`` says what it reads
    of each series (default: from its serving contract, ``input length <L>``); ``note`` is a
    sentence the version's description adds after its scores (an interval level they do not mean).
    """
    from tsforge.tracking.pyfunc import log_predictor_model

    logged, scores = _split_scores(metrics)
    run.log_metrics(logged)
    if scores:
        from tsforge.tracking.contract import predictor_kind

        windowed = predictor_kind(predictor) == "window"
        run.log_table(_scores_table(scores, windowed=windowed), "metrics/scores.json")
    for key, values in (per_step or {}).items():
        run.log_dict({"metric": key, "per_step": list(values)}, f"metrics/test_{key}_per_step.json")
    for name, frame in (tables or {}).items():
        run.log_table(frame, name)
    out = LoggedModel()
    if not log_model:
        return out
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        for plot in make_plots(folder) if make_plots is not None else ():
            run.log_artifact(plot, "plots")
        bundle = write_bundle(folder / "bundle")
        info = log_predictor_model(bundle, predictor, input_example)
    out.model_uri = info.model_uri
    if not registered_name:
        return out
    return register_logged_model(
        run,
        out.model_uri,
        predictor=predictor,
        name=registered_name,
        metrics=metrics,
        champion_metric=champion_metric,
        dataset=dataset,
        protocol=protocol,
        data_digest=data_digest,
        command=command,
        summary=summary,
        reads=reads,
        note=note,
    )


def register_logged_model(
    run: TrackedRun | str,
    model_uri: str,
    *,
    predictor: Any,
    name: str,
    metrics: Mapping[str, float],
    champion_metric: str = "val_mse",
    dataset: str | None = None,
    protocol: str | None = None,
    data_digest: str | None = None,
    command: str | None = None,
    summary: str | None = None,
    reads: str | None = None,
    note: str | None = None,
) -> LoggedModel:
    """Register a logged model (``run``: its run, or the run's id) with its description, tags
    and the ``@champion`` rule; :func:`log_trained_model` registers through it.

    Why: ``tsforge demo`` trains two candidates and registers the better one afterwards; calling
    the registry directly left that version without a description, tags or serving contract.
    """
    from tsforge.tracking.runs import TrackedRun

    out = LoggedModel(model_uri=model_uri)
    _register(
        out,
        TrackedRun(run) if isinstance(run, str) else run,
        predictor=predictor,
        name=name,
        metrics=metrics,
        metric=champion_metric,
        dataset=dataset,
        protocol=protocol,
        data_digest=data_digest,
        command=command or training_command(),
        summary=summary,
        reads=reads,
        note=note,
    )
    return out


def _register(
    out: LoggedModel,
    run: TrackedRun,
    *,
    predictor: Any,
    name: str,
    metrics: Mapping[str, float],
    metric: str,
    dataset: str | None,
    protocol: str | None,
    data_digest: str | None,
    command: str,
    summary: str | None,
    reads: str | None = None,
    note: str | None = None,
) -> None:
    """Register the logged model, describe the version, then ask for the champion alias."""
    from tsforge.tracking.contract import CONTRACT_TAGS, ServingContract
    from tsforge.tracking.provenance import CODE_VERSION_TAG, code_version_tags
    from tsforge.tracking.registry import annotate_version, register_model_version

    contract = ServingContract.from_predictor(predictor)
    scores = headline_scores(metrics)
    model_name = getattr(predictor, "model_name", None) or "model"
    what = summary or f"{model_name} on {dataset or 'its data'}"
    tags: dict[str, str] = {
        **contract.to_tags(),
        CONTRACT_TAGS["metric"]: metric,
        "tsforge.model": model_name,
        "tsforge.run_id": run.run_id,
        "tsforge.command": command[:5000],
        # which code trained it: the registry page is read long after the run's code has moved on
        CODE_VERSION_TAG: code_version_tags()[CODE_VERSION_TAG],
        **{f"tsforge.score.{k}": _fmt(v) for k, v in scores.items()},
    }
    for key, value in (("dataset", dataset), ("protocol", protocol), ("data_digest", data_digest)):
        if value:
            tags[CONTRACT_TAGS[key]] = str(value)
    version = register_model_version(out.model_uri or "", name, run_id=run.run_id, tags=tags)
    try:
        promotion = _describe_and_promote(
            name, version, contract, what, scores, protocol, dataset, metric, command, reads, note
        )
    except BaseException:
        _withdraw(name, version)
        raise
    annotate_version(
        name,
        version,
        tags={"tsforge.promotion": promotion.reason},
        model_tags={"tsforge.last_promotion": promotion.reason},
    )
    run.set_tags({"tsforge.registered": f"{name}/{version}", "tsforge.promotion": promotion.reason})
    out.registered_name, out.version = name, version
    out.champion_version, out.promotion = promotion.champion, promotion


def _describe_and_promote(
    name: str,
    version: str,
    contract: Any,
    what: str,
    scores: Mapping[str, float],
    protocol: str | None,
    dataset: str | None,
    metric: str,
    command: str,
    reads: str | None = None,
    note: str | None = None,
) -> Promotion:
    """Describe a just-registered version, then ask for the champion alias."""
    from tsforge.tracking.provenance import CODE_VERSION_TAG, code_version_tags
    from tsforge.tracking.registry import annotate_version, promote_if_better

    score_text = ", ".join(f"{k} {_fmt(v)}" for k, v in scores.items()) or "no scores"
    # a local panel model reads each series' history (its contract's input length is 1: any
    # history serves), which "input length 1" misdescribed; its pipeline says how much it reads
    if reads:
        input_text = f"input: {reads}"
    elif contract.kind == "panel" and contract.input_len <= 1:
        input_text = "input: each series' whole history"
    else:
        input_text = f"input length {contract.input_len}"
    description = (
        f"{what}: {input_text}, horizon {contract.horizon}"
        f"{f', frequency {contract.freq}' if contract.freq else ''}"
        f"{f', protocol {protocol}' if protocol else ''}. {score_text}.{f' {note}' if note else ''}"
        f"\n\nTrained by: {command}"
        f" (tsforge {code_version_tags()[CODE_VERSION_TAG]})"
    )
    annotate_version(
        name,
        version,
        description=description,
        model_description=(
            f"tsforge {contract.kind} model for {dataset or 'its dataset'}. @champion is the version "
            f"served by default; it moves only to a version that serves the same requests (frequency, "
            f"horizon, input length, series) and beats it on {metric} over the same validation."
        ),
        model_tags={"tsforge.kind": contract.kind, **({"tsforge.dataset": dataset} if dataset else {})},
    )
    return promote_if_better(name, version, metric)


def _withdraw(name: str, version: str) -> None:
    """Delete a version whose registration was interrupted (Ctrl-C, ``kill``, a store error)
    before it was described and judged for ``@champion`` — unless it already is the champion.

    Why: such a version came from a run that ended ``KILLED``/``FAILED``, had no description
    or promotion decision, and yet a bare model name (no champion yet) resolves to the newest
    version, so the service and ``tsforge forecast NAME`` would serve it. Best effort: the
    caller's exception matters more than this clean-up.
    """
    import mlflow

    from tsforge.tracking.references import CHAMPION

    client = mlflow.MlflowClient()
    try:
        champion = client.get_registered_model(name).aliases.get(CHAMPION)
        if str(champion) == str(version):
            return
        client.delete_model_version(name, str(version))
    except Exception as exc:  # noqa: BLE001 - reported, never raised over the interruption
        log.warning("could not withdraw %s version %s after its registration stopped: %s", name, version, exc)
