"""Benchmark results go to ``$TSFORGE_BENCH_RESULTS_DIR`` when it is set, else to the checked-in
``benchmarks/results/``.

Why: every script merges its new rows into the last run's file and writes it back there, so a
reviewer's cheap trial run (``python -m benchmarks.panels --quick``) could only overwrite the
checked-in results in the source tree.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CHECKED_IN = ROOT / "benchmarks" / "results"
PROBE = "results_folder_probe"


def test_results_are_written_to_and_merged_from_the_folder_the_variable_names(tmp_path, monkeypatch):
    from benchmarks.common import previous_results, previous_rows, write_results

    monkeypatch.setenv("TSFORGE_BENCH_RESULTS_DIR", str(tmp_path / "mine"))
    path = write_results(PROBE, {"rows": [{"name": "a", "value": 1.0}]})
    assert path == tmp_path / "mine" / f"{PROBE}.json"
    assert json.loads(path.read_text())["rows"] == [{"name": "a", "value": 1.0}]
    assert not (CHECKED_IN / f"{PROBE}.json").exists()
    # what a script merges its new rows into is read from the same folder
    assert previous_results(PROBE)["rows"] == [{"name": "a", "value": 1.0}]
    assert list(previous_rows(PROBE, lambda r: r["name"])) == ["a"]
    assert previous_results("panels") == {}  # the checked-in panels.json is not read from here


def test_without_the_variable_results_stay_in_the_checked_in_folder(monkeypatch):
    from benchmarks.common import previous_results

    monkeypatch.delenv("TSFORGE_BENCH_RESULTS_DIR", raising=False)
    assert previous_results("panels") == json.loads((CHECKED_IN / "panels.json").read_text())


@pytest.mark.parametrize(
    ("module", "file"),
    [
        ("benchmarks.ltsf", "ltsf.json"),
        ("benchmarks.hutformer", "hutformer.json"),
        ("benchmarks.selective", "selective.json"),
        ("benchmarks.stpe", "stpe.json"),
        ("benchmarks.profile_agreement", "profile_agreement.json"),
        ("benchmarks.profile_speed", "profile_speed.json"),
    ],
)
def test_a_script_whose_result_file_is_an_option_defaults_it_into_the_folder(tmp_path, module, file):
    """These scripts name their own file (``--out``/``--output``); its default follows the variable
    as every other script's results do (a fresh process: the default is read when it starts)."""
    code = f"import {module} as m; print(m.RESULTS)"
    env = {**os.environ, "TSFORGE_BENCH_RESULTS_DIR": str(tmp_path)}
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, check=True
    )
    assert Path(out.stdout.strip()) == tmp_path / file
