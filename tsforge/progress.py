"""Progress-bar settings shared by the long loops (training epochs, per-series work).

On a terminal (or in a notebook) a bar redraws several times a second. Written to a file or a CI log (stderr is not
a terminal), every redraw is kept: a ten-epoch training left hundreds of carriage-return
fragments in one line of the log. There the bars redraw at most every :data:`LOG_INTERVAL`
seconds; the bars over short pieces of work (one training epoch, one phase of a recommendation)
also wait that long before their first line, so a log shows them only where the work is long
(an epoch over a 1M-row series printed nothing for 7 minutes when the log had no batch bar).

Every bar is a :class:`ProgressBar` (tqdm) with :func:`bar_options`: the training loop,
cross-validation, local fits, and, through :func:`callback_bar`, the library functions that
report ``progress(done, total)`` (``profile``, ``recommend``).
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from tqdm.auto import tqdm

__all__ = ["LOG_INTERVAL", "interactive", "bar_options", "callback_bar", "CallbackBar", "ProgressBar"]

#: seconds between two redraws of a bar written to a log
LOG_INTERVAL = 30.0


def interactive() -> bool:
    """True when someone watches the bars live: stderr is a terminal, or this is a notebook
    (Jupyter's stderr is no terminal, but ``tqdm.auto`` draws a widget there)."""
    stream = sys.stderr
    if getattr(stream, "isatty", None) and stream.isatty():
        return True
    return _in_notebook()


def _in_notebook() -> bool:
    ipython = sys.modules.get("IPython")  # only loaded when running under IPython
    shell = ipython.get_ipython() if ipython is not None and hasattr(ipython, "get_ipython") else None
    return type(shell).__name__ == "ZMQInteractiveShell"


class ProgressBar(tqdm):
    """tqdm's bar (a notebook widget in a notebook), safe to interrupt while it is being made.

    Why: a Ctrl-C or SIGTERM that lands inside tqdm's ``__init__`` (a training epoch opens a new
    bar) leaves a half-made bar; its ``__del__`` then fails on the attributes ``__init__`` never
    set (``'tqdm' object has no attribute 'pos'``), and Python printed that traceback under the
    CLI's one-line "interrupted". A half-made bar has drawn nothing and holds nothing to close.
    """

    def __del__(self) -> None:
        try:
            super().__del__()
        except AttributeError:  # construction cut short: nothing was drawn or registered
            pass


def bar_options(*, quiet_start: bool = False) -> dict[str, Any]:
    """Extra ``tqdm`` keyword arguments: none on a terminal, a long redraw interval in a log.

    ``quiet_start``: in a log, also print nothing before :data:`LOG_INTERVAL` seconds (tqdm's
    ``delay``). For bars that often cover a few seconds of work: there they would leave a 0 %
    fragment and a cleared line per bar, and nothing else.
    """
    if interactive():
        return {}
    # maxinterval too: tqdm's monitor thread redraws a bar whose last line is older than it (10 s
    # by default), so a log got a line every 12-17 s where this module promises LOG_INTERVAL
    interval = {"mininterval": LOG_INTERVAL, "maxinterval": max(LOG_INTERVAL, 10.0)}
    return {**interval, **({"delay": LOG_INTERVAL} if quiet_start else {})}


class CallbackBar:
    """A tqdm bar fed by ``progress(done, total)`` callbacks from library code.

    Why not rich's live bar, as before: rich draws nothing on a stderr that is no terminal, so
    a 9-minute profile left a log empty; tqdm with :func:`bar_options` prints a line there every
    :data:`LOG_INTERVAL` seconds, as the training and cross-validation bars do.

    ``leave=False`` clears the bar on a terminal; in a log a bar always ends its line with its
    last state (clearing there writes spaces and a carriage return, and the next line, such as a
    one-line error, would follow them on the same line).

    A recommendation names each step (``validating theta``, 3 of 7): the description changes on
    one bar, and a count that starts again opens a new bar for the next phase.
    """

    def __init__(
        self,
        desc: str,
        *,
        unit: str = "it",
        leave: bool = True,
        quiet_start: bool = False,
        lazy: bool = False,
    ) -> None:
        self.desc = desc
        self.unit = unit
        self.leave = leave
        self.quiet_start = quiet_start
        self.lazy = lazy
        self._bar: Any = None

    def open(self, description: str | None = None, total: int | None = None) -> None:
        """Start a bar (closing the current one) named ``description`` (default: ``desc``)."""
        self.close()
        self._bar = ProgressBar(
            total=total,
            desc=description or self.desc,
            unit=self.unit,
            leave=self.leave or not interactive(),  # in a log, a cleared bar is blank bytes mid-line
            dynamic_ncols=True,
            **bar_options(quiet_start=self.quiet_start),
        )

    def __call__(self, done: int, total: int | None, description: str | None = None) -> None:
        """Move the bar to ``done`` of ``total`` under ``description`` (a redraw at most as
        often as tqdm allows). A count that goes back starts a new bar: a new phase. A ``lazy``
        bar opens at its first call with work to count: a total of 0 before then draws nothing."""
        if self.lazy and self._bar is None and total == 0:
            return
        if self._bar is None or done < self._bar.n:
            self.open(description, total)
        bar = self._bar
        if description is not None and description != bar.desc:
            bar.set_description_str(description, refresh=False)  # shown at the next redraw
        if total != bar.total:
            bar.total = total
        bar.update(done - bar.n)

    @property
    def total(self) -> int | None:
        """The open bar's total (``None``: no bar open, or no total known)."""
        return None if self._bar is None else self._bar.total

    def close(self) -> None:
        """Close the current bar (its last state stays where ``leave``)."""
        if self._bar is not None:
            self._bar.close()
            self._bar = None


@contextmanager
def callback_bar(
    desc: str,
    *,
    unit: str = "it",
    leave: bool = True,
    quiet_start: bool = False,
    enabled: bool = True,
    lazy: bool = False,
) -> Iterator[CallbackBar | None]:
    """A :class:`CallbackBar` opened at once and closed on the way out (``None`` when not
    ``enabled``, for library functions whose ``progress`` may be ``None``).

    ``lazy``: opened by the first call with work to count instead. Why: a bar opened before the
    work knows no total (``profiling: 0series [00:00, ?series/s]``), may be drawn before an engine
    has started (``--engine ray``), and with nothing to do (a routed forecast of one 8-value
    series) it drew a step of work that was never done."""
    if not enabled:
        yield None
        return
    bar = CallbackBar(desc, unit=unit, leave=leave, quiet_start=quiet_start, lazy=lazy)
    if not lazy:
        bar.open()
    try:
        yield bar
    finally:
        bar.close()
