"""``tsforge cv --output`` names its columns as the input does, also when the reader guessed the
roles of a long table under other names (``Store, Week, Sales``), as ``tsforge forecast`` does."""

from __future__ import annotations

import numpy as np
import pandas as pd

from tsforge.cli.app import main


def _sales(path) -> str:
    """Three stores' weekly sales: a text id, dates and one number, none of them named
    ``unique_id, ds, y``."""
    rng = np.random.default_rng(0)
    frame = pd.concat(
        pd.DataFrame(
            {
                "Store": store,
                "Week": pd.date_range("2020-01-05", periods=40, freq="W-SUN"),
                "Sales": 100 + rng.normal(0, 5, 40),
            }
        )
        for store in ("A", "B", "C")
    )
    frame.to_csv(path, index=False)
    return str(path)


def test_cv_output_uses_the_guessed_column_names(tmp_path, monkeypatch):
    monkeypatch.setenv("TSFORGE_CACHE_DIR", str(tmp_path / "cache"))
    data = _sales(tmp_path / "sales.csv")
    out = tmp_path / "cv.csv"
    main(["cv", data, "--model", "naive", "--horizon", "4", "--output", str(out)])
    written = pd.read_csv(out)
    assert list(written.columns[:4]) == ["Store", "Week", "cutoff", "Sales"]
    assert set(written["Store"]) == {"A", "B", "C"}


def test_cv_output_keeps_the_names_given_by_flags(tmp_path, monkeypatch):
    monkeypatch.setenv("TSFORGE_CACHE_DIR", str(tmp_path / "cache"))
    frame = pd.read_csv(_sales(tmp_path / "sales.csv")).rename(columns={"Store": "shop"})
    frame["extra"] = 1.0  # a fourth column: nothing is guessed, the flags name the roles
    data = tmp_path / "flags.csv"
    frame.to_csv(data, index=False)
    out = tmp_path / "cv.csv"
    main(
        ["cv", str(data), "--model", "naive", "--horizon", "4", "--output", str(out)]
        + ["--id-col", "shop", "--time-col", "Week", "--target-col", "Sales"]
    )
    assert list(pd.read_csv(out).columns[:4]) == ["shop", "Week", "cutoff", "Sales"]
