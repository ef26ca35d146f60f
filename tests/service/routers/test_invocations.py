"""POST /invocations speaks MLflow's scoring protocol and answers what MLflow's own server would."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from fastapi.testclient import TestClient

from service.schemas.invocations import INVOCATIONS_EXAMPLES


@pytest.fixture(scope="module")
def client(shared_client: TestClient) -> TestClient:
    """One app for this module's tests (``shared_client``): they only post forecasts and read
    the answers (no alias moves, no reloads, no other settings), so what one leaves behind (the
    store's loaded versions) changes no answer another checks."""
    return shared_client


@pytest.fixture()
def frame(registry) -> pd.DataFrame:
    n = len(registry.history)
    a = pd.DataFrame({"unique_id": registry.channel_ids[0], "ds": registry.timestamps, "y": registry.history})
    b = pd.DataFrame({"unique_id": "fresh", "ds": registry.timestamps, "y": np.linspace(5, 9, n)})
    return pd.concat([b, a], ignore_index=True)


@pytest.fixture(scope="module")
def mlflow_server(registry):
    """MLflow's own scoring app (what ``mlflow models serve`` runs) over the same model version."""
    import mlflow.pyfunc
    from mlflow.pyfunc import scoring_server

    model = mlflow.pyfunc.load_model(f"models:/{registry.name}/{registry.dlinear_version}")
    with TestClient(scoring_server.init(model)) as c:
        yield c


def _mlflow_answer(server, body: dict) -> dict:
    r = server.post("/invocations", json=body)
    assert r.status_code == 200, r.text
    return r.json()


def _encodings(df: pd.DataFrame) -> dict[str, dict]:
    records = json.loads(df.to_json(orient="records"))
    split = json.loads(df.to_json(orient="split", index=False))
    columnar = {c: df[c].tolist() for c in df.columns}
    return {
        "dataframe_split": {"dataframe_split": split},
        "dataframe_records": {"dataframe_records": records},
        "instances": {"instances": records},
        "inputs": {"inputs": columnar},
    }


@pytest.mark.parametrize("encoding", ["dataframe_split", "dataframe_records", "instances", "inputs"])
def test_same_answer_as_mlflow_scoring_server(client, mlflow_server, frame, encoding):
    body = {**_encodings(frame)[encoding], "params": {"horizon": 12}}
    r = client.post("/invocations", json=body)
    assert r.status_code == 200, r.text
    ours = r.json()
    theirs = _mlflow_answer(mlflow_server, body)
    assert set(ours) == {"predictions"}
    assert len(ours["predictions"]) == 2 * 12
    assert [p.keys() for p in ours["predictions"]] == [p.keys() for p in theirs["predictions"]]
    for a, b in zip(ours["predictions"], theirs["predictions"], strict=True):
        assert (a["unique_id"], a["ds"], a["step"]) == (b["unique_id"], b["ds"], b["step"])
        assert a["y_hat"] == pytest.approx(b["y_hat"], rel=1e-6)


def test_integer_ds_is_a_step_index_that_the_answer_continues(client, frame):
    """Integer ``ds`` (Nixtla's step index, as a CSV may hold it) orders the rows and numbers the
    forecast steps after each series' last one, as ``tsforge forecast`` and the pyfunc's frame do.
    (MLflow's own server is no reference here: its schema enforcement casts the integers to
    datetimes for a model whose signature has a datetime ``ds``.)"""
    steps = frame.assign(ds=frame.groupby("unique_id").cumcount() * 10 + 1000)
    shuffled = steps.sample(frac=1.0, random_state=1)
    body = {**_encodings(shuffled)["dataframe_split"], "params": {"horizon": 3}}
    r = client.post("/invocations", json=body)
    assert r.status_code == 200, r.text
    ours = r.json()["predictions"]
    last = steps.groupby("unique_id")["ds"].max()
    first_seen = list(dict.fromkeys(shuffled["unique_id"]))  # series answer in the order they arrive
    assert first_seen != sorted(first_seen)
    assert [(p["unique_id"], p["ds"]) for p in ours] == [
        (u, int(last[u]) + 10 * k) for u in first_seen for k in (1, 2, 3)
    ]
    dated = client.post(
        "/invocations", json={**_encodings(frame)["dataframe_split"], "params": {"horizon": 3}}
    )
    by_key = {(p["unique_id"], p["step"]): p["y_hat"] for p in dated.json()["predictions"]}
    assert [p["y_hat"] for p in ours] == pytest.approx([by_key[p["unique_id"], p["step"]] for p in ours])


def test_without_ds_and_without_params(client, registry, frame):
    """MLflow's server would refuse this frame (its signature requires ds); the pyfunc itself accepts it."""
    import mlflow.pyfunc

    df = frame.drop(columns=["ds"])
    r = client.post("/invocations", json=_encodings(df)["dataframe_split"])
    assert r.status_code == 200, r.text
    raw = mlflow.pyfunc.load_model(
        f"models:/{registry.name}/{registry.dlinear_version}"
    ).unwrap_python_model()
    theirs = {"predictions": json.loads(raw.predict(None, df).to_json(orient="records"))}
    ours = r.json()["predictions"]
    assert len(ours) == 2 * 24
    assert ours[0].keys() == theirs["predictions"][0].keys() == {"unique_id", "step", "y_hat"}
    assert [p["y_hat"] for p in ours] == pytest.approx([p["y_hat"] for p in theirs["predictions"]], rel=1e-6)


def test_unsorted_rows_are_sorted_by_time(client, frame):
    shuffled = frame.sample(frac=1.0, random_state=0)
    a = client.post("/invocations", json=_encodings(frame)["dataframe_records"]).json()
    b = client.post("/invocations", json=_encodings(shuffled)["dataframe_records"]).json()
    by_id = lambda rows: sorted(rows, key=lambda p: (p["unique_id"], p["step"]))  # noqa: E731
    assert by_id(a["predictions"]) == by_id(b["predictions"])


@pytest.mark.parametrize("name", sorted(INVOCATIONS_EXAMPLES))
def test_openapi_examples_work_as_shown(client, name):
    r = client.post("/invocations", json=INVOCATIONS_EXAMPLES[name]["value"])
    assert r.status_code == 200, r.text
    assert r.json()["predictions"][0]["unique_id"] == "station_a"


def test_params_model_picks_a_version(client, frame):
    body = {**_encodings(frame)["inputs"], "params": {"model": "svc_model@baseline", "horizon": 3}}
    r = client.post("/invocations", json=body)
    assert r.status_code == 200, r.text
    last = frame.groupby("unique_id")["y"].last()
    for p in r.json()["predictions"]:
        assert p["y_hat"] == pytest.approx(last[p["unique_id"]])


def _split(rows, columns=("unique_id", "ds", "y")):
    return {"dataframe_split": {"columns": list(columns), "data": rows}}


#: the shortest frame whose series may be forecast (two observed values: one is a 422 naming it,
#: before the params that name a model or a horizon are looked up, as on /v1/forecast)
TWO_ROWS = [["a", "2024-01-01", 1.0], ["a", "2024-01-02", 2.0]]


@pytest.mark.parametrize(
    ("body", "status", "field"),
    [
        ({}, 422, "body"),
        ({"dataframe_records": [], "inputs": {"y": [1]}}, 422, "body"),
        ({"dataframe_records": []}, 422, "dataframe_records"),
        ({"dataframe_records": [{"unique_id": "a", "ds": "2024-01-01"}]}, 422, "dataframe_records"),
        (_split([["a", "2024-01-01", "x"]]), 422, "dataframe_split.data[0][2]"),
        (_split([["a", "2024-01-01", True]]), 422, "dataframe_split.data[0][2]"),
        (_split([["a", "2024-01-01"]]), 422, "dataframe_split.data[0]"),
        (_split([[None, "2024-01-01", 1.0]]), 422, "dataframe_split.data[0][0]"),
        (_split([["a", "yesterday", 1.0]]), 422, "dataframe_split.data[0][1]"),
        (_split([["a", 12, 1.0], ["a", "2024-01-02", 2.0]]), 422, "dataframe_split.data[1][1]"),
        (_split([["a", 12.5, 1.0]]), 422, "dataframe_split.data[0][1]"),
        (_split([["a", "2024-01-01", 1.0], ["a", None, 2.0]]), 422, "dataframe_split.data[1][1]"),
        (_split([["a", "2024-01-01", 1.0], ["a", "2024-01-01", 2.0]]), 422, "dataframe_split.data[1][1]"),
        (_split([["a", "2024-01-01", None]]), 422, "dataframe_split.data[0][2]"),  # none observed
        (_split([["a", "2024-01-01", 1.0]], ("unique_id", "unique_id", "y")), 422, "dataframe_split.columns"),
        ({"inputs": {"unique_id": ["a", "b"], "y": [1.0]}}, 422, "inputs"),
        ({**_split(TWO_ROWS), "params": {"horizon": 0}}, 422, "params.horizon"),
        ({**_split(TWO_ROWS), "params": {"horizon": "x"}}, 422, "params.horizon"),
        ({**_split(TWO_ROWS), "params": {"horizon": 1.5}}, 422, "params.horizon"),
        ({**_split(TWO_ROWS), "params": {"horizon": 99}}, 422, "params.horizon"),
        ({**_split(TWO_ROWS), "params": {"model": 3}}, 422, "params.model"),
        ({**_split(TWO_ROWS), "params": {"model": "  "}}, 422, "params.model"),
        # the request has params.model, inputs/dataframe_split: no model, no series[0] (audit D8)
        ({**_split(TWO_ROWS), "params": {"model": "nope@x"}}, 404, "params.model"),
        ({**_split(TWO_ROWS), "params": {"model": "x/abc"}}, 422, "params.model"),
        (_split(TWO_ROWS), 422, "dataframe_split"),  # shorter than the input length
        ({"inputs": {"unique_id": ["a"] * 3, "y": [1.0, 2.0, 3.0]}}, 422, "inputs"),
    ],
)
def test_bad_payloads_are_4xx_naming_the_field(client, body, status, field):
    r = client.post("/invocations", json=body)
    assert r.status_code == status, r.text
    assert r.json()["field"] == field, r.json()
    assert r.json()["error_code"] in {"INVALID_PARAMETER_VALUE", "RESOURCE_DOES_NOT_EXIST"}


def test_nan_literal_in_y_is_422_with_row(client):
    raw = '{"dataframe_split": {"columns": ["unique_id", "y"], "data": [["a", 1.0], ["a", NaN]]}}'
    r = client.post("/invocations", content=raw.encode(), headers={"content-type": "application/json"})
    assert r.status_code == 422
    assert r.json()["column"] == "y" and r.json()["row"] == 1
    assert r.json()["field"] == "dataframe_split.data[1][1]", r.json()


def test_version_is_mlflow_version(client):
    import mlflow

    r = client.get("/version")
    assert r.status_code == 200 and r.text == mlflow.__version__


def test_a_sampling_mismatch_names_the_payload_and_the_series(client, registry):
    """Audit D8: a daily history for the hourly model was blamed on ``series[0].timestamps``,
    a field the MLflow request does not have; it names the payload and the series' unique_id."""
    n = len(registry.history)
    days = [str(np.datetime64("2020-01-01") + np.timedelta64(k, "D")) for k in range(n)]
    body = {"inputs": {"unique_id": ["s"] * n, "ds": days, "y": registry.history}, "params": {"horizon": 2}}
    r = client.post("/invocations", json=body)
    assert r.status_code == 422, r.text
    assert r.json()["field"] == "inputs" and r.json()["unique_id"] == "s", r.json()
