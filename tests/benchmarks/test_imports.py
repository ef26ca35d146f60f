"""Every benchmark script still imports, and every name it imports still exists.

Why: the benchmarks run for hours under ``make bench`` and most import the project lazily, inside
the function that needs it; a refactor that moves or renames a name (``tsforge.panels.conformal``
→ ``tsforge.panels.calibrate``) breaks a script only when that function is reached, hours in. This
test imports each script (cheap: each guards its work under ``if __name__ == "__main__":``) and
resolves every first-party ``from X import name`` anywhere in it, function bodies included.
"""

from __future__ import annotations

import ast
import importlib
import importlib.util
import os
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from benchmarks.run_all import ORDER

BENCHMARKS = Path(__file__).resolve().parents[2] / "benchmarks"
MODULES = sorted(p.stem for p in BENCHMARKS.glob("*.py") if p.stem != "__init__")
#: the packages of this repository: their names must resolve (third-party ones are pinned)
FIRST_PARTY = ("tsforge", "recommender", "service", "benchmarks")
#: calls a script may make at import: settings for the process, no benchmark work
IMPORT_TIME_CALLS = {"os.environ.setdefault", "sys.path.insert"}


@pytest.fixture
def restored_process_state() -> Iterator[None]:
    """Undo what a script sets at import (``OMP_NUM_THREADS``, ``sys.path``) for the next tests."""
    environ, path = dict(os.environ), list(sys.path)
    yield
    os.environ.clear()
    os.environ.update(environ)
    sys.path[:] = path


def _tree(name: str) -> ast.Module:
    return ast.parse((BENCHMARKS / f"{name}.py").read_text(), filename=f"benchmarks/{name}.py")


def _first_party_imports(tree: ast.Module) -> Iterator[tuple[int, str, str | None]]:
    """``(line, module, name)`` of every first-party import in the file (``name`` None for
    ``import module``), at any depth."""
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.split(".")[0] in FIRST_PARTY:
            for alias in node.names:
                yield node.lineno, node.module, alias.name
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split(".")[0] in FIRST_PARTY:
                    yield node.lineno, alias.name, None


def _missing(module: str, name: str | None) -> str | None:
    """Why ``from module import name`` (or ``import module``) would fail, or None."""
    try:
        imported = importlib.import_module(module)
    except ImportError as exc:
        return f"module {module}: {exc}"
    if name is None or hasattr(imported, name):
        return None
    if hasattr(imported, "__path__") and importlib.util.find_spec(f"{module}.{name}") is not None:
        return None  # a package's submodule, not imported yet
    return f"{module} has no {name!r}"


@pytest.mark.parametrize("name", MODULES)
def test_benchmark_imports_and_its_imported_names_exist(name: str, restored_process_state: None) -> None:
    importlib.import_module(f"benchmarks.{name}")
    problems = [
        f"benchmarks/{name}.py:{line}: {why}"
        for line, module, imported in _first_party_imports(_tree(name))
        if (why := _missing(module, imported)) is not None
    ]
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("name", MODULES)
def test_benchmark_does_no_work_at_import(name: str) -> None:
    """Top-level code is definitions only: a call at module level outside ``if __name__ ==
    "__main__":`` may only set up the process (:data:`IMPORT_TIME_CALLS`)."""
    calls = [
        f"line {node.lineno}: {ast.unparse(node)}"
        for node in _tree(name).body
        if isinstance(node, ast.Expr)
        and isinstance(node.value, ast.Call)
        and ast.unparse(node.value.func) not in IMPORT_TIME_CALLS
    ]
    assert not calls, f"benchmarks/{name}.py runs code at import: {calls}"


def test_run_all_order_names_existing_runnable_benchmarks() -> None:
    """``make bench`` skips a name it cannot find; a renamed script must not drop out silently."""
    missing = [n for n in ORDER if n not in MODULES]
    assert not missing, f"benchmarks/run_all.py ORDER names no such module: {missing}"
    unguarded = [
        n
        for n in ORDER
        if not any(
            isinstance(node, ast.If)
            and ast.unparse(node.test) in ('__name__ == "__main__"', "__name__ == '__main__'")
            for node in _tree(n).body
        )
    ]
    assert not unguarded, f"no `if __name__ == '__main__':` (python -m would do nothing): {unguarded}"


@pytest.mark.parametrize("text", ["", ",", " , "])
def test_an_empty_list_option_is_refused_where_it_is_parsed(text):
    """`--seeds ""` parsed to [] and crashed far from the cause (ltsf_ensemble: a TypeError while
    weighing, an IndexError with --print-commands)."""
    import argparse

    from benchmarks.common import float_list, int_list

    for parse in (int_list, float_list):
        with pytest.raises(argparse.ArgumentTypeError, match="expected a comma-separated list"):
            parse(text)
    assert int_list("96, 192,") == [96, 192] and float_list("0.5") == [0.5]
