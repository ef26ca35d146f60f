"""The per-series table's line on the collection's best candidate says what it is: one candidate
for every series, against a pick per series.

Why: on real panels (hospital, nn5_weekly) it read "best single candidate
auto_ets+auto_theta+dlinear": a combination of three models, called "single" because one
candidate serves every series, which the line did not say.
"""

from __future__ import annotations

import json

from tests.conftest import run_cli


def test_the_best_candidate_for_every_series_is_named_as_such(capsys, halves_csv, saved_router):
    code, out, err = run_cli(capsys, "recommend", halves_csv, "--horizon", "6", "--per-series", "--json")
    assert code == 0, err
    collection = json.loads(out)["collection"]
    code, out, err = run_cli(capsys, "recommend", halves_csv, "--horizon", "6", "--per-series")
    assert code == 0, err
    said = " ".join(out.split())
    best, mase = collection["best_single"], collection["expected_mase_best_single"]
    assert f"one candidate for every series: {best} is best (expected MASE {mase:.3f})" in said, said
    assert "best single candidate" not in said, said
    assert "per-series picks: expected MASE" in said, said  # this router routes series apart
