"""The notes of training a routed ensemble, said as that training's (``recommend --per-series --train``).

Why: training one printed its notes (the ensemble's interval calibration, a member's fallbacks)
before the picks table with no word of which model they were about. They are now framed
"training the routed model 'r1': …". A trained routed model's *forecast* notes are not framed
here: the model frames its members' notes itself
(:meth:`recommender.routed.RoutedPredictor.member_frame`), so the Python API, the MLflow pyfunc
and the service say them as ``tsforge forecast`` does (a wrapper here reached the CLI only).
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from contextlib import contextmanager

from tsforge.errors import TsforgeWarning

__all__ = ["framed_notes"]


@contextmanager
def framed_notes(frame: str) -> Iterator[None]:
    """Re-issue the tsforge notes raised inside as ``"{frame}: {note}"`` (the same warning class,
    its CLI wording framed too); other warnings pass as they were raised."""
    try:
        with warnings.catch_warnings(record=True) as caught:
            # tsforge's every time (the CLI prints each text once); the others as filtered outside
            # (MLflow's hints stay silenced), so a recorded one is one that would have been shown
            warnings.simplefilter("always", TsforgeWarning)
            yield
    finally:  # also when the work inside fails: its notes may say why
        for w in caught:
            if issubclass(w.category, TsforgeWarning):
                warnings.warn(_framed_warning(w.message, w.category, frame), stacklevel=3)
            else:
                warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)


def _framed_warning(message: Warning | str, category: type[Warning], frame: str) -> Warning:
    """``message`` as the same kind of warning, its text (and its CLI wording) after ``frame``."""
    text = f"{frame}: {message}"
    try:
        framed = category(text)
    except TypeError:  # a warning class whose constructor takes other arguments
        framed = TsforgeWarning(text)
    cli = getattr(message, "cli_message", None)
    if cli:
        framed.cli_message = f"{frame}: {cli}"  # type: ignore[attr-defined]
    return framed
