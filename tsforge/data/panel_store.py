"""A :class:`Panel` as one Parquet file, and back, without a per-series Python loop.

Why this layout: one row per series with the values in a ``large_list<float>`` column maps
the CSR panel onto Arrow directly — the list offsets *are* ``indptr`` and the flattened list
*is* ``values`` — so writing and reading cost one pass over the values and memory scales with
the observations, not with ``n_series × longest series``. The catalogue uses it to parse a
``.tsf`` once and read the Parquet copy afterwards.

Columns: ``id``, optional ``start`` (timestamp[ns] or int64), ``values``, and one ``attr.<key>``
column per per-series attribute. Dataset-level fields (name, freq, season length, the ``.tsf``
header, and the dtypes needed to restore ids and attributes exactly) are JSON in the schema
metadata under ``tsforge_panel``.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import numpy as np

from tsforge.data.panel import Panel

__all__ = ["write_panel", "read_panel", "PANEL_STORE_VERSION"]

#: Bumped when the layout changes; a file of another version is refused (the catalogue then
#: re-parses the source and rewrites its cache).
PANEL_STORE_VERSION = 1
_META_KEY = b"tsforge_panel"
_ATTR = "attr."


def _column(arr: np.ndarray) -> tuple[Any, str]:
    """An ``[n]`` numpy array → (Arrow array, dtype tag used to restore it)."""
    import pyarrow as pa

    if arr.dtype == object:
        return pa.array(arr.tolist()), "object"
    return pa.array(arr), arr.dtype.str


def _restore(col: Any, tag: str) -> np.ndarray:
    if tag == "object":
        return np.array(col.to_pylist(), dtype=object)
    return col.to_numpy().astype(np.dtype(tag), copy=False)


def write_panel(panel: Panel, path: str | os.PathLike[str]) -> None:
    """Write ``panel`` to ``path`` (Parquet; overwritten). Non-atomic: callers that share the
    file (the catalogue cache) write to a temporary name and rename."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    offsets = pa.array(panel.indptr, type=pa.int64())
    cols: dict[str, Any] = {}
    ids, ids_tag = _column(panel.ids)
    cols["id"] = ids
    start_kind = None
    if panel.starts is not None:
        start_kind = "datetime" if panel.is_datetime else "int"
        cols["start"] = pa.array(panel.starts)
    cols["values"] = pa.LargeListArray.from_arrays(offsets, pa.array(panel.values))
    attr_tags = {}
    for key, arr in panel.attrs.items():
        cols[_ATTR + key], attr_tags[key] = _column(np.asarray(arr))
    meta = {
        "version": PANEL_STORE_VERSION,
        "name": panel.name,
        "freq": panel.freq,
        "season_length": panel.season_length,
        "int_step": panel.int_step,
        "meta": dict(panel.meta),
        "ids": ids_tag,
        "start": start_kind,
        "attrs": attr_tags,
    }
    table = pa.table(cols).replace_schema_metadata({_META_KEY: json.dumps(meta)})
    pq.write_table(table, Path(path))


def read_panel(path: str | os.PathLike[str]) -> Panel:
    """Read a file written by :func:`write_panel`.

    Raises:
        ValueError: not a panel file, or one of another layout version.
    """
    import pyarrow.parquet as pq

    table = pq.read_table(Path(path))
    raw = (table.schema.metadata or {}).get(_META_KEY)
    if raw is None:
        raise ValueError(f"{path} is not a tsforge panel file")
    meta = json.loads(raw)
    if meta.get("version") != PANEL_STORE_VERSION:
        raise ValueError(
            f"{path} has panel layout version {meta.get('version')}, expected {PANEL_STORE_VERSION}"
        )
    lists = table.column("values").combine_chunks()
    offsets = lists.offsets.to_numpy()
    # a copy: Arrow's buffer is read-only, and Panel values are ordinary writable arrays elsewhere
    values = np.array(lists.values.to_numpy()[offsets[0] : offsets[-1]])
    starts = None
    if meta["start"] is not None:
        starts = table.column("start").to_numpy()
        starts = starts.astype("datetime64[ns]") if meta["start"] == "datetime" else starts.astype(np.int64)
    attrs = {key: _restore(table.column(_ATTR + key), tag) for key, tag in meta["attrs"].items()}
    return Panel(
        ids=_restore(table.column("id"), meta["ids"]),
        indptr=offsets - offsets[0],
        values=values,
        starts=starts,
        freq=meta["freq"],
        season_length=meta["season_length"],
        name=meta["name"],
        attrs=attrs,
        meta=meta["meta"],
        int_step=int(meta.get("int_step", 1)),  # files written before integer steps: 1
    )
