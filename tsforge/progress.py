"""Progress-bar settings shared by the long loops (training epochs, per-series work).

On a terminal (or in a notebook) a bar redraws several times a second. Written to a file or a CI log (stderr is not
a terminal), every redraw is kept: a ten-epoch training left hundreds of carriage-return
fragments in one line of the log. There the bars redraw at most every :data:`LOG_INTERVAL`
seconds, and the training loop drops its per-batch bar (the one-line epoch summaries stay).
"""

from __future__ import annotations

import sys
from typing import Any

__all__ = ["LOG_INTERVAL", "interactive", "bar_options"]

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


def bar_options() -> dict[str, Any]:
    """Extra ``tqdm`` keyword arguments: none on a terminal, a long redraw interval in a log."""
    return {} if interactive() else {"mininterval": LOG_INTERVAL}
