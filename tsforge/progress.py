"""Progress-bar settings shared by the long loops (training epochs, per-series work).

On a terminal a bar redraws several times a second. Written to a file or a CI log (stderr is not
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
    """True when progress goes to a terminal (bars draw to stderr)."""
    stream = sys.stderr
    return bool(getattr(stream, "isatty", None) and stream.isatty())


def bar_options() -> dict[str, Any]:
    """Extra ``tqdm`` keyword arguments: none on a terminal, a long redraw interval in a log."""
    return {} if interactive() else {"mininterval": LOG_INTERVAL}
