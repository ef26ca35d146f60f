"""Save / load a fitted forecaster with its scaler as a plain directory.

Layout: ``model.json`` (model name, config, context, scaler, extra metadata; human-readable)
and ``state.pt`` (tensors / strings from ``Forecaster.get_state``). This directory is what the
MLflow pyfunc carries as its artifact, so a model loads without the training data.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import torch

from tsforge.data.scaling import StandardScaler
from tsforge.errors import ModelNotFoundError
from tsforge.models.base import Forecaster, ModelContext
from tsforge.models.registry import build_model

__all__ = ["save_model", "load_model", "FORMAT_VERSION"]

FORMAT_VERSION = 1


def save_model(
    forecaster: Forecaster, scaler: StandardScaler, path: str | Path, extra: dict[str, Any] | None = None
) -> Path:
    """Write ``model.json`` and ``state.pt`` for ``forecaster`` and its scaler into ``path``.

    ``extra`` is stored verbatim under ``"extra"`` (bundle kind, training metadata): loaders
    such as :func:`tsforge.panels.predictor.load_predictor_dir` dispatch on it. Returns ``path``.
    """
    path = Path(path)
    path.mkdir(parents=True, exist_ok=True)
    meta = {
        "format": FORMAT_VERSION,
        "model": forecaster.name,
        "config": forecaster.config_dict(),
        "context": forecaster.context.to_dict(),
        "scaler": scaler.to_dict(),
        "n_parameters": forecaster.n_parameters,
        "extra": extra or {},
    }
    (path / "model.json").write_text(json.dumps(meta, indent=2, default=_json_default))
    torch.save(forecaster.get_state(), path / "state.pt")
    return path


def load_model(path: str | Path) -> tuple[Forecaster, StandardScaler, dict[str, Any]]:
    """Rebuild the forecaster saved by :func:`save_model`: ``(forecaster, scaler, meta)``.

    The weights load with ``weights_only=True``, so a model directory cannot run code on load.

    Raises:
        ModelNotFoundError: ``path`` has no ``model.json``.
    """
    path = Path(path)
    meta_file = path / "model.json"
    if not meta_file.exists():
        raise ModelNotFoundError(f"no tsforge model at {path} (model.json missing)", file=str(path))
    meta = json.loads(meta_file.read_text())
    context = ModelContext.from_dict(meta["context"])
    forecaster = build_model(meta["model"], context, meta["config"])
    state = torch.load(path / "state.pt", map_location="cpu", weights_only=True)
    forecaster.set_state(state)
    return forecaster, StandardScaler.from_dict(meta["scaler"]), meta


def _json_default(o: Any) -> Any:
    if hasattr(o, "tolist"):
        return o.tolist()
    if isinstance(o, tuple | set):
        return list(o)
    return str(o)
