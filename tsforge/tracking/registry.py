"""Model registry helpers: register a run's model, move the ``champion`` alias (only to a version
that keeps the champion's contract and beats it on the same validation, see
:mod:`tsforge.tracking.contract`), resolve a reference to a version (the one rule, see
:mod:`tsforge.tracking.references`), load it.
"""

from __future__ import annotations

import contextlib
import functools
import math
import os
import tempfile
import threading
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from tsforge.errors import ModelLoadError, ModelNotFoundError, TsforgeError
from tsforge.tracking.contract import (
    CONTRACT_TAGS,
    ServingContract,
    Validation,
    serving_problems,
    validation_problems,
)
from tsforge.tracking.references import CHAMPION, ModelRef, ResolvedModel, parse_model_ref

if TYPE_CHECKING:
    from tsforge.inference import FramePredictor

__all__ = [
    "CHAMPION",
    "Promotion",
    "ResolvedModel",
    "annotate_version",
    "register_model_version",
    "promote_champion",
    "promote_if_better",
    "resolve_version",
    "resolve_model_uri",
    "load_predictor",
    "quiet_artifact_downloads",
    "registry_client",
    "registry_error_type",
    "list_registered",
]

_T = TypeVar("_T")


def register_model_version(
    model_uri: str, name: str, *, run_id: str | None = None, tags: dict | None = None
) -> str:
    """Register ``model_uri`` under ``name``; returns the new version number (as a string).

    MLflow's own lines ("Successfully registered model …", "Created version '2' …") are kept
    off stderr: they are printed, not logged, so the CLI's quieting of MLflow missed them, and
    every command that registers already says what it registered, once, in its own words.
    """
    import contextlib
    import io

    import mlflow

    with contextlib.redirect_stderr(io.StringIO()):
        mv = mlflow.register_model(model_uri, name, tags=tags)
    return str(mv.version)


@dataclass(frozen=True)
class Promotion:
    """What :func:`promote_if_better` decided, and why (a sentence a CLI can print as is).

    Attributes:
        name: registered model.
        candidate: the version that asked to become champion.
        champion: the champion version after the decision (``None`` when there is none).
        promoted: whether ``@champion`` moved to ``candidate``.
        reason: why it moved or did not.
    """

    name: str
    candidate: str
    champion: str | None
    promoted: bool
    reason: str


def _int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _facts(client: Any, mv: Any, metric: str) -> tuple[ServingContract | None, Validation | None]:
    """A version's serving contract and validation, from its tags (written at registration) or,
    for versions registered before tags existed, from its run's parameters."""
    tags = dict(getattr(mv, "tags", None) or {})
    params: dict[str, str] = {}
    metrics: dict[str, float] = {}
    if getattr(mv, "run_id", None):
        try:
            data = client.get_run(mv.run_id).data
            params, metrics = dict(data.params), dict(data.metrics)
        except Exception:  # noqa: BLE001 - a deleted run: only the tags are left
            pass
    kind = tags.get(CONTRACT_TAGS["kind"]) or ("panel" if "model_kind" in params else "window")
    contract = ServingContract.from_tags(tags)
    if contract is None:
        horizon, input_len = _int(params.get("horizon")), _int(params.get("input_len"))
        if horizon is not None and input_len is not None:
            contract = ServingContract(
                kind=kind,
                freq=params.get("freq") if params.get("freq") not in (None, "None", "") else None,
                horizon=horizon,
                input_len=input_len,
            )
    if contract is None:
        return None, None
    value = metrics.get(metric)
    validation = Validation(
        kind=kind,
        protocol=tags.get(CONTRACT_TAGS["protocol"]) or params.get("protocol") or params.get("split"),
        dataset=tags.get(CONTRACT_TAGS["dataset"]) or params.get("dataset"),
        data_digest=tags.get(CONTRACT_TAGS["data_digest"]) or None,
        horizon=contract.horizon,
        metric=tags.get(CONTRACT_TAGS["metric"]) or metric,
        value=float(value) if value is not None and math.isfinite(value) else math.nan,
    )
    return contract, validation


def promote_if_better(
    name: str, candidate_version: str, metric: str = "val_mse", *, client: Any | None = None
) -> Promotion:
    """Move ``@champion`` to ``candidate_version`` only when that is safe and an improvement.

    Safe: the candidate serves everything the current champion serves
    (:func:`~tsforge.tracking.contract.serving_problems`: horizon ≥, input length ≤, same
    frequency, the same series when it needs known ids). Improvement: on the *same validation*
    (same kind of model, protocol, dataset and data, horizon and metric) its ``metric`` is
    lower. With no champion yet, the candidate becomes the champion. Otherwise the alias stays
    and :attr:`Promotion.reason` says why; nothing is printed here.
    """
    import mlflow

    client = client or mlflow.MlflowClient()
    cand = client.get_model_version(name, str(candidate_version))
    current = _lookup(lambda: client.get_model_version_by_alias(name, CHAMPION))
    v = str(cand.version)
    if current is None:
        client.set_registered_model_alias(name, CHAMPION, v)
        return Promotion(name, v, v, True, f"version {v} is the first champion of {name}")
    cur = str(current.version)
    if cur == v:
        return Promotion(name, v, v, False, f"version {v} is already the champion")

    def refuse(why: str) -> Promotion:
        return Promotion(name, v, cur, False, f"champion stays version {cur}: version {v} {why}")

    cand_contract, cand_val = _facts(client, cand, metric)
    cur_contract, cur_val = _facts(client, current, metric)
    if cand_contract is None or cand_val is None:
        return refuse("records no horizon/input length, so what it serves is unknown")
    if cur_contract is None or cur_val is None:
        return refuse(
            f"cannot be checked against it (version {cur} records no contract); move the alias by hand"
        )
    problems = serving_problems(cand_contract, cur_contract)
    if problems:
        return refuse(f"cannot serve what it serves: {'; '.join(problems)}")
    differences = validation_problems(cand_val, cur_val)
    if differences:
        return refuse(f"was not validated like it ({'; '.join(differences)}), so the scores do not compare")
    if not math.isfinite(cand_val.value):
        return refuse(f"has no finite {cand_val.metric}")
    if math.isfinite(cur_val.value) and cand_val.value >= cur_val.value:
        return refuse(f"does not beat it: {cand_val.metric} {cand_val.value:.5g} >= {cur_val.value:.5g}")
    client.set_registered_model_alias(name, CHAMPION, v)
    return Promotion(
        name,
        v,
        v,
        True,
        f"version {v} is the new champion: {cand_val.metric} {cand_val.value:.5g} < {cur_val.value:.5g} "
        f"of version {cur} on the same validation",
    )


def promote_champion(
    name: str, metric: str = "val_mse", *, candidate_version: str | None = None
) -> str | None:
    """:func:`promote_if_better` for ``candidate_version`` (default: the newest version);
    returns the champion version afterwards (``None`` when ``name`` has no version)."""
    import mlflow

    client = mlflow.MlflowClient()
    if candidate_version is None:
        versions = _versions(client, name)
        if not versions:
            return None
        candidate_version = str(versions[-1].version)
    return promote_if_better(name, candidate_version, metric, client=client).champion


def annotate_version(
    name: str,
    version: str,
    *,
    description: str | None = None,
    tags: Mapping[str, Any] | None = None,
    model_description: str | None = None,
    model_tags: Mapping[str, Any] | None = None,
) -> None:
    """Describe a registered version (and its model, where it has no description yet) so the
    registry page says what each one is: dataset, lengths, scores, how it was trained."""
    import mlflow

    client = mlflow.MlflowClient()
    if description:
        client.update_model_version(name, str(version), description=description)
    for key, value in (tags or {}).items():
        client.set_model_version_tag(name, str(version), str(key), str(value))
    model = client.get_registered_model(name)
    if model_description and not getattr(model, "description", None):
        client.update_registered_model(name, description=model_description)
    for key, value in (model_tags or {}).items():
        client.set_registered_model_tag(name, str(key), str(value))


def registry_client(tracking_uri: str | None = None) -> tuple[Any, str]:
    """``(MlflowClient, uri)`` on ``tracking_uri`` (default as :func:`configure_tracking`), for
    long-lived users such as the service that keep one client instead of MLflow's globals."""
    import mlflow

    from tsforge.tracking.store import configure_tracking

    uri = configure_tracking(tracking_uri)
    return mlflow.MlflowClient(tracking_uri=uri, registry_uri=uri), uri


def registry_error_type() -> type[Exception]:
    """MLflow's exception class, so callers (the service's error handlers) can catch registry
    failures without importing MLflow themselves."""
    from mlflow.exceptions import MlflowException

    return MlflowException


def _is_missing(exc: Exception) -> bool:
    # An unset alias is INVALID_PARAMETER_VALUE in MLflow's SQL store, an unknown model or version
    # RESOURCE_DOES_NOT_EXIST; anything else (store unreachable, ...) is a real failure.
    code = getattr(exc, "error_code", "") or ""
    return code in {"RESOURCE_DOES_NOT_EXIST", "INVALID_PARAMETER_VALUE", "NOT_FOUND"}


def _lookup(call: Callable[[], _T]) -> _T | None:
    """``call()``, or ``None`` when the registry says the thing does not exist."""
    try:
        return call()
    except registry_error_type() as exc:
        if not _is_missing(exc):
            raise
        return None


def has_version(name: str, version: str) -> bool:
    """Whether the registry (MLflow's current one) still holds version ``version`` of ``name``.

    Why: a tuning study remembers which version holds its best model, and a store that was
    deleted or pruned since must not be taken at the study's word.
    """
    import mlflow

    client = mlflow.MlflowClient()
    return _lookup(lambda: client.get_model_version(name, str(version))) is not None


def _quote(name: str) -> str:
    return name.replace("'", "\\'")


def _versions(client: Any, name: str) -> list[Any]:
    """``name``'s versions, oldest first (the registry filter ``name='...'`` is an exact match)."""
    found = _lookup(lambda: client.search_model_versions(f"name='{_quote(name)}'")) or []
    return sorted(found, key=lambda v: int(v.version))


#: the run metrics a registry listing shows (validation and test scores)
LISTED_METRIC_PREFIXES = ("val_", "test_")


def list_registered(client: Any, *, max_models: int = 100, max_versions: int = 20) -> list[dict[str, Any]]:
    """Registered models, newest version first: name, description, aliases and, per version, its
    aliases, run, status, creation time and the run's ``val_*`` / ``test_*`` metrics.

    Why here: ``GET /v1/models`` and ``tsforge models --registered`` list the same registry the
    same way (the service adds what it has loaded)."""
    out = []
    for rm in client.search_registered_models(max_results=max_models):
        aliases = dict(getattr(rm, "aliases", {}) or {})
        versions = sorted(_versions(client, rm.name), key=lambda mv: int(mv.version), reverse=True)
        rows = [
            {
                "version": str(mv.version),
                "aliases": sorted(a for a, av in aliases.items() if str(av) == str(mv.version)),
                "run_id": mv.run_id,
                "status": str(getattr(mv, "status", "") or "") or None,
                "created_at_ms": getattr(mv, "creation_timestamp", None),
                "metrics": _listed_metrics(client, mv.run_id),
            }
            for mv in versions[:max_versions]
        ]
        out.append(
            {
                "name": rm.name,
                "description": getattr(rm, "description", None) or None,
                "aliases": {a: str(v) for a, v in sorted(aliases.items())},
                "versions": rows,
            }
        )
    return out


def _listed_metrics(client: Any, run_id: str | None) -> dict[str, float]:
    if not run_id:
        return {}
    try:
        metrics = client.get_run(run_id).data.metrics
    except Exception:  # a run deleted under its model version: the listing still shows the version
        return {}
    return {k: float(v) for k, v in sorted(metrics.items()) if k.startswith(LISTED_METRIC_PREFIXES)}


#: registered names a did-you-mean reads at most (pages of the registry's search)
_SUGGEST_PAGE, _SUGGEST_PAGES = 1000, 10
#: how close (difflib ratio) a registered name must be to be suggested (fresk for fresh: 0.8);
#: off a name of a dozen; default names share their model suffix (``sales-auto_ets`` and
#: ``demand-auto_ets``: 0.69), and another dataset's model is no correction of a typo
_SUGGEST_CUTOFF = 0.8


def _closest_name(client: Any, name: str) -> str:
    """`` (did you mean 'demand-auto_ets'?)`` for the registered name closest to ``name``, or ``""``.

    Why: a mistyped model kind (``dlinaer``) was answered with the closest kind, a mistyped
    registered name (``demand-auto_et``) with only "no registered model named …"; the user had to
    list the registry to find the one letter. The suggestion is best effort: a registry that
    cannot list its names still gives the plain error.
    """
    import difflib

    names: list[str] = []
    token = None
    try:
        for _ in range(_SUGGEST_PAGES):
            page = client.search_registered_models(max_results=_SUGGEST_PAGE, page_token=token)
            names += [rm.name for rm in page]
            token = getattr(page, "token", None)
            if not token:
                break
    except Exception:  # the error being built is the answer; listing is only a hint to it
        return ""
    by_lower = {n.lower(): n for n in names}
    hit = difflib.get_close_matches(name.lower(), list(by_lower), n=1, cutoff=_SUGGEST_CUTOFF)
    return f" (did you mean {by_lower[hit[0]]!r}?)" if hit else ""


def _not_found(client: Any, ref: ModelRef) -> ModelNotFoundError:
    """The error for ``ref``, naming what does exist (so a typo is fixable from the message)."""
    name = ref.name
    model = _lookup(lambda: client.get_registered_model(name))
    if model is None:
        message = f"no registered model named {name!r}{_closest_name(client, name)}"
    elif ref.alias is not None:
        aliases = ", ".join(sorted(dict(getattr(model, "aliases", {}) or {}))) or "none"
        message = f"alias {ref.alias!r} not set on {name!r}; aliases: {aliases}"
    else:
        versions = ", ".join(str(v.version) for v in _versions(client, name))
        if not versions:
            message = f"no version of {name!r} is registered"
        else:
            message = f"{name!r} has no version {ref.version}; versions: {versions}"
    return ModelNotFoundError(message, field="model")


def resolve_version(
    ref: str | ModelRef, client: Any | None = None, *, default_alias: str = CHAMPION
) -> ResolvedModel:
    """The registry version ``ref`` points at now, by the one rule of
    :mod:`tsforge.tracking.references`: a bare name → its ``champion`` (``default_alias``) when
    set, else its newest version; ``name@alias`` → that alias; ``name/version`` → that version.

    Args:
        ref: a reference string (``models:/`` prefix accepted) or a parsed :class:`ModelRef`.
        client: an ``MlflowClient`` (default: one on the configured store); the service passes
            its own long-lived one.
        default_alias: the alias a bare name goes through (the service's ``default_alias``
            setting; ``champion`` everywhere else).

    Raises:
        ConfigError: malformed reference (:func:`~tsforge.tracking.references.parse_model_ref`).
        ModelNotFoundError: unknown model, unset alias or missing version;
            the message names the reference and what exists.
        MlflowException: the registry could not answer (not "not found").
    """
    parsed = ref if isinstance(ref, ModelRef) else parse_model_ref(ref)
    if client is None:
        import mlflow

        client = mlflow.MlflowClient()
    name, alias = parsed.name, parsed.alias
    if parsed.version is not None:
        mv = _lookup(functools.partial(client.get_model_version, name, parsed.version))
    elif alias is not None:
        mv = _lookup(functools.partial(client.get_model_version_by_alias, name, alias))
    else:
        alias = default_alias
        mv = _lookup(lambda: client.get_model_version_by_alias(name, default_alias))
        if mv is None:
            alias = None
            versions = _versions(client, name)
            mv = versions[-1] if versions else None
    if mv is None:
        raise _not_found(client, parsed)
    return ResolvedModel(
        name=name, version=str(mv.version), alias=alias, run_id=getattr(mv, "run_id", None) or None
    )


def resolve_model_uri(ref: str) -> tuple[str, str, str]:
    """``name``, ``name@alias``, ``name/version`` or ``models:/...`` → ``(name, version, models:/name/version)``.

    Raises :class:`ModelNotFoundError` for an unknown name, alias or version (see
    :func:`resolve_version`).
    """
    resolved = resolve_version(ref)
    return resolved.name, resolved.version, resolved.model_uri


def load_predictor(model_ref: str, *, dst: str | Path | None = None) -> FramePredictor:
    """Load a registered model (``models:/name@champion``, ``name/3``, ...) as its predictor
    (a window model's :class:`~tsforge.inference.Predictor` or a panel model's predictor).

    Reads the model directory straight from the pyfunc's artifacts (no pyfunc wrapper), which is
    what the service uses for low latency.
    """
    import mlflow

    from tsforge.panels.predictor import load_predictor_dir

    name, version, uri = resolve_model_uri(model_ref)  # pinned URI: an alias move cannot race the download
    target = Path(dst) if dst else Path(tempfile.mkdtemp(prefix="tsforge-model-"))
    with quiet_artifact_downloads():
        local = Path(mlflow.artifacts.download_artifacts(artifact_uri=uri, dst_path=str(target)))
    bundle = next((p.parent for p in local.rglob("model.json")), None)
    if bundle is None:
        raise ModelNotFoundError(f"registered model {name}/{version} is not a tsforge model", field="model")
    try:
        predictor = load_predictor_dir(bundle)
    except TsforgeError:
        raise
    except Exception as exc:
        raise _load_error(name, version, exc) from exc
    predictor.meta.update({"registered_name": name, "version": version})
    return predictor


#: MLflow's switch for its "Downloading artifacts" bars, read at each download
ARTIFACT_BARS_VAR = "MLFLOW_ENABLE_ARTIFACTS_PROGRESS_BAR"
_bars_lock = threading.Lock()
_bars_state = {"depth": 0, "set_here": False}


@contextlib.contextmanager
def quiet_artifact_downloads() -> Iterator[None]:
    """Hide MLflow's artifact download bars for the duration, unless the user set
    ``MLFLOW_ENABLE_ARTIFACTS_PROGRESS_BAR`` themselves; the environment is left as it was found.

    Why: ``load_predictor`` in Python printed 9-10 "Downloading artifacts" bars per model while
    the CLI (which defaults the same variable to false for its whole process, a user's own value
    winning) printed none. Set only around the download, so a notebook's later MLflow calls keep
    the user's bars; counted under a lock, since the service loads models from several threads.
    """
    with _bars_lock:
        if _bars_state["depth"] == 0:
            _bars_state["set_here"] = ARTIFACT_BARS_VAR not in os.environ
            if _bars_state["set_here"]:
                os.environ[ARTIFACT_BARS_VAR] = "false"
        _bars_state["depth"] += 1
    try:
        yield
    finally:
        with _bars_lock:
            _bars_state["depth"] -= 1
            if _bars_state["depth"] == 0 and _bars_state["set_here"]:
                os.environ.pop(ARTIFACT_BARS_VAR, None)
                _bars_state["set_here"] = False


def _load_error(name: str, version: str, exc: Exception) -> ModelLoadError:
    """The one-line error for a version whose stored files do not load, naming it and the cause.

    Why: a truncated ``state.pt`` or an edited ``model.json`` surfaced as torch's or json's own
    multi-line error, which never said *which* model was broken; the service answered an
    anonymous 500 and the CLI printed a traceback.
    """
    cause = " ".join(str(exc).split())
    cause = cause if len(cause) <= 200 else cause[:197] + "..."
    return ModelLoadError(
        f"registered model {name}/{version} could not be loaded; its stored files look damaged "
        f"({type(exc).__name__}: {cause}). Register it again, or serve another version",
        field="model",
    )
