"""The data entry points: ``load(anything) -> LoadedData(series, entry)`` for a multichannel
matrix and ``load_panel(anything) -> LoadedPanel(panel, entry)`` for a ragged panel.

Why one module: training, tuning, evaluation, profiling and the recommender all start from
"the user gave me *something*": a catalogue name, a file, a frame, an array. Deciding what that
something is happens here and only here (:func:`classify_source`), explicitly, so no caller
guesses (or swallows a catalogue error and silently reads a file instead), and a name or a
path means the same to both entry points; they differ only in what they build.

How a string is classified, in order:

1. an existing **file** → read it (a file always wins, so ``./etth1.csv`` is yours);
2. a folder separator or a table suffix (``data/x``, ``x.csv``) → a path, and a missing file
   is reported as such instead of as an unknown dataset;
3. an exact catalogue name (case-insensitive) → the catalogue. A *folder* of the same name
   (e.g. MLflow artifacts in ``./etth1/``) never shadows the dataset: a folder is not data;
4. any other existing folder → "expected a file, got a directory";
5. otherwise → an unknown-dataset error that lists the catalogue and suggests the closest name.

A ``pathlib.Path`` is always a path: the caller said so by its type.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import numpy as np

from tsforge.data.catalog import DatasetEntry, dataset_names, get_entry, load_dataset, load_panel_dataset
from tsforge.data.frame import TimeSeriesData
from tsforge.data.frequency import checked_freq
from tsforge.data.label_forms import TimeForm, label_form
from tsforge.data.layouts import (
    Layout,
    detect_layout,
    file_stem,
    from_array,
    from_long,
    from_tsf,
    from_wide,
)
from tsforge.data.long_roles import (
    LongRoles,
    guess_long_roles,
    note_guessed_roles,
    refuse_absent_named_columns,
    refuse_shared_columns,
)
from tsforge.data.panel import Panel
from tsforge.data.panel_sources import naming_file, note_unused_columns, panel_from_table, to_panel
from tsforge.data.tables import looks_like_path, read_table, to_polars
from tsforge.data.time_offsets import TimeOffsets, time_offsets
from tsforge.data.timeaxis import detect_time_column
from tsforge.data.tsf import read_tsf
from tsforge.errors import ConfigError, DataValidationError

__all__ = [
    "LoadedData",
    "LoadedPanel",
    "load",
    "load_data",
    "load_panel",
    "classify_source",
    "source_name",
    "SourceKind",
]

#: What a source is: an in-memory panel / series / array, a catalogue name, a ``.tsf`` file,
#: another table file (CSV/Parquet), or an in-memory frame (pandas/polars).
SourceKind = Literal["panel", "series", "array", "catalogue", "tsf", "file", "frame"]

_TSF_SUFFIXES = (".tsf", ".tsf.gz")
# Options of the file/frame readers and their defaults: a non-default value for a source that
# cannot use it is an error, not silently dropped.
_READER_DEFAULTS: dict[str, Any] = {
    "layout": "auto",
    "id_col": "unique_id",
    "time_col": None,
    "target_col": "y",
    "value_cols": None,
    "coords": None,
    "name": None,
    "freq": None,
    "fill_gaps": False,
    "time_format": None,
}
_ARRAY_OPTIONS = {"name", "coords", "freq"}
_TSF_OPTIONS = {"name", "freq"}
_PANEL_ARRAY_OPTIONS = {"name", "freq"}
_PANEL_TSF_OPTIONS = {"name"}  # a .tsf declares its frequency


@dataclass(frozen=True)
class LoadedData:
    """What was loaded, and the catalogue entry behind it (``None`` unless it came by name).

    The entry carries the protocol defaults (split, input length, horizons), which only a
    catalogue dataset has; callers read them from here instead of looking the name up again.
    """

    series: TimeSeriesData
    entry: DatasetEntry | None = None


def load(
    data: Any,
    *,
    layout: Layout = "auto",
    id_col: str = "unique_id",
    time_col: str | None = None,
    target_col: str = "y",
    value_cols: Sequence[str] | None = None,
    coords: Any = None,
    name: str | None = None,
    freq: str | None = None,
    fill_gaps: bool = False,
    time_format: str | None = None,
    **dataset_options: Any,
) -> LoadedData:
    """Load anything the platform accepts.

    Args:
        data: a catalogue dataset name (``"etth1"``), a CSV/Parquet/``.tsf`` path, a pandas or
            polars DataFrame, a ``[T]`` or ``[T, N]`` array, or a ``TimeSeriesData`` (kept as is).
        layout: ``"auto"`` = long when the id, time and target columns all exist, or when the
            table is long by its column types alone (``Store, Week, Sales``: a text id, a time
            column, one number; the roles are then told in a note, see
            :mod:`tsforge.data.long_roles`), else wide.
        id_col, target_col: the series-id and value columns of long data.
        time_col: the time column; ``None`` = ``"ds"`` for long data and detection for wide data
            (a datetime column, or one named like ``date``/``ds``/``time``).
        value_cols: the channels of wide data (default: every column except the time column).
        coords: station coordinates (array, ``{id: (lat, lon)}``, or a table path/frame).
        name: the dataset's name (default: a file's stem); refused for a catalogue name.
        freq: the step as a pandas alias (``"h"``, ``"D"``); ``None`` infers it from the
            timestamps (a ``.tsf`` file: from its header).
        fill_gaps: insert missing timestamps as NaN rows instead of rejecting irregular spacing.
        time_format: explicit ``strftime`` format for the time column (e.g. ``"%Y%m%d"``).
        **dataset_options: catalogue loader options (``n_channels=4``, ``channels=[...]``,
            ``data_dir_override``, ``use_cache``); only for a catalogue name.

    Raises:
        DataValidationError: malformed input (the message names file, column and row).
        DatasetNotAvailableError: an unknown catalogue name, or one whose files are absent here.
        ConfigError: an option that does not apply to this kind of source.
    """
    freq = checked_freq(freq)
    reader = {
        "layout": layout,
        "id_col": id_col,
        "time_col": time_col,
        "target_col": target_col,
        "value_cols": value_cols,
        "coords": coords,
        "name": name,
        "freq": freq,
        "fill_gaps": fill_gaps,
        "time_format": time_format,
    }
    kind = classify_source(data)
    if kind == "panel":
        raise ConfigError(
            "load() builds one multichannel matrix; a Panel (ragged series) goes to "
            "tsforge.data.load_panel or the panel pipeline as it is",
            field="data",
        )
    _refuse_for(kind, data, reader, dataset_options, allowed={"array": _ARRAY_OPTIONS, "tsf": _TSF_OPTIONS})
    if kind == "series":
        return LoadedData(data)
    if kind == "array":
        return LoadedData(from_array(data, name=name, coords=coords, freq=freq))
    if kind == "catalogue":
        entry = get_entry(data)
        return LoadedData(load_dataset(entry.name, **dataset_options), entry)
    if kind == "tsf":
        path = os.fspath(data)
        return LoadedData(from_tsf(read_tsf(path), name=name or file_stem(path), freq=freq))
    if kind == "file":
        path = os.fspath(data)
        return LoadedData(_from_table(read_table(path, id_columns=(id_col,)), reader, file=path))
    return LoadedData(_from_table(to_polars(data), reader, file=None))


def load_data(data: Any, **options: Any) -> TimeSeriesData:
    """:func:`load` for callers that need only the series (same arguments, same errors)."""
    return load(data, **options).series


@dataclass(frozen=True)
class LoadedPanel:
    """The loaded panel and the catalogue entry behind it (``None`` unless it came by name).

    For a panel entry the entry carries the protocol (``split="holdout"``, ``horizons``); for a
    multichannel entry converted to a panel it is that entry, unchanged.
    """

    panel: Panel
    entry: DatasetEntry | None = None
    #: the id, time and target columns a long table was read by when the reader guessed them
    #: (``Store, Week, Sales``; see :func:`~tsforge.data.long_roles.guess_long_roles`), else
    #: ``None``: a command that names its output as the input does (``cv --output``) reads them
    #: here rather than reading the file a second time to guess again
    roles: LongRoles | None = None
    #: how the input's time column writes its periods (``2010Q1``, ``2010-01``, a ``time_format``
    #: that names no day: :func:`~tsforge.data.label_forms.label_form`), else ``None`` (dates,
    #: datetimes, integers, a catalogue dataset): a command that writes times (``cv --output``)
    #: writes them so, and learns it here rather than reading the file again
    time_form: TimeForm | None = None
    #: the zone or UTC offsets the input's times were written in
    #: (:func:`~tsforge.data.time_offsets.time_offsets`), else ``None``: ``cv --output`` dates its
    #: rows in them, as ``forecast`` does, without reading the file again to learn them
    time_offsets: TimeOffsets | None = None


def load_panel(
    data: Any,
    *,
    layout: Layout = "auto",
    id_col: str = "unique_id",
    time_col: str | None = None,
    target_col: str = "y",
    value_cols: Sequence[str] | None = None,
    name: str | None = None,
    freq: str | None = None,
    fill_gaps: bool = False,
    time_format: str | None = None,
    drop_too_few: bool = False,
    **dataset_options: Any,
) -> LoadedPanel:
    """Load anything the platform accepts as a ragged panel (many univariate series, each with
    its own start and length), never through a dense union-of-dates matrix.

    * a catalogue **panel** entry → its ``.tsf`` (parsed once, then read from the Parquet cache);
      a **multichannel** entry → its matrix converted by :func:`~tsforge.data.panel_sources.to_panel`;
    * a ``.tsf``/``.tsf.gz`` file → :meth:`Panel.from_tsf`;
    * a **long** file or frame (``unique_id, ds, y``, or a text id, a time column and one
      number under other names, told in a note) → :meth:`Panel.from_long` (series keep their
      own dates; memory scales with the rows);
    * a **wide** file or frame, a ``TimeSeriesData`` or an array → one series per column, leading
      and trailing missing values trimmed;
    * a :class:`Panel` → returned as it is.

    Args:
        layout, id_col, time_col, target_col, value_cols, freq, fill_gaps, time_format: as for
            :func:`load` (``fill_gaps`` inserts missing steps inside a series as NaN).
        name: the panel's name (default: the file stem, or ``"panel"`` for a frame).
        drop_too_few: leave out a table's series with fewer than two observed values (a new
            product with its first sale) with one :class:`~tsforge.errors.ShortSeriesWarning`
            naming them, instead of refusing the table (the refusal, of kind
            :data:`~tsforge.data.panel_checks.TOO_FEW_VALUES`, says so); a table whose every
            series is so is refused still, and a ``.tsf`` collection leaves them out always.
        **dataset_options: catalogue options (``data_dir_override``, ``use_cache``, loader
            overrides); only for a catalogue name.

    Raises:
        DataValidationError: malformed input (names file, column, row and series).
        DatasetNotAvailableError: unknown catalogue name, or its files are absent here.
        ConfigError: an option that does not apply to this kind of source.
    """
    freq = checked_freq(freq)
    reader: dict[str, Any] = {
        "layout": layout,
        "id_col": id_col,
        "time_col": time_col,
        "target_col": target_col,
        "value_cols": value_cols,
        "name": name,
        "freq": freq,
        "fill_gaps": fill_gaps,
        "time_format": time_format,
    }
    kind = classify_source(data)
    _refuse_for(
        kind,
        data,
        reader,
        dataset_options,
        allowed={"array": _PANEL_ARRAY_OPTIONS, "tsf": _PANEL_TSF_OPTIONS},
    )
    if kind == "panel":
        return LoadedPanel(data)
    if kind == "series":
        return LoadedPanel(to_panel(data))
    if kind == "array":
        return LoadedPanel(to_panel(from_array(data, name=name or "panel", freq=freq)))
    if kind == "catalogue":
        entry = get_entry(data)
        if entry.is_panel:
            return LoadedPanel(load_panel_dataset(entry.name, **dataset_options), entry)
        return LoadedPanel(to_panel(load_dataset(entry.name, **dataset_options), regularise=True), entry)
    if kind == "tsf":
        path = os.fspath(data)
        with naming_file(path):
            return LoadedPanel(Panel.from_tsf(path, name=name or file_stem(path)))
    file = os.fspath(data) if kind == "file" else None
    # ids as categorical codes while reading: a panel file repeats each id once per value
    frame = read_table(file, categorical=(id_col,), id_columns=(id_col,)) if file else to_polars(data)
    reader, roles = _with_guessed_roles(frame, reader, file=file)
    layout = _resolve_layout(frame, reader, file=file)
    panel = panel_from_table(
        frame,
        layout,
        name=name or (file_stem(file) if file else "panel"),
        file=file,
        id_col=reader["id_col"],
        time_col=reader["time_col"],
        target_col=reader["target_col"],
        value_cols=value_cols,
        freq=freq,
        fill_gaps=fill_gaps,
        time_format=time_format,
        drop_too_few=drop_too_few,
    )
    time_col = _time_column(frame, layout, reader)
    return LoadedPanel(
        panel,
        roles=roles,
        time_form=label_form(
            frame[time_col] if time_col is not None else None, time_format=reader["time_format"]
        ),
        time_offsets=time_offsets(frame, time_col, reader["id_col"] if layout == "long" else None),
    )


def _time_column(frame: Any, layout: Literal["long", "wide"], reader: dict[str, Any]) -> str | None:
    """The column of ``frame`` (the table as read) that the panel's times were read from, or
    ``None`` (a wide table in row order), to learn how its times were written: the panel keeps
    dates only.

    Why here: the table as written is gone once the panel is made, and a command that writes
    times as the input did (``cv --output``: ``2016Q1``, ``+02:00``) read the file again to learn
    it."""
    time_col = reader["time_col"]
    if time_col is None:  # as the wide reader finds it (tsforge.data.layouts.wide_matrix)
        time_col = (
            "ds"
            if layout == "long"
            else detect_time_column(frame, reader["value_cols"], time_format=reader["time_format"])
        )
    return time_col if time_col is not None and time_col in frame.columns else None


def classify_source(data: Any) -> SourceKind:
    """What ``data`` is, decided once for :func:`load` and ``load_panel`` alike.

    Strings follow the order in the module docstring; a ``pathlib.Path`` is always a path;
    anything else that is not a panel, series or array is treated as a frame (its reader
    rejects what is not one).
    """
    if isinstance(data, Panel):
        return "panel"
    if isinstance(data, TimeSeriesData):
        return "series"
    if isinstance(data, np.ndarray):
        return "array"
    if isinstance(data, str) and _string_kind(data) == "catalogue":
        return "catalogue"
    if isinstance(data, (str, os.PathLike)):
        return "tsf" if os.fspath(data).lower().endswith(_TSF_SUFFIXES) else "file"
    return "frame"


def source_name(data: Any) -> str:
    """The name a source is reported and cached under, without reading it: a catalogue name as
    the catalogue spells it, a file's stem (``/data/tourism_monthly_dataset.tsf.gz`` →
    ``tourism_monthly_dataset``, the name :func:`load_panel` gives its panel), a panel's or
    series' own name.

    Why: benchmarks and caches key collections by name; a path used as a key put its folders into
    result tables and, joined onto a cache folder, wrote the cache next to the user's data.
    """
    kind = classify_source(data)
    if kind == "catalogue":
        return str(data).strip().lower()
    if kind in ("tsf", "file"):
        return file_stem(os.fspath(data))
    if kind in ("panel", "series"):
        return str(data.name)
    return "panel"


def _string_kind(text: str) -> Literal["file", "catalogue"]:
    """Classify a string (see the module docstring for the order and the reasons)."""
    if Path(text).is_file() or looks_like_path(text) or text.lower().endswith(_TSF_SUFFIXES):
        return "file"
    if text.strip().lower() in dataset_names():
        return "catalogue"
    return "file" if Path(text).exists() else "catalogue"


#: How an error names each source kind that takes reader options (catalogue names, files and
#: frames are named with the value itself, see :func:`_refuse_for`).
_WHAT: dict[SourceKind, str] = {
    "panel": "a Panel",
    "series": "a TimeSeriesData",
    "array": "an array",
    "tsf": "a .tsf file",
}


def _refuse_for(
    kind: SourceKind,
    data: Any,
    reader: dict[str, Any],
    dataset_options: dict[str, Any],
    *,
    allowed: dict[SourceKind, set[str]],
) -> None:
    """The one option rule of :func:`load` and :func:`load_panel` for a source of ``kind``.

    A catalogue name takes dataset options only; a file or frame reader options only (its reader
    uses them all); an in-memory source or a ``.tsf`` file only its ``allowed`` reader options
    (none when ``kind`` is not in ``allowed``) and no dataset options.
    """
    if kind == "catalogue":
        _refuse(reader, {}, allowed=set(), what=f"catalogue dataset {data!r}")
    elif kind in ("file", "frame"):
        path = os.fspath(data) if kind == "file" else ""
        _refuse({}, dataset_options, allowed=set(), what=f"file {path!r}" if path else "a frame")
    else:
        _refuse(reader, dataset_options, allowed=allowed.get(kind, set()), what=_WHAT[kind])


def _refuse(reader: dict[str, Any], dataset_options: dict[str, Any], *, allowed: set[str], what: str) -> None:
    """Raise for options the source cannot use, instead of silently ignoring them (``reader`` maps
    reader option names to values; a value equal to its default counts as not given)."""
    unused = [k for k, v in reader.items() if k not in allowed and not _is_default(k, v)]
    unused += sorted(dataset_options)
    if unused:
        hint = (
            " (station coordinates belong to long multichannel data: a file is read that way with a "
            "split, e.g. --split 7:1:2; under the panel protocol every series stands alone)"
            if "coords" in unused and what.startswith("file")
            else ""
        )
        # on the command line the reader options are flags (--time-format, not time_format)
        flags = [f"--{k.replace('_', '-')}" if k in reader else k for k in unused]
        raise ConfigError(
            f"option(s) {unused} do not apply to {what}{hint}",
            cli_message=f"{', '.join(flags)} {'does' if len(flags) == 1 else 'do'} not apply to {what}{hint}",
            field=unused[0],
        )


def _is_default(key: str, value: Any) -> bool:
    default = _READER_DEFAULTS[key]
    if default is None:
        return value is None
    return isinstance(value, type(default)) and value == default


def _resolve_layout(frame: Any, opts: dict[str, Any], *, file: str | None) -> Literal["long", "wide"]:
    """The layout of a polars frame: ``opts["layout"]``, or for ``"auto"`` long when the id, time
    and target columns exist (and no ``value_cols`` were given), else wide."""
    layout = opts["layout"]
    if layout == "auto":
        if opts["value_cols"] is not None:
            return "wide"
        return detect_layout(
            frame,
            opts["id_col"],
            opts["time_col"] or "ds",
            opts["target_col"],
            file=file,
            time_format=opts["time_format"],
        )
    if layout not in ("long", "wide"):
        raise DataValidationError(f"layout must be 'auto', 'long' or 'wide', got {layout!r}", field="layout")
    return layout


def _with_guessed_roles(
    frame: Any, opts: dict[str, Any], *, file: str | None
) -> tuple[dict[str, Any], LongRoles | None]:
    """``(opts, None)`` with ``opts`` as given, or for ``layout="auto"`` (no ``value_cols``) and a long table whose
    roles are certain without its columns being named ``unique_id, ds, y``
    (:func:`~tsforge.data.long_roles.guess_long_roles`): ``layout="long"`` with those roles, and
    one note to the user saying which column plays which part, and the roles guessed.

    Why here: :func:`load` and :func:`load_panel` both pass through it, so a file reads the same
    way as series and as a panel (``train`` and ``recommend`` agree on it).
    """
    if opts["layout"] != "auto" or opts["value_cols"] is not None:
        return opts, None
    # a name the user typed and the file lacks is said first, before any reading by layout
    refuse_absent_named_columns(
        frame,
        opts["id_col"],
        opts["time_col"],
        opts["target_col"],
        file=file,
        time_format=opts["time_format"],
    )
    roles = guess_long_roles(
        frame, opts["id_col"], opts["time_col"], opts["target_col"], time_format=opts["time_format"]
    )
    if roles is None:
        return opts, None
    note_guessed_roles(roles, file or opts["name"] or "the frame", stacklevel=2)
    read_as = {
        **opts,
        "layout": "long",
        "id_col": roles.id_col,
        "time_col": roles.time_col,
        "target_col": roles.target_col,
    }
    return read_as, roles


def _from_table(frame: Any, opts: dict[str, Any], *, file: str | None) -> TimeSeriesData:
    """A polars frame in long or wide layout → series (``layout="auto"`` decides by the columns)."""
    opts, _ = _with_guessed_roles(frame, opts, file=file)
    layout = _resolve_layout(frame, opts, file=file)
    common = {
        "name": opts["name"],
        "coords": opts["coords"],
        "file": file,
        "freq": opts["freq"],
        "fill_gaps": opts["fill_gaps"],
        "time_format": opts["time_format"],
    }
    if layout == "long":
        used = (opts["id_col"], opts["time_col"] or "ds", opts["target_col"])
        refuse_shared_columns(*used, frame.columns, file=file)
        note_unused_columns(frame.columns, used, file or opts["name"] or "the frame")
        return from_long(
            frame,
            id_col=opts["id_col"],
            time_col=opts["time_col"] or "ds",
            target_col=opts["target_col"],
            **common,
        )
    return from_wide(frame, time_col=opts["time_col"], value_cols=opts["value_cols"], **common)
