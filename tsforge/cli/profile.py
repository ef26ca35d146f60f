"""``tsforge profile FILE_OR_DATASET``: ARIES property profile of a dataset, as a table and files."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

import typer

from tsforge.cli.app import app, console, print_note
from tsforge.cli.data_options import reads_data
from tsforge.cli.engine_options import EngineOption, RayAddressOption, engine_from_options
from tsforge.cli.output_paths import looks_like_file
from tsforge.engine import Engine, LocalEngine, RayEngine
from tsforge.errors import ConfigError

__all__ = ["profile_cmd", "render_summary", "plot_distributions"]


def render_summary(summary: dict, *, window_option: bool = True):
    """A rich table: one row per property, the share of windows in each bucket.

    ``window_option``: whether the reader can pass ``--window`` (``tsforge profile``), which the
    memorability caption then advises where the windows are too short for the Hurst exponent;
    ``make demo`` shows a profile with no such option, so its caption must not name one.
    """
    from rich.table import Table

    from recommender.properties.buckets import BUCKETS, bucket_words
    from recommender.properties.profile import PANEL_LADDER

    if summary.get("kind") == "per_series":
        short = summary.get("n_series_too_short", 0)
        gappy = summary.get("n_windows_dropped_missing", 0)
        title = (
            f"{summary.get('name', 'data')}: {summary['n_windows']} of {summary['n_series']} series, "
            f"last ≤ {summary['window']} values each"
            + (f" (method {summary['method']})" if summary.get("method") != "fast" else "")
            + (f"; {short} shorter than {PANEL_LADDER[0]} values left out" if short else "")
            + (f"; {gappy} missing > 10 % of those values left out" if gappy else "")
        )
    else:
        title = (
            f"{summary.get('name', 'data')}: {summary['n_windows']} windows of {summary['window']} steps"
            f" ({summary.get('n_channels', 0)} channels, method {summary.get('method')})"
        )
    table = Table(title=title)
    table.add_column("property")
    table.add_column("bucket")
    table.add_column("share", justify="right")
    table.add_column("", no_wrap=True)
    for name, spec in BUCKETS.items():
        shares = summary["buckets"][name]
        for i, label in enumerate(spec.labels):
            share = shares[label]
            table.add_row(
                _property_words(name, spec.absolute) if i == 0 else "",
                bucket_words(name, i),
                f"{100 * share:.1f}%",
                "█" * round(20 * share),
                end_section=i == len(spec.labels) - 1,
            )
    table.caption = _memorability_caption(summary, window_option)
    stats = Table(title="continuous properties", caption_justify="left")
    for col in ("property", "mean", "std", "q10", "q50", "q90"):
        stats.add_column(col, justify="left" if col == "property" else "right", no_wrap=col == "property")
    for prop, vals in summary["properties"].items():
        stats.add_row(prop, *[f"{vals[k]:.4f}" for k in ("mean", "std", "q10", "q50", "q90")])
    shown = [f"{p}: {MEASURES[p]}" for p in summary["properties"] if p in MEASURES]
    stats.caption = "; ".join(shown) or None
    return table, stats


#: what each continuous property of the summary measures, under its table: the names are the
#: columns of the written CSV and JSON (``tau``, ``arch_pvalue``), which say little on their own
MEASURES = {
    "tau": "trend, Kendall's τ of the values against time (−1 falling, +1 rising)",
    "trend_strength": "|τ|",
    "season_strength": "share of the variance the seasonal part explains",
    "volatility": "coefficient of variation",
    "hurst": "memory, the Hurst exponent (0.5: none)",
    "anomaly_ratio": "share of values flagged as anomalies",
    "arch_pvalue": "ARCH test p-value (small: the variance changes over time)",
}


def _property_words(name: str, absolute: bool) -> str:
    """``trend strength (|τ|)``: a bucketed property's key as words, naming the value bucketed
    where the buckets are of its absolute value."""
    return name.replace("_", " ") + (" (|τ|)" if absolute else "")


def _memorability_caption(summary: dict, window_option: bool = True) -> str | None:
    """What the memorability rows are over, where some profiled values were too short for the
    Hurst exponent (``None`` where every window or series has it).

    Why say it: those rows are empty, and a 0 % in every bucket (or the lineage's 0, which a
    profile shows no more) must not read as "no memory".
    """
    from recommender.properties.memorability import HURST_MIN_LENGTH

    if summary.get("n_windows_without_hurst"):
        advice = f"; give --window {HURST_MIN_LENGTH} or more" if window_option else ""
        return (
            f"memorability: not measured — the Hurst exponent needs {HURST_MIN_LENGTH} values and the "
            f"windows have {summary['window']} (its rows are empty, and so is hurst below{advice})"
        )
    no_hurst = summary.get("n_series_without_hurst", 0)
    with_hurst = summary["n_windows"] - no_hurst
    if no_hurst and with_hurst:
        return (
            f"memorability: over the {with_hurst} series profiled on ≥ "
            f"{HURST_MIN_LENGTH} values (the Hurst exponent needs {HURST_MIN_LENGTH}; {no_hurst} have fewer)"
        )
    if no_hurst:
        return (
            f"memorability: not measured — none of the {no_hurst} series has the {HURST_MIN_LENGTH} "
            "values the Hurst exponent needs (its rows are empty, and so is hurst below)"
        )
    return None


def category_counts(values: Any, column: str) -> tuple[list[str], list[int]]:
    """Bar names and heights of a coded property: its buckets in words (``non-stationary``,
    ``increasing``: the words of the summary table, every category shown, empty ones too) where
    it has them, else the values themselves (season counts)."""
    from recommender.properties.buckets import BUCKETS, bucket_words

    name, spec = next(((n, b) for n, b in BUCKETS.items() if b.source == column and b.values), ("", None))
    if spec is not None and spec.values is not None:  # the filter above kept only specs with values
        counts = values.value_counts().reindex(list(spec.values), fill_value=0)
        return [bucket_words(name, i) for i in range(len(spec.labels))], [int(c) for c in counts]
    counts = values.value_counts().sort_index()
    return [str(int(i)) if float(i).is_integer() else str(i) for i in counts.index], [int(c) for c in counts]


def plot_distributions(result, path: Path) -> Path:
    """PNG with a histogram per continuous property and a bar chart per binary/count property."""
    import matplotlib
    import numpy as np

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.ticker import MaxNLocator

    t = result.table
    cont = ["trend_strength", "season_strength", "volatility", "hurst", "anomaly_ratio"]
    disc = ["stationarity", "trend_label", "season_count", "scedasticity"]
    unit = "series" if result.summary.get("kind") == "per_series" else "windows"
    fig, axes = plt.subplots(3, 3, figsize=(12, 9))
    for ax, col in zip(axes.ravel(), cont + disc, strict=False):
        title = col
        if col in cont:
            v = t[col].to_numpy(dtype=float)
            defined = v[np.isfinite(v)]
            if defined.size:
                ax.hist(defined, bins=min(40, max(5, defined.size)), color="#4472c4")
            else:  # an empty frame with a -0.04..0.04 axis said nothing: say why it is empty
                note = f"not defined for any of the {v.size} {unit}"
                ax.text(0.5, 0.5, note, ha="center", va="center", transform=ax.transAxes, color="0.3")
                ax.set_xticks([])
                ax.set_yticks([])
            if defined.size < v.size:  # e.g. Hurst on series too short for it
                title = f"{col} ({defined.size} of {v.size} defined)"
        else:
            names, counts = category_counts(t[col], col)
            ax.bar(names, counts, color="#ed7d31")
        ax.set_title(title)
        if ax.get_yticks().size:
            ax.set_ylabel(f"{unit} (count)", fontsize=9)
            ax.yaxis.set_major_locator(MaxNLocator(integer=True))  # counts: no 0.5 of a series
    fig.suptitle(
        f"ARIES properties of {result.summary.get('name', 'data')}: {result.summary['n_windows']} {unit}"
    )
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return path


def _check_out_is_a_folder(out: Path | None) -> None:
    """Refuse ``--out profile.csv`` where no such folder exists.

    Why: ``cv`` and ``forecast`` take ``-o/--output`` as a file, so ``tsforge profile my.csv -o
    profile.csv`` reads as "write the table there"; it created a folder ``profile.csv/`` holding
    ``profile_my.csv`` and ``profile_my.json``. An existing folder of that name is still used.
    """
    if out is None or out.is_dir() or not looks_like_file(out):
        return
    raise ConfigError(
        f"--out {str(out)!r} looks like a file, but profile writes several files into a folder "
        f"(profile_<name>.csv, .json and, with --png, .png): give a folder, e.g. --out {str(out.with_suffix(''))!r}",
        field="out",
    )


@app.command("profile")
@reads_data(coords=False)
def profile_cmd(
    source: Annotated[
        str, typer.Argument(metavar="DATA", help="Catalogue dataset name or CSV/Parquet file.")
    ],
    window: Annotated[int, typer.Option("--window", "-w", help="Window length.")] = 336,
    stride: Annotated[int | None, typer.Option(help="Step between windows (default window // 14).")] = None,
    out: Annotated[
        Path | None,
        typer.Option(
            "--out",
            "--output",
            "-o",
            help="Folder for the profile's CSV/JSON (and PNG): profile_<name>.csv, … are written into it.",
        ),
    ] = None,
    png: Annotated[
        bool, typer.Option("--png", help="Also write a PNG of the property distributions.")
    ] = False,
    max_windows: Annotated[
        int | None,
        typer.Option(help="Profile a random subset of at most this many windows (series with --per-series)."),
    ] = None,
    method: Annotated[str, typer.Option(help="fast (batched) or reference (statsmodels, slow).")] = "fast",
    jobs: Annotated[
        int,
        typer.Option(
            "--n-jobs",
            "--jobs",
            help="Worker processes (at most 2 on the local engine, said in a note; --engine ray "
            "gets --n-jobs CPUs), as --n-jobs everywhere else; --jobs is the older spelling.",
        ),
    ] = 1,
    engine: EngineOption = None,
    ray_address: RayAddressOption = None,
    seed: Annotated[int, typer.Option(help="Seed of the window subset.")] = 0,
    progress: Annotated[bool, typer.Option("--progress/--no-progress", help="Show a progress bar.")] = True,
    per_series: Annotated[
        bool,
        typer.Option(
            "--per-series",
            help="Profile every series once, on its last ≤ --window values (the default for panel "
            "collections; for a file of many short series).",
        ),
    ] = False,
    *,
    load_kwargs: dict[str, Any],
) -> None:
    """Profile every (channel, window) with the ARIES properties; print bucket shares, write files.

    A panel (many short series, each with its own dates) is profiled per series: each series
    once, on its most recent values (--per-series; automatic for panel collections, for files
    whose series start or end on different dates, and for files shorter than the window).
    """
    from recommender.properties.profile import MAX_WORKERS, profile, profiling_bar
    from tsforge.data.load import load_data

    if method not in ("fast", "reference"):
        raise ConfigError(f"unknown method {method!r}; choose fast or reference", field="method")
    from tsforge.cli.output_paths import check_output_folder

    check_output_folder(out, "--out")  # before the profile, not after it (an existing file there)
    _check_out_is_a_folder(out)
    eng = _local_pool_at_most(engine_from_options(engine, ray_address, jobs), jobs, MAX_WORKERS)
    data, note = None, None
    if not (per_series or _is_panel_collection(source)):
        data, note = _windowed_or_note(load_data(source, **load_kwargs), source, window, stride)
    _check_window(window, stride, windowed=data is not None, why=note)
    if note:
        print_note(note)
    if data is not None and max_windows is None:
        _note_a_long_profile(data, window, stride)
    if data is None:
        from recommender.properties.profile import profile_panel
        from tsforge.data.load import load_panel

        panel = load_panel(source, **load_kwargs).panel

        def run(callback):
            return profile_panel(
                panel,
                window,
                method=method,
                n_jobs=jobs,
                max_series=max_windows,
                seed=seed,
                engine=eng,
                progress=callback,
            )
    else:

        def run(callback):
            return profile(
                data,
                window,
                stride,
                method=method,
                n_jobs=jobs,
                max_windows=max_windows,
                seed=seed,
                engine=eng,
                progress=callback,
                mask_short_hurst=True,
            )

    unit = "window" if data is not None else "series"
    # on stderr (tqdm's default): stdout is the summary a user pipes or redirects, not the bar;
    # drawn at the profile's first progress call, which carries the total
    with profiling_bar(progress, unit=unit) as bar:
        result = run(_after_ray_start(bar, eng))
    if data is not None:
        _note_missing_values(data, source, result.summary)
    for table in render_summary(result.summary):
        console.print(table)
    if out is not None:
        stem = Path(out) / f"profile_{result.summary.get('name', 'data')}"
        written = [result.to_csv(stem.with_suffix(".csv")), result.to_json(stem.with_suffix(".json"))]
        if png:
            written.append(plot_distributions(result, stem.with_suffix(".png")))
        for path in written:
            console.print(f"wrote {path}")
    elif png:
        raise ConfigError("--png needs --out FOLDER", field="png")


#: above this many windows a profile takes minutes (166,612 windows of a 1M-row, 4-channel
#: series took 387 s of CPU), and the CLI says so before it starts
LONG_PROFILE_WINDOWS = 20_000


def _note_a_long_profile(data: Any, window: int, stride: int | None) -> None:
    """One note before a profile of more than :data:`LONG_PROFILE_WINDOWS` sliding windows,
    naming the count and the two options that shorten it.

    Why: a 1M-row series at the default stride ran 9 minutes with nothing said about its size;
    a user who knows the count before the start can sample or widen the stride instead of waiting.
    """
    from recommender.properties.profile import window_starts, window_stride

    step = window_stride(window, stride)
    n_windows = data.n_channels * window_starts(data.n_steps, window, step).size
    if n_windows <= LONG_PROFILE_WINDOWS:
        return
    print_note(
        f"profiling {n_windows:,} windows ({data.n_channels} channel{'s' if data.n_channels != 1 else ''}, "
        f"window {window}, stride {step}): this can take minutes; "
        f"--max-windows 5000 profiles a seeded random sample of them, "
        f"--stride {window} non-overlapping windows"
    )


def _note_missing_values(data: Any, source: str, summary: dict[str, Any]) -> None:
    """One note of the missing values of windowed ``data``: how many, in which channels, and
    what the profile did with them (the windows missing more than
    :data:`~recommender.properties.profile.MAX_MISSING_SHARE` of their values left out, the
    others interpolated), in the words ``forecast`` and ``train`` use
    (:func:`~tsforge.data.panel_checks.note_filled_values`).

    Why: a gap of 151 values in one of five channels left 18 of 350 windows out of the profile
    without a word (the title counted only the windows profiled), where a per-series profile
    says so in its title and ``forecast`` names the missing values of its history.
    """
    import numpy as np

    from recommender.properties.profile import MAX_MISSING_SHARE
    from tsforge.data.panel_checks import note_filled_values

    missing = (~np.isfinite(np.asarray(data.values, dtype=np.float64))).sum(axis=0)
    dropped = int(summary.get("n_windows_dropped_missing", 0))
    total = dropped + int(summary.get("n_windows_available", 0))
    how = "the windows are profiled with {0} filled by linear interpolation"
    if dropped:
        how = (
            f"the {dropped} of {total} windows missing more than {100 * MAX_MISSING_SHARE:.0f} % of their "
            "values are left out of the profile, the others profiled with {0} filled by linear interpolation"
        )
    where = Path(source).name if Path(source).is_file() else source
    note_filled_values(list(data.channel_ids), missing, where, (how.format("it"), how.format("them")))


def _windowed_or_note(data: Any, source: str, window: int, stride: int | None) -> tuple[Any, str | None]:
    """``(data, None)`` where sliding windows fit the data, else ``(None, note)``: a panel read as a
    matrix, or data shorter than the window, is profiled per series, and the note says so."""
    if _is_ragged(data):
        return None, (
            f"the series of {source} start or end on different dates (a panel): each is "
            f"profiled once, on its last ≤ {window} values, as --per-series does"
        )
    if data.n_steps < window and stride is None:
        return None, (
            f"{source} has {data.n_steps} steps, fewer than the window of {window}: each series "
            "is profiled once, on its most recent values, as --per-series does (or give a shorter --window)"
        )
    return data, None


def _check_window(window: int, stride: int | None, *, windowed: bool, why: str | None = None) -> None:
    """Refuse a window or stride the chosen profile cannot use, before anything is printed
    (``why``: the note saying why the data is profiled per series, for the stride's error).

    Why here: the library refuses them too, but only once profiling starts, after the note about
    the chosen path and the progress bar were drawn above the error.
    """
    from recommender.properties.profile import MIN_WINDOW, PANEL_LADDER

    minimum = MIN_WINDOW if windowed else PANEL_LADDER[0]
    if window < minimum:
        raise ConfigError(f"window must be at least {minimum} steps", field="window", value=window)
    if stride is None:
        return
    if not windowed:
        said = why or "--per-series profiles each series once"
        raise ConfigError(f"--stride cuts sliding windows; {said}", field="stride")
    if stride < 1:
        raise ConfigError("stride must be >= 1", field="stride", value=stride)


def _is_ragged(data: Any) -> bool:
    """Channels that start or end on different steps (padding at either end): a panel read as a
    matrix. Why it matters: sliding windows over a union of dates mostly see padding (a file of
    short monthly series became "55 steps, fewer than the window"); each series profiled once on
    its own last values is what such data means.
    """
    import numpy as np

    observed = data.mask  # [T, N], True where observed (kept with the data)
    if observed.shape[1] < 2 or not observed.any(axis=0).all():
        return False
    first = observed.argmax(axis=0)
    last = observed.shape[0] - 1 - observed[::-1].argmax(axis=0)
    return bool(np.unique(first).size > 1 or np.unique(last).size > 1)


def _is_panel_collection(source: str) -> bool:
    """A catalogue panel entry: it has no multichannel matrix to slide windows over."""
    from tsforge.data.catalog import get_entry
    from tsforge.data.load import classify_source

    return classify_source(source) == "catalogue" and get_entry(source).is_panel


def _after_ray_start(
    bar: Callable[[int, int], None] | None, eng: Engine
) -> Callable[[int, int], None] | None:
    """``bar``, except that on a Ray engine that has yet to start its instance (or join its
    cluster) the profile's first call, ``(0, total)``, opens the bar only once Ray is up, after
    its note ("ray local x2 started in 9.8 s").

    Why: Ray starts on the first chunk, inside the profile, so ``profile --engine ray`` drew its
    bar seconds before the work could start, and Ray's note then broke into it. Why not start
    Ray here: where a Ray engine's ``map`` does not start one (a test's stand-in), none is.
    """
    if bar is None or not isinstance(eng, RayEngine) or _ray_is_up():
        return bar
    held: list[tuple[int, int]] = []
    report = eng.on_connect

    def connected(note: str) -> None:
        if report is not None:
            report(note)
        if held:
            bar(*held.pop())

    def progress(done: int, total: int) -> None:
        if done == 0 and eng.startup_seconds is None:  # Ray not started yet: wait for it
            held[:] = [(done, total)]
            return
        held.clear()
        bar(done, total)

    eng.on_connect = connected
    return progress


def _ray_is_up() -> bool:
    """Whether this process already holds a Ray connection (then no start-up is to come)."""
    import sys

    ray = sys.modules.get("ray")
    return bool(ray is not None and ray.is_initialized())


def _local_pool_at_most(eng: Engine, jobs: int, cap: int) -> Engine:
    """``eng``, or a local pool of ``cap`` workers with a note where ``--n-jobs`` asked for more.

    Why a note, and only on the local engine: the cap is this machine's CPU budget for
    profiling (``MAX_WORKERS``), which the help states; ``--engine ray --n-jobs 4`` sizes a Ray
    instance as in ``cv`` and ``train``. Lowered without a word, the user who asked for 4 (or
    16) got 2 and could only guess why the run took twice as long.
    """
    if not isinstance(eng, LocalEngine) or eng.n_jobs <= cap:
        return eng
    print_note(
        f"--n-jobs {jobs} lowered to {cap}: profile's local pool runs at most {cap} worker processes "
        f"(the project's CPU budget); --engine ray runs --n-jobs CPUs"
    )
    return LocalEngine(cap)
