"""``--model`` / ``--input`` / ``--horizon``, declared once where commands mean the same by them.

``evaluate`` and ``forecast`` name a trained model alike (registry reference or saved folder);
``train`` and ``tune`` take the task's input length and horizon alike. The commands whose
``--horizon`` or ``--model`` says something else (``forecast``: steps ahead; ``cv``: steps per
window and a list of models; ``recommend``) keep their own declaration and help.
"""

from __future__ import annotations

from typing import Annotated

import typer

from tsforge.errors import ConfigError

__all__ = ["TrainedModelOption", "InputLengthOption", "HorizonOption", "check_at_least_one"]

TrainedModelOption = Annotated[
    str,
    typer.Option(
        "--model", "-m", help="name (@champion, else newest), name@alias, name/version or a folder."
    ),
]
InputLengthOption = Annotated[
    int | None,
    typer.Option(
        "--input",
        "-L",
        help="Input window length, in steps (default: catalogue); the data is the command's argument.",
    ),
]
HorizonOption = Annotated[int | None, typer.Option("--horizon", "-H", help="Horizon (default: catalogue).")]


def check_at_least_one(**given: int | None) -> None:
    """Refuse a count option below 1 (``horizon=-2`` → ``--horizon``), before any data is read.

    Why: the pipelines refuse ``--horizon 0`` too, but only after reading the data: a file with
    a problem of its own answered ``tsforge cv my.csv -H 0`` with that problem, never the flag,
    and a large file was read in full first. ``None`` (not given) passes.
    """
    for name, value in given.items():
        if value is not None and value < 1:
            flag = "--" + name.replace("_", "-")
            raise ConfigError(f"{flag} must be at least 1, got {value}", field=name)
