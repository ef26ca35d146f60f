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

#: where results go unless :data:`RESULTS_DIR_ENV` names another folder: the checked-in files
#: that README's tables are read from
CHECKED_IN_RESULTS = Path(__file__).resolve().parent / "results"
#: the environment variable that sends every benchmark's results (and the files a script merges
#: its new rows into) to another folder, as ``TSFORGE_DATA_DIR`` and ``TSFORGE_CACHE_DIR`` do
RESULTS_DIR_ENV = "TSFORGE_BENCH_RESULTS_DIR"
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


def results_dir() -> Path:
    """The folder benchmark results are read from and written to: ``$TSFORGE_BENCH_RESULTS_DIR``
    when set, else :data:`CHECKED_IN_RESULTS`.

    Why: every script merges its new rows into the last run's file and writes it back, so
    without another folder a cheap trial run (``--quick``) overwrote the checked-in results in
    the source tree. One place decides it for every script; the scripts whose result file is an
    option (``--out``) take their default from here when they start.
    """
    chosen = os.environ.get(RESULTS_DIR_ENV, "").strip()
    return Path(chosen).expanduser() if chosen else CHECKED_IN_RESULTS


def write_results(name: str, payload: dict[str, Any]) -> Path:
    """Write ``<results_dir()>/<name>.json``: ``payload`` with the machine it ran on."""
    folder = results_dir()
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.json"
    path.write_text(json.dumps({"machine": machine(), **payload}, indent=2, default=float))
    return path


def previous_results(name: str) -> dict[str, Any]:
    """``<results_dir()>/<name>.json`` as written by the last run (empty when there is none yet).

    Why: a benchmark that re-runs part of its work (one collection, one held-out file) keeps the
    rest of the last run's results and writes the file back with its own part replaced.
    """
    path = results_dir() / f"{name}.json"
    return json.loads(path.read_text()) if path.exists() else {}


def previous_rows(name: str, key: Callable[[dict[str, Any]], K]) -> dict[K, dict[str, Any]]:
    """The ``rows`` of ``<results_dir()>/<name>.json`` by ``key`` (empty when there is none yet).

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
