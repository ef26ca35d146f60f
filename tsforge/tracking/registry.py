"""Model registry helpers: register a run's model, move the ``champion`` alias, load by URI."""

from __future__ import annotations

import math
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

from tsforge.errors import ModelNotFoundError
from tsforge.tracking.references import parse_model_ref

if TYPE_CHECKING:
    from tsforge.inference import Predictor

__all__ = ["register_model_version", "promote_champion", "load_predictor", "resolve_model_uri", "CHAMPION"]

CHAMPION = "champion"


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


def resolve_model_uri(ref: str) -> tuple[str, str | None, str]:
    """``name``, ``name@alias``, ``name/version`` or ``models:/...`` → (name, version, models-URI).

    Raises :class:`ModelNotFoundError` for an unknown name, alias or version.
    """
    import mlflow

    parsed = parse_model_ref(ref)
    name, alias, version = parsed.name, parsed.alias, parsed.version
    client = mlflow.MlflowClient()
    try:
        client.get_registered_model(name)
    except Exception:
        raise ModelNotFoundError(f"no registered model named {name!r}", field="model") from None
    if alias is None and version is None:
        alias = CHAMPION
    if alias is not None:
        try:
            mv = client.get_model_version_by_alias(name, alias)
        except Exception:
            raise ModelNotFoundError(f"model {name!r} has no alias {alias!r}", field="model") from None
        version = str(mv.version)
    else:
        try:
            client.get_model_version(name, version)
        except Exception:
            raise ModelNotFoundError(f"model {name!r} has no version {version}", field="model") from None
    return name, version, f"models:/{name}/{version}"


def load_predictor(model_ref: str, *, dst: str | Path | None = None) -> Predictor:
    """Load a registered model (``models:/name@champion``, ``name/3``, ...) as a :class:`Predictor`.

    Reads the model directory straight from the pyfunc's artifacts (no pyfunc wrapper), which is
    what the service uses for low latency.
    """
    import mlflow

    from tsforge.inference import Predictor

    name, version, uri = resolve_model_uri(model_ref)
    target = Path(dst) if dst else Path(tempfile.mkdtemp(prefix="tsforge-model-"))
    local = Path(mlflow.artifacts.download_artifacts(artifact_uri=uri, dst_path=str(target)))
    bundle = next((p.parent for p in local.rglob("model.json")), None)
    if bundle is None:
        raise ModelNotFoundError(f"registered model {name}/{version} is not a tsforge model", field="model")
    predictor = Predictor.from_dir(bundle)
    predictor.meta.update({"registered_name": name, "version": version})
    return predictor
