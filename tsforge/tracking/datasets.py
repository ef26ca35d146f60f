"""What data a run used, in a form MLflow can show: a content digest and a source label.

Why a digest of our own: two versions of a registered model are comparable only when they were
validated on the same data (:class:`~tsforge.tracking.contract.Validation`); a dataset *name*
does not say that (a CSV can be edited and keep its name). The digest covers the values, the
time axis and the series ids, is cheap (one SHA-1 pass over the arrays' bytes) and is also the
digest of the MLflow dataset input, so the runs table and the registry agree.

No MLflow import: the pipelines call these while deciding what to log.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import numpy as np

__all__ = ["array_digest", "source_label"]


def array_digest(*parts: Any) -> str:
    """A short, stable digest of arrays (and strings/None) in order; equal data → equal digest."""
    h = hashlib.sha1()
    for part in parts:
        if part is None:
            h.update(b"\x00none")
            continue
        arr = np.asarray(part)
        if arr.dtype.kind in ("U", "S", "O"):
            h.update("\x1f".join(map(str, arr.ravel().tolist())).encode())
        else:
            h.update(str(arr.dtype).encode() + str(arr.shape).encode())
            h.update(np.ascontiguousarray(arr).tobytes())
        h.update(b"\x1e")
    return h.hexdigest()[:16]


def source_label(data_label: str | None, name: str | None) -> str:
    """Where the data came from: an absolute file path, ``tsforge catalogue: <name>``, or
    ``in-memory data: <name>`` (a frame or array handed to the Python API)."""
    from tsforge.data.catalog import dataset_names

    label = str(data_label or "").strip()
    if label and Path(label).is_file():
        return str(Path(label).resolve())
    if label.lower() in {n.lower() for n in dataset_names()}:
        return f"tsforge catalogue: {label.lower()}"
    return f"in-memory data: {name or label or 'unnamed'}"
