"""ModelStore without HTTP: reference parsing, caching, atomic swaps, eviction, error mapping."""

from __future__ import annotations

import threading
from types import SimpleNamespace
from typing import Any

import pytest
from mlflow.exceptions import MlflowException
from mlflow.protos.databricks_pb2 import RESOURCE_DOES_NOT_EXIST

from service.model_store import ModelRef, ModelStore, parse_model_ref
from tsforge.errors import ConfigError, ModelNotFoundError


@pytest.mark.parametrize(
    ("text", "ref"),
    [
        ("m", ModelRef("m")),
        ("m@champion", ModelRef("m", alias="champion")),
        ("m/3", ModelRef("m", version="3")),
        ("models:/m/007", ModelRef("m", version="7")),
        ("models:/my.model-x@prod_2", ModelRef("my.model-x", alias="prod_2")),
    ],
)
def test_parse_model_ref(text, ref):
    assert parse_model_ref(text) == ref


@pytest.mark.parametrize("text", ["", "m@", "@a", "m/", "m/0", "m/x", "m/-1", "a@b@c", "bad name!", "m@1x!"])
def test_parse_model_ref_rejects_malformed(text):
    """A malformed reference is the caller's input error (422 in the service), not a missing model."""
    with pytest.raises(ConfigError) as err:
        parse_model_ref(text)
    assert err.value.where["field"] == "model"
    assert "expected 'name', 'name@alias' or 'name/version'" in err.value.message


class FakeClient:
    """Just enough of MlflowClient: versions 1..n of one model and a mutable alias table."""

    def __init__(self, name: str, n: int) -> None:
        self.name, self.n = name, n
        self.aliases: dict[str, str] = {}
        self.calls = 0

    def _missing(self):
        return MlflowException("missing", error_code=RESOURCE_DOES_NOT_EXIST)

    def get_model_version(self, name, version):
        self.calls += 1
        if name != self.name or not 1 <= int(version) <= self.n:
            raise self._missing()
        return SimpleNamespace(version=str(version), run_id=f"run{version}")

    def get_model_version_by_alias(self, name, alias):
        self.calls += 1
        if name != self.name or alias not in self.aliases:
            raise self._missing()
        return self.get_model_version(name, self.aliases[alias])

    def get_registered_model(self, name):
        if name != self.name:
            raise self._missing()
        return SimpleNamespace(name=name, aliases=dict(self.aliases))

    def search_model_versions(self, filter_string):
        return (
            [SimpleNamespace(version=str(v), run_id=f"run{v}") for v in range(1, self.n + 1)]
            if f"'{self.name}'" in filter_string
            else []
        )


class FakePredictor:
    def __init__(self, uri: str) -> None:
        self.uri = uri
        self.input_len, self.max_horizon = 4, 2


def make_store(n: int = 3, **kw: Any) -> tuple[ModelStore, FakeClient, list[str]]:
    client = FakeClient("m", n)
    loads: list[str] = []

    def loader(uri):
        loads.append(uri)
        return FakePredictor(uri)

    return ModelStore(client=client, loader=loader, **kw), client, loads


def test_loads_once_per_version_and_caches():
    store, client, loads = make_store(default_model="m@champion")
    client.aliases["champion"] = "2"
    a = store.get(None)
    calls = client.calls
    b = store.get("m@champion")
    c = store.get("m/2")
    assert a is b is c
    assert loads == ["models:/m/2"]
    assert client.calls == calls  # cached: no registry round trip for a known alias or a loaded version
    assert store.ready()


def test_bare_name_prefers_default_alias_else_newest():
    store, client, _ = make_store(n=3)
    assert store.get("m").version == "3"
    assert store.alias_of("m") is None
    store2, client2, _ = make_store(n=3)
    client2.aliases["champion"] = "1"
    assert store2.get("m").version == "1"
    assert store2.alias_of("m") == "champion"


def test_unknown_things_are_model_not_found():
    store, client, _ = make_store()
    client.aliases["champion"] = "2"
    for ref, says in (
        ("other", "no registered model named 'other'"),
        ("m@nope", "alias 'nope' not set on 'm'; aliases: champion"),
        ("m/9", "'m' has no version 9; versions: 1, 2, 3"),
        ("other@x", "no registered model named 'other'"),
    ):
        with pytest.raises(ModelNotFoundError) as err:
            store.get(ref)
        assert err.value.where == {"field": "model"}
        assert says in str(err.value)
    with pytest.raises(ModelNotFoundError):
        store.get(None)  # no default configured


def test_refresh_loads_before_swapping_and_old_object_survives():
    store, client, loads = make_store(default_model="m@champion")
    client.aliases["champion"] = "1"
    old = store.get(None)
    client.aliases["champion"] = "3"
    assert store.get(None) is old  # not noticed until a refresh
    changes = store.refresh()
    assert changes == {"m@champion": {"old": "1", "new": "3"}}
    new = store.get(None)
    assert new.version == "3" and new is not old
    assert old.predictor.uri == "models:/m/1"  # a request holding ``old`` still has a working model
    assert store.refresh() == {}


def test_refresh_forgets_deleted_alias():
    store, client, _ = make_store()
    client.aliases["beta"] = "2"
    store.get("m@beta")
    del client.aliases["beta"]
    assert store.refresh() == {"m@beta": {"old": "2", "new": None}}
    with pytest.raises(ModelNotFoundError):
        store.get("m@beta")


def test_refresh_keeps_old_version_when_new_one_fails_to_load():
    client = FakeClient("m", 2)
    client.aliases["champion"] = "1"

    def loader(uri):
        if uri.endswith("/2"):
            raise RuntimeError("broken artifact")
        return FakePredictor(uri)

    store = ModelStore(client=client, loader=loader)
    store.get("m@champion")
    client.aliases["champion"] = "2"
    assert store.refresh() == {}
    assert store.get("m@champion").version == "1"


def test_eviction_keeps_pinned_versions():
    store, client, loads = make_store(n=5, max_cached_versions=2)
    client.aliases["champion"] = "1"
    store.get("m@champion")
    for v in (2, 3, 4):
        store.get(f"m/{v}")
    keys = {m.version for m in store.loaded()}
    assert "1" in keys and len(keys) == 2


def test_concurrent_first_requests_load_once():
    store, client, loads = make_store()
    client.aliases["champion"] = "1"
    barrier = threading.Barrier(8)

    def hit():
        barrier.wait()
        store.get("m/1")

    threads = [threading.Thread(target=hit) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert loads == ["models:/m/1"]


def test_polling_thread_refreshes_and_stops():
    store, client, _ = make_store()
    client.aliases["champion"] = "1"
    store.get("m@champion")
    store.start_polling(0.05)
    client.aliases["champion"] = "2"
    import time

    deadline = time.time() + 5
    while store.get("m@champion").version != "2" and time.time() < deadline:
        time.sleep(0.02)
    store.stop()
    assert store.get("m@champion").version == "2"
    assert store._poller is None


class ShortPredictor(FakePredictor):
    """A version trained for a shorter horizon than the one served (issue #18, finding 1)."""

    def __init__(self, uri: str) -> None:
        super().__init__(uri)
        self.max_horizon = 1


def test_refresh_refuses_a_version_that_cannot_serve_what_is_served_and_says_so(caplog) -> None:
    client = FakeClient("m", 3)
    client.aliases["champion"] = "1"
    loads: list[str] = []

    def loader(uri):
        loads.append(uri)
        return ShortPredictor(uri) if uri.endswith("/2") else FakePredictor(uri)

    store = ModelStore(client=client, loader=loader, default_model="m")
    assert store.get("m").version == "1"
    client.aliases["champion"] = "2"
    with caplog.at_level("WARNING"):
        assert store.refresh() == {}
    assert store.get("m").version == "1"  # still serving the version that answers H=2
    (note,) = store.notes()
    assert "version 2" in note and "horizon 1 < 2" in note and "still serving version 1" in note
    assert any("horizon 1 < 2" in r.getMessage() for r in caplog.records)
    assert store.refused() == {"m": {"version": "2", "kept": "1", "reason": note}}
    assert not store.is_loaded("m", "2")  # not kept in memory
    store.refresh()
    assert loads.count("models:/m/2") == 1  # refused once, not reloaded on every poll
    client.aliases["champion"] = "3"  # a compatible version: followed, and the note goes
    assert store.refresh() == {"m": {"old": "1", "new": "3"}}
    assert store.get("m").version == "3" and store.notes() == []


def test_readyz_notes_a_refused_move():
    from fastapi.testclient import TestClient

    from service.main import create_app
    from service.settings import ServiceSettings

    client = FakeClient("m", 2)
    client.aliases["champion"] = "1"
    store = ModelStore(
        client=client,
        loader=lambda uri: ShortPredictor(uri) if uri.endswith("/2") else FakePredictor(uri),
        default_model="m",
    )
    with TestClient(create_app(ServiceSettings(alias_poll_seconds=0), store=store)) as c:
        assert "notes" not in c.get("/readyz").json()
        client.aliases["champion"] = "2"
        r = c.post("/v1/admin/reload")
        assert r.json()["changed"] == {} and r.json()["refused"]["m"]["version"] == "2"
        body = c.get("/readyz").json()
        assert body["status"] == "ready" and body["loaded"] == ["m/1"]
        assert "horizon 1 < 2" in body["notes"][0]


def test_a_malformed_default_model_is_the_server_s_fault_not_the_request_s():
    """A request naming no model, on a service whose default (``TSFORGE_MODEL``) is malformed, got
    a 422 naming the request's ``model`` field, which the client never sent: it is a 503."""
    from service.errors import ServiceUnavailableError

    store, _, loads = make_store(default_model="x/abc")
    with pytest.raises(ServiceUnavailableError) as err:
        store.get(None)
    assert err.value.http_status == 503
    assert "default model (TSFORGE_MODEL) is malformed" in err.value.message
    assert store.peek(None) is None and not loads
