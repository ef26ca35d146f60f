"""GET /v1/models and alias moves picked up by POST /v1/admin/reload and by the background poll."""

from __future__ import annotations

import time

import mlflow
from fastapi.testclient import TestClient

from service.main import create_app


def test_list_models_shows_versions_aliases_metrics_and_load_state(client, registry):
    r = client.get("/v1/models")
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["default_model"] == "svc_model"
    m = next(m for m in body["models"] if m["name"] == "svc_model")
    assert m["aliases"]["champion"] == registry.dlinear_version
    assert m["aliases"]["baseline"] == registry.naive_version
    versions = {v["version"]: v for v in m["versions"]}
    v1 = versions[registry.dlinear_version]
    assert v1["aliases"] == ["champion"] and v1["loaded"] is True
    assert v1["input_len"] == 48 and v1["max_horizon"] == 24
    assert "val_mse" in v1["metrics"] and "test_mse" in v1["metrics"]
    assert versions[registry.naive_version]["loaded"] is False
    assert body["count"] == len(body["models"])


def _clone_model(registry, name: str) -> mlflow.MlflowClient:
    """A second registered model with the two versions of ``svc_model`` (so alias moves stay private)."""
    client = mlflow.MlflowClient(tracking_uri=registry.uri, registry_uri=registry.uri)
    try:
        client.get_registered_model(name)
    except mlflow.exceptions.MlflowException:
        client.create_registered_model(name)
        for v in (registry.dlinear_version, registry.naive_version):
            src = client.get_model_version(registry.name, v)
            assert src.source is not None  # every registered version records where it came from
            client.create_model_version(
                name, src.source, run_id=src.run_id, model_id=getattr(src, "model_id", None)
            )
    client.set_registered_model_alias(name, "champion", "1")
    return client


def test_reload_swaps_a_moved_alias(make_settings, registry, series):
    client = _clone_model(registry, "svc_reload")
    with TestClient(create_app(make_settings(default_model="svc_reload"))) as c:
        body = {"series": [series]}
        first = c.post("/v1/forecast", json=body).json()
        assert first["model"]["version"] == "1"
        assert c.post("/v1/admin/reload").json()["changed"] == {}
        client.set_registered_model_alias("svc_reload", "champion", "2")
        assert c.post("/v1/forecast", json=body).json()["model"]["version"] == "1"  # not yet noticed
        r = c.post("/v1/admin/reload")
        assert r.status_code == 200
        assert r.json()["changed"] == {"svc_reload": {"old": "1", "new": "2"}}
        after = c.post("/v1/forecast", json=body).json()
        assert after["model"]["version"] == "2"
        assert after["forecasts"][0]["values"] != first["forecasts"][0]["values"]


def test_background_poll_picks_up_alias_move(make_settings, registry, series):
    client = _clone_model(registry, "svc_poll")
    with TestClient(
        create_app(make_settings(default_model="svc_poll@champion", alias_poll_seconds=0.2))
    ) as c:
        body = {"series": [series]}
        assert c.post("/v1/forecast", json=body).json()["model"]["version"] == "1"
        client.set_registered_model_alias("svc_poll", "champion", "2")
        deadline = time.time() + 20
        version = "1"
        while version != "2" and time.time() < deadline:
            time.sleep(0.1)
            r = c.post("/v1/forecast", json=body)
            assert r.status_code == 200  # never fails during the swap
            version = r.json()["model"]["version"]
        assert version == "2"
