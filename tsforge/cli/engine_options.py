"""``--engine`` / ``--ray-address``: the options every command with per-series work shares."""

from __future__ import annotations

from typing import Annotated

import typer

from tsforge.engine import Engine, get_engine

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
    """The engine the command's options ask for (a bad name or combination is a one-line error)."""
    return get_engine(engine, n_jobs=n_jobs, address=ray_address)
