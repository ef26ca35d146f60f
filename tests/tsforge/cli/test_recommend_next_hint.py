"""``tsforge recommend``'s ``next:`` hints name tsforge as it runs when pasted (as ``train``'s and
the demo's do, :func:`tsforge.cli.core.tsforge_command`).

Found by the demo helper: under ``make demo`` (``.venv/bin/tsforge``, not on PATH) recommend's
``next: tsforge recommend … --per-series --train`` was "command not found" when pasted.
"""

from __future__ import annotations

import shlex
import sys

import numpy as np
import pandas as pd

from tests.conftest import run_cli


def test_per_series_next_hint_names_the_program_off_path(tmp_path, monkeypatch, capsys):
    script = tmp_path / "venv" / "bin" / "tsforge"
    script.parent.mkdir(parents=True)
    script.write_text("#!/bin/sh\n")
    script.chmod(0o755)
    monkeypatch.setattr(sys, "argv", [str(script), "recommend"])
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    monkeypatch.setenv("TSFORGE_CACHE_DIR", str(tmp_path / "cache"))
    rng = np.random.default_rng(0)
    rows = []
    for i in range(6):
        y = 50 + 10 * np.sin(2 * np.pi * np.arange(40) / 12) + rng.normal(0, 2, 40)
        ds = pd.date_range("2018-01-01", periods=40, freq="MS")
        rows += [(f"s{i}", d, v) for d, v in zip(ds, y, strict=True)]
    path = tmp_path / "panel.csv"
    pd.DataFrame(rows, columns=["unique_id", "ds", "y"]).to_csv(path, index=False)
    code, out, err = run_cli(capsys, "recommend", str(path), "--per-series", "-H", "6")
    assert code == 0, out + err
    hint = " ".join(out.split()).split("next: ", 1)[1]
    assert shlex.split(hint)[:2] == [str(script), "recommend"], hint
