"""Reading a long frame (one row per series and time) into a :class:`~tsforge.data.panel.Panel`.

Why its own module: :meth:`Panel.from_long <tsforge.data.panel.Panel.from_long>` is the door for
every user table, and most of its code is what it checks and the errors it gives: the columns,
non-numeric cells, missing ids and times, order and duplicates inside a series, the frequency
(inferred from the longest series), regular spacing on the frequency's grid (with advice for a
series sampled at another rate, a clock change, mid-month dates), gap filling, and all-missing
series. All work is column-wise NumPy/polars; there is no Python loop over rows or series.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import polars as pl

from tsforge.data.calendar_grid import fixed_step_ns, grid_positions, ragged_grid_steps, read_period_labels
from tsforge.data.file_lines import refuse_empty_line, row_where, row_words, rows_words
from tsforge.data.frequency import (
    NS_PER_DAY,
    clock_change_hint,
    date_words,
    grid_words,
    mid_month_hint,
    modal_step_alias,
    month_anchor,
    named_freq,
    off_grid_hint,
    rate_words,
    step_words,
)
from tsforge.data.frequency import season_length as _season_length
from tsforge.data.long_roles import refuse_shared_columns
from tsforge.data.panel import Panel
from tsforge.data.panel_checks import (
    check_series_sizes,
    inserted_positions,
    left_out_too_few,
    note_filled_gaps,
    too_few_observed,
    too_few_values_error,
    warn_no_calendar,
)
from tsforge.data.ragged import series_index
from tsforge.data.time_offsets import repeated_time_words
from tsforge.data.timeaxis import step_gcd
from tsforge.data.validation import MISSING_TOKENS, note_true_false, text_to_float, value_cell_advice
from tsforge.errors import DataValidationError

__all__ = ["read_long_frame", "select_long_columns"]


def select_long_columns(
    frame: Any, id_col: str, time_col: str, target_col: str, file: str | None = None
) -> pl.DataFrame:
    """The three columns as polars, with a non-numeric target located in pandas terms first
    (mixed-type object columns cannot even be converted to Arrow). ``file``: the table the
    frame's rows were read from, whose lines the errors name (:mod:`tsforge.data.file_lines`)."""
    cols = (id_col, time_col, target_col)
    have = list(frame.columns)
    for c in cols:
        if c not in have:
            raise DataValidationError(f"column {c!r} not found; the frame has {have}", file=file, column=c)
    refuse_shared_columns(id_col, time_col, target_col, have, file=file)
    if isinstance(frame, pl.DataFrame):
        return frame.select(cols)
    if isinstance(frame, pd.DataFrame):
        sub = frame[list(cols)].reset_index(drop=True)
        y = sub[target_col]
        if not (pd.api.types.is_numeric_dtype(y) and not pd.api.types.is_bool_dtype(y)):
            num = pd.to_numeric(y, errors="coerce")
            unread = num.isna() & y.notna()
            token = y[unread].astype(str).str.strip().str.lower().isin(MISSING_TOKENS)
            bad = np.flatnonzero(unread.to_numpy())[~token.to_numpy()]
            if bad.size:
                advice = value_cell_advice(y.iloc[bad[0]], numbers=int(num.notna().sum()), words=bad.size)
                _raise_bad_value(
                    sub[id_col].iloc[bad[0]], y.iloc[bad[0]], target_col, int(bad[0]), file, advice
                )
            sub = sub.assign(**{target_col: num.astype(np.float64)})
        if sub[id_col].dtype == object:  # mixed str/int ids cannot go to Arrow; keep missing ids missing
            ids = sub[id_col]
            sub[id_col] = ids.astype(str).where(ids.notna(), None)
        return pl.from_pandas(sub)
    raise DataValidationError(f"expected a pandas or polars DataFrame, got {type(frame).__name__}")


def _raise_bad_value(sid: Any, value: Any, column: str, row: int, file: str | None, advice: str) -> None:
    raise DataValidationError(
        f"non-numeric value {value!r} in series {sid!r} {row_words(row, file)}" + advice,
        file=file,
        column=column,
        **row_where(row, file),
        series=sid,
    )


def _target_values(
    df: pl.DataFrame, id_col: str, target_col: str, rows: np.ndarray | None, file: str | None
) -> np.ndarray:
    """Target as float64 (nulls and missing-value tokens such as ``NA`` → NaN); a non-numeric
    string names its series and row (the cell rules are :func:`~tsforge.data.validation.text_to_float`'s,
    shared with the wide and multichannel readers)."""
    y = df[target_col]
    if y.dtype == pl.Boolean:
        note_true_false(target_col, file or "the frame")
    if not (y.dtype.is_numeric() or y.dtype in (pl.Boolean, pl.Null)):
        num, bad = text_to_float(y)
        if bad.any():
            i = int(np.flatnonzero(bad)[0])
            advice = value_cell_advice(y[i], numbers=int(num.is_not_null().sum()), words=int(bad.sum()))
            _raise_bad_value(
                df[id_col][i], y[i], target_col, i if rows is None else int(rows[i]), file, advice
            )
        y = num
    return y.cast(pl.Float64).fill_null(float("nan")).to_numpy()


def _time_keys(df: pl.DataFrame, time_col: str, id_col: str, file: str | None) -> tuple[np.ndarray, bool]:
    """Time column as int64 (ns since epoch for dates, the integer itself otherwise); ``df``'s
    rows are the file's as read (not yet grouped by series), so an error's row is the file's.
    Times with UTC offsets are read wall-clock or in UTC by each series of ``id_col``.

    The rules are :func:`tsforge.data.timeaxis.parse_time_column`'s, shared with the wide reader
    and the forecast-history parser: integers are a step index unless they read as ``YYYYMMDD``
    dates (a common export), so a file that trains also forecasts, with the same dates.
    """
    from tsforge.data.timeaxis import parse_time_column

    t = df[time_col]
    if t.null_count():
        row = int(np.flatnonzero(t.is_null().to_numpy())[0])
        refuse_empty_line(row, file)  # a line of blanks: said as such, not as a missing time
        raise DataValidationError(
            f"missing value in time column {time_col!r} {row_words(row, file)}",
            file=file,
            column=time_col,
            **row_where(row, file),
        )
    keys, is_dt = parse_time_column(t, column=time_col, file=file, ids=df[id_col])
    return (keys.view(np.int64), True) if is_dt else (keys, False)


def _infer_panel_freq(t: np.ndarray, indptr: np.ndarray) -> tuple[str, bool]:
    """Frequency of a dated panel: pandas' name for one of the longest series (gaps or odd
    points in one series do not decide for the panel), else their modal step; and whether a
    series named it (is regular at it).

    Why the flag: a frequency a series is regular at is the panel's; a missing step of another
    series on its grid is filled, and advice to set the frequency cannot help (``--freq MS`` on
    a monthly panel with one month missing gave the same refusal). A modal step may be the
    wrong frequency (business days read as daily), so there that advice stays.
    """
    lengths = np.diff(indptr)
    longest = np.argsort(-lengths, kind="stable")[:5]
    for i in longest:
        if lengths[i] < 3:
            break
        f = named_freq(pd.DatetimeIndex(t[indptr[i] : indptr[i + 1]].view("datetime64[ns]")))
        if f is not None:
            return f, True
    d = np.concatenate([np.diff(t[indptr[i] : indptr[i + 1]]) for i in longest])
    d = d[d > 0]
    if d.size == 0:
        raise DataValidationError(
            "cannot infer the frequency (no series with two distinct dates); pass freq="
        )
    vals, counts = np.unique(d, return_counts=True)
    step = int(vals[np.argmax(counts)])
    if 28 <= step / NS_PER_DAY <= 31:  # monthly with an odd date: MS, not the 30D it would be named
        anchor = month_anchor(t[indptr[longest[0]] : indptr[longest[0] + 1]])
        if anchor is not None:
            return anchor, False
    stamps = np.concatenate([t[indptr[i] : indptr[i + 1]] for i in longest])
    return modal_step_alias(step, stamps), False


_BLOCK = 1 << 22  # rows per block in the spacing scans: bounds the temporaries to ~100 MB


def _scan_pairs(t: np.ndarray, indptr: np.ndarray, test: Any, first_only: bool = True) -> np.ndarray:
    """Rows ``p`` whose pair ``(t[p - 1], t[p])`` inside one series satisfies ``test``.

    Why blockwise: the checks (order, duplicates, spacing) run on every row of panels with
    10⁸ values; whole-array ``np.diff`` temporaries would cost several GB, blocks cost little
    and stop at the first hit when only the first offending row is needed for the error.
    """
    hits: list[np.ndarray] = []
    n = t.size
    for a in range(1, n, _BLOCK):
        b = min(a + _BLOCK, n)
        m = test(t[a - 1 : b - 1], t[a:b])
        lo, hi = np.searchsorted(indptr, [a, b])
        m[indptr[lo:hi] - a] = False
        found = np.flatnonzero(m)
        if found.size:
            hits.append(found + a)
            if first_only:
                break
    return np.concatenate(hits) if hits else np.empty(0, dtype=np.int64)


def _spacing_test(is_dt: bool, freq: str | None, t: np.ndarray, int_step: int = 1) -> Any:
    """``test(prev, cur)`` that is True where ``cur`` is not exactly one step after ``prev``."""
    step = int_step if not is_dt else fixed_step_ns(freq)
    if step is not None:
        return lambda prev, cur: (cur - prev) != step
    grid = pd.date_range(pd.Timestamp(int(t.min())), pd.Timestamp(int(t.max())), freq=freq).asi8

    def test(prev: np.ndarray, cur: np.ndarray) -> np.ndarray:
        pc = np.searchsorted(grid, cur)
        return (pc - np.searchsorted(grid, prev) != 1) | (grid[np.minimum(pc, grid.size - 1)] != cur)

    return test


def _group_rows(df: pl.DataFrame, id_col: str) -> tuple[pl.DataFrame, np.ndarray | None, np.ndarray]:
    """Rows of one series made contiguous (series in order of first appearance).

    Returns the frame, the original row of every row (None when nothing moved) and ``indptr``.
    A frame already grouped by series is left as it is (a run-length encoding tells).
    """
    rows: np.ndarray | None = None
    runs = df[id_col].rle().struct.field("len")
    if runs.len() != df[id_col].n_unique():
        df = (
            df.with_row_index("__row")
            .with_columns(pl.col("__row").min().over(id_col).alias("__first"))
            .sort("__first", maintain_order=True)
        )
        rows = df["__row"].to_numpy().astype(np.int64)
        df = df.drop("__row", "__first")
        runs = df[id_col].rle().struct.field("len")
    indptr = np.concatenate([[0], np.cumsum(runs.to_numpy(), dtype=np.int64)])
    return df, rows, indptr


def read_long_frame(
    df: pl.DataFrame,
    id_col: str,
    time_col: str,
    target_col: str,
    freq: str | None,
    season_length: int | None,
    name: str,
    dtype: Any,
    fill_gaps: bool,
    file: str | None = None,
    drop_too_few: bool = False,
) -> Panel:
    """The :class:`Panel` of the three columns :func:`select_long_columns` picked, with every
    check of the module docstring (the body of :meth:`Panel.from_long`).

    ``drop_too_few``: leave out the series with fewer than two observed values (one row, or rows
    all but one empty) with one :class:`~tsforge.errors.ShortSeriesWarning` naming them, instead
    of refusing the table; they are left out before any other check, so that a lone row's date
    cannot refuse the file either. A table whose every series is so is still refused.

    ``file``: the text table ``df``'s rows were read from, so that every message names a row by
    its line (``on line 7 of sales.csv``), as the other readers' messages do; ``None``: a frame,
    whose rows are named as ``iloc`` counts them (``at row 5``)."""
    if df.height == 0:
        raise DataValidationError("the frame has no rows", file=file, column=id_col)
    if df[id_col].null_count():
        row = int(np.flatnonzero(df[id_col].is_null().to_numpy())[0])
        refuse_empty_line(row, file)  # a blank line: said as such, not as a missing id
        raise DataValidationError(
            f"missing series id in column {id_col!r} {row_words(row, file)}",
            file=file,
            column=id_col,
            **row_where(row, file),
        )
    # times parsed before the rows are grouped by series: an unreadable date is then named by
    # its row in the file (after grouping it was the row's position in the grouped frame)
    t, is_dt = _time_keys(df, time_col, id_col, file)
    df, rows, indptr = _group_rows(df, id_col)
    if rows is not None:
        t = t[rows]
    freq_given = freq is not None
    freq_known = freq_given  # given, or inferred from a series regular at it: no advice to set it
    if _scan_pairs(t, indptr, lambda prev, cur: cur < prev).size:  # sort inside series only if needed
        order = np.lexsort((t, series_index(indptr)))
        t = t[order]
        rows = order if rows is None else rows[order]
        df = df[order]
    ids = df[id_col].gather(indptr[:-1]).to_numpy()

    def file_row(pos: int) -> int:
        return pos if rows is None else int(rows[pos])

    def fail(
        message: str, pos: int, column: str, also: int | None = None, cli_message: str | None = None
    ) -> None:
        """Raise ``message`` with ``{sid}`` the series of row ``pos`` and ``{where}`` its line in
        the file (or row of the frame); ``also``: a second row the message is about (a duplicate's
        first occurrence), named with it; ``cli_message``: the same in the command line's words
        (its flags where ``message`` names Python's arguments), filled in alike."""
        sid = str(ids[np.searchsorted(indptr, pos, side="right") - 1])  # not np.int64(1)
        row = file_row(pos)
        where = row_words(row, file) if also is None else rows_words(sorted((file_row(also), row)), file)
        raise DataValidationError(
            message.format(sid=repr(sid), where=where),
            cli_message=None if cli_message is None else cli_message.format(sid=repr(sid), where=where),
            file=file,
            column=column,
            **row_where(row, file),
            series=sid,
        )

    def show(v: Any) -> str:
        return date_words(int(v)) if is_dt else str(int(v))

    dup = _scan_pairs(t, indptr, lambda prev, cur: cur == prev)
    if dup.size:
        pos = int(dup[0])
        written = repeated_time_words(df[time_col], pos - 1, pos) if is_dt else None
        hint = (
            clock_change_hint(_series_times(t, indptr, pos), None, int(t[pos]))
            if is_dt and written is None  # times with offsets repeat no wall-clock hour
            else ""
        )
        fail(
            f"duplicate timestamp {written or show(t[pos])} in series {{sid}} {{where}}{hint}",
            pos,
            time_col,
            also=pos - 1,
        )
    left_out: list[Any] = []
    if drop_too_few and (keep := _kept(np.diff(indptr) >= 2)) is not None:
        mask, indptr = _rows_of(keep, indptr)
        left_out += list(ids[~keep])
        t, ids, df = t[mask], ids[keep], df.filter(pl.Series(mask))
        rows = np.flatnonzero(mask) if rows is None else rows[mask]
    check_series_sizes(ids, indptr, None, column=id_col, rows=rows, file=file)
    cal: str | None = None  # the calendar of a dated panel, given or inferred: what places its dates
    if is_dt:  # --freq M on month-start dates: read on their own grid, with a note
        if freq_given:
            cal = freq = read_period_labels(t, freq, file or name)
        else:
            freq, freq_known = _infer_panel_freq(t, indptr)
            cal = freq
    # regular spacing (a weekly panel whose series fall on different weekdays is still 7-daily)
    bad = _scan_pairs(t, indptr, _spacing_test(is_dt, freq, t))
    int_step = 1
    if bad.size and not is_dt and (g := _integer_grid_step(t, indptr)) > 1:
        int_step = g  # integer time counting in g's (years 1980, 1985, …): its steps are g apart
        bad = _scan_pairs(t, indptr, _spacing_test(False, None, t, int_step))
    if (
        bad.size
        and cal is not None
        and cal.startswith("W-")
        and not _scan_pairs(t, indptr, _spacing_test(True, "7D", t)).size
    ):
        freq = cal = "7D"
        bad = bad[:0]
    if cal is not None and fixed_step_ns(cal) is None:
        off = np.flatnonzero(~grid_positions(t[indptr[:-1]], cal)[1])
        if off.size:
            pos = int(indptr[off[0]])
            own = _own_rate(_series_times(t, indptr, pos), cal)
            advice = off_grid_hint(int(t[pos]), cal, int(t[pos]), named=False) if not own else ""
            if own and freq_given:
                advice = f": its dates lie on the {own} grid (freq={own!r} / --freq {own})"
            elif own:
                advice = (
                    f" (the panel's longest series'): its dates lie on the {own} grid; one panel holds one "
                    "calendar (date every series alike: all at period starts, or all at period ends)"
                )
            fail(
                f"date {show(t[pos])} of series {{sid}} {{where}} is not on {grid_words(cal)}{advice}",
                pos,
                time_col,
            )
    k = None
    if (
        bad.size
        and fill_gaps
        and cal is not None
        and (other := _series_at_other_rate(t, indptr, cal)) is not None
    ):
        pos, own = other
        rate = (
            f"the frequency given is {rate_words(freq)}"
            if freq_given
            else f"the panel's longest series {rate_words(freq)}"
        )
        fail(
            f"series {{sid}} is sampled {rate_words(own)} throughout (its second value {{where}}) and {rate}: "
            f"filling gaps would make it "
            f"a {rate_words(freq)} "
            "series of mostly missing values; one panel holds one sampling rate (split the file by "
            "rate, or resample this series)",
            pos,
            time_col,
        )
    if bad.size:
        k, on = ragged_grid_steps(t, indptr, is_dt, freq, int_step) if fill_gaps else (None, None)
        if on is None or not on.all():  # None: gaps are not to be filled
            pos = int(bad[0]) if on is None else int(np.flatnonzero(~on)[0])
            before = f"{show(t[pos - 1])} → " if pos not in indptr else ""
            series_t = _series_times(t, indptr, pos) if is_dt else None
            one = step_words(str(freq)) if is_dt else ""
            off_grid = (
                off_grid_hint(int(t[pos]), freq, int(series_t[0])) if series_t is not None and freq else ""
            )
            clock = (
                clock_change_hint(series_t, int(t[pos - 1]), int(t[pos]))
                if before and series_t is not None
                else ""
            )
            cli_how: str | None = None  # the command line's words, where they differ from Python's
            if clock:  # a summer-time change in local times: neither filling nor a frequency helps
                how = f"is not {one}{clock}"
            elif on is not None:  # filling was asked for: the time cannot be placed on the grid at all
                first = show(t[indptr[np.searchsorted(indptr, pos, side="right") - 1]])
                grid = grid_words(str(freq)) if is_dt else f"the step-{int_step} grid"
                placed = (
                    f"is off {grid} the series starts on ({first}), so no missing steps can be "
                    "inserted around it"
                )
                if off_grid and series_t is not None:
                    how = placed + off_grid_hint(int(t[pos]), str(freq), int(series_t[0]), named=False)
                else:  # the frequency's option as Python (freq=) or the command line (--freq) takes it
                    how, cli_how = (
                        f"{placed}: correct that time, or set the frequency ({option})"
                        for option in _FREQ_OPTION
                    )
            elif is_dt and (hint := mid_month_hint(_series_times(t, indptr, pos))):
                how = f"is not {one}{hint}"
            elif cal is not None and (own := _own_rate(_series_times(t, indptr, pos), cal)) and freq_given:
                how = (
                    f"is not {one}, the frequency given: this series is sampled {rate_words(own)} "
                    f"throughout (freq={own!r} / --freq {own})"
                )
            elif is_dt and own:
                how = (
                    f"is not {one}: this series is sampled {rate_words(own)} throughout, the panel's "
                    f"longest series {rate_words(str(freq))}; one panel holds one sampling rate (split the file by "
                    "rate, or resample this series)"
                )
            elif off_grid:  # a date off the grid (a month start series with one 15th): filling cannot help
                how = f"is not {one}{off_grid}"
            elif is_dt:
                how, cli_how = (f"is not {one} ({advice})" for advice in _gap_advice(freq_known))
            else:
                how, cli_how = _INTEGER_SPACING_ADVICE
            said = f"irregular spacing in series {{sid}} {{where}}: {before}{show(t[pos])} "
            fail(said + how, pos, time_col, cli_message=said + (cli_how or how))
    starts = t[indptr[:-1]]
    del t  # the time keys are a full column: free them before the values are materialised
    y = _target_values(df, id_col, target_col, rows, file)
    if np.isinf(y).any():
        pos = int(np.flatnonzero(np.isinf(y))[0])
        fail(f"non-finite value {y[pos]} in series {{sid}} {{where}}", pos, target_col)
    if drop_too_few:
        keep = np.ones(len(ids), dtype=bool)
        keep[too_few_observed(indptr, y)] = False
        if (kept := _kept(keep)) is not None:
            mask, indptr = _rows_of(kept, indptr)
            left_out += list(ids[~kept])
            y, ids, starts = y[mask], ids[kept], starts[kept]
            rows = np.flatnonzero(mask) if rows is None else rows[mask]
            k = None if k is None else k[mask]
    if left_out:
        left_out_too_few(np.concatenate([left_out, ids]), np.arange(len(left_out)), file or name)
    check_series_sizes(ids, indptr, y, column=id_col, rows=rows, file=file)
    if k is not None:
        read_at = series_index(indptr)
        y, indptr = _scatter_gaps(y, k, indptr)
        inserted = np.ones(y.size, dtype=bool)
        inserted[indptr[:-1][read_at] + k] = False
        note_filled_gaps(ids, inserted_positions(y, indptr, inserted), file or name)
    if not is_dt and freq is None and season_length is None:
        warn_no_calendar(f"the time column {time_col!r} of {name} holds integers (a step index)")
    panel = Panel(
        ids=ids,
        indptr=indptr,
        values=y.astype(dtype, copy=False),
        starts=starts.view("datetime64[ns]") if is_dt else starts,
        freq=freq,
        season_length=_season_length(freq) if season_length is None else season_length,
        name=name,
        int_step=int_step,
    )
    # missing rows before a series' first / after its last observation: not part of the series
    # (the wide reader's rule); a series left with one observation is refused like one with one row
    trimmed = panel.trim_missing()
    single = np.flatnonzero(trimmed.lengths < 2)
    if single.size:
        sid = str(trimmed.ids[single[0]])
        count = "1 series has" if single.size == 1 else f"{single.size} series have"
        raise too_few_values_error(
            f"{count} one observed value (a series needs two to be forecast or scored), first {sid!r}",
            single.size,
            some_left=single.size < len(trimmed),
            file=file,
            column=target_col,
            series=sid,
        )
    return trimmed


def _kept(keep: np.ndarray) -> np.ndarray | None:
    """``keep`` when it leaves some series out but not all, else None: nothing to leave out, or
    a table with nothing to forecast, which is refused as it always was (naming its first)."""
    return keep if keep.any() and not keep.all() else None


def _rows_of(keep: np.ndarray, indptr: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The rows of the series ``keep`` marks (a mask over rows) and the offsets of those series."""
    lens = np.diff(indptr)
    return np.repeat(keep, lens), np.concatenate([[0], np.cumsum(lens[keep])]).astype(np.int64)


def _own_rate(times: np.ndarray, panel_freq: str) -> str | None:
    """The sampling rate of one series' dates when it has a regular one of its own that is not
    the panel's (daily series in a monthly panel), else None.

    Why: a file that mixes rates was refused for "irregular spacing" in the odd series, with
    advice to set the frequency or fill gaps — neither helps a series that is regular at
    another rate.
    """
    if times.size < 3:
        return None
    own = named_freq(pd.DatetimeIndex(times.view("datetime64[ns]")))  # named as the panel's rate is
    if own is None or own == panel_freq:
        return None
    return own


#: series checked for a sampling rate of their own before gaps are filled (each costs a pandas inference)
_MAX_RATE_CHECKS = 20


def _series_at_other_rate(t: np.ndarray, indptr: np.ndarray, freq: str) -> tuple[int, str] | None:
    """The first row and the rate of a series sampled regularly at another rate than the panel's,
    with no two consecutive values one ``freq`` step apart (a monthly series in a daily panel), or None.

    Why before filling gaps: without ``fill_gaps`` such a series is refused by name
    (:func:`_own_rate`); with it, it was silently stretched onto the panel's grid — a monthly
    series became a daily one with 29 of every 30 values missing, forecast as such.
    """
    breaks = _scan_pairs(t, indptr, _spacing_test(True, freq, t), first_only=False)
    if breaks.size == 0:
        return None
    per_series = np.bincount(series_index(indptr)[breaks], minlength=indptr.size - 1)
    lengths = np.diff(indptr)
    candidates = np.flatnonzero((lengths >= 5) & (per_series == lengths - 1))
    for i in candidates[:_MAX_RATE_CHECKS]:
        own = _own_rate(t[indptr[i] : indptr[i + 1]], freq)
        if own is not None:
            return int(indptr[i]) + 1, own
    return None


def _series_times(t: np.ndarray, indptr: np.ndarray, pos: int) -> np.ndarray:
    """The time keys of the series that row ``pos`` belongs to."""
    i = int(np.searchsorted(indptr, pos, side="right") - 1)
    return t[indptr[i] : indptr[i + 1]]


def _integer_grid_step(t: np.ndarray, indptr: np.ndarray) -> int:
    """The grid step of integer time over every series (:func:`~tsforge.data.timeaxis.step_gcd`
    of the steps inside series: 5 for years 1980, 1985, 1995, one missing). Whole-array, but only
    computed for integer time that does not advance by one."""
    sid = series_index(indptr)
    d = np.diff(t)
    return step_gcd(d[sid[1:] == sid[:-1]])


#: the frequency's option, in Python's words and the command line's
_FREQ_OPTION = ("freq=...", "--freq")

#: integer time whose steps share no common size above one (1, 2, 4, 5, …): the advice in
#: Python's words and the command line's
_INTEGER_SPACING_ADVICE = (
    "is not the next step (integer time advances by one constant step): insert the missing "
    "steps as missing values (fill_gaps=True)",
    "is not the next step (integer time advances by one constant step): insert the missing "
    "steps as missing values (--fill-gaps)",
)


def _gap_advice(freq_known: bool) -> tuple[str, str]:
    """What to do about a missing step in dated series, in Python's words and the command
    line's: set the frequency (unless it was given, or a series is regular at the one inferred:
    :func:`_infer_panel_freq`), or insert the missing steps.

    Why two wordings: the CLI said "freq= / --freq; ... fill_gaps=True / --fill-gaps", Python's
    arguments first, to a user who can type only the flags (and Python's user read the flags).
    """
    python = ("" if freq_known else "set the frequency: freq=...; or ") + "insert the missing steps "
    cli = ("" if freq_known else "set the frequency: --freq; or ") + "insert the missing steps "
    return python + "as missing values: fill_gaps=True", cli + "as missing values: --fill-gaps"


def _scatter_gaps(y: np.ndarray, k: np.ndarray, indptr: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Put every value at its step inside its series, NaN in the missing steps."""
    sid = series_index(indptr)
    new_len = k[indptr[1:] - 1] + 1
    new_ptr = np.concatenate([[0], np.cumsum(new_len)]).astype(np.int64)
    out = np.full(int(new_ptr[-1]), np.nan, dtype=y.dtype)
    out[new_ptr[:-1][sid] + k] = y
    return out, new_ptr
