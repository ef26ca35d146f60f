"""Shared helpers of the benchmark scripts: result files, machine facts, list options."""

from __future__ import annotations

import argparse
import json
import os
import platform
import time
from collections.abc import Callable, Hashable
from pathlib import Path
from typing import Any, TypeVar

RESULTS = Path(__file__).resolve().parent / "results"
#: a row key (a data set name, a ``(dataset, horizon)`` pair): what :func:`previous_rows` indexes by
K = TypeVar("K", bound=Hashable)
T = TypeVar("T")


def machine() -> dict[str, Any]:
    import torch

    return {
        "python": platform.python_version(),
        "torch": torch.__version__,
        "cpu_count": os.cpu_count(),
        "torch_threads": torch.get_num_threads(),
        "when": time.strftime("%Y-%m-%d %H:%M:%S"),
    }


def write_results(name: str, payload: dict[str, Any]) -> Path:
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"{name}.json"
    path.write_text(json.dumps({"machine": machine(), **payload}, indent=2, default=float))
    return path


def previous_results(name: str) -> dict[str, Any]:
    """``results/<name>.json`` as written by the last run (empty when there is none yet).

    Why: a benchmark that re-runs part of its work (one collection, one held-out file) keeps the
    rest of the last run's results and writes the file back with its own part replaced.
    """
    path = RESULTS / f"{name}.json"
    return json.loads(path.read_text()) if path.exists() else {}


def previous_rows(name: str, key: Callable[[dict[str, Any]], K]) -> dict[K, dict[str, Any]]:
    """The ``rows`` of ``results/<name>.json`` by ``key`` (empty when there is none yet).

    Why: a benchmark that re-runs one row (one data set, one model) keeps everyone else's rows;
    each script merges its new rows into these and writes the file back.
    """
    return {key(r): r for r in previous_results(name).get("rows", [])}


def int_list(text: str) -> list[int]:
    """``"96,192, 336"`` → ``[96, 192, 336]`` (an argparse ``type``; empty items are skipped)."""
    return _nonempty([int(v) for v in text.split(",") if v.strip()], text)


def float_list(text: str) -> list[float]:
    """``"0.01,0.005"`` → ``[0.01, 0.005]`` (an argparse ``type``; empty items are skipped)."""
    return _nonempty([float(v) for v in text.split(",") if v.strip()], text)


def _nonempty(values: list[T], text: str) -> list[T]:
    """Refuse a list option with no value (``--seeds ""``): every list a benchmark takes (horizons,
    seeds, lookbacks, grids) needs one, and an empty one ran nothing or crashed far from the cause
    (ltsf_ensemble's ``--print-commands`` with an IndexError)."""
    if not values:
        raise argparse.ArgumentTypeError(f"expected a comma-separated list of numbers, got {text!r}")
    return values


def split_held_out(
    sources: list[str], development: list[str] | tuple[str, ...]
) -> tuple[list[str], list[str]]:
    """Split ``--collections`` into development collections and held-out ones.

    Why one rule for every panel benchmark: designs and hyper-parameters are chosen by
    leave-one-collection-out over the development collections only, so a collection that is
    not one of them (a catalogue entry added later, or any file: a ``.tsf``, CSV or Parquet
    path) is scored with what the development collections chose and reported apart, never used
    to choose. Results are keyed by :func:`tsforge.data.load.source_name` (a file's stem), so a
    file named like a development collection is refused rather than mixed with it; a name given
    twice is kept once.

    Raises:
        ValueError: a file whose stem is a development collection's name.
    """
    from tsforge.data.load import classify_source, source_name

    dev: list[str] = []
    held: list[str] = []
    seen: set[str] = set()
    for source in sources:
        name = source_name(source)
        is_file = classify_source(source) in ("tsf", "file")
        if is_file and name in development:
            raise ValueError(
                f"{source}: a file is held out, but its name {name!r} is a development collection's; rename the file"
            )
        if name in seen:
            continue
        seen.add(name)
        (held if is_file or name not in development else dev).append(source)
    return dev, held
