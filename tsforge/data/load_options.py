"""The reader's options as keywords of the entry points that read a file for the user.

Why: the reader's refusals advise its options in Python's words (``fill_gaps=True``,
``freq=...``, ``time_col='month'``), and ``load_panel(..., fill_gaps=True)`` takes them so; but
``train_panel("panel.csv", "auto_ets", fill_gaps=True)``, following that advice, raised
``TypeError: unexpected keyword argument 'fill_gaps'`` — the option had to go inside
``load_kwargs={"fill_gaps": True}``. An entry point that reads a file (``train_panel``,
``evaluate_panel_model``, ``train``, ``recommend``, ``recommend_series``) takes these keywords
itself and merges them into its ``load_kwargs`` with :func:`merged_load_kwargs`, so the advice
works where it is raised; ``load_kwargs`` keeps working as before.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Literal, TypedDict

import numpy as np

from tsforge.errors import ConfigError

__all__ = ["LoadOptions", "PanelLoadOptions", "LOAD_OPTIONS", "PANEL_LOAD_OPTIONS", "merged_load_kwargs"]


class LoadOptions(TypedDict, total=False):
    """The options of :func:`tsforge.data.load.load` that its messages advise by name."""

    layout: Literal["auto", "long", "wide"]
    id_col: str
    time_col: str | None
    target_col: str
    value_cols: Sequence[str] | None
    freq: str | None
    fill_gaps: bool
    time_format: str | None


class PanelLoadOptions(LoadOptions, total=False):
    """:class:`LoadOptions` and the panel reader's own (:func:`tsforge.data.load.load_panel`)."""

    drop_too_few: bool


#: the keyword names each reader takes this way
LOAD_OPTIONS: frozenset[str] = frozenset(LoadOptions.__annotations__)
PANEL_LOAD_OPTIONS: frozenset[str] = LOAD_OPTIONS | frozenset(PanelLoadOptions.__annotations__)


def merged_load_kwargs(
    load_kwargs: Mapping[str, Any] | None,
    options: Mapping[str, Any],
    *,
    accepted: frozenset[str],
    caller: str,
    drop_short: bool = False,
) -> dict[str, Any]:
    """``load_kwargs`` with the reader's ``options`` that ``caller`` was given as keywords.

    A name ``caller`` does not take is a :class:`TypeError`, as Python says it for any other
    keyword (``**options`` would otherwise carry a typo into the reader). An option given both
    ways with different values is a :class:`~tsforge.errors.ConfigError` naming both: which one
    was meant cannot be guessed; the same value twice is no conflict.

    ``drop_short``: the caller's own ``drop_short=True`` (leave out the series too short for
    the holdout), which also leaves out, with the reader's note, a series with fewer than two
    values (``drop_too_few=True``): such a series is too short for any holdout, but the reader
    refuses it before the holdout is drawn. Why here: the command line's ``--drop-short`` added
    ``drop_too_few`` itself while ``drop_short=True`` in Python did not, so the README's "it also
    leaves out a series with fewer than two values" held for one door only; every entry point
    with ``drop_short`` merges its reader options here, so both doors take one path.
    ``drop_too_few=False`` given beside it is a :class:`~tsforge.errors.ConfigError`.
    """
    unknown = sorted(set(options) - accepted)
    if unknown:
        raise TypeError(f"{caller}() got an unexpected keyword argument {unknown[0]!r}")
    merged = dict(load_kwargs or {})
    for key, value in options.items():
        if key in merged and not _same(merged[key], value):
            raise ConfigError(
                f"{key} is given twice with different values: {key}={value!r} and "
                f"load_kwargs={{{key!r}: {merged[key]!r}}}; give it once",
                field=key,
            )
        merged[key] = value
    return _too_few_left_out(merged) if drop_short else merged


def _too_few_left_out(load_kwargs: dict[str, Any]) -> dict[str, Any]:
    """``load_kwargs`` with ``drop_too_few=True`` (see :func:`merged_load_kwargs`'s
    ``drop_short``); a ``drop_too_few`` given false contradicts ``drop_short=True``."""
    if "drop_too_few" in load_kwargs and not load_kwargs["drop_too_few"]:
        raise ConfigError(
            "drop_short=True leaves out the series with fewer than two values as well; "
            "drop_too_few=False contradicts it: give one of them",
            field="drop_too_few",
        )
    return {**load_kwargs, "drop_too_few": True}


def _same(a: Any, b: Any) -> bool:
    """Whether two values of one reader option mean the same: a list and a tuple of the same
    names do (``value_cols``), and arrays compare element-wise, never raising numpy's "truth
    value of an array is ambiguous" (nor ``len()`` of a 0-d array): whatever cannot be compared
    is not the same."""
    try:
        return bool(np.array_equal(np.asarray(a, dtype=object), np.asarray(b, dtype=object)))
    except (TypeError, ValueError):
        return False
