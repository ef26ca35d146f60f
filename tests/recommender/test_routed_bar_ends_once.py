"""``tsforge recommend DATA --per-series --train``: the training bar fills when its work is done,
and its last line is printed once, before the notes made while it ran.

Why: the walk of session 69 saw "scoring and logging to MLflow: 100% 9/9" at 31 s, then 10 s of
scoring and MLflow logging, a note, and the same bar printed again at 100 % (41 s): the bar was
full at the start of its last step, and the note made during that step, printed on the bar's
line, had the bar drawn a second time below it.
"""

from __future__ import annotations

import warnings

import pytest

import recommender.routed_training as routed_training
import tsforge.progress as progress_module
from tests.conftest import run_cli
from tsforge.errors import TsforgeWarning

NOTE = "a note made while the run was logged"


@pytest.mark.slow
def test_the_bar_fills_after_the_last_step_and_its_last_line_is_printed_once(
    capsys, monkeypatch, halves_csv, saved_router, tracking_uri
):
    events: list[object] = []  # the bar's ticks (done, total) and the end of the MLflow logging
    # stderr as a log (the bar's last state stays, not cleared) with every tick drawn at once
    monkeypatch.setattr(progress_module, "interactive", lambda: False)
    monkeypatch.setattr(progress_module, "bar_options", lambda **kwargs: {"mininterval": 0, "miniters": 1})
    real_tick, real_track = progress_module.CallbackBar.__call__, routed_training._track

    def tick(self, done, total, description=None):
        events.append((done, total))
        return real_tick(self, done, total, description)

    def track(*args, **kwargs):
        # as the calibration's note on too few scores was made, after the last tick
        warnings.warn(TsforgeWarning(NOTE), stacklevel=1)
        out = real_track(*args, **kwargs)
        events.append("logged")
        return out

    monkeypatch.setattr(progress_module.CallbackBar, "__call__", tick)
    monkeypatch.setattr(routed_training, "_track", track)
    code, _, err = run_cli(capsys, "recommend", halves_csv, "--horizon", "6", "--per-series", "--train")
    assert code == 0, err

    full = [i for i, e in enumerate(events) if isinstance(e, tuple) and e[0] == e[1]]
    assert full, events
    assert events.index("logged") < full[0], events  # full only once the logging is done
    lines = err.split("\n")
    drawn_full = [i for i, line in enumerate(lines) if "logging to MLflow" in line and "100%" in line]
    assert len(drawn_full) == 1, err  # its last state on one line (redraws there are "\r")
    said = [i for i, line in enumerate(lines) if NOTE in line]
    assert len(said) == 1 and said[0] > drawn_full[0], err  # the note on a line of its own, after
    assert "100%" not in lines[said[0]], err
