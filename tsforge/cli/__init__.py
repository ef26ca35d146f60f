"""Command-line interface: ``tsforge <command>``. One module per command group."""

# Importing a command module registers its commands on ``app``.
from tsforge.cli import (
    core,  # noqa: E402,F401
    cv,  # noqa: E402,F401
    datasets,  # noqa: E402,F401
    profile,  # noqa: E402,F401
    recommend,  # noqa: E402,F401
    serve,  # noqa: E402,F401
    tune,  # noqa: E402,F401
)
from tsforge.cli.app import app, main

__all__ = ["app", "main"]
