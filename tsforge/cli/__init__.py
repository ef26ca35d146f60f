"""Command-line interface: ``tsforge <command>``. One module per command group."""

from tsforge.cli.app import app, main

# Importing a command module registers its commands on ``app``.
from tsforge.cli import core  # noqa: E402,F401
from tsforge.cli import datasets  # noqa: E402,F401

__all__ = ["app", "main"]
