"""Fixtures of the CLI tests."""

from __future__ import annotations

import pytest


@pytest.fixture
def drawn(monkeypatch: pytest.MonkeyPatch) -> list[list[dict]]:
    """The items ``tsforge forecast --plot`` hands to the drawing function, one list a plot (the
    PNG itself is checked in the CLI tests)."""
    seen: list[list[dict]] = []

    def capture(items, path, *, title):
        seen.append(items)
        return path

    monkeypatch.setattr("tsforge.tracking.plots.plot_series_forecasts", capture)
    return seen
