"""Where tsforge keeps its files: the one place that decides, for a clone and for an installed package.

Why one place: the caches (parsed datasets, the recommender's corpus, knowledge base and router,
selective learning's estimators, STL operators) used to be found from each module's own
``__file__``. Inside a clone that is ``<repo>/datasets/cache``; in an installed wheel the same
rule pointed into ``site-packages`` (a folder a user may not be able to write, that ``pip
uninstall`` leaves behind, and that every virtual environment duplicates), and the catalogue
``datasets/catalog.toml`` was looked for beside ``site-packages``, where it never is.

The rules, in order:

* ``$TSFORGE_CACHE_DIR`` when set (any install, any working directory);
* inside a source checkout (the package's parent folder holds ``pyproject.toml`` and
  ``datasets/``): ``<repo>/datasets/cache``, exactly as before (tests and benchmarks rely on it);
* otherwise the user's cache folder: ``$XDG_CACHE_HOME/tsforge`` or ``~/.cache/tsforge``
  (``~/Library/Caches/tsforge`` on macOS, ``%LOCALAPPDATA%\\tsforge\\Cache`` on Windows).

The catalogue is ``<repo>/datasets/catalog.toml`` in a clone and the copy shipped inside the
package (``tsforge/_datasets/catalog.toml``, mapped from the same file by ``pyproject.toml``)
in a wheel. This module imports nothing from tsforge, so every layer may use it.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

__all__ = ["CACHE_ENV", "cache_root", "packaged_catalog", "source_root", "user_cache_dir"]

#: Environment variable that overrides every cache location.
CACHE_ENV = "TSFORGE_CACHE_DIR"

_PACKAGE_DIR = Path(__file__).resolve().parent


def source_root(package_dir: Path = _PACKAGE_DIR) -> Path | None:
    """The source checkout ``package_dir`` lives in, or ``None`` for an installed package.

    A checkout is recognised by ``pyproject.toml`` and ``datasets/`` beside the package, which an
    installed ``site-packages`` folder does not have.
    """
    root = package_dir.parent
    if (root / "pyproject.toml").is_file() and (root / "datasets").is_dir():
        return root
    return None


def user_cache_dir() -> Path:
    """The per-user cache folder for tsforge, following the platform's convention."""
    if sys.platform == "win32":
        base = os.environ.get("LOCALAPPDATA")
        return (Path(base) if base else Path.home() / "AppData" / "Local") / "tsforge" / "Cache"
    if sys.platform == "darwin":
        return Path.home() / "Library" / "Caches" / "tsforge"
    xdg = os.environ.get("XDG_CACHE_HOME", "")
    # The XDG spec says a relative value is invalid and must be ignored.
    base = Path(xdg) if xdg and Path(xdg).is_absolute() else Path.home() / ".cache"
    return base / "tsforge"


def cache_root(package_dir: Path = _PACKAGE_DIR) -> Path:
    """The root of every tsforge cache (see the module docstring for the order of the rules)."""
    env = os.environ.get(CACHE_ENV)
    if env:
        return Path(env).expanduser()
    root = source_root(package_dir)
    if root is not None:
        return root / "datasets" / "cache"
    return user_cache_dir()


def packaged_catalog(package_dir: Path = _PACKAGE_DIR) -> Path:
    """Where a wheel ships the dataset catalogue (it may be absent in a clone)."""
    return package_dir / "_datasets" / "catalog.toml"
