"""``ProgressBar``: a signal that lands while a bar is being made leaves no traceback behind."""

from __future__ import annotations

import gc
import sys

import pytest
from tqdm.auto import tqdm

from tsforge.progress import ProgressBar


def _unraisable_after_interrupted_construction(cls: type, monkeypatch) -> list[BaseException]:
    """Make a ``cls`` bar whose ``__init__`` is cut short where a Ctrl-C can land (tqdm taking
    a screen position for it), drop it, and return what Python could not raise from its
    ``__del__`` (what it prints as "Exception ignored in ... Traceback")."""

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(tqdm, "_get_free_pos", classmethod(interrupted))
    seen: list[BaseException] = []
    monkeypatch.setattr(sys, "unraisablehook", lambda u: seen.append(u.exc_value))
    with pytest.raises(KeyboardInterrupt):
        cls(total=10, file=sys.stderr)
    gc.collect()
    return seen


def test_plain_tqdm_prints_a_traceback_when_interrupted_mid_construction(monkeypatch):
    """The stand-in for the signal is realistic: tqdm's own bar fails in ``__del__``."""
    seen = _unraisable_after_interrupted_construction(tqdm, monkeypatch)
    assert [type(e) for e in seen] == [AttributeError]


def test_a_progress_bar_interrupted_mid_construction_is_dropped_quietly(monkeypatch):
    """A SIGTERM during a training epoch's new bar printed tqdm's `no attribute 'pos'`
    traceback under the CLI's exit (seen in the signal test of tests/tsforge/cli)."""
    assert _unraisable_after_interrupted_construction(ProgressBar, monkeypatch) == []


def test_a_progress_bar_still_counts_and_closes(capsys):
    with ProgressBar(total=3, desc="work", file=sys.stderr) as bar:
        bar.update(3)
    assert "work" in capsys.readouterr().err
