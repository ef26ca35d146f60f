"""Score tables: counts read as whole numbers, scores with four decimals, seconds with one."""

from __future__ import annotations

from rich.console import Console

from tsforge.cli.tables import metrics_table


def _render(rows) -> str:
    console = Console(width=200, record=True)
    console.print(metrics_table(rows, "t"))
    return console.export_text()


def test_counts_are_whole_numbers_and_scores_keep_four_decimals():
    # MLflow hands every metric back as a float: 2.0 series must not print as "2.0000"
    text = _render(
        [{"model": "auto_ets", "test_mase": 2.39381, "test_n_series": 2.0, "cases": 6.0, "seconds": 1.25}]
    )
    row = next(line.split() for line in text.splitlines() if line.strip().startswith("auto_ets"))
    assert row == ["auto_ets", "2.3938", "2", "6", "1.2"]  # scores, counts, seconds
    # a count that is not whole is shown as the number it is
    assert "2.5000" in _render([{"model": "m", "n_series": 2.5}])
