"""``--model`` / ``--input`` / ``--horizon``, declared once where commands mean the same by them.

``evaluate`` and ``forecast`` name a trained model alike (registry reference or saved folder);
``train`` and ``tune`` take the task's input length and horizon alike. The commands whose
``--horizon`` or ``--model`` says something else (``forecast``: steps ahead; ``cv``: steps per
window and a list of models; ``recommend``) keep their own declaration and help.
"""

from __future__ import annotations

from typing import Annotated

import typer

__all__ = ["TrainedModelOption", "InputLengthOption", "HorizonOption"]

TrainedModelOption = Annotated[
    str,
    typer.Option(
        "--model", "-m", help="name (@champion, else newest), name@alias, name/version or a folder."
    ),
]
InputLengthOption = Annotated[
    int | None, typer.Option("--input", "-L", help="Input length (default: catalogue).")
]
HorizonOption = Annotated[int | None, typer.Option("--horizon", "-H", help="Horizon (default: catalogue).")]
