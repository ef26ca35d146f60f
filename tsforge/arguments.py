"""Checks of the Python API's plain arguments (a horizon, a count, a seed, a list of levels).

Why one place: ``int(2.5)`` is 2 and ``int("abc")`` a bare ``ValueError``, so an entry point
that coerced its counts answered a horizon of 2.5 with two steps and a typo with a traceback;
every entry point checks its counts here first and raises a :class:`~tsforge.errors.ConfigError`
naming the argument. (Whether an argument is a panel is asked of
:func:`tsforge.data.panel.require_panel`.)
"""

from __future__ import annotations

import math
import numbers
from typing import Any

from tsforge.errors import ConfigError

__all__ = ["model_name", "whole_number", "number_list", "reads_as_float"]


def reads_as_float(text: str) -> bool:
    """Whether ``float`` reads ``text`` (``"80"``, ``" 0.5 "``, ``"1e3"``, ``"nan"``, ``"inf"``).

    Why here, in a module that imports nothing heavy: the command line's error boundary
    (:mod:`tsforge.cli.app`) asks it of raw arguments and should not import a data reader for it,
    and the ``.tsf`` reader asks it of a series' values; one definition keeps both agreeing on
    what a number is.
    """
    try:
        float(text)
    except ValueError:
        return False
    return True


def model_name(value: Any) -> str:
    """A model name as the registry keys it (stripped, lower case); anything but a string raises
    :class:`ConfigError` naming ``model``: ``None`` was read as the model "none"."""
    if not isinstance(value, str):
        raise ConfigError(f"model must be a model name (a string), got {value!r}", field="model")
    return value.strip().lower()


def whole_number(value: Any, field: str) -> int:
    """``value`` as an ``int`` when it is a whole number (an int, a float such as ``12.0`` or a
    string such as ``"12"``); anything else (``2.5``, ``True``, ``"abc"``, ``None``) raises
    :class:`ConfigError` naming ``field``. The range is the caller's to check."""
    if isinstance(value, bool):
        raise ConfigError(f"{field} must be a whole number, got {value!r}", field=field)
    if isinstance(value, numbers.Integral):
        return int(value)
    if isinstance(value, numbers.Real) and float(value).is_integer():
        return int(math.trunc(value))  # __trunc__ is what numbers.Real promises; __int__ is not
    if isinstance(value, str):
        text = value.strip()
        if text.lstrip("+-").isdigit():
            return int(text)
    raise ConfigError(f"{field} must be a whole number, got {value!r}", field=field)


def number_list(values: Any, field: str) -> list[float] | None:
    """``values`` (levels, quantiles) as a list of floats: a single number becomes a one-item
    list, ``None`` stays ``None``. A string, a non-iterable or an item that is not a finite number
    raises :class:`ConfigError` naming ``field``: ``level="80"`` was read as the levels 8 and 0,
    ``level=80`` failed with ``'int' object is not iterable``, and a NaN level gave NaN bands.
    The range is the caller's to check."""
    if values is None:
        return None
    if isinstance(values, numbers.Real) and not isinstance(values, bool):
        values = [values]
    if isinstance(values, (str, bytes)) or not hasattr(values, "__iter__"):
        raise ConfigError(f"{field} must be a number or a list of numbers, got {values!r}", field=field)
    out = list(values)
    for i, v in enumerate(out):
        if isinstance(v, bool) or not isinstance(v, numbers.Real) or not math.isfinite(float(v)):
            raise ConfigError(f"{field} must be finite numbers, got {v!r} at position {i}", field=field)
    return [float(v) for v in out]
