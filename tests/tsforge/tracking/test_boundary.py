"""tsforge.tracking is the only package that imports MLflow (tuning, the recommender and the
service hand it plain data), so the import cost and the API surface stay in one place."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
PACKAGES = ("tsforge", "recommender", "service")


def _imports_mlflow(path: Path) -> bool:
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import) and any(a.name.split(".")[0] == "mlflow" for a in node.names):
            return True
        if isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] == "mlflow":
            return True
    return False


def test_only_tracking_imports_mlflow():
    tracking = ROOT / "tsforge" / "tracking"
    offenders = [
        str(path.relative_to(ROOT))
        for package in PACKAGES
        for path in sorted((ROOT / package).rglob("*.py"))
        if not path.is_relative_to(tracking) and _imports_mlflow(path)
    ]
    assert offenders == []
