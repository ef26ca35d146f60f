"""Model registry helpers: register a run's model, move the ``champion`` alias, resolve a
reference to a version (the one rule, see :mod:`tsforge.tracking.references`), load it.
"""

from __future__ import annotations

import math
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from tsforge.errors import ModelNotFoundError
from tsforge.tracking.references import CHAMPION, ModelRef, ResolvedModel, parse_model_ref

if TYPE_CHECKING:
    from tsforge.inference import FramePredictor

__all__ = [
    "CHAMPION",
    "ResolvedModel",
    "register_model_version",
    "promote_champion",
    "resolve_version",
    "resolve_model_uri",
    "load_predictor",
    "registry_client",
    "registry_error_type",
]

_T = TypeVar("_T")


def register_model_version(
    model_uri: str, name: str, *, run_id: str | None = None, tags: dict | None = None
) -> str:
    """Register ``model_uri`` under ``name``; returns the new version number (as a string)."""
    import mlflow

    mv = mlflow.register_model(model_uri, name, tags=tags)
    return str(mv.version)


def _version_metric(client, mv, metric: str) -> float:
    if not mv.run_id:
        return math.inf
    try:
        value = client.get_run(mv.run_id).data.metrics.get(metric)
    except Exception:
        return math.inf
    return math.inf if value is None or not math.isfinite(value) else float(value)


def promote_champion(
    name: str, metric: str = "val_mse", *, candidate_version: str | None = None
) -> str | None:
    """Point ``@champion`` at the version with the lowest ``metric`` (of its run).

    With ``candidate_version``, the alias moves to it only if it beats the current champion
    (used by tuning: "moves only if better on validation"). Returns the champion version.
    """
    import mlflow

    client = mlflow.MlflowClient()
    versions = client.search_model_versions(f"name='{name}'")
    if not versions:
        return None
    if candidate_version is not None:
        try:
            current = client.get_model_version_by_alias(name, CHAMPION)
        except Exception:
            current = None
        cand = next(v for v in versions if str(v.version) == str(candidate_version))
        if current is None or _version_metric(client, cand, metric) < _version_metric(
            client, current, metric
        ):
            client.set_registered_model_alias(name, CHAMPION, str(cand.version))
            return str(cand.version)
        return str(current.version)
    best = min(versions, key=lambda v: (_version_metric(client, v, metric), -int(v.version)))
    client.set_registered_model_alias(name, CHAMPION, str(best.version))
    return str(best.version)


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


def _quote(name: str) -> str:
    return name.replace("'", "\\'")


def _versions(client: Any, name: str) -> list[Any]:
    """``name``'s versions, oldest first (the registry filter ``name='...'`` is an exact match)."""
    found = _lookup(lambda: client.search_model_versions(f"name='{_quote(name)}'")) or []
    return sorted(found, key=lambda v: int(v.version))


def _not_found(client: Any, ref: ModelRef) -> ModelNotFoundError:
    """The error for ``ref``, naming what does exist (so a typo is fixable from the message)."""
    name = ref.name
    model = _lookup(lambda: client.get_registered_model(name))
    if model is None:
        message = f"no registered model named {name!r}"
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
        ModelNotFoundError: malformed reference, unknown model, unset alias or missing version;
            the message names the reference and what exists.
        MlflowException: the registry could not answer (not "not found").
    """
    parsed = ref if isinstance(ref, ModelRef) else parse_model_ref(ref)
    if client is None:
        import mlflow

        client = mlflow.MlflowClient()
    name, alias = parsed.name, parsed.alias
    if parsed.version is not None:
        mv = _lookup(lambda: client.get_model_version(name, parsed.version))
    elif alias is not None:
        mv = _lookup(lambda: client.get_model_version_by_alias(name, alias))
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
    local = Path(mlflow.artifacts.download_artifacts(artifact_uri=uri, dst_path=str(target)))
    bundle = next((p.parent for p in local.rglob("model.json")), None)
    if bundle is None:
        raise ModelNotFoundError(f"registered model {name}/{version} is not a tsforge model", field="model")
    predictor = load_predictor_dir(bundle)
    predictor.meta.update({"registered_name": name, "version": version})
    return predictor
