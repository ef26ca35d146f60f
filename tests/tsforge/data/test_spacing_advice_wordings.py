"""Spacing and absent-column refusals name an option once, as their reader types it: Python's
message says ``fill_gaps=True`` (``freq=...``, ``(target_col)``), the command line's
(:meth:`~tsforge.errors.TsforgeError.for_cli`) says ``--fill-gaps`` (``--freq``, ``(--target-col)``).

Before: "Pass fill_gaps=True (CLI: --fill-gaps)", "set the frequency (freq= / --freq)" in both,
and the CLI said "column 'sale' (target_col) not found" to a user who can only type
``--target-col``.
"""

from __future__ import annotations

import numpy as np
import pytest

from tsforge.data.timeaxis import regularise, regularise_steps
from tsforge.data.validation import check_regular, require_columns
from tsforge.errors import DataValidationError


def _refusal(call, *args, **kwargs) -> tuple[str, str]:
    """The refusal's Python message and its command-line line."""
    with pytest.raises(DataValidationError) as caught:
        call(*args, **kwargs)
    return caught.value.message, caught.value.for_cli()


def _values(n: int) -> np.ndarray:
    return np.arange(float(n)).reshape(-1, 1)


def test_integer_steps_off_their_usual_step_name_the_option_once():
    keys = np.array([0, 2, 4, 6, 9])
    python, cli = _refusal(regularise_steps, keys, _values(5), time_col="t", file=None, fill_gaps=False)
    assert "or pass fill_gaps=True to put the rows on the step-1 grid" in python, python
    assert "or pass --fill-gaps to put the rows on the step-1 grid" in cli, cli
    assert "--fill-gaps" not in python and "fill_gaps" not in cli and "CLI:" not in python + cli


def test_integer_steps_with_a_gap_name_the_option_once():
    keys = np.array([1980, 1981, 1983])
    python, cli = _refusal(regularise_steps, keys, _values(3), time_col="year", file=None, fill_gaps=False)
    assert python.endswith(
        "first from 1981 to 1983 (at row 2). Pass fill_gaps=True to insert missing rows as NaN"
    )
    assert "first from 1981 to 1983 (at row 2). Pass --fill-gaps to insert missing rows as NaN" in cli, cli
    assert "fill_gaps" not in cli, cli


def test_dates_with_a_gap_name_the_option_once():
    times = np.array(["2020-01-01", "2020-01-02", "2020-01-03", "2020-01-05"], dtype="datetime64[ns]")
    python, cli = _refusal(check_regular, times, column="ds")
    assert python.endswith(". Pass fill_gaps=True to insert missing rows as NaN, or resample the data first")
    assert ". Pass --fill-gaps to insert missing rows as NaN, or resample the data first" in cli, cli
    assert "--fill-gaps" not in python and "fill_gaps" not in cli


def test_a_date_off_the_given_grid_names_the_frequency_once():
    """Every other month from January: April lies on a month start, yet off that grid."""
    times = np.array(["2020-01-01", "2020-03-01", "2020-04-01"], dtype="datetime64[ns]")
    python, cli = _refusal(
        regularise, times, _values(3), time_col="ds", file=None, fill_gaps=True, freq="2MS"
    )
    assert python.endswith(": correct that time, or set the frequency (freq=...)"), python
    assert ": correct that time, or set the frequency (--freq)" in cli, cli
    assert "--freq" not in python and "freq=" not in cli


def test_an_absent_column_is_said_with_the_flag_on_the_command_line():
    python, cli = _refusal(require_columns, ["store", "ds", "y"], {"target_col": "sale"})
    assert python.startswith("column 'sale' (target_col) not found; columns found: 'store', 'ds', 'y'"), (
        python
    )
    assert cli.startswith("column 'sale' (--target-col) not found; columns found: 'store', 'ds', 'y'"), cli
    assert "target_col" not in cli, cli


def test_a_value_column_is_said_with_its_flag_and_the_list_to_pass():
    """``--value-cols a,bb`` was told "(value_cols[1]) … (pass value_cols[1]='b')" on the command line."""
    python, cli = _refusal(require_columns, ["ds", "a", "b"], {"value_cols[0]": "a", "value_cols[1]": "bb"})
    assert python.startswith("column 'bb' (value_cols[1]) not found") and python.endswith(
        "Did you mean 'b'? (pass value_cols[1]='b')"
    ), python
    assert cli.startswith("column 'bb' (--value-cols) not found; columns found: 'ds', 'a', 'b'"), cli
    assert "Did you mean 'b'? (pass --value-cols a,b)" in cli and "value_cols" not in cli, cli


def test_a_value_column_list_to_pass_is_one_shell_word():
    _, cli = _refusal(
        require_columns, ["ds", "Store A", "b"], {"value_cols[0]": "store a", "value_cols[1]": "b"}
    )
    assert "(pass --value-cols 'Store A,b')" in cli, cli


def test_a_role_without_a_flag_keeps_its_name_in_both():
    python, cli = _refusal(require_columns, ["ds", "a"], {"weights": "wt"})
    assert python.startswith("column 'wt' (weights) not found") and cli.startswith(
        "column 'wt' (weights) not found"
    ), (python, cli)


def test_train_says_a_value_column_with_its_flag(tmp_path, capsys):
    from tests.conftest import run_cli

    wide = tmp_path / "wide.csv"
    wide.write_text("ds,a,b\n2020-01-01,1,2\n2020-01-02,2,3\n2020-01-03,3,4\n2020-01-04,4,5\n")
    code, out, err = run_cli(
        capsys, "train", str(wide), "--model", "naive", "--horizon", "1", "--value-cols", "a,bb"
    )
    assert code == 2, out + err
    said = " ".join(line for line in err.splitlines() if line.startswith("error:"))
    assert "column 'bb' (--value-cols) not found" in said and "(pass --value-cols a,b)" in said, said
    assert "value_cols" not in said, said
