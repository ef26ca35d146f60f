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


def test_a_long_dataset_name_moves_to_the_title_and_every_column_fits_80():
    """A panel file's name as a column pushed ``test OWA`` and ``seconds`` off a piped (80-column)
    one-row result table; one dataset for every row is said once, in the title."""
    row = {"model": "auto_theta", "dataset": "electricity_weekly_dataset", "series": 321, "H": 8,
           "val MASE": 0.98, "test MASE": 1.48, "test sMAPE": 14.65, "test OWA": 0.91, "seconds": 7.4}  # fmt: skip
    console = Console(width=80, record=True)
    console.print(metrics_table([row], "Holdout result"))
    text = console.export_text()
    assert "electricity_weekly_dataset" in text.splitlines()[0]  # the title
    assert "OWA" in text and "seconds" in text and "7.4" in text
    assert max(len(line) for line in text.splitlines()) <= 80
    # two datasets in one table stay a column
    two = _render([{"model": "a", "dataset": "x", "mase": 1.0}, {"model": "a", "dataset": "y", "mase": 2.0}])
    assert "dataset" in two


def test_one_models_scores_are_rows_with_original_units_beside_them_and_fit_80():
    """`tsforge evaluate` printed a window model's fourteen scores as one row, and an 80-column
    terminal lost the last columns (the original-units ones); as rows, every score shows."""
    from tsforge.cli.tables import metric_list_table

    metrics = {
        f"test_{m}": 0.5 + i for i, m in enumerate(("mae", "mse", "rmse", "mape", "smape", "wape", "mase"))
    }
    metrics |= {
        f"test_orig_{m}": 100.0 + i
        for i, m in enumerate(("mae", "mse", "rmse", "mape", "smape", "wape", "mase"))
    }
    metrics["test_n_mase_excluded"] = 3.0
    console = Console(width=80, record=True)
    console.print(metric_list_table(metrics, "dlinear: test metrics"))
    text = console.export_text()
    rows = {
        line.rsplit(maxsplit=2)[0].strip(): line.split()[-2:] for line in text.splitlines() if line.strip()
    }
    assert rows["MAE"] == ["0.5000", "100.0000"] and rows["MASE"] == ["6.5000", "106.0000"]
    left_out = next(line for line in text.splitlines() if "left out" in line)  # above the caption
    assert left_out.split()[-4:] == ["MASE", "left", "out", "3"]  # a count, no twin
    assert "original units" in text


def test_percentage_scores_of_normalised_values_are_not_shown_beside_the_real_ones():
    """`tsforge evaluate` on a window model printed MAPE 204.5 (of z-scored values, which lie
    around 0) beside 4.36 in original units, and a user read both as MAPE: the scores that divide
    by the values show their original-units value alone, and the caption says why."""
    from tsforge.cli.tables import metric_list_table

    metrics = {"test_mae": 0.2275, "test_mape": 204.5385, "test_smape": 42.3894, "test_wape": 0.2599}
    metrics |= {
        "test_orig_mae": 0.8404,
        "test_orig_mape": 4.361,
        "test_orig_smape": 4.3367,
        "test_orig_wape": 0.042,
    }
    console = Console(width=80, record=True)
    console.print(metric_list_table(metrics, "dlinear: test scores"))
    text = console.export_text()
    rows = {line.split()[0]: line.split()[1:] for line in text.splitlines() if line.strip()}
    assert rows["MAPE"] == ["—", "4.3610"] and rows["sMAPE"] == ["—", "4.3367"], text
    assert rows["WAPE"] == ["—", "0.0420"] and rows["MAE"] == ["0.2275", "0.8404"], text
    assert "204.5385" not in text and "42.3894" not in text
    assert "original units only" in " ".join(text.split())
    # a panel model's scores are in the data's units (no twin): its MAPE is shown as it is
    alone = Console(width=80, record=True)
    alone.print(metric_list_table({"test_mape": 12.5, "test_mase": 0.9}, "auto_ets: test scores"))
    assert "12.5000" in alone.export_text() and "—" not in alone.export_text()
