"""The demo's memorability caption advises no flag the demo has.

Why: ``make demo`` profiles 96-step windows, too short for the Hurst exponent, and the caption
under its table said "give --window 100 or more": a flag of ``tsforge profile``, which the demo
neither runs nor takes.
"""

from __future__ import annotations

import io
from importlib import import_module
from types import SimpleNamespace
from typing import Any

import pytest
from rich.console import Console

from tsforge.cli.profile import render_summary


class _Stop(Exception):
    """Raised where the recommender is first asked for a score: the profile has been shown."""


def _unscored(*args: Any, **kwargs: Any) -> Any:
    def stop(*a: Any, **k: Any) -> Any:
        raise _Stop

    return SimpleNamespace(scores=stop, rank=stop, candidates=[], mode="per_model", meta={})


def test_the_demo_profile_caption_names_no_window_flag(monkeypatch, tmp_path):
    monkeypatch.setattr(import_module("recommender.api"), "default_recommender", _unscored)
    monkeypatch.setattr(
        import_module("tsforge.tracking"), "configure_tracking", lambda *a, **k: "sqlite:///x.db"
    )
    monkeypatch.chdir(tmp_path)
    out = io.StringIO()
    with pytest.raises(_Stop):
        import_module("tsforge.cli.demo").run_demo(console=Console(file=out, width=200))
    printed = " ".join(out.getvalue().split())
    assert "memorability: not measured" in printed, printed[-3000:]
    assert "--window" not in printed, printed[-3000:]


def test_tsforge_profile_still_advises_its_window_flag():
    summary = {"name": "d", "n_windows": 4, "window": 96, "n_channels": 1, "method": "fast"}
    summary["n_windows_without_hurst"] = 4
    from recommender.properties.buckets import BUCKETS

    summary["buckets"] = {n: dict.fromkeys(spec.labels, 0.0) for n, spec in BUCKETS.items()}
    summary["properties"] = {}
    table, _ = render_summary(summary)
    assert "give --window 100 or more" in str(table.caption)
    table, _ = render_summary(summary, window_option=False)
    assert "memorability: not measured" in str(table.caption) and "--window" not in str(table.caption)
