"""``tsforge cv`` on files of statistics-office labels, end to end: ``Q1 2010`` was refused as
"unparsable date" and ``Jan-10`` too, with no flag the command line could take."""

from __future__ import annotations

import numpy as np
import pandas as pd

from tsforge.cli.app import main

ABBR = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]


def _long(path, labels: list[str]) -> str:
    n = len(labels)
    rng = np.random.default_rng(0)
    pd.DataFrame(
        {"unique_id": ["a"] * n + ["b"] * n, "ds": labels * 2, "y": 10 + rng.normal(0, 1, 2 * n)}
    ).to_csv(path, index=False)
    return str(path)


def test_cv_on_quarter_labels_writes_its_windows_in_the_file_s_quarter_labels(tmp_path, monkeypatch):
    """Read as quarter starts, the windows are written back as the file writes its quarters
    (``Q3 2013``, not ``2013-07-01``), so the output joins to the user's own tables."""
    monkeypatch.setenv("TSFORGE_CACHE_DIR", str(tmp_path / "cache"))
    labels = [f"Q{i % 4 + 1} {2010 + i // 4}" for i in range(16)]
    out = tmp_path / "cv.csv"
    main(["cv", _long(tmp_path / "gdp.csv", labels), "-m", "seasonal_naive", "-H", "2", "-o", str(out)])
    written = pd.read_csv(out, dtype=str)
    assert set(written["unique_id"]) == {"a", "b"}
    assert sorted(set(written["cutoff"]), key=labels.index) == ["Q2 2012", "Q4 2012", "Q2 2013"]
    last = written[written["cutoff"] == "Q2 2013"]
    assert sorted(set(last["ds"]), key=labels.index) == ["Q3 2013", "Q4 2013"]


def test_cv_on_month_and_two_digit_year_labels_prints_one_note(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("TSFORGE_CACHE_DIR", str(tmp_path / "cache"))
    labels = [f"{ABBR[i % 12]}-{10 + i // 12}" for i in range(36)]
    out = tmp_path / "cv.csv"
    main(["cv", _long(tmp_path / "sales.csv", labels), "-m", "seasonal_naive", "-H", "2", "-o", str(out)])
    err = " ".join(capsys.readouterr().err.split())  # the console wraps long lines
    assert (
        err.count(
            "note: read column 'ds' as months and two-digit years ('Jan-10' as 2010-01-01 … 'Dec-12' as 2012-12-01)"
        )
        == 1
    )
    assert pd.read_csv(out, dtype=str)["ds"].iloc[-1] == "Dec-12"  # written as the file writes it
