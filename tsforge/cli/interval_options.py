"""``--interval-method conformal|native``: how a panel model's prediction intervals are made, one
flag with one meaning in ``train`` and ``cv``.

Why one name: ``cv --intervals native`` chose the method while ``train --intervals/--no-intervals``
switched the calibration on or off, so the same flag took a word in one command and no value in
the other, and ``train --intervals native`` was answered "Got unexpected extra argument". Both
commands choose between the same two things — intervals calibrated on rolling-origin windows
(conformal) or the model's own (native) — so they take the same ``--interval-method``, as the
Python API's ``interval_method`` does. The old spellings still work, hidden from ``--help``, with
a ``note:`` naming the new one.
"""

from __future__ import annotations

from typing import Annotated

import typer

from tsforge.cli.app import print_note
from tsforge.errors import ConfigError

__all__ = [
    "INTERVAL_METHODS",
    "TrainIntervalMethodOption",
    "CvIntervalMethodOption",
    "OldTrainIntervalsOption",
    "OldCvIntervalsOption",
    "interval_method",
]

INTERVAL_METHODS = ("conformal", "native")

TrainIntervalMethodOption = Annotated[
    str | None,
    typer.Option(
        "--interval-method",
        help="Panels: conformal (the default: intervals calibrated on rolling-origin windows of the "
        "history and stored with the model; extra fits of a local model on a panel of few series) or "
        "native (no calibration: --level is answered by the model's own intervals where it has them — "
        "ETS, ARIMA, Theta, ... — else refused).",
        show_default=False,
    ),
]
CvIntervalMethodOption = Annotated[
    str | None,
    typer.Option(
        "--interval-method",
        help="With --level: conformal (the default: each window calibrated on the windows before it; "
        "the first has none) or native (the model's own intervals, statsforecast models only).",
        show_default=False,
    ),
]
#: ``train``'s spelling before ``--interval-method``: --no-intervals meant native
OldTrainIntervalsOption = Annotated[
    bool | None, typer.Option("--intervals/--no-intervals", hidden=True, show_default=False)
]
#: ``cv``'s spelling before ``--interval-method``: the same two words
OldCvIntervalsOption = Annotated[str | None, typer.Option("--intervals", hidden=True, show_default=False)]


def interval_method(method: str | None, old: bool | str | None) -> str:
    """The method asked for: ``--interval-method``, else the old ``--intervals`` (``True`` /
    ``False`` from ``train``'s ``--intervals/--no-intervals``, a word from ``cv``'s) with a
    ``note:`` naming the new flag, else ``conformal``. Refuses a word that is neither method, and
    the two flags saying different things."""
    if method is not None:
        method = _checked(method, "--interval-method")
    if old is None:
        return method or "conformal"
    if isinstance(old, bool):
        was, meant = ("--intervals", "conformal") if old else ("--no-intervals", "native")
    else:
        was, meant = f"--intervals {old}", _checked(old, "--intervals")
    if method is not None and method != meant:
        raise ConfigError(
            f"{was} and --interval-method {method} disagree: give --interval-method alone",
            field="interval_method",
        )
    print_note(f"{was} is now --interval-method {meant} (the old spelling still works, for now)")
    return meant


def _checked(word: str, flag: str) -> str:
    method = word.strip().lower()
    if method not in INTERVAL_METHODS:
        raise ConfigError(
            f"{flag} must be conformal or native, got {word!r}", field=flag.lstrip("-").replace("-", "_")
        )
    return method
