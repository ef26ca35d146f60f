"""The panel half of ``tsforge demo`` runs end to end on its own generated data (it once asked
the profile for a window shorter than the properties allow, and the demo panel held series
too short for its own holdout protocol)."""

from __future__ import annotations

import io

import mlflow
import pytest
from rich.console import Console

from tsforge.cli.demo import run_panel_demo


@pytest.mark.slow
def test_panel_demo_profiles_recommends_trains_and_registers(tracking_uri, tmp_path, monkeypatch):
    monkeypatch.setenv("TSFORGE_CACHE_DIR", str(tmp_path / "cache"))
    out = io.StringIO()
    # 80 columns: what rich gives a pipe (`make demo | tee`); no model name may be cut to "seasonal…"
    result = run_panel_demo(Console(file=out, width=80), n_series=30, registered_name="demo-panel-test")
    text = out.getvalue()
    assert "1. Profile" in text and "2. Recommend" in text and "3. Train and register" in text
    assert "30 of 30 series" in text  # every series profiled (per series, none skipped)
    assert {r["model"] for r in result["rows"]} >= {result["recommended"]}
    assert all(r["test MASE"] > 0 for r in result["rows"])
    table = text[text.index("holdout H=") :]
    assert "…" not in table and all(r["model"] in table for r in result["rows"])
    versions = mlflow.MlflowClient().search_model_versions("name='demo-panel-test'")
    assert len(versions) == 2  # the recommended model and the baseline
    champion = mlflow.MlflowClient().get_model_version_by_alias("demo-panel-test", "champion")
    assert str(champion.version) == str(result["champion"])


def test_demo_says_why_the_pick_loses_on_smape_when_series_are_mostly_zeros():
    """The demo's panel holds intermittent series, where sMAPE scores any non-zero forecast of a
    zero at 200 %: a pick better on MASE but worse on sMAPE/OWA gets one sentence of why."""
    import numpy as np

    from tsforge.cli.demo import _explain_smape_on_zeros
    from tsforge.data.panel import Panel

    panel = Panel.from_arrays(
        [np.array([0.0, 0, 0, 2, 0, 0, 1, 0]), np.arange(1.0, 9.0)],
        ids=["zeros", "trend"],
        freq="MS",
        starts=np.array(["2020-01-01", "2020-01-01"], dtype="datetime64[ns]"),
    )
    rows = [{"model": "nlinear", "test sMAPE": 120.0}, {"model": "seasonal_naive", "test sMAPE": 60.0}]
    out = io.StringIO()
    _explain_smape_on_zeros(Console(file=out, width=200), panel, rows, "nlinear")
    assert "1 of 2 series is intermittent" in out.getvalue()
    out = io.StringIO()  # the pick also wins on sMAPE: nothing to explain
    _explain_smape_on_zeros(Console(file=out, width=200), panel, rows[::-1], "seasonal_naive")
    assert out.getvalue() == ""


def test_next_steps_name_commands_that_exist_where_tsforge_runs(tracking_uri, monkeypatch):
    """A clone is told its make targets and .venv; an installed package (no source checkout) was
    told the same `make ui` / `.venv/bin/tsforge`, which do not exist there: it gets plain
    `tsforge` and `mlflow ui` on the store in use."""
    import tsforge.paths
    from tsforge.cli.demo import next_steps

    clone = "\n".join(next_steps("tsforge-demo", 24))
    assert "make ui" in clone and ".venv/bin/tsforge forecast" in clone
    monkeypatch.setattr(tsforge.paths, "source_root", lambda *a, **k: None)
    installed = "\n".join(next_steps("tsforge-demo", 24))
    assert "make " not in installed and ".venv/" not in installed
    assert f"mlflow ui --backend-store-uri {tracking_uri}" in installed
    assert "tsforge serve --model tsforge-demo" in installed
    assert "  tsforge forecast --model models:/tsforge-demo@champion" in installed


def test_next_steps_quote_a_name_with_a_blank(tracking_uri, monkeypatch):
    """``tsforge demo --register-as "good name.v1"`` advised ``--model models:/good
    name.v1@champion``: two words to the shell. Each command splits back to the name."""
    import shlex

    import tsforge.paths
    from tsforge.cli.demo import next_steps

    monkeypatch.setattr(tsforge.paths, "source_root", lambda *a, **k: None)
    lines = [shlex.split(line.split("→")[0].split("(")[0]) for line in next_steps("good name.v1", 24)]
    models = [words[words.index("--model") + 1] for words in lines if words[1:2] in (["forecast"], ["serve"])]
    assert models == ["good name.v1", "models:/good name.v1@champion", "good name.v1-panel"]
