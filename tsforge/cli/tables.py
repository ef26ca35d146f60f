"""Rich tables of scores, shared by the commands that print them (train, evaluate, cv)."""

from __future__ import annotations

from typing import Any

__all__ = ["metrics_table"]


def metrics_table(rows: list[dict[str, Any]], title: str, highlight: str | None = None):
    """One row per model (or run): floats with four decimals, text columns left-aligned, the
    ``highlight`` model in bold green."""
    from rich.table import Table

    table = Table(title=title)
    for col in rows[0].keys():
        # a value too wide for the terminal folds onto the next line instead of being cut to "auto_…"
        table.add_column(col, justify="left" if col in ("model", "dataset") else "right", overflow="fold")
    for row in rows:
        style = "bold green" if highlight and row.get("model") == highlight else None
        table.add_row(*[f"{v:.4f}" if isinstance(v, float) else str(v) for v in row.values()], style=style)
    return table
