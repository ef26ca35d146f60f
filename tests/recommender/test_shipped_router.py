"""The per-series router shipped with tsforge: this release's build, served when this machine built
none (so a fresh install recommends per series without the 15–25 minute build or the development
collections' files), behind a router built here, and refreshed by ``make shipped-router``."""

from __future__ import annotations

import json
from dataclasses import replace

import numpy as np
import pandas as pd
import pytest
from fastapi.testclient import TestClient

import recommender.series_recommendation as sr
from recommender.per_series import SeriesRouter, train_router
from recommender.series_features import series_features
from recommender.series_kb import DEV_COLLECTIONS, SeriesKBSettings
from recommender.shipped_router import (
    SHIPPED_ROUTER_DIR,
    default_router_folder,
    ship_router,
    shipped_router_dir,
)
from tsforge.errors import DataValidationError

STALE = "the shipped per-series router is not this release's build: run `make shipped-router`"


@pytest.fixture
def fresh_install(tmp_path, monkeypatch):
    """An empty cache and no development collections; building the knowledge base fails the test."""
    monkeypatch.delenv("TSFORGE_SERIES_ROUTER", raising=False)
    monkeypatch.setenv("TSFORGE_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("TSFORGE_DATA_DIR", str(tmp_path / "no-data-here"))

    def no_build(*args, **kwargs):
        raise AssertionError("the knowledge base was built although a router ships")

    monkeypatch.setattr(sr, "build_series_kb", no_build)


def test_the_shipped_router_is_this_releases_build():
    """Guard against drift: the features (checked by ``load``), the knowledge-base settings and the
    collections are today's, and nothing of the machine that built it is left in."""
    folder = shipped_router_dir()
    assert folder is not None, STALE
    router = SeriesRouter.load(folder)
    settings = json.loads(json.dumps(SeriesKBSettings().to_dict()))  # as router.json stores it
    assert router.meta["kb_settings"] == settings, STALE
    assert sorted(router.meta["collections"]) == sorted(DEV_COLLECTIONS), STALE
    assert "mlflow_run_id" not in router.meta
    assert sr._saved_default_router(folder)[1] is None  # served as it is, never rebuilt


def test_the_shipped_rows_are_the_rows_the_shipped_router_learnt():
    """``--adapt`` retrains on the shipped rows, so they must be the router's own: retraining on
    them with its configuration gives its expected errors."""
    folder = shipped_router_dir()
    assert folder is not None, STALE
    shipped = SeriesRouter.load(folder)
    rows = pd.read_parquet(folder / sr.KB_ROWS_FILE)
    assert sorted(rows["collection"].unique()) == sorted(DEV_COLLECTIONS)
    again = train_router(rows, shipped.candidates, shipped.combinations, shipped.config)
    some = rows.drop_duplicates("collection")
    # a change to how routers are trained fails here too: either way, the shipped one is stale
    np.testing.assert_allclose(
        again.expected_mase(some), shipped.expected_mase(some), rtol=1e-9, err_msg=STALE
    )


def test_without_a_router_built_here_the_shipped_one_serves(fresh_install):
    assert default_router_folder() == SHIPPED_ROUTER_DIR
    assert sr.default_router_pending() is None  # nothing to announce, nothing refused
    router = sr.default_router()
    assert router.path == SHIPPED_ROUTER_DIR and tuple(router.candidates)


def test_a_router_built_here_comes_before_the_shipped_one(fresh_install, halves_router):
    from recommender.per_series import router_dir

    built = halves_router.save(router_dir())
    assert default_router_folder() == built
    assert sr.default_router().candidates == halves_router.candidates


def test_a_fresh_install_recommends_per_series_from_the_command_line(fresh_install, tmp_path, capsys):
    from tests.conftest import monthly_frame, run_cli

    data = tmp_path / "mine.csv"
    monthly_frame().to_csv(data, index=False)
    code, out, err = run_cli(capsys, "recommend", str(data), "--horizon", "6", "--per-series", "--json")
    assert code == 0, err
    shipped = SeriesRouter.load(SHIPPED_ROUTER_DIR)
    series = json.loads(out)["series"]
    assert len(series) == monthly_frame()["unique_id"].nunique()
    assert {s["pick"] for s in series} <= set(shipped.candidates) | set(shipped.combinations)
    assert "building it once" not in out + err


def test_the_service_recommends_per_series_with_the_shipped_router(
    fresh_install, make_halves, empty_store_uri
):
    from service.main import create_app
    from service.settings import ServiceSettings

    panel = make_halves(4, seed=3)
    series = [{"id": str(panel.ids[i]), "values": panel.series(i).tolist()} for i in range(len(panel))]
    settings = ServiceSettings(tracking_uri=empty_store_uri, alias_poll_seconds=0)
    with TestClient(create_app(settings)) as client:
        r = client.post("/v1/recommend", json={"series": series, "horizon": 6, "per_series": True})
    assert r.status_code == 200, r.text
    assert len(r.json()["series"]) == 4


def test_ship_router_copies_what_load_reads_without_the_build_machines_run_id(
    tmp_path, halves_router, make_halves
):
    source = replace(halves_router, meta={**halves_router.meta, "mlflow_run_id": "0123abcd"}).save(
        tmp_path / "built"
    )
    pd.DataFrame({"collection": ["halves1"]}).to_parquet(source / sr.KB_ROWS_FILE)
    target = tmp_path / "shipped"
    target.mkdir()
    (target / "candidate_9.txt").write_text("a candidate of an older build")
    assert ship_router(source, target) == target
    assert not (target / "candidate_9.txt").exists()
    assert (target / sr.KB_ROWS_FILE).read_bytes() == (source / sr.KB_ROWS_FILE).read_bytes()
    loaded = SeriesRouter.load(target)
    assert "mlflow_run_id" not in loaded.meta
    features = series_features(make_halves(6, seed=9), 6)
    np.testing.assert_array_equal(loaded.expected_mase(features), halves_router.expected_mase(features))
    with pytest.raises(FileNotFoundError, match="recommender build --per-series"):
        ship_router(tmp_path / "nothing-built", tmp_path / "elsewhere")
    assert not (tmp_path / "elsewhere").exists()


def test_a_router_folder_named_in_the_environment_is_served_as_it_is(
    fresh_install, tmp_path, monkeypatch, halves_router
):
    """``$TSFORGE_SERIES_ROUTER`` (a router built elsewhere) comes before the built and the shipped
    ones, is never rebuilt (even when trained on other collections) and, when it holds no router,
    is refused naming the variable instead of starting a build."""
    from recommender.per_series import router_dir

    halves_router.save(router_dir())  # a build here, passed over
    elsewhere = replace(halves_router, meta={"collections": {"mine": 1}, "kb_settings": {}}).save(
        tmp_path / "team"
    )
    monkeypatch.setenv("TSFORGE_SERIES_ROUTER", str(elsewhere))
    assert default_router_folder() == elsewhere
    assert sr.default_router_pending() is None
    assert sr.default_router().meta["collections"] == {"mine": 1}
    monkeypatch.setenv("TSFORGE_SERIES_ROUTER", str(tmp_path / "nothing-here"))
    with pytest.raises(DataValidationError, match="TSFORGE_SERIES_ROUTER"):
        sr.default_router()
