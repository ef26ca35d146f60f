"""The panel ranking marks a validation MASE scored as served, and its caption says what that is.

Found on one panel (8 monthly series of 48 values, horizon 12): ``tsforge recommend`` ranked
AutoETS at validation MASE 0.891, ``tsforge train --model auto_ets`` reported 1.984. Both are
right: the ranking scores AutoETS as served (its refit on fewer than three seasons keeps the
served fit's seasonal form, docs/intervals.md), ``train`` the plain refit, which chose no
season. The table printed 0.891 with no word of that.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import recommender.panel as panel_mod
import tsforge.cli.recommend as recommend_cli
from recommender.panel import PanelRecommendation
from tests.conftest import run_cli

H = 6


def _row(model: str, val_mase: float, held: int = 0) -> dict[str, object]:
    row: dict[str, object] = {"model": model, "val_mase": val_mase, "val_smape": 2.0, "score": val_mase}
    row["phase_mase"] = None
    if held:
        row["val_forms_held"] = held
    return row


@pytest.fixture
def csv(tmp_path: Path) -> str:
    t = pd.date_range("2015-01-01", periods=30, freq="MS")
    frame = pd.concat(
        pd.DataFrame({"unique_id": sid, "ds": t, "y": np.arange(30.0) + k}) for k, sid in enumerate("AB")
    )
    frame.to_csv(tmp_path / "p.csv", index=False)
    return str(tmp_path / "p.csv")


def _ranked(monkeypatch, capsys, csv: str, rows: list[dict[str, object]]) -> str:
    """The ranking table of ``rows``, as ``tsforge recommend CSV`` prints it (no fit run)."""

    def ranking(panel, horizon, **_):
        return PanelRecommendation("p", horizon, rows, "because", len(panel))

    monkeypatch.setattr(panel_mod, "recommend_panel", ranking)
    monkeypatch.setattr(recommend_cli, "_panel_notes", lambda *a, **k: ({}, None))
    code, out, err = run_cli(capsys, "recommend", csv, "--horizon", str(H))
    assert code == 0, out + err
    return out


def test_a_validation_mase_scored_as_served_is_marked_and_the_caption_says_why(monkeypatch, capsys, csv):
    out = _ranked(monkeypatch, capsys, csv, [_row("auto_ets", 0.891, held=2), _row("naive", 1.021)])
    assert "0.891*" in out and "1.021*" not in out, out
    said = " ".join(out.split())
    assert (
        "* as served: its refit keeps the served seasonal form (train's validation MASE does not)" in said
    ), said


def test_no_mark_and_no_note_where_nothing_was_held(monkeypatch, capsys, csv):
    out = _ranked(monkeypatch, capsys, csv, [_row("auto_ets", 0.891), _row("naive", 1.021)])
    assert "*" not in out and "as served" not in out, out


def test_the_caption_says_as_served_only_when_asked():
    from tsforge.cli.recommend import ranking_caption

    assert "as served" not in ranking_caption(H) and "as served" in ranking_caption(H, served=True)
