"""What a per-series recommendation and its routed run say agree with the CLI and the README.

* ``--json`` and ``/v1/recommend`` named a ``best_single`` where the CLI said "none stands out"
  (a lead below the clear-pick margin), with no field saying so: ``best_single_clear`` does.
* The run's ``plots/pick_distribution.png`` said "lightgbm 100%" where the CLI's table said
  "100% (0% clear)".
* The run's ``recommendation/explanations.json`` spelled the contribution keys with spaces
  (``"history length"``) where ``--json``, the service and the README say ``history_length``.
* After ``--train`` the explanations said "(65 values)" of a 77-value series (the history less
  its test window), and ``--adapt`` with ``shrink 0`` said ``prior: validation window``.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import replace

import matplotlib.figure
import pytest

from recommender.per_series import CLEAR_PICK_RATIO
from recommender.routed_training import _pick_plot, train_routed
from recommender.series_explain import describe
from recommender.series_recommendation import recommend_series
from tsforge.cli.recommend import best_single_words, expected_mase_caveat
from tsforge.pipeline import TrackingOptions


def _with(router, **config):
    return replace(router, config=replace(router.config, **config))


def test_a_lead_stands_out_only_by_the_clear_pick_margin():
    from recommender.per_series import clear_lead

    margin = CLEAR_PICK_RATIO**0.4  # 1.32
    assert clear_lead({"a": 1.0, "b": 1.2, "c": 2.0}, "a", 0.4) == (False, "b")
    assert clear_lead({"a": 1.0, "b": margin + 0.01}, "a", 0.4) == (True, "b")
    assert clear_lead({"a": 1.0, "b": float("nan")}, "a", 0.4) == (True, None)  # nothing to lead


@pytest.mark.parametrize("temperature", [0.01, 5.0])
def test_best_single_clear_agrees_with_the_cli_words(halves_router, make_halves, temperature):
    from service.schemas.recommend import SeriesPickOut

    router = _with(halves_router, temperature=temperature)
    out = recommend_series(make_halves(12, seed=51), 6, router=router).to_dict()
    c = out["collection"]
    mases = sorted(v for v in c["expected_mase"].values() if v is not None)
    expected = len(mases) < 2 or mases[1] >= CLEAR_PICK_RATIO**temperature * mases[0]
    assert c["best_single_clear"] is expected
    assert ("none stands out" in best_single_words(c, temperature)) is (not expected)
    assert all(s["best_single_clear"] is expected for s in out["series"])
    row = {**out["series"][0], "id": out["series"][0]["unique_id"]}
    assert SeriesPickOut.model_validate(row).model_dump()["best_single_clear"] is expected


def test_the_pick_chart_says_the_clear_share_as_the_table_does(tmp_path, monkeypatch):
    from recommender.routed_training import pick_bars

    bars = pick_bars({"lightgbm": 0.65, "dlinear": 0.35}, {"lightgbm": 0.0, "dlinear": 0.35})
    assert [(name, label) for name, *_, label in bars] == [("lightgbm", "65% (0% clear)"), ("dlinear", "35%")]
    seen: list[str] = []
    save = matplotlib.figure.Figure.savefig

    def capture(fig, *args, **kwargs):
        seen.extend(t.get_text() for ax in fig.axes for t in ax.texts)
        return save(fig, *args, **kwargs)

    monkeypatch.setattr(matplotlib.figure.Figure, "savefig", capture)
    path = _pick_plot({"lightgbm": 1.0}, tmp_path / "p.png", "picks", clear={"lightgbm": 0.0})
    assert path.is_file() and "100% (0% clear)" in seen, seen


def test_an_explanation_is_written_with_the_json_keys(halves_router, make_halves):
    from recommender.series_recommendation import explanation_json

    rec = recommend_series(make_halves(12, seed=51), 6, router=_with(halves_router, shrink=0.0))
    series = rec.to_dict()["series"]
    for ex, said in zip(rec.explanations, series, strict=True):
        written = explanation_json(ex)
        assert written["contributions"] == said["contributions"]
        assert [r["group"] for r in written["reasons"]] == [r["group"] for r in said["reasons"]]
        assert written["text"] == ex["text"] and written["candidate"] == ex["candidate"]
        assert not [k for k in written["contributions"] if " " in k]


def test_a_history_length_says_what_it_counts():
    f = {"log_length": math.log(65)}
    assert describe("history length", f) == "medium-length history (65 values)"
    said = describe("history length", f, history_note="before the test window")
    assert said == "medium-length history (65 values before the test window)"


def test_the_explanations_say_what_the_history_lengths_count():
    """With the shipped router on series of 30–80 monthly values, some picks are explained by
    their history's length: after ``--train`` that length is of the history less its test window."""
    import numpy as np
    import pandas as pd

    from recommender.per_series import SeriesRouter
    from recommender.shipped_router import SHIPPED_ROUTER_DIR

    rng = np.random.default_rng(7)
    frames = []
    for i, n in enumerate(range(30, 90, 3)):
        t = np.arange(n)
        y = 100 + 0.5 * t + 10 * np.sin(2 * np.pi * t / 12) + rng.normal(0, 3, n)
        ds = pd.date_range("2015-01-01", periods=n, freq="MS")
        frames.append(pd.DataFrame({"unique_id": f"S{i:02d}", "ds": ds, "y": y}))
    frame = pd.concat(frames, ignore_index=True)
    router = SeriesRouter.load(SHIPPED_ROUTER_DIR)
    router = _with(router, shrink=0.0)  # the properties' own words, as --adapt's routers may have

    def lengths(**kw):
        rec = recommend_series(frame, 12, router=router, **kw)
        return [
            r["description"] for e in rec.explanations for r in e["reasons"] if r["group"] == "history length"
        ]

    plain, noted = lengths(), lengths(history_note="before the test window")
    assert plain and all(re.search(r"history \(\d+ values\)$", d) for d in plain), plain
    assert noted == [d[:-1] + " before the test window)" for d in plain], noted


def test_after_train_the_caption_points_to_the_measured_mase():
    said = expected_mase_caveat(1.29, measured=True)
    assert "plan with the holdout MASE of --train" not in said and "test MASE below is measured" in said
    assert "plan with the holdout MASE of --train" in expected_mase_caveat(1.29)


@pytest.mark.slow
def test_the_routed_run_writes_json_keys_and_says_what_its_prior_and_lengths_are(
    halves_router, make_halves, tracking_uri, monkeypatch
):
    import mlflow
    import pandas as pd

    import recommender.routed_training as routed_training

    said_of = []
    original = routed_training.recommend_series

    def recommending(*args, **kwargs):
        said_of.append(kwargs.get("history_note"))
        return original(*args, **kwargs)

    monkeypatch.setattr(routed_training, "recommend_series", recommending)
    panel = make_halves(12, seed=31)
    out = train_routed(
        panel, 6, router=_with(halves_router, shrink=0.0), tracking=TrackingOptions(progress=False)
    )
    # shrink 0 pools nothing towards the validation prior: it took no part
    assert out.prior == "none (shrink 0: routed from the series' properties)", out.prior
    assert mlflow.get_run(out.run_id).data.params["prior"] == out.prior
    folder = mlflow.artifacts.download_artifacts(run_id=out.run_id, artifact_path="recommendation")
    with open(f"{folder}/explanations.json") as f:
        written = json.load(f)
    keys = {k for e in written for k in e["contributions"]}
    assert keys and not [k for k in keys if " " in k], keys
    assert "history_length" in keys
    # the lengths its explanations count are the histories less their test windows
    assert said_of == ["before the test window"], said_of
    table = pd.read_csv(f"{folder}/pick_distribution.csv")
    assert list(table.columns) == ["candidate", "share", "clear_share"]
    assert (table["clear_share"] <= table["share"] + 1e-12).all()
