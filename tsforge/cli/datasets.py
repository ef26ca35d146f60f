"""``tsforge datasets``: the dataset catalogue as a table, with what is available on this machine."""

from __future__ import annotations

import typer
from rich import box
from rich.table import Table

from tsforge.cli.app import app, console
from tsforge.data.catalog import DatasetEntry, list_datasets

__all__ = ["datasets", "datasets_table"]


def _shape_cells(e: DatasetEntry) -> tuple[str, str]:
    """(length, series): steps × channels for a matrix; a panel's series count and min–max length."""
    if e.is_panel:
        length = "-" if e.lengths is None else f"{e.lengths[0]}–{e.lengths[2]}"
        if e.lengths is not None and e.lengths[0] == e.lengths[2]:
            length = str(e.lengths[0])
        return length, "-" if e.n_series is None else f"{e.n_series:,}"
    return (
        "-" if e.n_steps is None else f"{e.n_steps:,}",
        "-" if e.n_channels is None else str(e.n_channels),
    )


def datasets_table(entries: list[DatasetEntry], *, verbose: bool = False) -> Table:
    """Build the rich table (separate from printing so it can be tested and reused).

    Why this shape: it must fit an 80-column terminal with both kinds of entry, so a
    multichannel dataset shows its steps as ``length`` and its channels as ``series``, a panel
    its min–max series length and its number of series; ``kind`` says which (``multi`` /
    ``panel``) and ``H`` is the default horizon(s).
    """
    table = Table(
        title="tsforge datasets",
        header_style="bold",
        show_lines=verbose,
        box=box.SIMPLE_HEAD,
        show_edge=False,  # the two edge columns are room for "avail" beside unbroken horizons
        pad_edge=False,
        padding=(0, 0),
    )
    table.add_column("name", style="cyan", no_wrap=True)
    table.add_column("kind", no_wrap=True)
    table.add_column("freq", no_wrap=True)
    table.add_column("length", justify="right", no_wrap=True)
    table.add_column("series", justify="right", no_wrap=True)
    if verbose:  # the descriptions need room: only with --verbose
        table.add_column("channels", overflow="fold", min_width=18, max_width=48, ratio=1)
    table.add_column("split", no_wrap=True)
    table.add_column("L", justify="right", no_wrap=True)
    # the horizons unbroken: folded at 80 columns (a pipe), "96/192/336/720" read as horizons
    # 96/192/336/72 and a line holding 0; the reason column (avail) folds instead
    widest = max((len("/".join(map(str, e.horizons))) for e in entries), default=1)
    table.add_column("H", no_wrap=True, min_width=widest)
    table.add_column("avail", overflow="fold", max_width=40)
    for e in entries:
        avail = "[green]yes[/green]" if e.available else f"[red]no[/red]: {e.reason}"
        cells = [e.name, "panel" if e.is_panel else "multi", e.freq or "-", *_shape_cells(e)]
        if verbose:
            cells.append(e.channels + (f"\n[dim]{e.notes}[/dim]" if e.notes else ""))
        L = "-" if e.input_len is None else str(e.input_len)
        cells += [e.split, L, "/".join(str(h) for h in e.horizons), avail]
        table.add_row(*cells)
    return table


@app.command()
def datasets(
    verbose: bool = typer.Option(False, "--verbose", "-v", help="Also show each dataset's loader notes."),
    json_out: bool = typer.Option(False, "--json", help="Print the catalogue as JSON instead of a table."),
) -> None:
    """List the dataset catalogue: kind (multichannel or panel), frequency, shape, default split / input length /
    horizons, availability."""
    entries = list_datasets()
    if json_out:
        import json

        console.print_json(json.dumps([e.as_dict() for e in entries]))
        return
    console.print(datasets_table(entries, verbose=verbose))
    missing = [e for e in entries if not e.available]
    if missing:
        console.print(
            f"[yellow]{len(missing)} dataset(s) not available here; set TSFORGE_DATA_DIR to the folder with the files.[/yellow]"
        )
