"""A per-series recommendation at a horizon no series of the panel is long enough to train at is
refused, naming the horizon, the longest series and the length needed; a panel where only some
series are too short is still answered, naming those.

Why: every series got a pick, weights and an expected MASE, and only a closing line of the CLI
("no series is long enough to train the routed ensemble ...") said that none of it could be
trained or checked; the service answered 200 without even that line.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from fastapi.testclient import TestClient

from tests.conftest import run_cli
from tsforge.data.panel import Panel
from tsforge.errors import DataValidationError
from tsforge.panels.protocol import TOO_SHORT_FOR_HORIZON, holdout_length


def _panel(lengths: dict[str, int]) -> Panel:
    """Monthly seasonal series of the given lengths (ids: the keys)."""
    arrays = [10 + 5 * np.sin(np.arange(n) * np.pi / 6) + 0.1 * np.arange(n) for n in lengths.values()]
    return Panel.from_arrays(arrays, ids=list(lengths), freq="MS", name="short")


def test_a_horizon_no_series_can_be_trained_at_is_refused_naming_what_is_needed(halves_router):
    from recommender.series_recommendation import recommend_series

    panel = _panel({"a": 10, "b": 12})  # horizon 6 needs 1 + 6 + 6 = 13 values
    with pytest.raises(DataValidationError) as caught:
        recommend_series(panel, 6, router=halves_router)
    exc = caught.value
    assert exc.where == {"field": "horizon"} and exc.kind == TOO_SHORT_FOR_HORIZON
    assert "horizon 6" in exc.message and "the longest has 12 values" in exc.message, exc.message
    assert f"needs {holdout_length(6)}" in exc.message and "at most 5" in exc.message, exc.message
    assert "--horizon 5 or less" in exc.for_cli() and "\n" not in exc.for_cli()


def test_a_default_horizon_no_series_fits_is_said_to_be_the_default(halves_router):
    from recommender.series_recommendation import recommend_series

    with pytest.raises(DataValidationError, match=r"horizon 18 \(the default for this data") as caught:
        recommend_series(_panel({"a": 20}), router=halves_router)  # monthly: M4 horizon 18
    assert (
        "the series is not long enough" in caught.value.message and "it has 20 values" in caught.value.message
    )


def test_one_series_long_enough_carries_the_answer_and_the_others_are_named(halves_router):
    """The boundary: a series of exactly the holdout's length is long enough."""
    from recommender.series_recommendation import recommend_series

    need = holdout_length(6)
    out = recommend_series(_panel({"long": need, "short": need - 1}), 6, router=halves_router)
    assert out.n_series == 2 and out.short_for_holdout == ["short"] and out.holdout_length == need
    assert list(out.per_series["unique_id"]) == ["long", "short"]


def test_a_caller_that_trained_on_the_histories_may_ask_without_the_refusal(halves_router):
    """The routed ensemble's training recommends for the holdout's histories (each a horizon
    shorter than the series it trained on): that caller turns the refusal off."""
    from recommender.series_recommendation import recommend_series

    out = recommend_series(_panel({"a": 10, "b": 12}), 6, router=halves_router, refuse_untrainable=False)
    assert out.short_for_holdout == ["a", "b"]


def test_the_cli_exits_with_one_line_naming_the_horizon_and_lengths(capsys, tmp_path, saved_router):
    path = tmp_path / "short.csv"
    frame = pd.DataFrame(
        {
            "unique_id": ["a"] * 3 + ["b"] * 5,
            "ds": [
                *pd.date_range("2009-01-01", periods=3, freq="MS"),
                *pd.date_range("2009-01-01", periods=5, freq="MS"),
            ],
            "y": [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 9.0],
        }
    )
    frame.to_csv(path, index=False)
    code, out, err = run_cli(capsys, "recommend", str(path), "--horizon", "6", "--per-series")
    assert code == 2 and out == "", out
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), err
    assert "horizon 6" in err and "the longest has 5 values" in err and "needs 13" in err, err
    assert "--horizon 2 or less" in err, err
    code, out, err = run_cli(capsys, "recommend", str(path), "--horizon", "6", "--per-series", "--json")
    assert code == 2 and out == "" and "needs 13" in err, (out, err)


@pytest.fixture()
def client(tmp_path, monkeypatch, halves_router, empty_store_uri):
    from recommender.per_series import router_dir
    from service.main import create_app
    from service.settings import ServiceSettings

    monkeypatch.setenv("TSFORGE_CACHE_DIR", str(tmp_path / "cache"))  # the workers read it too
    halves_router.save(router_dir())
    settings = ServiceSettings(tracking_uri=empty_store_uri, alias_poll_seconds=0, cpu_timeout_seconds=600)
    with TestClient(create_app(settings)) as c:
        yield c


def test_the_service_answers_422_naming_the_horizon(client):
    wave = (10 + 5 * np.sin(np.arange(12) * np.pi / 6)).tolist()
    series = [{"id": "a", "values": wave}, {"id": "b", "values": wave[:8]}]
    r = client.post("/v1/recommend", json={"series": series, "horizon": 6, "per_series": True})
    assert r.status_code == 422, r.text
    body = r.json()
    assert body["field"] == "horizon", body
    assert "horizon 6" in body["message"] and "the longest has 12 values" in body["message"], body
    assert "needs 13" in body["message"] and "--horizon" not in body["message"], body
    # one series long enough: answered, the short one named
    series[0]["values"] = (10 + 5 * np.sin(np.arange(13) * np.pi / 6)).tolist()
    r = client.post("/v1/recommend", json={"series": series, "horizon": 6, "per_series": True})
    assert r.status_code == 200, r.text
    assert r.json()["short_for_holdout"] == ["b"]


def test_the_routed_training_is_not_refused_for_histories_shorter_than_its_series(halves_router):
    """A regression guard, not a defect of the old code: the routed training recommends for the
    holdout's histories (each series less its test window), so series long enough to train at
    horizon 6 (15-18 values) leave histories of 9-12, fewer than 13; the refusal must not stop that training
    (``recommender/routed_training.py`` passes ``refuse_untrainable=False``)."""
    from recommender.routed_training import train_routed
    from tsforge.pipeline import TrackingOptions

    panel = _panel({"a": 15, "b": 16, "c": 18, "d": 17})
    out = train_routed(panel, 6, router=halves_router, tracking=TrackingOptions(track=False, progress=False))
    assert out.recommendation.short_for_holdout == ["a", "b", "c", "d"]
    assert np.isfinite(out.metrics["test_mase"])
