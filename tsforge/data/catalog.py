"""The dataset catalogue: named datasets with their protocol defaults.

Why a catalogue: a user should be able to say ``tsforge train --data etth1`` and get the data,
the published split convention, the usual input length and horizons, all from one place
(``datasets/catalog.toml``). The training pipeline reads ``entry.split``, ``entry.input_len``,
``entry.horizons`` and ``entry.freq`` from here, so defaults live in data, not in code.

Files are never copied into the repository. They are looked up in ``$TSFORGE_DATA_DIR`` if set,
else in the first existing of ``<repo root>/../shared/datasets`` (inside a clone) and
``<cwd>/../shared/datasets``. An installed wheel reads the catalogue shipped inside the package
(see :mod:`tsforge.paths`).
A dataset whose files are absent is listed with ``available=False`` and the reason.

Two kinds of entry: ``multichannel`` (the default; one ``[T, N]`` matrix on a shared time axis,
loaded by :func:`load_dataset`) and ``panel`` (many univariate series, each with its own start
and length, loaded as a ragged :class:`~tsforge.data.panel.Panel` by :func:`load_panel_dataset`).
A panel is never forced into a dense union matrix: :func:`load_dataset` refuses it and names
``load_panel`` instead, so a caller cannot silently train the multichannel protocol on it.

Parsed real datasets are cached as Parquet under ``<cache root>/catalog/`` (:func:`tsforge.paths.cache_root`),
keyed by the source files' mtime and size plus the loader options, so a second load skips CSV
or ``.tsf`` parsing and validation. The cache is an optimisation only: a failure to read or
write it is logged and loading goes on from the source files.
"""

from __future__ import annotations

import dataclasses
import importlib.util
import os
import sys
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from tsforge.data import validation as V
from tsforge.data.catalog_cache import (
    cache_dir,
    cache_key,
    read_cached,
    read_series,
    write_cached,
    write_series,
)
from tsforge.data.coordinates import read_coordinates
from tsforge.data.frame import TimeSeriesData
from tsforge.data.frequency import season_length
from tsforge.data.layouts import from_tsf, from_wide
from tsforge.data.panel import Panel
from tsforge.data.panel_store import read_panel, write_panel
from tsforge.data.tables import read_table, to_polars
from tsforge.data.tsf import read_tsf
from tsforge.errors import ConfigError, DatasetNotAvailableError, SnappedStartWarning, UnobservedSeriesWarning
from tsforge.paths import packaged_catalog, source_root

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

__all__ = [
    "DatasetEntry",
    "list_datasets",
    "load_dataset",
    "load_panel_dataset",
    "get_entry",
    "dataset_names",
    "data_dir",
    "data_dir_candidates",
    "catalog_path",
    "catalog_candidates",
    "cache_dir",
]

KINDS = ("multichannel", "panel")


@dataclass(frozen=True)
class DatasetEntry:
    """One catalogue entry (see ``datasets/catalog.toml`` for the meaning of each field).

    ``kind`` is ``"multichannel"`` or ``"panel"``. Panel entries document ``n_series`` and
    ``lengths`` (min, median, max values per series, test part included) instead of
    ``n_steps``/``n_channels``, and have no fixed ``input_len`` (``None``: global models derive
    it from the horizon and season length; local models use each series' whole history).
    """

    name: str
    loader: str
    freq: str | None
    channels: str
    split: str
    input_len: int | None
    horizons: tuple[int, ...]
    files: tuple[str, ...] = ()
    description: str = ""
    notes: str = ""
    n_steps: int | None = None
    n_channels: int | None = None
    options: dict[str, Any] = field(default_factory=dict)
    kind: str = "multichannel"
    n_series: int | None = None
    lengths: tuple[int, int, int] | None = None
    available: bool = True
    reason: str = ""

    @property
    def horizon(self) -> int:
        """The first (shortest) default horizon."""
        return self.horizons[0]

    @property
    def is_panel(self) -> bool:
        return self.kind == "panel"

    @property
    def season_length(self) -> int:
        """Seasonal period implied by ``freq`` (monthly 12, daily 7, hourly 24, yearly 1)."""
        return season_length(self.freq)

    def as_dict(self) -> dict[str, Any]:
        d = dataclasses.asdict(self)
        d["horizons"] = list(self.horizons)
        d["files"] = list(self.files)
        d["lengths"] = None if self.lengths is None else list(self.lengths)
        return d


# --------------------------------------------------------------------------------------------
# Locations
# --------------------------------------------------------------------------------------------


def catalog_candidates() -> list[Path]:
    """Where the catalogue is looked for, in order: the clone's, the wheel's, the working directory's."""
    root = source_root()
    clone = [root / "datasets" / "catalog.toml"] if root is not None else []
    return [*clone, packaged_catalog(), Path.cwd() / "datasets" / "catalog.toml"]


def catalog_path() -> Path:
    """The catalogue file: ``datasets/catalog.toml`` of a clone, else the one shipped in the package."""
    candidates = catalog_candidates()
    for candidate in candidates:
        if candidate.is_file():
            return candidate
    looked = ", ".join(str(p) for p in candidates)
    raise ConfigError(
        f"dataset catalogue not found (looked in {looked}); the installed tsforge package is "
        "incomplete: reinstall it from a wheel or run from a clone",
        field="catalog",
    )


def data_dir_candidates() -> list[Path]:
    """Where dataset files are looked for, in order (the clone's sibling only inside a clone)."""
    env = os.environ.get("TSFORGE_DATA_DIR")
    if env:
        return [Path(env).expanduser()]
    root = source_root()
    clone = [root.parent / "shared" / "datasets"] if root is not None else []
    cwd = Path.cwd().parent / "shared" / "datasets"
    return list(dict.fromkeys([*clone, cwd]))


def data_dir() -> Path | None:
    """The first existing data folder, or ``None``."""
    return next((p for p in data_dir_candidates() if p.is_dir()), None)


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
    return tuple(_parse_entry(name, spec, path) for name, spec in raw.items())


def _parse_entry(name: str, spec: dict[str, Any], path: str) -> DatasetEntry:
    kind = spec.get("kind", "multichannel")
    if kind not in KINDS:
        raise ConfigError(f"catalogue entry {name!r} has kind {kind!r}; expected one of {KINDS}", file=path)
    panel = kind == "panel"
    try:
        lengths = spec.get("lengths")
        entry = DatasetEntry(
            name=name,
            loader=spec["loader"],
            freq=spec.get("freq"),
            channels=spec.get("channels", ""),
            split=spec.get("split", "holdout" if panel else "7:1:2"),
            input_len=None if panel and "input_len" not in spec else int(spec["input_len"]),
            horizons=tuple(int(h) for h in spec["horizons"]),
            files=tuple(spec.get("files", ())),
            description=spec.get("description", ""),
            notes=spec.get("notes", ""),
            n_steps=spec.get("n_steps"),
            n_channels=spec.get("n_channels"),
            options=dict(spec.get("options", {})),
            kind=kind,
            n_series=spec.get("n_series"),
            lengths=None if lengths is None else (int(lengths[0]), int(lengths[1]), int(lengths[2])),
        )
    except KeyError as exc:
        raise ConfigError(
            f"catalogue entry {name!r} lacks field {exc.args[0]!r}", file=path, field=exc.args[0]
        ) from None
    loaders = _PANEL_LOADERS if panel else _LOADERS
    if entry.loader not in loaders:
        raise ConfigError(
            f"catalogue entry {name!r} names unknown {kind} loader {entry.loader!r}; known: {sorted(loaders)}",
            file=path,
            field="loader",
        )
    return entry


def _entries() -> tuple[DatasetEntry, ...]:
    path = catalog_path()
    return _read_catalog(str(path), path.stat().st_mtime_ns)


def dataset_names() -> list[str]:
    """Every catalogue name, in file order, whether or not its files are present here."""
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
        ConfigError: an override the loader does not understand, or a panel entry (those load
            with ``tsforge.data.load_panel``).
    """
    entry = get_entry(name)
    if entry.is_panel:
        raise ConfigError(
            f"dataset {entry.name!r} is a panel ({entry.n_series or 'many'} series, each with its own "
            f"start and length), not a multichannel matrix; load it with "
            f"tsforge.data.load_panel({entry.name!r})",
            field="dataset",
        )
    channels = overrides.pop("channels", None)
    paths, options = _resolve(entry, data_dir_override, overrides, extra=["channels"])
    key = _key(entry, paths, options) if (use_cache and paths) else None
    data = None if key is None else read_cached(entry.name, key, read_series)
    if data is None:
        loaded = data = _LOADERS[entry.loader](entry, paths, options)
        if key is not None:
            write_cached(entry.name, key, lambda tmp: write_series(loaded, tmp))
    if channels is not None:
        data = data.select_channels([str(c) for c in channels])
    return data


def load_panel_dataset(
    name: str,
    *,
    data_dir_override: str | os.PathLike[str] | None = None,
    use_cache: bool = True,
    **overrides: Any,
) -> Panel:
    """Load a ``kind = "panel"`` catalogue entry as a ragged :class:`Panel` (``name`` = the
    entry's name; series keep their own start dates and lengths).

    The ``.tsf`` is parsed once and cached as Parquet (see :mod:`tsforge.data.panel_store`),
    keyed like the multichannel cache by the source files' mtime and size.

    Raises:
        DatasetNotAvailableError: unknown name, or its file is not on this machine.
        ConfigError: a multichannel entry (``tsforge.data.load_panel`` converts those), or an
            override the loader does not understand.
    """
    entry = get_entry(name)
    if not entry.is_panel:
        raise ConfigError(
            f"dataset {entry.name!r} is a multichannel dataset; tsforge.data.load_panel({entry.name!r}) "
            "converts it to a panel",
            field="dataset",
        )
    paths, options = _resolve(entry, data_dir_override, overrides)
    key = _key(entry, paths, options) if (use_cache and paths) else None
    panel = None if key is None else read_cached(entry.name, key, read_panel)
    if panel is None:
        parsed = panel = _PANEL_LOADERS[entry.loader](entry, paths, options)
        if key is not None:
            write_cached(entry.name, key, lambda tmp: write_panel(parsed, tmp))
    else:  # the parse warned once about what it changed; a cached copy says it again
        for key, category in (
            ("left_out_series", UnobservedSeriesWarning),
            ("snapped_starts", SnappedStartWarning),
        ):
            if note := panel.meta.get(key):
                warnings.warn(note, category, stacklevel=2)
    return panel


def _key(entry: DatasetEntry, paths: list[Path], options: dict[str, Any]) -> str:
    # (panel entries have loaders of their own, so the key needs no ``kind``; leaving it out
    # keeps the keys of existing multichannel caches unchanged)
    return cache_key([entry.name, entry.loader, entry.freq, options], paths)


def _resolve(
    entry: DatasetEntry,
    data_dir_override: str | os.PathLike[str] | None,
    overrides: dict[str, Any],
    extra: list[str] | None = None,
) -> tuple[list[Path], dict[str, Any]]:
    """Check the overrides and the files of ``entry``: (file paths, loader options)."""
    allowed = set(entry.options) | _EXTRA_OPTIONS.get(entry.loader, set())
    unknown = sorted(set(overrides) - allowed)
    if unknown:
        raise ConfigError(
            f"dataset {entry.name!r} does not take option(s) {unknown}; options: {sorted(allowed) + (extra or [])}",
            field=unknown[0],
        )
    folder = Path(data_dir_override) if data_dir_override is not None else data_dir()
    paths: list[Path] = []
    if entry.files:
        ok, reason = _availability(entry, folder)
        if not ok or folder is None:  # None: no data folder (the reason says where it was looked for)
            raise DatasetNotAvailableError(
                f"dataset {entry.name!r} is not available here: {reason}", field="dataset"
            )
        paths = [folder / f for f in entry.files]
    return paths, {**entry.options, **overrides}


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
    return from_tsf(
        read_tsf(paths[0]), name=entry.name, freq=entry.freq, start=options.get("start", "2000-01-01")
    )


def _load_synthetic(entry: DatasetEntry, paths: list[Path], options: dict[str, Any]) -> TimeSeriesData:
    from tsforge.data.synthetic import synthetic_stations  # SciPy: only when generating

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


def _load_tsf_panel(entry: DatasetEntry, paths: list[Path], options: dict[str, Any]) -> Panel:
    """Monash .tsf as a ragged panel: every series keeps its own start and length."""
    return Panel.from_tsf(paths[0], name=entry.name)


def _load_synthetic_panel(entry: DatasetEntry, paths: list[Path], options: dict[str, Any]) -> Panel:
    """The generated ragged panel of the demo (see :func:`tsforge.data.synthetic.synthetic_panel`)."""
    from tsforge.data.synthetic import synthetic_panel  # SciPy: only when generating

    return synthetic_panel(**options)


_PANEL_LOADERS: dict[str, Callable[[DatasetEntry, list[Path], dict[str, Any]], Panel]] = {
    "tsf_panel": _load_tsf_panel,
    "synthetic_panel": _load_synthetic_panel,
}
# Options a loader accepts beyond those listed in the catalogue entry.
_EXTRA_OPTIONS: dict[str, set[str]] = {
    "weather_stations": {"variable"},
}
