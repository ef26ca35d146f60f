"""Rich tables of scores, shared by the commands that print them (train, evaluate, cv)."""

from __future__ import annotations

from typing import Any

__all__ = ["SCORE_LABELS", "metrics_table", "metric_list_table", "smape_on_zeros_note"]

#: Text columns: never folded (a model name split over two lines, "auto_e / ts", reads as two).
_TEXT_COLUMNS = ("model", "dataset", "recommended")


#: Counts arrive as floats (MLflow stores every metric as one) but read as whole numbers.
_COUNT_KEYS = ("n_series", "n_windows", "cases", "count", "excluded", "unobserved")


def _cell(key: str, value: Any) -> str:
    if isinstance(value, float):
        if value.is_integer() and any(k in key for k in _COUNT_KEYS):
            return str(int(value))
        return f"{value:.1f}" if "seconds" in key else f"{value:.4f}"
    return str(value)


def metrics_table(rows: list[dict[str, Any]], title: str, highlight: str | None = None):
    """One row per model (or run): floats with four decimals (seconds with one), text columns
    left-aligned and kept on one line, the ``highlight`` model in bold green.

    On a narrow terminal (or a pipe, which rich treats as 80 columns) the headers wrap at their
    spaces, never a value or a word: every column is at least as wide as its longest value and
    header word, because a number folded over two lines ("0.881" / "2") reads as two numbers.
    No vertical rules, so the ten columns of a training result fit in 80. A ``dataset`` column
    with one value in every row moves into the title: a file's name (``electricity_weekly_dataset``)
    as a column pushed the last columns of a one-row result off an 80-column table.
    """
    from rich import box
    from rich.table import Table

    datasets = {str(row.get("dataset")) for row in rows}
    if all("dataset" in row for row in rows) and len(datasets) == 1:
        title = f"{title} — {datasets.pop()}"
        rows = [{k: v for k, v in row.items() if k != "dataset"} for row in rows]
    cells = [[_cell(k, v) for k, v in row.items()] for row in rows]
    table = Table(title=title, box=box.SIMPLE_HEAD, pad_edge=False, collapse_padding=True)
    for j, col in enumerate(rows[0].keys()):
        text = col in _TEXT_COLUMNS
        widest = max([len(r[j]) for r in cells] + [len(word) for word in str(col).split()])
        table.add_column(
            col, justify="left" if text else "right", no_wrap=text, overflow="fold", min_width=widest
        )
    for row, texts in zip(rows, cells, strict=True):
        style = "bold green" if highlight and row.get("model") == highlight else None
        table.add_row(*texts, style=style)
    return table


#: Score and count keys as the other tables (``train``, ``cv``) head them: ``evaluate`` printed
#: ``smape``, ``n_mase_excluded`` and ``naive2_mase`` where ``train`` prints ``test sMAPE``.
SCORE_LABELS = {
    "mae": "MAE",
    "mse": "MSE",
    "rmse": "RMSE",
    "mape": "MAPE",
    "smape": "sMAPE",
    "wape": "WAPE",
    "mase": "MASE",
    "rmsse": "RMSSE",
    "owa": "OWA",
    "n_series": "series",
    "n_mase_excluded": "MASE left out",
    "n_mape_excluded": "MAPE left out",
    "n_smape_excluded": "sMAPE left out",
    "n_unobserved": "series with no test value",
}

#: Counts of what a mean left out: a row only when something was (``cv`` shows its "MASE left
#: out" column on the same rule), so a clean result is not read as ten lines of zeros.
_ONLY_WHEN_NONZERO = ("n_mase_excluded", "n_mape_excluded", "n_smape_excluded", "n_unobserved")


def metric_list_table(metrics: dict[str, float], title: str):
    """One model's scores as rows (``MASE``, ``sMAPE``, …, named as :data:`SCORE_LABELS` says),
    with the original-units twin of a normalised score beside it: ``test_mae`` and
    ``test_orig_mae`` share the row ``MAE``. A count of series left out of a mean is a row only
    when it is not zero. MAPE, sMAPE and WAPE with a twin show it alone
    (:data:`~tsforge.evaluation.metrics.RELATIVE_TO_VALUES`),
    "—" in the normalised column, and the caption says why.

    Why rows: one model's fourteen scores as columns overflowed an 80-column terminal, and rich
    cut the last ones off (the original-units scores, the ones a user reads)."""
    from rich import box
    from rich.table import Table

    from tsforge.evaluation.metrics import RELATIVE_TO_VALUES

    names: dict[str, dict[str, float]] = {}
    for key, value in metrics.items():
        split, _, rest = key.partition("_")
        orig = rest.startswith("orig_")
        name = rest.removeprefix("orig_") if orig else rest
        if name in _ONLY_WHEN_NONZERO and not value:
            continue
        names.setdefault(name, {})["orig" if orig else "value"] = value
    has_orig = any("orig" in v for v in names.values())
    # as wide as its title: a table as narrow as its scores folded "auto_ets: test scores" in two
    table = Table(title=title, box=box.SIMPLE_HEAD, pad_edge=False, min_width=len(title))
    table.add_column("score")
    table.add_column("normalised" if has_orig else "value", justify="right")
    if has_orig:
        table.add_column("original units", justify="right")
    blanked = []
    for name, v in names.items():
        cells = [_cell(name, v["value"]) if "value" in v else ""]
        if has_orig:
            if name in RELATIVE_TO_VALUES and "orig" in v:  # the normalised twin is no percentage
                cells[0] = "—"
                blanked.append(SCORE_LABELS.get(name, name))
            cells.append(_cell(name, v["orig"]) if "orig" in v else "")
        table.add_row(SCORE_LABELS.get(name, name), *cells)
    if blanked:
        table.caption = (
            f"{_and(blanked)} in original units only: {'it divides' if len(blanked) == 1 else 'they divide'} "
            "by the values themselves, which normalising moves near 0"
        )
    return table


def _and(names: list[str]) -> str:
    """``MAPE, sMAPE and WAPE``."""
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"


def smape_on_zeros_note(panel: Any, pick: str, smape: dict[str, float]) -> str | None:
    """Why ``pick``, best on MASE, can show a higher sMAPE than another model of the table
    (``smape``: model → its sMAPE), when half or more of ``panel``'s series are mostly zeros;
    ``None`` otherwise.

    Why: sMAPE scores any non-zero forecast of a zero at 200 %, so on intermittent series a
    model that repeats the zeros (seasonal naive) wins sMAPE by construction; a reader of the
    ranking saw the pick lose on its own table's last column with no word of why (193 % beside
    a seasonal naive's 170 % on 30 daily series of 70 % zeros).
    """
    import numpy as np

    others = [v for m, v in smape.items() if m != pick]
    if pick not in smape or not others or smape[pick] <= min(others):
        return None
    mostly_zero = sum(float(np.mean(v == 0)) >= 0.5 for _, v in panel)
    if not mostly_zero:
        return None
    return (
        f"{pick} has the lower MASE but a higher sMAPE: sMAPE counts 200 % for any non-zero forecast "
        f"of a zero, and {mostly_zero} of {len(panel)} series {'is' if mostly_zero == 1 else 'are'} intermittent (mostly zeros); the "
        "ranking is by MASE, which scales each series by its own history"
    )
