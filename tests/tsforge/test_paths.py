"""Where tsforge keeps its files (tsforge.paths): a clone keeps ``datasets/cache``, an install never
writes beside its own code, and ``$TSFORGE_CACHE_DIR`` overrides both."""

from __future__ import annotations

from pathlib import Path

import pytest

from tsforge import paths


def _clone(tmp_path: Path) -> Path:
    """A folder laid out like a source checkout: pyproject.toml, datasets/, tsforge/."""
    root = tmp_path / "repo"
    (root / "datasets").mkdir(parents=True)
    (root / "tsforge").mkdir()
    (root / "pyproject.toml").write_text("[project]\nname = 'tsforge'\n")
    return root


def _installed(tmp_path: Path) -> Path:
    """A folder laid out like site-packages: tsforge/ with nothing of a checkout beside it."""
    site = tmp_path / "site-packages"
    (site / "tsforge").mkdir(parents=True)
    return site


@pytest.fixture
def no_env(monkeypatch, tmp_path):
    monkeypatch.delenv(paths.CACHE_ENV, raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    monkeypatch.setenv("HOME", str(tmp_path / "home"))


def test_clone_keeps_its_datasets_cache(tmp_path, no_env):
    root = _clone(tmp_path)
    assert paths.source_root(root / "tsforge") == root
    assert paths.cache_root(root / "tsforge") == root / "datasets" / "cache"


@pytest.mark.skipif(paths.sys.platform in ("win32", "darwin"), reason="XDG rule is the Linux/BSD one")
def test_installed_package_caches_in_the_user_cache_folder(tmp_path, no_env):
    site = _installed(tmp_path)
    assert paths.source_root(site / "tsforge") is None
    root = paths.cache_root(site / "tsforge")
    assert root == tmp_path / "xdg" / "tsforge"
    assert site not in root.parents


@pytest.mark.skipif(paths.sys.platform in ("win32", "darwin"), reason="XDG rule is the Linux/BSD one")
def test_relative_xdg_cache_home_is_ignored(tmp_path, no_env, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", "relative/cache")
    assert paths.user_cache_dir() == tmp_path / "home" / ".cache" / "tsforge"


def test_env_overrides_clone_and_install(tmp_path, no_env, monkeypatch):
    monkeypatch.setenv(paths.CACHE_ENV, str(tmp_path / "mine"))
    assert paths.cache_root(_clone(tmp_path) / "tsforge") == tmp_path / "mine"
    assert paths.cache_root(_installed(tmp_path) / "tsforge") == tmp_path / "mine"


def test_this_checkout_is_a_clone_and_keeps_datasets_cache(no_env):
    """Guard: running from the repository, every cache stays where tests and benchmarks expect it."""
    from recommender.knowledge_base import kb_dir
    from tsforge.data.catalog import catalog_path
    from tsforge.data.catalog_cache import cache_dir
    from tsforge.training.estimator_cache import estimator_cache_root

    repo = Path(paths.__file__).resolve().parents[1]
    assert paths.source_root() == repo
    assert catalog_path() == repo / "datasets" / "catalog.toml"
    assert cache_dir() == repo / "datasets" / "cache" / "catalog"
    assert estimator_cache_root() == repo / "datasets" / "cache" / "estimators"
    assert kb_dir() == repo / "datasets" / "cache" / "knowledge_base"
