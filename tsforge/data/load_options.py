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
) -> dict[str, Any]:
    """``load_kwargs`` with the reader's ``options`` that ``caller`` was given as keywords.

    A name ``caller`` does not take is a :class:`TypeError`, as Python says it for any other
    keyword (``**options`` would otherwise carry a typo into the reader). An option given both
    ways with different values is a :class:`~tsforge.errors.ConfigError` naming both: which one
    was meant cannot be guessed; the same value twice is no conflict.
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
    return merged


def _same(a: Any, b: Any) -> bool:
    """Whether two values of one reader option mean the same: a list and a tuple of the same
    names do (``value_cols``), and arrays compare element-wise, never raising numpy's "truth
    value of an array is ambiguous" (nor ``len()`` of a 0-d array): whatever cannot be compared
    is not the same."""
    try:
        return bool(np.array_equal(np.asarray(a, dtype=object), np.asarray(b, dtype=object)))
    except (TypeError, ValueError):
        return False
