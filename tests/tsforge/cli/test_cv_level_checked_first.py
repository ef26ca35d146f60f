"""``cv --level 100`` is refused before the data are read, as ``forecast --level 100`` is.

Found by a user walk (s71): ``tsforge cv panel.csv --model auto_ets --horizon 12 --level 100
--fill-gaps`` fitted every window (13.6 s) and printed its notes before "error: --level must be
between 0 and 100 (exclusive), got 100".
"""

from __future__ import annotations

import pandas as pd
import pytest

from tests.conftest import run_cli


@pytest.fixture
def unread(monkeypatch):
    """A reader that fails the test if the data are read at all."""
    import importlib

    # the module: ``tsforge.data.load`` is also the name of a function
    load_module = importlib.import_module("tsforge.data.load")

    def read(*args, **kwargs):
        raise AssertionError("the data were read before --level was checked")

    monkeypatch.setattr(load_module, "load_panel", read)


@pytest.mark.parametrize("level", ["100", "80,0"])
def test_a_level_out_of_range_is_refused_before_any_reading(tmp_path, capsys, unread, level):
    path = tmp_path / "m.csv"
    pd.DataFrame(
        {"unique_id": "a", "ds": pd.date_range("2015-01-01", periods=40, freq="MS"), "y": 1.0}
    ).to_csv(path, index=False)
    code, _, err = run_cli(
        capsys, "cv", str(path), "--model", "naive", "-H", "4", "--level", level, "--no-track"
    )
    assert code == 2, err
    got = level.split(",")[-1]
    assert f"--level must be between 0 and 100 (exclusive), got {got}" in err, err
