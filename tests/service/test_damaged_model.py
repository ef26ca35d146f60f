"""A registered version whose files were damaged after registration (truncated, edited): the
service names it in a JSON error and goes on answering everything else."""

from __future__ import annotations

from pathlib import Path

import mlflow


def test_a_damaged_version_is_a_json_error_naming_it_and_the_service_goes_on(
    registry, client, series, caplog
):
    from tsforge.data.synthetic import synthetic_stations
    from tsforge.pipeline import train
    from tsforge.tracking import configure_tracking

    configure_tracking(registry.uri)
    data = synthetic_stations(n_channels=3, n_steps=480, seed=0)
    out = train(data, "naive", input_len=48, horizon=24, registered_name="svc_damaged", progress=False)
    uri = mlflow.MlflowClient().get_model_version_download_uri("svc_damaged", out.version)
    (meta,) = Path(uri.removeprefix("file://")).rglob("model.json")
    meta.write_text("{truncated")

    r = client.post(
        "/v1/forecast", json={"series": [series], "horizon": 12, "model": f"svc_damaged/{out.version}"}
    )
    assert r.status_code == 500, r.text
    body = r.json()
    assert body["error"] == "ModelLoadError"
    assert f"svc_damaged/{out.version} could not be loaded" in body["message"]
    # the operator sees it in the service's log too, not only the client in its response
    logged = [r for r in caplog.records if r.name == "service.errors" and r.levelname == "ERROR"]
    assert any("ModelLoadError" in r.getMessage() and "svc_damaged" in r.getMessage() for r in logged)
    assert client.get("/healthz").status_code == 200
    assert client.post("/v1/forecast", json={"series": [series], "horizon": 12}).status_code == 200
