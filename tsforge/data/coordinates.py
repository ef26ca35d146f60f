"""Station coordinates: a table or mapping of ``id → (lat, lon[, alt])`` aligned to channels.

Why a module of its own: spatial models need coordinates in exactly the channel order of the
series, and they arrive in many shapes (an array, a dict, a CSV with its own column names);
this is the one place that aligns them and checks their ranges, naming the station and row.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import polars as pl

from tsforge.data import validation as V
from tsforge.data.file_lines import row_where, row_words
from tsforge.data.tables import read_table, to_polars
from tsforge.errors import DataValidationError

__all__ = [
    "read_coordinates",
    "resolve_coords",
    "coordinates_by_id",
    "COORD_COLUMNS",
    "UNKNOWN_STATION",
    "coordinates_of_rows",
    "with_frame_coordinates_advice",
]

#: a long history frame's columns that give its stations' coordinates (``/invocations``, the
#: pyfunc), as a coordinate table (``predict_frame(coords=)``, ``tsforge forecast --coords``)
#: names them and in ``/v1/forecast``'s ``coords`` order
COORD_COLUMNS = ("lat", "lon", "alt")
#: :attr:`~tsforge.errors.TsforgeError.kind` of the refusal of a station a model with a coordinate
#: embedding was not trained on, sent without coordinates: each door adds how it takes them
UNKNOWN_STATION = "unknown_station"
#: how a history frame gives a station's coordinates
_FRAME_COORDS_ADVICE = " (the history frame's columns lat, lon and optional alt, on its rows)"


def read_coordinates(
    path_or_frame: Any,
    id_col: str = "unique_id",
    lat_col: str = "lat",
    lon_col: str = "lon",
    alt_col: str | None = None,
    *,
    channel_ids: Sequence[str] | None = None,
) -> np.ndarray:
    """Station coordinates → ``[N, 2]`` (lat, lon) or ``[N, 3]`` (lat, lon, alt).

    Args:
        path_or_frame: a CSV/Parquet path or a pandas/polars frame, one row per channel.
        channel_ids: when given, rows are aligned to this order (extra rows are ignored, a
            missing channel is an error naming it); otherwise file order is kept.
    """
    ids, arr = _read_table(path_or_frame, id_col, lat_col, lon_col, alt_col)
    if channel_ids is None:
        return arr
    file = str(path_or_frame) if isinstance(path_or_frame, (str, os.PathLike)) else None
    index = {k: i for i, k in enumerate(ids)}
    missing = [c for c in channel_ids if str(c) not in index]
    if missing:
        raise DataValidationError(
            f"no coordinates for channel(s) {missing[:10]} ({len(missing)} of {len(channel_ids)} missing); "
            f"coordinate ids look like {ids[:5]}",
            file=file,
            column=id_col,
        )
    return arr[[index[str(c)] for c in channel_ids]]


def _read_table(
    path_or_frame: Any, id_col: str, lat_col: str, lon_col: str, alt_col: str | None
) -> tuple[list[str], np.ndarray]:
    """``(station ids, [N, 2|3] coordinates)`` of a table, in file order, checked."""
    file = str(path_or_frame) if isinstance(path_or_frame, (str, os.PathLike)) else None
    # ids as written (06610 stays 06610): they must match the data's series names, which are text
    frame = read_table(path_or_frame, id_columns=(id_col,)) if file else to_polars(path_or_frame)
    cols = {"id_col": id_col, "lat_col": lat_col, "lon_col": lon_col}
    if alt_col:
        cols["alt_col"] = alt_col
    _require_coordinate_columns(frame.columns, cols, file=file)
    V.check_not_empty(frame.height, file=file, what="coordinate table")
    id_values = frame[id_col].cast(pl.String, strict=False)
    if id_values.null_count():
        # a blank id was read as the station "None" (two of them: "station 'None' appears more
        # than once"), which names no row and no cell to fix
        row = int(np.flatnonzero(id_values.is_null().to_numpy())[0])
        raise DataValidationError(
            f"coordinate table: missing station id in column {id_col!r} {row_words(row, file)}",
            file=file,
            column=id_col,
            **row_where(row, file),
        )
    ids = [str(v) for v in id_values.to_list()]
    parts = [
        V.to_numeric(frame[c], column=c, file=file)
        for c in (lat_col, lon_col) + ((alt_col,) if alt_col else ())
    ]
    arr = np.stack(parts, axis=1)
    _check_coord_ranges(arr, ids, file=file, lat_col=lat_col, lon_col=lon_col, alt_col=alt_col)
    dup = {i for i in ids if ids.count(i) > 1} if len(set(ids)) != len(ids) else set()
    if dup:
        d = sorted(dup)[0]
        raise DataValidationError(
            f"station {d!r} appears more than once in the coordinate table", file=file, column=id_col
        )
    return ids, arr


def _check_coord_ranges(
    arr: np.ndarray,
    ids: Sequence[str],
    *,
    file: str | None,
    lat_col: str,
    lon_col: str,
    alt_col: str | None = None,
    where: str = "row",
) -> None:
    """Latitudes in [-90, 90], longitudes in [-180, 180], altitudes finite: else an error naming
    the station, its row (``where="row"``) or channel position (``where="channel"``) and column.

    Why the altitude too: a blank altitude (a ``height_m`` column read automatically) reached the
    series as NaN and was refused as "coordinates contain missing or non-finite values", naming
    no station, row or column.
    """
    limits = [(lat_col, "latitude", 90.0), (lon_col, "longitude", 180.0)]
    if arr.shape[1] > 2:
        limits.append((alt_col or "alt", "altitude", np.inf))
    for j, (col, word, lim) in enumerate(limits):
        bad = np.flatnonzero(~np.isfinite(arr[:, j]) | (np.abs(arr[:, j]) > lim))
        if bad.size:
            i = int(bad[0])
            bound = (
                "missing or not a finite number"
                if np.isinf(lim)
                else f"missing or outside [-{lim:g}, {lim:g}]"
            )
            raise DataValidationError(
                f"{word} {arr[i, j]} of station {str(ids[i])!r} at {where} {i} is {bound}",
                file=file,
                # a table names its column and row; a mapping or array (no columns) the station
                **({"column": col, "row": i} if where == "row" else {"series": str(ids[i])}),
            )


def resolve_coords(coords: Any, channel_ids: Sequence[str], *, file: str | None = None) -> np.ndarray:
    """Any accepted coordinate form → aligned ``[N, 2|3]``.

    Accepts an array ``[N, 2|3]`` (already in channel order), a mapping ``id → (lat, lon[, alt])``,
    or a path/frame for :func:`read_coordinates` (columns ``unique_id, lat, lon[, alt]``).
    """
    if isinstance(coords, np.ndarray) or (
        isinstance(coords, (list, tuple)) and coords and isinstance(coords[0], (list, tuple, np.ndarray))
    ):
        try:
            arr = np.asarray(coords, dtype=np.float64)
        except (TypeError, ValueError) as err:
            raise DataValidationError(
                f"coordinates must be numbers, [N, 2|3] (lat, lon[, alt]) for N={len(channel_ids)} channels: {err}"
            ) from None
        if arr.ndim != 2 or arr.shape[0] != len(channel_ids) or arr.shape[1] not in (2, 3):
            raise DataValidationError(
                f"coordinates must be [N, 2|3] for N={len(channel_ids)} channels, got shape {arr.shape}",
                file=file,
            )
        _check_coord_ranges(
            arr, [str(c) for c in channel_ids], file=None, lat_col="lat", lon_col="lon", where="channel"
        )
        return arr
    if isinstance(coords, Mapping):
        missing = [c for c in channel_ids if c not in coords]
        if missing:
            raise DataValidationError(f"no coordinates for channel(s) {missing[:10]}", column=missing[0])
        return _mapping_coords(coords, channel_ids)
    frame = coords if isinstance(coords, (str, os.PathLike)) else to_polars(coords)
    return read_coordinates(frame, **_table_columns(frame, channel_ids), channel_ids=channel_ids)


def _mapping_coords(coords: Mapping[Any, Any], channel_ids: Sequence[str]) -> np.ndarray:
    """``{id: (lat, lon[, alt])}`` → ``[N, 2|3]`` in channel order, each station checked.

    Why: a station with one number, or text, ended in NumPy's "inhomogeneous shape" error, and
    a latitude of 251 was accepted (a table's ranges were checked, a mapping's were not).
    """
    rows: list[np.ndarray] = []
    for c in channel_ids:
        try:
            row = np.asarray(coords[c], dtype=np.float64).reshape(-1)
        except (TypeError, ValueError):
            raise DataValidationError(
                f"coordinates of station {str(c)!r} must be numbers (lat, lon[, alt]), got {coords[c]!r}",
                series=str(c),
            ) from None
        if row.size not in (2, 3) or (rows and row.size != rows[0].size):
            want = (
                f"{rows[0].size} numbers, as the others"
                if row.size in (2, 3)
                else "2 or 3 numbers (lat, lon[, alt])"
            )
            raise DataValidationError(
                f"coordinates of station {str(c)!r} must be {want}, got {coords[c]!r}", series=str(c)
            )
        rows.append(row)
    arr = np.stack(rows)
    _check_coord_ranges(
        arr, [str(c) for c in channel_ids], file=None, lat_col="lat", lon_col="lon", where="channel"
    )
    return arr


def coordinates_by_id(coords: Any, channel_ids: Sequence[str] | None = None) -> dict[str, np.ndarray]:
    """A coordinate table (a CSV/Parquet path or a frame; columns as :func:`resolve_coords`
    detects them) → ``{station id: (lat, lon[, alt])}`` for every row.

    Why besides :func:`resolve_coords`: a forecast history may mix stations the model knows
    (no coordinates needed) with new ones, so the table is looked up per series rather than
    required to cover every series. ``channel_ids`` (the history's series) pick the id column
    when the table has several candidates (``id`` and ``name``): the one holding most of them.
    """
    frame = coords if isinstance(coords, (str, os.PathLike)) else to_polars(coords)
    ids, arr = _read_table(frame, **_table_columns(frame, channel_ids))
    return dict(zip(ids, arr, strict=True))


#: usual names of a coordinate table's columns, any case (the first present wins)
_COLUMN_NAMES: dict[str, tuple[str, ...]] = {
    "id_col": (
        "unique_id",
        "station_id",
        "station",
        "sensor_id",
        "sensor",
        "site_id",
        "site",
        "id",
        "channel",
        "name",
        "code",
    ),
    "lat_col": ("lat", "latitude"),
    "lon_col": ("lon", "lng", "long", "longitude"),
    "alt_col": ("alt", "altitude", "height", "height_m", "elevation"),
}
_ROLE_WORDS = {"id_col": "station id", "lat_col": "latitude", "lon_col": "longitude", "alt_col": "altitude"}


def _require_coordinate_columns(columns: Sequence[str], cols: dict[str, str], *, file: str | None) -> None:
    """Fail naming the coordinate column that is absent and the names that are understood.

    Why not :func:`~tsforge.data.validation.require_columns`: its command-line advice is a flag
    of the *data* file (``--id-col name``), which would rename the series' id column, not the
    coordinate table's; the CLI reads the table's columns by name, so the advice is to name them.
    """
    found = [str(c) for c in columns]
    for role, name in cols.items():
        if name in found:
            continue
        unclaimed = [c for c in found if c not in cols.values()]
        guess = V.closest_name(name, unclaimed or found, _COLUMN_NAMES[role])
        msg = (
            f"coordinate table: column {name!r} ({_ROLE_WORDS[role]}) not found; columns found: "
            + ", ".join(repr(c) for c in found[:30])
        )
        names = ", ".join(_COLUMN_NAMES[role][:6])
        cli = f"{msg}. Name the {_ROLE_WORDS[role]} column one of: {names} (any case)"
        if guess is not None:
            msg += f". Did you mean {guess!r}? (pass {role}={guess!r})"
        raise DataValidationError(msg, cli_message=cli, file=file, column=name)


def _table_columns(frame: Any, channel_ids: Sequence[str] | None = None) -> dict[str, Any]:
    """The id, lat, lon and (optional) altitude columns of a coordinate table: by their usual
    names in any case (``Latitude``, ``sensor_id``), else — for the id, when the series' channel
    ids are known — the other column that holds most of those ids.

    Why the content rule: the command line has no option for the table's column names, so a
    table whose id column is called ``Name`` or ``Messstelle`` could not be used at all.
    """
    table = frame if isinstance(frame, pl.DataFrame) else _ids_as_text(frame)
    cols = table.columns
    lowered: dict[str, str] = {}
    for c in cols:
        lowered.setdefault(str(c).strip().lower(), c)

    def named(role: str) -> str | None:
        return next((lowered[n] for n in _COLUMN_NAMES[role] if n in lowered), None)

    lat, lon, alt = named("lat_col"), named("lon_col"), named("alt_col")
    id_col = named("id_col")
    if channel_ids:
        # Several columns may carry an id's name (``id`` and ``name``, ``station_id`` and
        # ``station``): the first by name was taken even when another held the channel ids, and
        # every station was then "missing". The one holding most channel ids wins (named columns
        # first, in the order of _COLUMN_NAMES); with none holding any, the first by name stays.
        wanted = pl.Series([str(c) for c in channel_ids])
        by_name = [lowered[n] for n in _COLUMN_NAMES["id_col"] if n in lowered]
        others = [c for c in cols if c not in by_name]
        best = 0
        for c in by_name + others:
            if c in (lat, lon, alt):
                continue
            hits = int(wanted.is_in(table[c].cast(pl.String, strict=False).drop_nulls()).sum())
            if hits > best:
                id_col, best = c, hits
    return {"id_col": id_col or "unique_id", "lat_col": lat or "lat", "lon_col": lon or "lon", "alt_col": alt}


def _ids_as_text(path: str | os.PathLike[str]) -> pl.DataFrame:
    """A coordinate table file with every column but the coordinates read as written.

    Why: station ids such as WMO numbers (``06610``, Payerne) were read as the integer 6610, so
    the table did not match the data's column ``06610`` ("no coordinates for channel(s)
    ['06610']"), neither by name nor when its id column is found by content. Coordinates stay
    numbers (``47.50`` is not an id).
    """
    table = read_table(path)
    coordinate_names = {n for role in ("lat_col", "lon_col", "alt_col") for n in _COLUMN_NAMES[role]}
    ids = tuple(c for c in table.columns if str(c).strip().lower() not in coordinate_names)
    return read_table(path, id_columns=ids) if ids else table


def coordinates_of_rows(
    ids: np.ndarray, columns: dict[str, np.ndarray], *, field: str | None = None
) -> dict[str, np.ndarray]:
    """``{series id: (lat, lon[, alt])}`` of a long history frame's coordinate columns
    (:data:`COORD_COLUMNS` present, as float arrays with NaN where a row gives none), for the
    series that give any. ``field`` names the request's field in a refusal (``/invocations``).

    Why: a model with a coordinate embedding forecasts a station it was not trained on from its
    coordinates, and its refusal says to give them; the pyfunc and ``/invocations`` take a history
    frame and nothing else, so the frame carries them, one set per series (repeated on its rows
    or on one of them). A row giving some but not all, or a series giving two sets, is refused
    naming the series and the row.
    """
    given = [c for c in COORD_COLUMNS if c in columns]
    if not given:
        return {}
    where = {} if field is None else {"field": field}
    if given[:2] != ["lat", "lon"]:
        lacking = next(c for c in ("lat", "lon") if c not in given)
        raise DataValidationError(
            f"the history frame gives column {given[0]!r} but not {lacking!r}: a station's "
            "coordinates are the columns lat, lon and (optional) alt",
            column=lacking,
            **where,
        )
    table = np.column_stack([np.asarray(columns[c], dtype=np.float64) for c in given])
    present = ~np.isnan(table)
    partial = np.flatnonzero(present.any(axis=1) & ~present.all(axis=1))
    if partial.size:
        r = int(partial[0])
        gap = given[int(np.flatnonzero(~present[r])[0])]
        raise DataValidationError(
            f"row {r} of series {str(ids[r])!r} gives some coordinates but no {gap!r}: give a "
            f"station's {', '.join(given)} together (on each of its rows, or on one)",
            column=gap,
            row=r,
            **where,
        )
    return _one_set_per_series(ids, table, np.asarray(present.all(axis=1)), given, where)


def _one_set_per_series(
    ids: np.ndarray, table: np.ndarray, full: np.ndarray, given: list[str], where: dict[str, str]
) -> dict[str, np.ndarray]:
    """Each series' coordinates, from the first of its rows that gives them; a later row giving
    others is refused, naming both rows."""
    out: dict[str, np.ndarray] = {}
    first: dict[str, int] = {}
    for r in np.flatnonzero(full):
        sid = str(ids[r])
        r0 = first.setdefault(sid, int(r))
        if r0 == r:
            out[sid] = table[r]
        elif not np.array_equal(table[r], table[r0]):
            raise DataValidationError(
                f"series {sid!r} gives two sets of coordinates ({', '.join(given)}): "
                f"{table[r0].tolist()} at row {r0} and {table[r].tolist()} at row {int(r)}; a "
                "station has one",
                column=given[int(np.flatnonzero(table[r] != table[r0])[0])],
                row=int(r),
                **where,
            )
    return out


def with_frame_coordinates_advice(exc: DataValidationError) -> DataValidationError:
    """``exc`` saying how a history frame gives a new station's coordinates, where ``exc`` is the
    refusal of a station sent without them (:data:`UNKNOWN_STATION`); ``exc`` itself otherwise.

    Why: the predictor's refusal says "give its coordinates", and ``/invocations`` and the pyfunc
    take nothing but a history frame, so their users must hear which columns give them. Told
    apart by :attr:`~tsforge.errors.TsforgeError.kind`, not by the message's words, so a reworded
    refusal keeps its advice.
    """
    if exc.kind != UNKNOWN_STATION:
        return exc
    where: dict[str, Any] = dict(exc.where)  # as raised: the series' field and id
    out = DataValidationError(exc.message + _FRAME_COORDS_ADVICE, **where)
    out.kind = exc.kind
    return out
