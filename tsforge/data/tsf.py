"""Monash ``.tsf`` reader: the text format of the Monash forecasting archive (M4, tourism, ...).

Kept apart from the CSV/Parquet readers because it is a different file format with its own
grammar and its own result type (ragged series with per-series attributes); the catalogue turns
it into a dense panel with :func:`tsf_to_dense`, other readers may use the ragged form directly.
"""

from __future__ import annotations

import gzip
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from tsforge.arguments import reads_as_float
from tsforge.errors import DataValidationError

__all__ = ["TsfSeries", "TsfFile", "read_tsf", "parse_tsf", "tsf_to_dense", "MONASH_FREQS", "monash_freq"]

# --------------------------------------------------------------------------------------------
# Monash .tsf format
#
# ``#`` comment lines, ``@relation``/``@attribute <name> <type>``/``@frequency``/``@horizon``/
# ``@missing``/``@equallength`` header lines, then ``@data`` and one series per line: the
# attribute values in declaration order, then the comma-separated values, all joined by ``:``.
# ``?`` marks a missing value. Dates are written ``YYYY-MM-DD HH-MM-SS``.
# --------------------------------------------------------------------------------------------


#: Monash ``@frequency`` names → pandas aliases. Calendar frequencies use the *start* anchors
#: (``MS`` not ``ME``) because Monash start timestamps are the first day of the period.
MONASH_FREQS: dict[str, str] = {
    "yearly": "YS",
    "quarterly": "QS",
    "monthly": "MS",
    "weekly": "W",  # panels anchor it on the start weekday (tsforge.data.panel_tsf.weekly_alias)
    "daily": "D",
    "hourly": "h",
    "half_hourly": "30min",
    "minutely": "min",
}
_MONASH_UNITS = {"seconds": "s", "minutes": "min", "hours": "h", "days": "D"}


def monash_freq(name: str) -> str:
    """Pandas alias for a Monash frequency name (``monthly`` → ``MS``, ``10_minutes`` → ``10min``)."""
    key = name.strip().lower()
    if key in MONASH_FREQS:
        return MONASH_FREQS[key]
    m = re.fullmatch(r"(\d+)_(seconds|minutes|hours|days)", key)
    if m:
        return f"{int(m.group(1))}{_MONASH_UNITS[m.group(2)]}"
    raise DataValidationError(f"unknown Monash frequency {name!r}", field="frequency")


@dataclass(frozen=True)
class TsfSeries:
    """One series: its attribute values (strings; dates parsed) and its values (NaN = ``?``)."""

    attributes: dict[str, object]
    values: np.ndarray


@dataclass(frozen=True)
class TsfFile:
    """A whole file: attribute declarations, the ``@key value`` header lines, and the series."""

    attribute_types: dict[str, str]
    meta: dict[str, str]
    series: list[TsfSeries] = field(default_factory=list)


def read_tsf(path: str | os.PathLike[str]) -> TsfFile:
    """Read a ``.tsf`` or ``.tsf.gz`` file."""
    p = Path(path)
    if not p.exists():
        raise DataValidationError("file not found", file=str(p))
    opener = gzip.open if p.name.lower().endswith(".gz") else open
    with opener(p, "rt", encoding="utf-8", errors="replace") as fh:
        return parse_tsf(fh.read(), file=str(p))


def parse_tsf(text: str, *, file: str | None = None) -> TsfFile:
    """Parse the text of a ``.tsf`` file (errors name the line number)."""
    attr_types: dict[str, str] = {}
    meta: dict[str, str] = {}
    series: list[TsfSeries] = []
    in_data = False
    for lineno, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if not in_data:
            if not line.startswith("@"):
                raise DataValidationError(
                    f"unexpected line before @data: {line[:60]!r}", file=file, line=lineno
                )
            parts = line.split()
            key = parts[0][1:].lower()
            if key == "data":
                in_data = True
            elif key == "attribute":
                if len(parts) != 3:
                    raise DataValidationError(f"malformed @attribute line {line!r}", file=file, line=lineno)
                attr_types[parts[1]] = parts[2].lower()
            else:
                meta[key] = " ".join(parts[1:])
            continue
        fields = line.split(":")
        if len(fields) != len(attr_types) + 1:
            raise DataValidationError(
                f"series line has {len(fields) - 1} attribute fields, the header declares {len(attr_types)}",
                file=file,
                line=lineno,
            )
        attrs: dict[str, object] = {}
        for (name, kind), value in zip(attr_types.items(), fields[:-1], strict=True):
            if kind == "date":
                ts = pd.to_datetime(value, format="%Y-%m-%d %H-%M-%S", errors="coerce")
                if pd.isna(ts):
                    raise DataValidationError(
                        f"unparsable date {value!r} in attribute {name!r}", file=file, line=lineno
                    )
                attrs[name] = ts
            elif kind == "numeric":
                attrs[name] = float(value)
            else:
                attrs[name] = value
        try:
            values = np.array(fields[-1].replace("?", "nan").split(","), dtype=np.float64)
        except ValueError:
            bad = next(v for v in fields[-1].split(",") if v != "?" and not reads_as_float(v))
            raise DataValidationError(
                f"non-numeric value {bad!r} in series line", file=file, line=lineno
            ) from None
        series.append(TsfSeries(attrs, values))
    if not in_data:
        raise DataValidationError("no @data section found", file=file)
    if not series:
        raise DataValidationError("the @data section holds no series", file=file)
    return TsfFile(attr_types, meta, series)


def tsf_to_dense(tsf: TsfFile, name_attr: str = "series_name") -> tuple[np.ndarray, list[str]]:
    """Stack series of unequal length into ``[T_max, N]`` float32, aligned at the end.

    Why aligned at the end: forecasting evaluates the *last* steps of every series (M4's test
    horizon is the final 48 values), so the ends must line up; shorter series are left-padded
    with NaN, which the mask then excludes.
    """
    lengths = np.array([s.values.size for s in tsf.series])
    t_max = int(lengths.max())
    out = np.full((t_max, len(tsf.series)), np.nan, dtype=np.float32)
    for j, s in enumerate(tsf.series):
        out[t_max - s.values.size :, j] = s.values
    names = [str(s.attributes.get(name_attr, f"series{j}")) for j, s in enumerate(tsf.series)]
    return out, names
