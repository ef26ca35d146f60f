"""Service fixtures: one tiny MLflow registry per test session, fresh apps per test (a module whose
tests only read may share one: ``shared_client``).

The registry lives under pytest's tmp dir (``sqlite:///.../mlflow.db``), never the shared
``mlruns/``. It holds one registered model ``svc_model`` with two versions trained by
``tsforge.pipeline.train`` on ``synthetic_stations``: version 1 = DLinear (2 epochs), version 2
= the naive baseline; ``@champion`` points at version 1. Tests that move aliases use their own
model names so they cannot disturb each other.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, cast

import numpy as np
import pytest
import torch
from fastapi.testclient import TestClient

from service.main import create_app
from service.model_store import ModelStore
from service.settings import ServiceSettings
from tests.conftest import copied_store

INPUT_LEN = 48
HORIZON = 24
MODEL = "svc_model"


@dataclass(frozen=True)
class Registry:
    uri: str
    name: str
    dlinear_version: str
    naive_version: str
    channel_ids: tuple[str, ...]
    history: list[float]  # the last values of channel 0 (long enough for the model)
    timestamps: list[str]


@pytest.fixture(scope="session")
def registry(tmp_path_factory: pytest.TempPathFactory, _empty_store) -> Registry:
    torch.set_num_threads(1)
    logging.getLogger("mlflow").setLevel(logging.WARNING)
    from tsforge.data.synthetic import synthetic_stations
    from tsforge.pipeline import train
    from tsforge.tracking import configure_tracking

    # a copy of the session's new store: creating one runs MLflow's schema migrations
    uri = copied_store(tmp_path_factory.mktemp("svc_registry"), _empty_store)
    configure_tracking(uri)
    data = synthetic_stations(n_channels=3, n_steps=480, seed=0)
    common: dict[str, Any] = dict(
        input_len=INPUT_LEN, horizon=HORIZON, registered_name=MODEL, experiment="svc", progress=False
    )
    v1 = train(data, "dlinear", train_config={"max_epochs": 2, "batch_size": 64}, **common)
    v2 = train(data, "naive", **common)
    import mlflow

    # both runs register a version (``registered_name``) and the data carries timestamps
    assert v1.version is not None and v2.version is not None and data.timestamps is not None
    client = mlflow.MlflowClient()
    client.set_registered_model_alias(MODEL, "champion", v1.version)
    client.set_registered_model_alias(MODEL, "baseline", v2.version)
    ts = [str(t)[:19] for t in data.timestamps[-2 * INPUT_LEN :]]
    return Registry(
        uri=uri,
        name=MODEL,
        dlinear_version=str(v1.version),
        naive_version=str(v2.version),
        channel_ids=tuple(data.channel_ids),
        history=[float(v) for v in data.values[-2 * INPUT_LEN :, 0]],
        timestamps=ts,
    )


@pytest.fixture(scope="session")
def make_settings(registry: Registry):
    """``make(**overrides)``: fresh settings over the test registry. Session-scoped (each call
    still builds new settings) so that a test module may share one app (a module-scoped client)."""

    def make(**kw) -> ServiceSettings:
        base: dict[str, Any] = dict(
            tracking_uri=registry.uri, default_model=registry.name, alias_poll_seconds=0
        )
        base.update(kw)
        return ServiceSettings(**base)

    return make


@pytest.fixture()
def client(make_settings) -> Iterator[TestClient]:
    with TestClient(create_app(make_settings())) as c:
        yield c


@pytest.fixture(scope="module")
def shared_client(make_settings) -> Iterator[TestClient]:
    """One app with ``client``'s settings for a whole test module, for modules whose tests only
    post requests and read the answers (a module opts in by defining ``client`` from it).

    Why: every app start collects and freezes the whole heap and builds the OpenAPI document
    (~0.5 s on CI), and the app's first ``/v1/profile`` or ``/v1/recommend`` spawns a worker
    process that imports the endpoints' libraries (15–25 s on CI) — per test, for tests that
    check neither. Not for tests that move aliases, reload, change settings or test the
    worker pool itself: those keep a fresh app (``client`` or their own).
    """
    with TestClient(create_app(make_settings())) as c:
        yield c


@pytest.fixture()
def series(registry: Registry) -> dict:
    """One valid series body (id known to the model, with timestamps)."""
    return {"id": registry.channel_ids[0], "values": registry.history, "timestamps": registry.timestamps}


RECOMMEND_T = 512


def periodic_series(n: int, seed: int, length: int = RECOMMEND_T) -> np.ndarray:
    rng = np.random.default_rng(seed)
    t = np.arange(length)[None, :]
    return rng.uniform(1, 3, (n, 1)) * np.sin(
        2 * np.pi * t / 24 + rng.uniform(0, 6, (n, 1))
    ) + 0.01 * rng.standard_normal((n, length))


def trending_series(n: int, seed: int, length: int = RECOMMEND_T) -> np.ndarray:
    rng = np.random.default_rng(seed)
    t = np.arange(length)[None, :]
    return rng.choice([-1, 1], (n, 1)) * rng.uniform(0.5, 2.0, (n, 1)) * t + 0.3 * rng.standard_normal(
        (n, length)
    )


@pytest.fixture(scope="module")
def rec_client(tmp_path_factory, tiny_recommender, _empty_store) -> Iterator[TestClient]:
    """The service with a saved recommender (so that what reaches it is answered by it).

    One app per test module: ``/v1/recommend`` only reads what it is sent, and a fresh app per
    test spawned a fresh worker process that imported the recommender's libraries again
    (seconds a test on CI). Tests that need other settings build their own app.
    """
    store = copied_store(tmp_path_factory.mktemp("rec_client"), _empty_store)  # not migrated per app
    settings = ServiceSettings(tracking_uri=store, alias_poll_seconds=0, recommender_path=tiny_recommender)
    with TestClient(create_app(settings)) as c:
        yield c


@pytest.fixture(scope="session")
def tiny_recommender(tmp_path_factory) -> str:
    """A saved recommender over two training-free candidates (seasonal naive, naive), built in seconds."""
    from recommender.knowledge_base import Candidate, KBSettings, build_knowledge_base
    from recommender.ranker import RankerConfig, train_recommender

    corpus = np.concatenate([periodic_series(12, 1), trending_series(12, 2)]).astype(np.float32)
    pool = [Candidate("seasonal_naive", "seasonal_naive"), Candidate("naive", "naive")]
    kb = build_knowledge_base(
        corpus_values=corpus,
        pool=pool,
        settings=KBSettings(input_len=96, horizon=24, eval_stride=12),
        real=(),
        cache=tmp_path_factory.mktemp("kb"),
    )
    rec = train_recommender(
        kb, RankerConfig(corpus_groups=80, num_boost_round=40, min_data_in_leaf=3, num_leaves=7)
    )
    path = tmp_path_factory.mktemp("rec") / "tiny"
    rec.save(path)
    return str(path)


class OnePredictorStore:
    """A model store serving one predictor object under one name, without MLflow: what the
    app's store does for a request, for tests that swap it in (``create_app(store=...)`` and
    ``dependency_overrides``). ``predictor`` may be replaced between requests."""

    def __init__(self, predictor, name: str, version: str = "1") -> None:
        self.predictor, self.default_model, self.version = predictor, name, version

    def get(self, ref=None):
        from service.model_store import LoadedModel

        return LoadedModel(
            name=self.default_model, version=self.version, predictor=self.predictor, run_id="r"
        )

    def alias_of(self, ref):
        return None

    def ready(self):
        return True

    def loaded(self):
        from types import SimpleNamespace

        return [SimpleNamespace(name=self.default_model, version=self.version)]

    def start_polling(self, s):
        pass

    def stop(self):
        pass


def serving(store: OnePredictorStore) -> TestClient:
    """A test client of a fresh app answering from ``store`` (use it as a context manager)."""
    from service.dependencies import get_store

    # a duck-typed stand-in: it has the methods the app calls, not ModelStore's registry machinery
    app = create_app(ServiceSettings(alias_poll_seconds=0), store=cast(ModelStore, store))
    app.dependency_overrides[get_store] = lambda: store
    return TestClient(app)


#: a monthly history long enough for any panel model here (three seasons)
LONG = [float(10 + (t % 12)) for t in range(36)]


@pytest.fixture()
def panel_client():
    """``(client, predictor)``: the app serving a real local panel model (seasonal naive, season
    12, native intervals)."""
    from tsforge.panels.predictor import PanelPredictor

    store = OnePredictorStore(
        PanelPredictor("seasonal_naive", 3, freq=None, season_length=12, interval_method="native"), "snaive"
    )
    with serving(store) as c:
        yield c, store.predictor
