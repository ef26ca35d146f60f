"""``--engine`` / ``--ray-address``: the options every command with per-series work shares."""

from __future__ import annotations

from typing import Annotated

import typer

from tsforge.engine import Engine, RayEngine, get_engine

__all__ = ["EngineOption", "RayAddressOption", "engine_from_options"]

EngineOption = Annotated[
    str | None,
    typer.Option(
        "--engine",
        help="Where per-series work runs: local (this process / --n-jobs processes) or ray "
        "(default: $TSFORGE_ENGINE, else local).",
    ),
]
RayAddressOption = Annotated[
    str | None,
    typer.Option(
        "--ray-address",
        help="Ray cluster to join with --engine ray (default: $RAY_ADDRESS, else a local Ray instance).",
    ),
]


def engine_from_options(engine: str | None, ray_address: str | None, n_jobs: int) -> Engine:
    """The engine the command's options ask for (a bad name or combination is a one-line error).

    A Ray engine also reports its start-up on stderr when it connects (``ray local x2 started in
    9.8 s``): starting a local instance costs seconds, and without the line that cost showed up
    only as an unexplained difference in wall time between ``--engine local`` and ``ray``.
    """
    chosen = get_engine(engine, n_jobs=n_jobs, address=ray_address)
    if isinstance(chosen, RayEngine) and chosen.on_connect is None:
        chosen.on_connect = _report_startup
    return chosen


def _report_startup(note: str) -> None:
    from tsforge.cli.app import err_console

    err_console.print(f"[dim]{note}[/]")
