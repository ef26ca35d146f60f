"""What a Python caller is told while a recommender is built on first use: a warning before the
build and a bar during it.

Why a module of its own: both the quick recommender (:func:`recommender.api.recommend`) and the
per-series router (:func:`recommender.series_recommendation.recommend_series`) may be built the
first time they are asked for, for minutes, and both must say so the same way; ``recommender.api``
imports ``series_recommendation``, so the shared code cannot live in either of them.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from tsforge.errors import FirstUseBuildWarning

__all__ = ["Progress", "first_use_bar", "warn_first_use"]

Progress = Callable[[str, int, int], None]


def warn_first_use(python: str, cli: str, *, stacklevel: int) -> None:
    """Issue a :class:`~tsforge.errors.FirstUseBuildWarning` worded ``python`` (the build named
    as a Python function), with ``cli`` (the same sentence naming the command) as its CLI words.

    ``stacklevel`` counts as :func:`warnings.warn`'s would in the function calling this one (1:
    that function's line), so that the warning points at the line that called the public
    function, not into the library."""
    warnings.warn(FirstUseBuildWarning(python, cli), stacklevel=stacklevel + 1)


@contextmanager
def first_use_bar(progress: Progress | bool | None, description: str) -> Iterator[Progress | None]:
    """The ``progress`` callback for a first-use build: ``progress`` itself when it is one, none
    for ``None``/``False``, and for ``True`` tsforge's own bar on stderr named ``description``
    (:func:`tsforge.progress.callback_bar`, the tqdm bar training and cross-validation show).

    Why a default bar: ``train_panel`` and the cross-validation show a bar unless told not to,
    and a recommender's build, the longest wait of a first recommendation, showed nothing.
    """
    if progress is None or progress is False:
        yield None
        return
    if progress is not True:
        yield progress
        return
    from tsforge.progress import callback_bar

    with callback_bar(description, leave=False, quiet_start=True) as bar:
        assert bar is not None  # enabled

        def update(step: str, done: int, total: int) -> None:
            bar(done, total, step)

        yield update
