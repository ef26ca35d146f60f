"""`tsforge recommend FILE` on a panel too short for its default horizon says the horizon was
the default for this data and which flag sets it.

Why: 3 series of 2 monthly values were refused as "fewer than 37 values (train >= 1 +
validation 18 + test 18) ... use a shorter horizon": the user gave no horizon, and the message
named neither where 18 came from nor ``--horizon``.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import run_cli
from tsforge.errors import DataValidationError

DEFAULT = "18 is the default horizon for this data"


def _short_panel(tmp_path: Path) -> str:
    """A long CSV of 3 series of 2 monthly values each."""
    rows = [f"{sid},2020-0{m}-01,{v + m}" for sid, v in zip("abc", (1, 3, 5), strict=True) for m in (1, 2)]
    path = tmp_path / "short.csv"
    path.write_text("unique_id,ds,y\n" + "\n".join(rows) + "\n")
    return str(path)


@pytest.mark.parametrize("flags", [(), ("--drop-short",)], ids=["refused", "drop-short"])
def test_recommend_names_its_default_horizon_and_the_flag(tmp_path, capsys, monkeypatch, flags):
    monkeypatch.setenv("TSFORGE_CACHE_DIR", str(tmp_path / "cache"))
    code, out, err = run_cli(capsys, "recommend", _short_panel(tmp_path), *flags)
    flat = " ".join(err.split())
    assert code == 2, out + err
    assert "validation 18 + test 18" in flat and DEFAULT in flat and "--horizon" in flat, err


def test_a_horizon_the_user_gave_is_not_called_the_default(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("TSFORGE_CACHE_DIR", str(tmp_path / "cache"))
    code, out, err = run_cli(capsys, "recommend", _short_panel(tmp_path), "--horizon", "2")
    assert code == 2 and "validation 2 + test 2" in " ".join(err.split()), out + err
    assert "default horizon" not in err, err


def test_only_the_holdout_s_too_short_refusal_is_reworded():
    """Another horizon error inside the block passes through as raised."""
    from tsforge.panels.protocol import default_horizon_named

    with pytest.raises(DataValidationError) as caught, default_horizon_named(None, 18):
        raise DataValidationError("horizon must be at least 1, got 0", field="horizon")
    assert caught.value.message == "horizon must be at least 1, got 0"


def test_train_names_its_default_horizon_and_the_flag(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("TSFORGE_CACHE_DIR", str(tmp_path / "cache"))
    code, out, err = run_cli(capsys, "train", _short_panel(tmp_path), "--model", "naive", "--no-track")
    flat = " ".join(err.split())
    assert code == 2, out + err
    assert "validation 18 + test 18" in flat and DEFAULT in flat and "--horizon" in flat, err


def test_the_shorter_horizon_is_advised_once(tmp_path, capsys, monkeypatch):
    """The holdout's refusal of every series already advises ``--horizon N``; the clause that
    names the default horizon does not advise it again (it said "(--horizon N)" twice)."""
    monkeypatch.setenv("TSFORGE_CACHE_DIR", str(tmp_path / "cache"))
    code, out, err = run_cli(capsys, "train", _short_panel(tmp_path), "--model", "naive", "--no-track")
    flat = " ".join(err.split())
    assert code == 2 and DEFAULT in flat, out + err
    assert flat.count("--horizon N") == 1, flat
