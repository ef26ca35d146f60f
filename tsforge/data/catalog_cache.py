"""The catalogue's Parquet cache: parsed datasets keyed by their source files' mtime and size.

Why: parsing a CSV or ``.tsf`` and validating it costs far more than reading a Parquet copy,
and a catalogue dataset is loaded again and again (tests, benchmarks, the recommender). The
key covers the loader, its options and every source file's name, mtime and size, so editing
or replacing a file invalidates its cache. The cache is an optimisation only: a failure to
read or write it is logged and loading goes on from the source files.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import numpy as np

from tsforge.data.frame import TimeSeriesData
from tsforge.paths import CACHE_ENV, cache_root

__all__ = ["cache_dir", "cache_key", "read_cached", "write_cached", "read_series", "write_series"]

T = TypeVar("T")

log = logging.getLogger("tsforge.data.catalog")  # part of the catalogue, logged under its name

_CACHE_VERSION = 1
_TS_COL = "__timestamp__"
_CACHE_NAME = re.compile(r"[0-9a-f]{16}\.parquet")  # only our own files are ever cleaned up


def cache_dir() -> Path:
    """``$TSFORGE_CACHE_DIR`` itself when set (as always: the parsed files sit at its top), else
    ``<cache root>/catalog`` (:func:`tsforge.paths.cache_root`: a clone's git-ignored
    ``datasets/cache``, else the user's cache folder; never inside the installed package)."""
    root = cache_root()
    return root if os.environ.get(CACHE_ENV) else root / "catalog"


def cache_key(identity: list[Any], paths: list[Path]) -> str:
    """16 hex digits over ``identity`` (name, loader, options...) and each file's name, mtime, size."""
    stamp = [(p.name, p.stat().st_mtime_ns, p.stat().st_size) for p in paths]
    blob = json.dumps([_CACHE_VERSION, *identity, stamp], sort_keys=True, default=str)
    return hashlib.sha1(blob.encode()).hexdigest()[:16]


def _cache_file(name: str, key: str) -> Path:
    return cache_dir() / f"{name}-{key}.parquet"


def read_cached(name: str, key: str, reader: Callable[[Path], T]) -> T | None:
    """``reader(cache file)``, or ``None`` when there is no usable cache file."""
    path = _cache_file(name, key)
    if not path.is_file():
        return None
    try:
        return reader(path)
    except Exception as exc:  # a corrupt or foreign cache file must never break loading
        log.warning("ignoring unreadable dataset cache %s: %s", path, exc)
        return None


def write_cached(name: str, key: str, writer: Callable[[Path], None]) -> None:
    """``writer(temporary file)``, then an atomic rename and removal of this dataset's stale files."""
    path = _cache_file(name, key)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        writer(tmp)
        os.replace(tmp, path)
        for stale in path.parent.glob(f"{name}-*.parquet"):
            if stale != path and _CACHE_NAME.fullmatch(stale.name[len(name) + 1 :]):
                stale.unlink(missing_ok=True)
    except Exception as exc:  # read-only checkout, full disk, ...: loading still succeeds
        log.warning("could not write dataset cache %s: %s", path, exc)
        try:
            tmp.unlink(missing_ok=True)
        except OSError:
            pass


def read_series(path: Path) -> TimeSeriesData:
    """A multichannel dataset from its cache file (one column per channel, schema metadata)."""
    import pyarrow.parquet as pq

    table = pq.read_table(path)
    meta = json.loads(table.schema.metadata[b"tsforge"])
    n = len(meta["channel_ids"])
    columns = [table.column(f"c{j}").to_numpy() for j in range(n)]
    # no channel: an empty [T, 0] matrix (np.stack refuses an empty list; None is no matrix)
    values = np.stack(columns, axis=1) if n else np.empty((table.num_rows, 0), dtype=np.float32)
    ts = table.column(_TS_COL).to_numpy().astype("datetime64[ns]") if _TS_COL in table.column_names else None
    coords = None if meta["coords"] is None else np.asarray(meta["coords"], dtype=np.float64)
    return TimeSeriesData(
        values=values,
        timestamps=ts,
        channel_ids=tuple(meta["channel_ids"]),
        freq=meta["freq"],
        coords=coords,
        name=meta["name"],
    )


def write_series(data: TimeSeriesData, path: Path) -> None:
    """The inverse of :func:`read_series`."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    cols = {f"c{j}": pa.array(data.values[:, j]) for j in range(data.n_channels)}
    if data.timestamps is not None:
        cols = {_TS_COL: pa.array(data.timestamps), **cols}
    meta = {
        "channel_ids": list(data.channel_ids),
        "freq": data.freq,
        "coords": None if data.coords is None else data.coords.tolist(),
        "name": data.name,
        "version": _CACHE_VERSION,
    }
    table = pa.table(cols).replace_schema_metadata({"tsforge": json.dumps(meta)})
    pq.write_table(table, path)
