"""Off a terminal, a bar redraws at most every :data:`tsforge.progress.LOG_INTERVAL` seconds,
as the README's CLI tour says ("print a line at most every 30 s").

Found by a README walk: a ``make demo`` log and a script's log got a redraw every 12-17 s.
``mininterval`` was set, but tqdm's monitor thread also forces a redraw of a bar whose last print
is older than ``maxinterval`` (10 s by default), whatever ``mininterval`` says.
"""

from __future__ import annotations

import io
import sys

import tsforge.progress as progress


def test_a_bar_in_a_log_is_not_redrawn_by_tqdms_monitor_before_the_log_interval(monkeypatch):
    monkeypatch.setattr(sys.stderr, "isatty", lambda: False, raising=False)
    bar = progress.ProgressBar(total=10, file=io.StringIO(), **progress.bar_options())
    try:
        assert bar.mininterval == progress.LOG_INTERVAL
        assert bar.maxinterval >= progress.LOG_INTERVAL
    finally:
        bar.close()


def test_on_a_terminal_the_bar_keeps_tqdms_own_intervals(monkeypatch):
    monkeypatch.setattr(progress, "interactive", lambda: True)
    assert progress.bar_options() == {}
