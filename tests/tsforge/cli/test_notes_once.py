"""One command says each note once, however often it reads its file.

Why: ``profile`` reads a file as series and then as a panel, so a file's reader note (a column
not used, the roles read from its column types) was printed twice, and ``forecast --plot`` up to
three times (the history is parsed to check, to forecast and to draw).
"""

import numpy as np
import pandas as pd

from tests.conftest import run_cli


def test_profile_says_an_unused_column_once(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("TSFORGE_CACHE_DIR", str(tmp_path / "cache"))
    days = pd.date_range("2021-01-01", periods=70, freq="D")
    frame = pd.DataFrame(
        {
            "unique_id": np.repeat(["a", "b"], 60),
            "ds": np.concatenate([days[:60], days[10:]]),  # b starts later: profiled per series
            "y": np.sin(np.arange(120) / 3),
            "price": 1.0,
        }
    )
    path = tmp_path / "extra.csv"
    frame.to_csv(path, index=False)
    code, out, err = run_cli(capsys, "profile", str(path), "--window", "32", "--no-progress")
    assert code == 0, out + err
    assert " ".join(err.split()).count("column(s) 'price' not used") == 1, err
