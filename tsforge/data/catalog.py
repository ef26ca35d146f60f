"""The dataset catalogue: named datasets with their protocol defaults.

Why a catalogue: a user should be able to say ``tsforge train --data etth1`` and get the data,
the published split convention, the usual input length and horizons, all from one place
(``datasets/catalog.toml``). The training pipeline reads ``entry.split``, ``entry.input_len``,
``entry.horizons`` and ``entry.freq`` from here, so defaults live in data, not in code.

Files are never copied into the repository. They are looked up in ``$TSFORGE_DATA_DIR`` if set,
else in the first existing of ``<repo root>/../shared/datasets`` and ``<cwd>/../shared/datasets``.
A dataset whose files are absent is listed with ``available=False`` and the reason.

Parsed real datasets are cached as Parquet under ``datasets/cache/catalog/`` (or ``$TSFORGE_CACHE_DIR``),
keyed by the source files' mtime and size plus the loader options, so a second load skips CSV
parsing and validation. The cache is an optimisation only: a failure to read or write it is
logged and loading goes on from the source files.
"""

from __future__ import annotations

import dataclasses
import hashlib
import importlib.util
import json
import logging
import os
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from tsforge.data import validation as V
from tsforge.data.frame import TimeSeriesData
from tsforge.data.io import from_wide, read_coordinates, read_table, read_tsf, to_polars, tsf_to_dense
from tsforge.data.synthetic import synthetic_stations
from tsforge.errors import ConfigError, DatasetNotAvailableError

try:  # Python >= 3.11
    import tomllib
except ModuleNotFoundError:  # pragma: no cover - Python 3.10
    import tomli as tomllib  # type: ignore[no-redef]

__all__ = [
    "DatasetEntry",
    "list_datasets",
    "load_dataset",
    "get_entry",
    "dataset_names",
    "data_dir",
    "data_dir_candidates",
    "catalog_path",
    "cache_dir",
]

log = logging.getLogger(__name__)

REPO_ROOT = Path(__file__).resolve().parents[2]
_CACHE_VERSION = 1
_TS_COL = "__timestamp__"
_CACHE_NAME = re.compile(r"[0-9a-f]{16}\.parquet")  # only our own files are ever cleaned up


@dataclass(frozen=True)
class DatasetEntry:
    """One catalogue entry (see ``datasets/catalog.toml`` for the meaning of each field)."""

    name: str
    loader: str
    freq: str | None
    channels: str
    split: str
    input_len: int
    horizons: tuple[int, ...]
    files: tuple[str, ...] = ()
    description: str = ""
    notes: str = ""
    n_steps: int | None = None
    n_channels: int | None = None
    options: dict[str, Any] = field(default_factory=dict)
    available: bool = True
    reason: str = ""

    @property
    def horizon(self) -> int:
        """The first (shortest) default horizon."""
        return self.horizons[0]

    def as_dict(self) -> dict[str, Any]:
        d = dataclasses.asdict(self)
        d["horizons"] = list(self.horizons)
        d["files"] = list(self.files)
        return d


# --------------------------------------------------------------------------------------------
# Locations
# --------------------------------------------------------------------------------------------


def catalog_path() -> Path:
    """``datasets/catalog.toml`` of the repository (or of the working directory)."""
    for candidate in (REPO_ROOT / "datasets" / "catalog.toml", Path.cwd() / "datasets" / "catalog.toml"):
        if candidate.is_file():
            return candidate
    raise ConfigError(
        f"dataset catalogue not found at {REPO_ROOT / 'datasets' / 'catalog.toml'}", field="catalog"
    )


def data_dir_candidates() -> list[Path]:
    """Where dataset files are looked for, in order."""
    env = os.environ.get("TSFORGE_DATA_DIR")
    if env:
        return [Path(env).expanduser()]
    return [REPO_ROOT.parent / "shared" / "datasets", Path.cwd().parent / "shared" / "datasets"]


def data_dir() -> Path | None:
    """The first existing data folder, or ``None``."""
    return next((p for p in data_dir_candidates() if p.is_dir()), None)


def cache_dir() -> Path:
    env = os.environ.get("TSFORGE_CACHE_DIR")
    return Path(env).expanduser() if env else REPO_ROOT / "datasets" / "cache" / "catalog"


# --------------------------------------------------------------------------------------------
# Catalogue
# --------------------------------------------------------------------------------------------


@lru_cache(maxsize=4)
def _read_catalog(path: str, mtime_ns: int) -> tuple[DatasetEntry, ...]:
    with open(path, "rb") as fh:
        try:
            raw = tomllib.load(fh)
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"invalid dataset catalogue: {exc}", file=path) from None
    entries = []
    for name, spec in raw.items():
        try:
            entries.append(
                DatasetEntry(
                    name=name,
                    loader=spec["loader"],
                    freq=spec.get("freq"),
                    channels=spec.get("channels", ""),
                    split=spec.get("split", "7:1:2"),
                    input_len=int(spec["input_len"]),
                    horizons=tuple(int(h) for h in spec["horizons"]),
                    files=tuple(spec.get("files", ())),
                    description=spec.get("description", ""),
                    notes=spec.get("notes", ""),
                    n_steps=spec.get("n_steps"),
                    n_channels=spec.get("n_channels"),
                    options=dict(spec.get("options", {})),
                )
            )
        except KeyError as exc:
            raise ConfigError(
                f"catalogue entry {name!r} lacks field {exc.args[0]!r}", file=path, field=exc.args[0]
            ) from None
        if spec["loader"] not in _LOADERS:
            raise ConfigError(
                f"catalogue entry {name!r} names unknown loader {spec['loader']!r}", file=path, field="loader"
            )
    return tuple(entries)


def _entries() -> tuple[DatasetEntry, ...]:
    path = catalog_path()
    return _read_catalog(str(path), path.stat().st_mtime_ns)


def dataset_names() -> list[str]:
    return [e.name for e in _entries()]


def _availability(entry: DatasetEntry, folder: Path | None = None) -> tuple[bool, str]:
    if entry.loader == "statsmodels_co2":
        if importlib.util.find_spec("statsmodels") is None:
            return False, "the statsmodels package is not installed"
        return True, "shipped inside statsmodels"
    if not entry.files:
        return True, "generated, no file needed"
    folder = folder if folder is not None else data_dir()
    if folder is None:
        if os.environ.get("TSFORGE_DATA_DIR"):
            return False, f"TSFORGE_DATA_DIR={os.environ['TSFORGE_DATA_DIR']} is not a folder"
        where = ", ".join(str(p) for p in data_dir_candidates())
        return False, f"no data folder found (looked in {where}; set TSFORGE_DATA_DIR)"
    missing = [f for f in entry.files if not (folder / f).is_file()]
    if missing:
        return False, f"file {missing[0]} not found in {folder}"
    return True, f"files in {folder}"


def get_entry(name: str) -> DatasetEntry:
    """The catalogue entry for ``name`` (case-insensitive), with its availability filled in.

    Raises:
        DatasetNotAvailableError: unknown name (the message lists the known names).
    """
    entries = {e.name: e for e in _entries()}
    key = str(name).strip().lower()
    if key not in entries:
        guess = V.closest_name(key, list(entries))
        raise DatasetNotAvailableError(
            f"unknown dataset {name!r}; known datasets: {', '.join(entries)}"
            + (f". Did you mean {guess!r}?" if guess else "")
            + " (a file path must exist to be loaded)",
            field="dataset",
        )
    entry = entries[key]
    ok, reason = _availability(entry)
    return dataclasses.replace(entry, available=ok, reason=reason)


def list_datasets() -> list[DatasetEntry]:
    """Every catalogue entry with ``available`` and ``reason`` set for this machine."""
    folder = data_dir()
    out = []
    for e in _entries():
        ok, reason = _availability(e, folder)
        out.append(dataclasses.replace(e, available=ok, reason=reason))
    return out


# --------------------------------------------------------------------------------------------
# Loading
# --------------------------------------------------------------------------------------------


def load_dataset(
    name: str,
    *,
    data_dir_override: str | os.PathLike[str] | None = None,
    use_cache: bool = True,
    **overrides: Any,
) -> TimeSeriesData:
    """Load a catalogue dataset.

    Args:
        name: catalogue name (case-insensitive), e.g. ``"etth1"``.
        data_dir_override: read the files from this folder instead of the usual lookup.
        use_cache: read/write the Parquet cache for file-based datasets.
        **overrides: loader options to change (e.g. ``n_channels=4, seed=1`` for ``synthetic``),
            and ``channels=[...]`` to keep a subset of channels.

    Raises:
        DatasetNotAvailableError: unknown name, or a file that is not on this machine (the
            message says which file and where it was looked for).
        ConfigError: an override the loader does not understand.
    """
    entry = get_entry(name)
    channels = overrides.pop("channels", None)
    allowed = set(entry.options) | _EXTRA_OPTIONS.get(entry.loader, set())
    unknown = sorted(set(overrides) - allowed)
    if unknown:
        raise ConfigError(
            f"dataset {entry.name!r} does not take option(s) {unknown}; options: {sorted(allowed) + ['channels']}",
            field=unknown[0],
        )
    options = {**entry.options, **overrides}
    folder = Path(data_dir_override) if data_dir_override is not None else data_dir()
    if entry.files:
        ok, reason = _availability(entry, folder)
        if not ok:
            raise DatasetNotAvailableError(
                f"dataset {entry.name!r} is not available here: {reason}", field="dataset"
            )
    paths = [folder / f for f in entry.files] if entry.files else []
    data = None
    key = _cache_key(entry, paths, options) if (use_cache and paths) else None
    if key is not None:
        data = _read_cache(entry, key)
    if data is None:
        data = _LOADERS[entry.loader](entry, paths, options)
        if key is not None:
            _write_cache(entry, key, data)
    if channels is not None:
        data = data.select_channels([str(c) for c in channels])
    return data


# --------------------------------------------------------------------------------------------
# Parquet cache
# --------------------------------------------------------------------------------------------


def _cache_key(entry: DatasetEntry, paths: list[Path], options: dict[str, Any]) -> str:
    stamp = [(p.name, p.stat().st_mtime_ns, p.stat().st_size) for p in paths]
    blob = json.dumps(
        [_CACHE_VERSION, entry.name, entry.loader, entry.freq, options, stamp], sort_keys=True, default=str
    )
    return hashlib.sha1(blob.encode()).hexdigest()[:16]


def _cache_file(entry: DatasetEntry, key: str) -> Path:
    return cache_dir() / f"{entry.name}-{key}.parquet"


def _read_cache(entry: DatasetEntry, key: str) -> TimeSeriesData | None:
    import pyarrow.parquet as pq

    path = _cache_file(entry, key)
    if not path.is_file():
        return None
    try:
        table = pq.read_table(path)
        meta = json.loads(table.schema.metadata[b"tsforge"])
        n = len(meta["channel_ids"])
        values = np.stack([table.column(f"c{j}").to_numpy() for j in range(n)], axis=1) if n else None
        ts = (
            table.column(_TS_COL).to_numpy().astype("datetime64[ns]")
            if _TS_COL in table.column_names
            else None
        )
        coords = None if meta["coords"] is None else np.asarray(meta["coords"], dtype=np.float64)
        return TimeSeriesData(
            values=values,
            timestamps=ts,
            channel_ids=tuple(meta["channel_ids"]),
            freq=meta["freq"],
            coords=coords,
            name=meta["name"],
        )
    except Exception as exc:  # a corrupt or foreign cache file must never break loading
        log.warning("ignoring unreadable dataset cache %s: %s", path, exc)
        return None


def _write_cache(entry: DatasetEntry, key: str, data: TimeSeriesData) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    path = _cache_file(entry, key)
    try:
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
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        pq.write_table(table, tmp)
        os.replace(tmp, path)
        for stale in path.parent.glob(f"{entry.name}-*.parquet"):
            if stale != path and _CACHE_NAME.fullmatch(stale.name[len(entry.name) + 1 :]):
                stale.unlink(missing_ok=True)
    except Exception as exc:  # read-only checkout, full disk, ...: loading still succeeds
        log.warning("could not write dataset cache %s: %s", path, exc)


# --------------------------------------------------------------------------------------------
# Loaders: (entry, file paths, options) -> TimeSeriesData
# --------------------------------------------------------------------------------------------


def _load_csv_wide(entry: DatasetEntry, paths: list[Path], options: dict[str, Any]) -> TimeSeriesData:
    """One wide CSV: a time column plus one column per channel.

    With ``validate_spacing = false`` (Weather) rows are kept exactly as in the file —
    duplicates and gaps included — because the published numbers index windows by row.
    """
    path = paths[0]
    frame = read_table(path)
    time_col = options.get("time_col", "date")
    if options.get("validate_spacing", True):
        return from_wide(frame, time_col=time_col, name=entry.name, file=str(path), freq=entry.freq)
    V.require_columns(frame.columns, {"time_col": time_col}, file=str(path))
    V.check_not_empty(frame.height, frame.width - 1, file=str(path))
    times = V.parse_timestamps(frame[time_col], column=time_col, file=str(path))
    cols = [c for c in frame.columns if c != time_col]
    values = np.stack([V.to_numeric(frame[c], column=c, file=str(path)) for c in cols], axis=1)
    V.check_channels_observed(values, cols, file=str(path))
    return TimeSeriesData(
        values=values, timestamps=times, channel_ids=tuple(cols), freq=entry.freq, name=entry.name
    )


def _load_weather_stations(entry: DatasetEntry, paths: list[Path], options: dict[str, Any]) -> TimeSeriesData:
    """ECA&D stations: ``<STATION>_temp_mean`` columns; coordinates joined by station prefix."""
    data_path, stations_path = paths
    frame = read_table(data_path)
    suffix = str(options.get("variable", "temp_mean"))
    cols = [c for c in frame.columns if c.endswith("_" + suffix)]
    if not cols:
        raise DatasetNotAvailableError(f"no '*_{suffix}' columns in {data_path.name}", file=str(data_path))
    stations = [c[: -len(suffix) - 1] for c in cols]
    data = from_wide(
        frame,
        time_col="DATE",
        value_cols=cols,
        name=entry.name,
        file=str(data_path),
        freq=entry.freq,
        time_format="%Y%m%d",
    )
    coords = read_coordinates(stations_path, id_col="station", channel_ids=stations)
    return dataclasses.replace(data, channel_ids=tuple(stations), coords=coords)


def _load_pm10(entry: DatasetEntry, paths: list[Path], options: dict[str, Any]) -> TimeSeriesData:
    """EEA AirBase PM10: 70 station columns (blank = missing, kept as NaN) + station lon/lat."""
    data_path, stations_path = paths
    frame = read_table(data_path)
    data = from_wide(frame, time_col="date", name=entry.name, file=str(data_path), freq=entry.freq)
    coords = read_coordinates(
        stations_path, id_col="station_id", lat_col="lat", lon_col="lon", channel_ids=data.channel_ids
    )
    return dataclasses.replace(data, coords=coords)


def _load_tsf(entry: DatasetEntry, paths: list[Path], options: dict[str, Any]) -> TimeSeriesData:
    """Monash .tsf: series stacked end-aligned (left NaN padding) on a synthetic time axis."""
    tsf = read_tsf(paths[0])
    values, names = tsf_to_dense(tsf)
    times = pd.date_range(options.get("start", "2000-01-01"), periods=values.shape[0], freq=entry.freq)
    return TimeSeriesData(
        values=values, timestamps=times.to_numpy(), channel_ids=tuple(names), freq=entry.freq, name=entry.name
    )


def _load_synthetic(entry: DatasetEntry, paths: list[Path], options: dict[str, Any]) -> TimeSeriesData:
    return synthetic_stations(**options)


def _load_co2(entry: DatasetEntry, paths: list[Path], options: dict[str, Any]) -> TimeSeriesData:
    """Mauna Loa CO2 from statsmodels (weekly, W-SAT, NaNs kept)."""
    from statsmodels.datasets import co2

    frame = to_polars(co2.load_pandas().data)
    data = from_wide(frame, time_col="ds", value_cols=["co2"], name=entry.name, freq=entry.freq)
    return data


_LOADERS: dict[str, Callable[[DatasetEntry, list[Path], dict[str, Any]], TimeSeriesData]] = {
    "csv_wide": _load_csv_wide,
    "weather_stations": _load_weather_stations,
    "pm10_germany": _load_pm10,
    "tsf": _load_tsf,
    "synthetic": _load_synthetic,
    "statsmodels_co2": _load_co2,
}
# Options a loader accepts beyond those listed in the catalogue entry.
_EXTRA_OPTIONS: dict[str, set[str]] = {
    "weather_stations": {"variable"},
}
