"""The per-series recommender that ships with tsforge, so that a fresh install routes at once.

Why: the default per-series router is learnt from the knowledge base of the development
collections (rolling-origin cross-validation of every candidate on each of them: 15–25 min on
two cores, and it needs the collections' files, which an installed package does not have). Every
user would otherwise wait for, or be refused, the same build. The copy in ``shipped_router/`` is
what ``tsforge recommender build --per-series`` builds from those collections at this release,
with the rows it was trained on (``--adapt`` retrains on them) and without the MLflow run id of
the machine that built it.

Which router serves (:func:`default_router_folder`): the folder ``$TSFORGE_SERIES_ROUTER`` names
when set (a router built elsewhere, served as it is and never rebuilt); else one built on this
machine (the cache's, ``tsforge recommender build --per-series``); else the shipped one. Developers
refresh the shipped copy with ``make shipped-router`` after a change to the features, the
candidates or the knowledge-base settings; ``tests/recommender/test_shipped_router.py`` fails
until they do.
"""

from __future__ import annotations

import gzip
import json
import os
import shutil
from pathlib import Path

from recommender.per_series import router_dir

__all__ = [
    "ROUTER_ENV",
    "SHIPPED_ROUTER_DIR",
    "chosen_router_folder",
    "default_router_folder",
    "ship_router",
    "shipped_router_dir",
]

#: the folder inside the package (``package-data`` in pyproject.toml puts it in the wheel)
SHIPPED_ROUTER_DIR = Path(__file__).resolve().parent / "shipped_router"
#: the environment variable that names a router folder to use instead of the built or shipped one
ROUTER_ENV = "TSFORGE_SERIES_ROUTER"
#: meta keys that describe the machine that built the router, not the router
_LOCAL_META = ("mlflow_run_id",)


def shipped_router_dir() -> Path | None:
    """The shipped router's folder, or None when this copy of tsforge has none."""
    return SHIPPED_ROUTER_DIR if (SHIPPED_ROUTER_DIR / "router.json").is_file() else None


def chosen_router_folder() -> Path | None:
    """The folder ``$TSFORGE_SERIES_ROUTER`` names, or None when it is not set."""
    chosen = os.environ.get(ROUTER_ENV, "").strip()
    return Path(chosen).expanduser() if chosen else None


def default_router_folder() -> Path:
    """The folder the default per-series router is read from: ``$TSFORGE_SERIES_ROUTER`` when
    set; else the one built on this machine (:func:`recommender.per_series.router_dir`) when
    there is one; else the shipped one; else the built one's (missing) folder, which is where a
    build writes and what errors name."""
    chosen = chosen_router_folder()
    if chosen is not None:
        return chosen
    built = router_dir()
    if (built / "router.json").is_file():
        return built
    return shipped_router_dir() or built


def ship_router(source: str | Path | None = None, target: str | Path = SHIPPED_ROUTER_DIR) -> Path:
    """Copy the router built at ``source`` (default: this machine's default router) into
    ``target``: its boosters gzip-compressed (:meth:`recommender.per_series.SeriesRouter.load`
    reads either form), the knowledge-base rows, and ``router.json`` without the build machine's
    MLflow run id.

    Raises:
        FileNotFoundError: ``source`` holds no router (build it first).
    """
    from recommender.series_recommendation import KB_ROWS_FILE

    source = Path(source) if source is not None else router_dir()
    info_file = source / "router.json"
    if not info_file.is_file():
        raise FileNotFoundError(
            f"no per-series router at {source}; build it with `tsforge recommender build --per-series`"
        )
    info = json.loads(info_file.read_text())
    for key in _LOCAL_META:
        info.get("meta", {}).pop(key, None)
    target = Path(target)
    staging = target.with_name(target.name + ".new")
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    for name in [*info["files"].values(), "difficulty.txt"]:
        # gzip without a time stamp: the same router ships as the same bytes (a third of the text)
        packed = gzip.compress((source / name).read_bytes(), compresslevel=9, mtime=0)
        (staging / (name + ".gz")).write_bytes(packed)
    shutil.copy2(source / KB_ROWS_FILE, staging / KB_ROWS_FILE)
    (staging / "router.json").write_text(json.dumps(info, indent=2) + "\n")
    shutil.rmtree(target, ignore_errors=True)  # replaced whole: no candidate file of an older build stays
    staging.rename(target)
    return target


if __name__ == "__main__":  # `make shipped-router`
    print(f"shipped the per-series router: {ship_router()}")
