"""``per_series: true`` on ``/v1/recommend`` with a router that pools every series fully towards
the collection (the shipped one): every series gets the collection's weights, and the answer
now says so in the sentence ``tsforge recommend --per-series`` prints
(:func:`recommender.series_recommendation.pooling_words`); it said nothing of it before."""

from __future__ import annotations

import pandas as pd

N = 48


def _series(sid: str, seed: int) -> dict:
    months = [t.isoformat() for t in pd.date_range("2015-01-01", periods=N, freq="MS")]
    return {
        "id": sid,
        "values": [float(10 + seed + (k % 12) + 0.1 * (k % 5)) for k in range(N)],
        "timestamps": months,
    }


def test_a_fully_pooled_answer_says_why_every_series_has_the_same_weights(rec_client):
    r = rec_client.post(
        "/v1/recommend",
        json={"series": [_series("a", 0), _series("b", 3)], "per_series": True, "horizon": 6},
    )
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["router"]["shrink"] == 1.0, body["router"]  # the shipped router pools fully
    said = body.get("pooling")
    assert said, sorted(body)
    from recommender.series_recommendation import pooling_words

    assert said == pooling_words(body["router"]), said
    assert said.startswith("every series gets the collection's weights") and "--adapt" in said, said
    assert [s["weights"] for s in body["series"]][0] == body["series"][1]["weights"]


def test_a_router_that_routes_series_apart_says_nothing_of_pooling():
    from recommender.series_recommendation import pooling_words

    assert pooling_words({"shrink": 0.5}) is None
    assert pooling_words({}) is None
