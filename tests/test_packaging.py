"""tsforge as an installed wheel: what the wheel holds, and that it works away from a clone.

Why: most users ``pip install`` the wheel and run it from their own folder. The wheel once shipped
without ``datasets/catalog.toml`` (every catalogue name, ``tsforge demo`` and ``tsforge datasets``
failed) and its caches resolved into ``site-packages``. These tests build the wheel from a copy of
the sources (the checkout itself is never written to) and unpack it — a pure-Python wheel unpacked
on ``sys.path`` is what ``pip install`` puts there — instead of installing anything.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

try:  # Python >= 3.11
    import tomllib
except ModuleNotFoundError:  # pragma: no cover - Python 3.10
    import tomli as tomllib

REPO = Path(__file__).resolve().parents[1]
PACKAGES = ("tsforge", "recommender", "service")
IGNORE = shutil.ignore_patterns("__pycache__", "*.pyc", "cache")


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    """Build the wheel from a copy of what the build reads (pyproject, README, packages, catalogue)."""
    src = tmp_path_factory.mktemp("src")
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(REPO / name, src / name)
    for name in (*PACKAGES, "datasets"):
        shutil.copytree(REPO / name, src / name, ignore=IGNORE)
    out = tmp_path_factory.mktemp("dist")
    code = f"from setuptools import build_meta; print(build_meta.build_wheel({str(out)!r}))"
    done = subprocess.run([sys.executable, "-c", code], cwd=src, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr[-3000:]
    return out / done.stdout.strip().splitlines()[-1]


def _source_packages() -> set[str]:
    """Every folder with an ``__init__.py`` under the three top-level packages, as a dotted name."""
    return {
        ".".join(init.parent.relative_to(REPO).parts)
        for top in PACKAGES
        for init in (REPO / top).rglob("__init__.py")
        if "__pycache__" not in init.parts
    }


def test_wheel_ships_the_catalogue_and_every_package(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    assert "tsforge/_datasets/catalog.toml" in names
    shipped = zipfile.ZipFile(wheel).read("tsforge/_datasets/catalog.toml")
    assert shipped == (REPO / "datasets" / "catalog.toml").read_bytes()
    missing = sorted(p for p in _source_packages() if f"{p.replace('.', '/')}/__init__.py" not in names)
    assert not missing, f"packages missing from the wheel: {missing}"
    router = sorted(p.name for p in (REPO / "recommender" / "shipped_router").iterdir())
    assert router and {f"recommender/shipped_router/{name}" for name in router} <= names


def test_wheel_holds_no_tests_caches_or_run_data(wheel):
    tops = {n.split("/")[0] for n in zipfile.ZipFile(wheel).namelist()}
    assert tops == {*PACKAGES, "tsforge-0.1.0.dist-info"}
    bad = [
        n
        for n in zipfile.ZipFile(wheel).namelist()
        if "__pycache__" in n or "/cache/" in n or n.endswith((".pyc", ".parquet", ".db", ".pt"))
        if not n.startswith("recommender/shipped_router/")  # a model shipped on purpose, its rows too
    ]
    assert not bad


def test_pyproject_lists_every_package():
    """Guard: the package list is written out (to map the catalogue), so a new package must be added."""
    listed = set(tomllib.loads((REPO / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"])
    assert _source_packages() <= listed, sorted(_source_packages() - listed)


_PROBE = r"""
import json, sys
sys.path.insert(0, sys.argv[1])
import tsforge
assert tsforge.__file__.startswith(sys.argv[1]), tsforge.__file__
from recommender.knowledge_base import kb_dir
from recommender.per_series import router_dir
from recommender.properties._stl_operators import operator_cache_dir
from recommender.per_series import SeriesRouter
from recommender.ranker import recommender_dir
from recommender.series_kb import series_kb_dir
from recommender.shipped_router import default_router_folder
from recommender.synth import corpus_path
from tsforge.data.catalog import catalog_path, data_dir_candidates, list_datasets
from tsforge.data.catalog_cache import cache_dir
from tsforge.data.load import load
from tsforge.training.estimator_cache import estimator_cache_root

data = load("synthetic").series
# An editable install of the checkout may answer for a module the wheel lacks: none may come from there.
ours = ("tsforge", "recommender", "service")
leaked = sorted(
    n for n, m in sys.modules.items()
    if n.split(".")[0] in ours and getattr(m, "__file__", None) and not m.__file__.startswith(sys.argv[1])
)
print(json.dumps({
    "leaked": leaked,
    "catalog": str(catalog_path()),
    "names": [e.name for e in list_datasets()],
    "synthetic_shape": list(data.values.shape),
    "router": str(default_router_folder()),
    "router_candidates": list(SeriesRouter.load(default_router_folder()).candidates),
    "data_dirs": [str(p) for p in data_dir_candidates()],
    "caches": [
        str(p)
        for p in (
            cache_dir(), estimator_cache_root(), kb_dir(), recommender_dir(), router_dir(),
            series_kb_dir(), operator_cache_dir(), corpus_path(10, 100, 0),
        )
    ],
}))
"""


def test_unpacked_wheel_reads_its_catalogue_and_caches_outside_itself(wheel, tmp_path):
    site = tmp_path / "site-packages"
    zipfile.ZipFile(wheel).extractall(site)
    project = tmp_path / "work" / "userproj"  # the user's own folder, no clone anywhere above it
    project.mkdir(parents=True)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TSFORGE_", "PYTHON"))}
    env.update(HOME=str(tmp_path / "home"), XDG_CACHE_HOME=str(tmp_path / "xdg"))
    done = subprocess.run(
        [sys.executable, "-c", _PROBE, str(site)], cwd=project, env=env, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr[-3000:]
    got = json.loads(done.stdout.strip().splitlines()[-1])
    assert got["leaked"] == []
    assert Path(got["catalog"]) == site / "tsforge" / "_datasets" / "catalog.toml"
    assert {"synthetic", "synthetic_panel", "co2"} <= set(got["names"])
    assert got["synthetic_shape"][1] == 8
    assert Path(got["router"]) == site / "recommender" / "shipped_router" and got["router_candidates"]
    assert got["data_dirs"] == [str(tmp_path / "work" / "shared" / "datasets")]
    for cache in map(Path, got["caches"]):
        assert site not in cache.parents, cache
        if sys.platform not in ("win32", "darwin"):
            assert tmp_path / "xdg" / "tsforge" in cache.parents, cache
