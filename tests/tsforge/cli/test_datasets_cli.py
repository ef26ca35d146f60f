"""``tsforge datasets``: every catalogue entry is listed with its availability."""

from __future__ import annotations

from io import StringIO

from rich.console import Console
from typer.testing import CliRunner

from tsforge.cli import app
from tsforge.cli.datasets import datasets_table
from tsforge.data import list_datasets


def _render(table) -> str:
    buffer = StringIO()
    console = Console(file=buffer, width=250, color_system=None)
    console.print(table)
    return buffer.getvalue()


def test_table_lists_every_entry_with_defaults():
    text = _render(datasets_table(list_datasets()))
    for e in list_datasets():
        assert e.name in text
    assert "96/192/336/720" in text and "24/36/48/60" in text and "W-TUE" in text


def test_unavailable_entries_say_why(monkeypatch, tmp_path):
    monkeypatch.setenv("TSFORGE_DATA_DIR", str(tmp_path))
    text = _render(datasets_table(list_datasets()))
    assert "no: file ETTh1.csv.gz not found" in text
    synthetic_row = next(line for line in text.splitlines() if "synthetic" in line)
    assert "yes" in synthetic_row


def test_cli_command_runs(monkeypatch, tmp_path):
    monkeypatch.setenv("TSFORGE_DATA_DIR", str(tmp_path))
    result = CliRunner().invoke(app, ["datasets", "--json"])
    assert result.exit_code == 0, result.output
    assert '"name": "etth1"' in result.output and '"available": false' in result.output
    result = CliRunner().invoke(app, ["datasets"])
    assert result.exit_code == 0 and "etth1" in result.output and "not available here" in result.output


def test_panels_are_listed_with_kind_and_horizon_in_80_columns():
    console = Console(file=StringIO(), width=80, color_system=None)
    console.print(datasets_table(list_datasets()))
    lines = console.file.getvalue().splitlines()
    assert max(len(line) for line in lines) <= 80
    row = next(line for line in lines if line.split()[:1] == ["m1_monthly"])
    assert row.split()[:7] == ["m1_monthly", "panel", "MS", "48–150", "617", "holdout", "-"]
    assert row.split()[7] == "18"
    etth1 = next(line for line in lines if line.split()[:1] == ["etth1"])
    assert etth1.split()[:4] == ["etth1", "multi", "h", "17,420"]


def test_horizons_are_not_broken_in_80_columns(monkeypatch, tmp_path):
    """Piped (80 columns), etth1's horizons printed as "96/192/336/72" and a line holding "0";
    they stay one cell, and the availability column keeps its header whole, files found or not."""
    for data_dir in (None, tmp_path):  # as configured, then a folder without the files (long reasons)
        if data_dir is not None:
            monkeypatch.setenv("TSFORGE_DATA_DIR", str(data_dir))
        console = Console(file=StringIO(), width=80, color_system=None)
        console.print(datasets_table(list_datasets()))
        lines = console.file.getvalue().splitlines()
        assert max(len(line) for line in lines) <= 80
        etth1 = next(line for line in lines if line.split()[:1] == ["etth1"])
        assert "96/192/336/720" in etth1.split(), etth1
        header = next(line for line in lines if line.split()[:1] == ["name"])
        assert header.split()[-2:] == ["H", "avail"], header
