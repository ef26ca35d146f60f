"""``tsforge recommend --per-series`` on an 80-column terminal: the "why" sentences are printed
whole below the tables, not folded into a column a few characters wide (one broken word per
line), and a wide terminal keeps them in the table."""

from __future__ import annotations

import json

import pytest

from tests.conftest import run_cli as _cli


@pytest.fixture
def console_width(monkeypatch):
    from tsforge.cli.app import console

    def set_width(width: int) -> None:
        monkeypatch.setattr(console, "width", width)

    return set_width


def _whys(capsys, halves_csv) -> tuple[list[str], list[str]]:
    code, out, err = _cli(capsys, "recommend", halves_csv, "--horizon", "6", "--per-series", "--json")
    assert code == 0, err
    payload = json.loads(out)
    return list(payload["collection"]["explanations"].values()), [s["explanation"] for s in payload["series"]]


def test_a_narrow_terminal_prints_every_why_whole(capsys, halves_csv, saved_router, console_width):
    picks, series = _whys(capsys, halves_csv)
    console_width(80)
    code, out, err = _cli(capsys, "recommend", halves_csv, "--horizon", "6", "--per-series")
    assert code == 0, err
    flat = " ".join(out.split())
    assert picks and all(" ".join(why.split()) in flat for why in picks)
    # the series table shows the ten series with the largest gain; each of their whys is whole
    shown = [why for why in series if " ".join(why.split()) in flat]
    assert len(shown) >= min(10, len(series)) - 2
    assert "┃ why" not in out
    table_lines = [line for line in out.splitlines() if line[:1] in "┏┃┡│└"]
    assert table_lines and max(map(len, table_lines)) <= 80


def test_a_wide_terminal_keeps_the_why_column(capsys, halves_csv, saved_router, console_width):
    console_width(200)
    code, out, err = _cli(capsys, "recommend", halves_csv, "--horizon", "6", "--per-series")
    assert code == 0, err
    assert out.count("┃ why") == 2  # the picks' table and the series' table
