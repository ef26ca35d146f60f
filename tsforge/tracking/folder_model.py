"""Any object saved as a folder, served as an MLflow pyfunc: ``load(folder).<method>(frame)``.

Why generic: the recommender (and any later folder-backed model) needs a pyfunc, but its
package must not import MLflow, and tracking must not know the recommender. So the logged
model names its loader and method as plain strings (in ``model_config``); MLflow builds the
pyfunc from code (:mod:`tsforge.tracking.folder_model_entry`), nothing is pickled.
"""

from __future__ import annotations

import importlib
import os
from typing import Any

import mlflow
import pandas as pd
from mlflow.pyfunc import PythonModel  # mlflow.pyfunc is a lazy attribute of mlflow to mypy

__all__ = ["FolderPyfunc", "log_folder_model", "import_object"]


def import_object(spec: str) -> Any:
    """``"package.module:Class.attr"`` → that object."""
    module, _, attrs = spec.partition(":")
    obj: Any = importlib.import_module(module)
    for attr in filter(None, attrs.split(".")):
        obj = getattr(obj, attr)
    return obj


class FolderPyfunc(PythonModel):
    """Loads the ``folder`` artifact with ``model_config["loader"]``; predicts with its ``method``."""

    def load_context(self, context: Any) -> None:
        config = context.model_config or {}
        self.obj = import_object(config["loader"])(context.artifacts["folder"])
        self.method = str(config["method"])

    def predict(self, context: Any, model_input: pd.DataFrame, params: dict[str, Any] | None = None) -> Any:
        return getattr(self.obj, self.method)(model_input)


def log_folder_model(
    folder: str | os.PathLike[str],
    *,
    loader: str,
    method: str,
    input_example: pd.DataFrame | None = None,
    name: str = "model",
) -> Any:
    """Log ``folder`` as a pyfunc into the active run (open one with ``tracked_run``).

    Args:
        folder: the saved object.
        loader: ``"module:callable"`` that loads the folder (e.g. ``"recommender.ranker:Recommender.load"``).
        method: the loaded object's method that maps a frame to predictions.
        input_example: a valid input (MLflow infers the signature from it).
        name: the logged model's name in the run (its artifact path).

    Returns:
        MLflow's ``ModelInfo`` (``.model_uri`` for registration).
    """
    from pathlib import Path

    return mlflow.pyfunc.log_model(
        name=name,
        python_model=str(Path(__file__).with_name("folder_model_entry.py")),
        artifacts={"folder": str(folder)},
        model_config={"loader": loader, "method": method},
        input_example=input_example,
    )
