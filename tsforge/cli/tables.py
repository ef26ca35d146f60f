"""Rich tables of scores, shared by the commands that print them (train, evaluate, cv)."""

from __future__ import annotations

from typing import Any

__all__ = ["metrics_table"]

#: Text columns: never folded (a model name split over two lines, "auto_e / ts", reads as two).
_TEXT_COLUMNS = ("model", "dataset")


def _cell(key: str, value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.1f}" if "seconds" in key else f"{value:.4f}"
    return str(value)


def metrics_table(rows: list[dict[str, Any]], title: str, highlight: str | None = None):
    """One row per model (or run): floats with four decimals (seconds with one), text columns
    left-aligned and kept on one line, the ``highlight`` model in bold green. On a narrow
    terminal the numeric columns give way first (their headers wrap)."""
    from rich.table import Table

    table = Table(title=title)
    for col in rows[0].keys():
        text = col in _TEXT_COLUMNS
        table.add_column(col, justify="left" if text else "right", no_wrap=text, overflow="fold")
    for row in rows:
        style = "bold green" if highlight and row.get("model") == highlight else None
        table.add_row(*[_cell(k, v) for k, v in row.items()], style=style)
    return table
