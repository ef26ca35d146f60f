"""``DATA`` / ``--dataset``: how every command that reads a dataset is told which one.

``tsforge profile DATA`` and ``tsforge recommend DATA`` take the data as their argument, so a
user naturally types ``tsforge train sales.csv`` next; the commands that historically took
``--dataset/-d`` (train, evaluate, cv, tune) accept both forms, and refuse to guess when given
two different sources or none.
"""

from __future__ import annotations

from typing import Annotated

import typer

from tsforge.errors import ConfigError

__all__ = ["DataArgument", "DatasetOption", "data_source"]

DataArgument = Annotated[
    str | None,
    typer.Argument(
        metavar="DATA",
        help="Catalogue name (see `tsforge datasets`) or CSV/Parquet file; or give it as --dataset.",
        show_default=False,
    ),
]
DatasetOption = Annotated[
    str | None,
    typer.Option("--dataset", "-d", help="The same as DATA, as an option.", show_default=False),
]


def data_source(positional: str | None, option: str | None, command: str) -> str:
    """The one data source of a command call, from its ``DATA`` argument or ``--dataset``.

    Raises:
        ConfigError: neither given, or both given with different values.
    """
    if positional and option and positional != option:
        raise ConfigError(
            f"two data sources given ({positional!r} and --dataset {option!r}); give one",
            field="dataset",
        )
    source = positional or option
    if not source:
        raise ConfigError(
            f"no data given: `tsforge {command} DATA`, where DATA is a catalogue name "
            "(see `tsforge datasets`) or a CSV/Parquet file",
            field="dataset",
        )
    return source
