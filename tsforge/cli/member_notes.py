"""A routed ensemble's member notes, said as its members' (``tsforge forecast`` / ``evaluate``).

Why: the routed model of ``tsforge recommend DATA --per-series --train`` forecasts each series
with some of its members, and a member's own ``note:`` reached the terminal as if the user had
asked for that model: forecasting with ``h-routed`` printed "1 of 20 series were too short for
seasonal_naive …", a model the user never named, with no word that it is one of the ensemble's
members or which series its forecasts went into. Each such note is now framed: "routed model
'h-routed', member seasonal_naive (weighted into the forecast of 20 series: s00, …): …". The notes
of training one (``recommend --per-series --train``) are framed as that training's.
"""

from __future__ import annotations

import functools
import warnings
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any

from tsforge.errors import TsforgeWarning

__all__ = ["frame_member_notes", "framed_notes"]

#: series ids named in a frame; more are counted
_NAMED_IDS = 5


def frame_member_notes(predictor: Any, model: str) -> None:
    """Make each member of ``predictor`` (one with a ``members`` mapping: the routed ensemble)
    issue its tsforge notes prefixed by what they concern; other predictors are left as they are.
    ``model``: the ensemble as the user named it (``--model``), not its internal model name
    (``routed-weights``)."""
    members = getattr(predictor, "members", None)
    if not isinstance(members, Mapping):
        return
    for name, member in members.items():
        member.predict_series = _framed(member.predict_series, model, str(name))


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


def _framed(predict: Callable[..., Any], model: str, member: str) -> Callable[..., Any]:
    @functools.wraps(predict)
    def predict_series(series: Sequence[Any], *args: Any, **kwargs: Any) -> Any:
        with framed_notes(_frame(model, member, [str(getattr(s, "id", "?")) for s in series])):
            return predict(series, *args, **kwargs)

    return predict_series


def _frame(model: str, member: str, ids: list[str]) -> str:
    """``routed model 'r', member naive (weighted into the forecast of 3 series: a, b, c)``."""
    shown = ", ".join(ids[:_NAMED_IDS]) + (
        f" and {len(ids) - _NAMED_IDS} more" if len(ids) > _NAMED_IDS else ""
    )
    which = "1 series" if len(ids) == 1 else f"{len(ids)} series"
    return f"routed model {model!r}, member {member} (weighted into the forecast of {which}: {shown})"


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
