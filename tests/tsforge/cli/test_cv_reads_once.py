"""``tsforge cv FILE --output`` reads its file once.

Why: to name the output's columns as a long table with guessed roles (``Store, Week, Sales``) is
named, cv read the whole file a second time and guessed the roles again; the loader now hands
back the roles it read by (:attr:`tsforge.data.load.LoadedPanel.roles`). ``--output`` also read
the file's first row again, to learn whether its times carry UTC offsets to date the output in;
the loader keeps them too now (:attr:`tsforge.data.load.LoadedPanel.time_offsets`), so the file is
read once and nothing more.
"""

from __future__ import annotations

import importlib

import pandas as pd

import tsforge.data.tables as tables_module
from tests.tsforge.cli.test_cv_output_names import _sales
from tsforge.cli.app import main
from tsforge.data.load import load_panel

# the module, not the function ``tsforge.data.load`` that the package exports under its name
load_module = importlib.import_module("tsforge.data.load")


def test_cv_output_reads_the_file_once_and_no_row_again(tmp_path, monkeypatch):
    monkeypatch.setenv("TSFORGE_CACHE_DIR", str(tmp_path / "cache"))
    data = _sales(tmp_path / "sales.csv")
    reads: list[tuple[str, object, object]] = []
    original = tables_module.read_table

    def counting(source, *args, **kwargs):
        reads.append((str(source), kwargs.get("n_rows"), kwargs.get("columns")))
        return original(source, *args, **kwargs)

    monkeypatch.setattr(tables_module, "read_table", counting)  # what cv imported to read again
    monkeypatch.setattr(load_module, "read_table", counting)  # the loader's own reference
    out = tmp_path / "cv.csv"
    main(["cv", data, "--model", "naive", "--horizon", "4", "--output", str(out)])
    assert list(pd.read_csv(out).columns[:4]) == ["Store", "Week", "cutoff", "Sales"]
    assert [r for r in reads if r[0] == data] == [(data, None, None)], reads  # read whole once, no row again


def test_load_panel_hands_back_the_roles_it_guessed(tmp_path):
    loaded = load_panel(_sales(tmp_path / "sales.csv"))
    assert loaded.roles is not None
    assert (loaded.roles.id_col, loaded.roles.time_col, loaded.roles.target_col) == ("Store", "Week", "Sales")
    named = pd.read_csv(tmp_path / "sales.csv").rename(
        columns={"Store": "unique_id", "Week": "ds", "Sales": "y"}
    )
    assert load_panel(named).roles is None  # the default names: nothing guessed
