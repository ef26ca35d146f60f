"""``recommend`` says a file's missing values once, not once per candidate it fits.

Found by last session's review: ``tsforge recommend FILE --fill-gaps`` said the reader's "inserted
4 missing steps", then "4 missing values … <model> is fitted …" for every candidate of the
ranking (six), and ``--per-series --train`` two such notes per member (its fit, its validation
forecast) and more from the plots: the same four steps counted a dozen times.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from tests.conftest import run_cli


def _gap_file(tmp_path, *, skipped: dict[str, list[int]], empty: dict[str, list[int]]) -> str:
    """Four monthly seasonal series of 40 months: the rows ``skipped`` left out of the file, the
    ``y`` of ``empty`` blank."""
    frames = []
    for i, sid in enumerate(("a", "b", "c", "d")):
        frame = pd.DataFrame(
            {
                "unique_id": sid,
                "ds": pd.date_range("2015-01-01", periods=40, freq="MS").strftime("%Y-%m-%d"),
                "y": 100 + 5 * i + 10 * np.sin(np.arange(40) * np.pi / 6) + np.arange(40) * 0.3 * i,
            }
        )
        frame.loc[empty.get(sid, []), "y"] = np.nan
        frames.append(frame.drop(index=skipped.get(sid, [])))
    path = tmp_path / "gap.csv"
    pd.concat(frames).to_csv(path, index=False)
    return str(path)


def _notes(err: str) -> list[str]:
    """The ``note:`` paragraphs of ``err``, each on one line (a long temporary path may be wrapped
    before the colon that follows it, so a space before a colon is taken out)."""
    return [" ".join(n.split()).replace(" :", ":") for n in re.split(r"(?m)^note: ", err)[1:]]


def _on_missing_values(err: str) -> list[str]:
    return [n for n in _notes(err) if "missing value" in n]


def test_the_ranking_says_the_inserted_steps_once(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("TSFORGE_CACHE_DIR", str(tmp_path / "cache"))
    path = _gap_file(tmp_path, skipped={"a": [20, 21, 22], "b": [10]}, empty={})
    code, out, err = run_cli(capsys, "recommend", path, "--fill-gaps", "-H", "6")
    assert code == 0, out + err
    (note,) = _on_missing_values(err)
    said = "gap.csv: 4 missing values in 2 of 4 series: 'a' (3), 'b' (1), 4 of them are steps --fill-gaps"
    # the long temporary path before it may be wrapped anywhere, inside its last name too
    assert "".join(said.split()) in "".join(note.split()), note
    # every candidate's way of reading them, in the one note
    assert "the local candidates (seasonal_naive, naive, auto_theta, auto_ets) are fitted" in note, note
    assert "the global ones' (nlinear, dlinear) input windows carry" in note, note


def test_the_ranking_says_a_file_s_empty_cells_once(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("TSFORGE_CACHE_DIR", str(tmp_path / "cache"))
    path = _gap_file(tmp_path, skipped={}, empty={"c": [15, 16]})
    code, out, err = run_cli(capsys, "recommend", path, "-H", "6")
    assert code == 0, out + err
    (note,) = _on_missing_values(err)
    said = "gap.csv: 2 missing values in 1 of 4 series: 'c' (2); the local candidates"
    assert "".join(said.split()) in "".join(note.split()), note  # the path may wrap anywhere


def test_per_series_training_says_the_members_reading_once(
    tmp_path, capsys, monkeypatch, make_halves, saved_router, tracking_uri
):
    path = tmp_path / "halves.csv"
    frame = make_halves(12, seed=51).to_long()
    first = frame.groupby("unique_id").head(40)  # drop the 11th and 12th row of two series
    dropped = first.groupby("unique_id").nth([10, 11])
    dropped = dropped[dropped["unique_id"].isin(frame["unique_id"].unique()[:2])]
    frame.drop(index=dropped.index).to_csv(path, index=False)
    code, out, err = run_cli(
        capsys, "recommend", str(path), "--fill-gaps", "--horizon", "6", "--per-series", "--train",
        "--register-as", "halves-gaps", "--mode", "pick",
    )  # fmt: skip
    assert code == 0, out + err
    (note,) = _on_missing_values(err)
    assert "4 missing values in 2 of 12 series" in note and "4 of them are steps --fill-gaps inserted" in note
    assert "the members are fitted with them filled by linear interpolation" in note, note
