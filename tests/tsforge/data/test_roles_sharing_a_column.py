"""Two roles of a long table naming one column are refused, naming both options.

Found: ``load_panel(frame, id_col="y")`` (and ``train_panel``, a file, ``Panel.from_long``) raised
polars' ``DuplicateError`` ("projections contained duplicate output name 'y'") after a note
that the real id column was not used; ``load(frame, id_col="y")`` read the values as series ids
without a word, and ``predict_frame`` said the column "must hold text or integer ids".
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from tsforge.data.history import histories_from_frame
from tsforge.data.load import load, load_panel
from tsforge.data.panel import Panel
from tsforge.errors import ConfigError


def _frame() -> pd.DataFrame:
    ds = pd.date_range("2024-01-01", periods=10, freq="D")
    return pd.DataFrame({"unique_id": ["a"] * 10 + ["b"] * 10, "ds": list(ds) * 2, "y": np.arange(20.0)})


def _refusal(fn, *args, **kwargs) -> ConfigError:
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no note about an unused column before the refusal
        with pytest.raises(ConfigError) as err:
            fn(*args, **kwargs)
    return err.value


@pytest.mark.parametrize(
    "reader",
    [load_panel, load, histories_from_frame, Panel.from_long],
    ids=["load_panel", "load", "history", "from_long"],
)
def test_the_id_named_as_the_target_is_refused_naming_both_options(reader):
    err = _refusal(reader, _frame(), id_col="y")
    assert "id_col and target_col both name column 'y'" in err.message
    assert err.where["field"] == "id_col"
    assert "--id-col and --target-col" in err.for_cli()


def test_a_file_read_so_is_refused_naming_the_file(tmp_path):
    path = tmp_path / "sales.csv"
    _frame().to_csv(path, index=False)
    err = _refusal(load_panel, str(path), id_col="y")
    assert err.where["file"] == str(path) and "both name column 'y'" in err.message


@pytest.mark.parametrize(
    ("given", "roles", "field"),
    [
        ({"time_col": "y"}, "time_col and target_col", "time_col"),
        ({"id_col": "ds"}, "id_col and time_col", "id_col"),
        ({"target_col": "unique_id"}, "id_col and target_col", "target_col"),
    ],
)
def test_every_pair_of_roles_is_checked(given, roles, field):
    for reader in (load_panel, histories_from_frame):
        err = _refusal(reader, _frame(), **given)
        assert err.message.startswith(roles) and err.where["field"] == field


def test_the_role_left_at_its_default_is_said_to_be_so():
    err = _refusal(load_panel, _frame(), id_col="y")
    assert "('y' is target_col's default)" in err.message


def test_a_name_no_column_has_is_left_to_the_missing_column_check():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with pytest.raises(Exception) as err:
            load_panel(_frame(), id_col="sales", target_col="sales")
    assert not isinstance(err.value, ConfigError) and "'sales'" in str(err.value)
