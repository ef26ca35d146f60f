"""A flat history and a series too short to profile are answered like the others, but say why
their answer means less: a ``caveat`` per series, the ids per kind, and a line in the CLI."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd

from tests.conftest import run_cli as _cli


def _with_odd_series(make_halves) -> pd.DataFrame:
    frame = make_halves(12, seed=51).to_long()
    last = pd.to_datetime(frame["ds"]).max()
    dates = pd.date_range(end=last, periods=40, freq="MS")
    flat = pd.DataFrame({"unique_id": "flat", "ds": dates, "y": 4.0})
    short = pd.DataFrame({"unique_id": "three", "ds": dates[-3:], "y": [5.0, 7.0, 6.0]})
    return pd.concat([frame, flat, short], ignore_index=True)


def test_flat_and_short_series_carry_a_caveat(make_halves, halves_router):
    from recommender.series_recommendation import recommend_series

    rec = recommend_series(_with_odd_series(make_halves), horizon=6, router=halves_router)
    caveat = dict(zip(rec.per_series["unique_id"], rec.per_series["caveat"], strict=True))
    assert caveat["flat"].startswith("flat history (every value 4)")
    assert caveat["three"].startswith("too short to profile (3 values; the properties need 12)")
    assert all(caveat[u] == "" for u in caveat if u not in ("flat", "three"))
    assert rec.collection["caveats"] == {"flat history": ["flat"], "too short to profile": ["three"]}
    series = {s["unique_id"]: s for s in rec.to_dict()["series"]}
    assert series["flat"]["caveat"] == caveat["flat"] and series["seas0"]["caveat"] == ""


def test_the_cli_names_the_series_with_a_caveat(capsys, tmp_path, make_halves, saved_router):
    path = tmp_path / "odd.csv"
    _with_odd_series(make_halves).to_csv(path, index=False)
    code, out, err = _cli(capsys, "recommend", str(path), "--horizon", "6", "--per-series")
    assert code == 0, err
    text = " ".join(out.split())
    assert "1 of 14 series: flat history ('flat')" in text
    assert "1 of 14 series: too short to profile ('three')" in text
    code, out, err = _cli(capsys, "recommend", str(path), "--horizon", "6", "--per-series", "--json")
    assert code == 0, err
    payload = json.loads(out)
    got = {s["unique_id"]: s["caveat"] for s in payload["series"]}
    assert got["three"] and got["flat"] and not got["seas0"]
    assert np.isfinite([s["expected_mase"] for s in payload["series"] if s["unique_id"] == "seas0"]).all()
