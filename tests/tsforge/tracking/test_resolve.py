"""The one model-reference rule on a real SQLite registry, and CLI == service for every reference."""

from __future__ import annotations

from collections.abc import Callable
from typing import cast

import mlflow
import pytest

from service.model_store import ModelStore, PredictorLike
from tsforge.errors import ModelNotFoundError
from tsforge.tracking.registry import resolve_model_uri, resolve_version


@pytest.fixture(scope="module")
def registry(tmp_path_factory):
    """``m`` with versions 1..3 and ``@champion`` → 1 (champion != newest); ``fresh`` with
    versions 1..2 and no alias; ``empty`` with no version. One store for the module (read only)."""
    from tsforge.tracking import configure_tracking

    root = tmp_path_factory.mktemp("registry")
    uri = f"sqlite:///{root}/mlflow.db"
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("MLFLOW_TRACKING_URI", uri)
        configure_tracking(uri)
        client = mlflow.MlflowClient()
        with mlflow.start_run() as run:
            pass
        source = root / "artifact"
        source.mkdir()
        for name, n in (("m", 3), ("fresh", 2), ("empty", 0), ("demand-auto_ets", 0)):
            client.create_registered_model(name)
            for _ in range(n):
                client.create_model_version(name, str(source), run_id=run.info.run_id)
        client.set_registered_model_alias("m", "champion", "1")
        client.set_registered_model_alias("m", "beta", "2")
        yield uri, run.info.run_id


@pytest.fixture(autouse=True)
def _use_registry(registry, monkeypatch):
    """Point MLflow at the module's store for each test (other tests may have moved it)."""
    from tsforge.tracking import configure_tracking

    monkeypatch.setenv("MLFLOW_TRACKING_URI", registry[0])
    configure_tracking(registry[0])


def test_bare_name_is_champion_else_newest(registry):
    _, run_id = registry
    got = resolve_version("m")
    assert (got.name, got.version, got.alias, got.run_id) == ("m", "1", "champion", run_id)
    assert got.model_uri == "models:/m/1"
    fresh = resolve_version("models:/fresh")
    assert (fresh.version, fresh.alias) == ("2", None)


def test_explicit_alias_and_version(registry):
    assert resolve_version("m@beta").version == "2"
    assert (resolve_version("m/3").version, resolve_version("m/3").alias) == ("3", None)
    assert resolve_model_uri("m@champion") == ("m", "1", "models:/m/1")


@pytest.mark.parametrize(
    ("ref", "message"),
    [
        ("nope", "no registered model named 'nope'"),
        ("fresk", "no registered model named 'fresk' (did you mean 'fresh'?)"),
        ("Fresh@champion", "no registered model named 'Fresh' (did you mean 'fresh'?)"),
        ("nope@champion", "no registered model named 'nope'"),
        ("m@foo", "alias 'foo' not set on 'm'; aliases: beta, champion"),
        ("fresh@champion", "alias 'champion' not set on 'fresh'; aliases: none"),
        ("m/7", "'m' has no version 7; versions: 1, 2, 3"),
        ("empty", "no version of 'empty' is registered"),
        ("empty/1", "no version of 'empty' is registered"),
    ],
)
def test_errors_name_the_reference_and_what_exists(registry, ref, message):
    with pytest.raises(ModelNotFoundError) as err:
        resolve_version(ref)
    assert message in str(err.value) and err.value.where == {"field": "model"}


def test_no_name_is_suggested_when_none_is_close(registry):
    with pytest.raises(ModelNotFoundError) as err:
        resolve_version("nope")
    assert "did you mean" not in str(err.value)


def test_another_dataset_s_model_of_the_same_kind_is_no_suggestion(registry):
    """Default names share their model suffix: ``sales-auto_ets`` was answered "did you mean
    'demand-auto_ets'?", another dataset's model, not a typo's correction."""
    with pytest.raises(ModelNotFoundError) as err:
        resolve_version("sales-auto_ets")
    assert "did you mean" not in str(err.value), str(err.value)
    with pytest.raises(ModelNotFoundError, match=r"\(did you mean 'demand-auto_ets'\?\)"):
        resolve_version("demand-auto_et")


def test_forecast_suggests_the_closest_registered_name(registry, tmp_path, capsys):
    """``tsforge forecast history.csv --model demand-auto_et`` said only "no registered model
    named 'demand-auto_et'", where a mistyped model kind (``dlinaer``) gets the closest one."""
    from tests.conftest import run_cli

    history = tmp_path / "history.csv"
    history.write_text("unique_id,ds,y\n" + "".join(f"a,2024-01-{d:02d},{d}\n" for d in range(1, 29)))
    code, _, err = run_cli(capsys, "forecast", str(history), "--model", "fresk")
    assert code != 0 and "no registered model named 'fresk' (did you mean 'fresh'?)" in " ".join(err.split())


@pytest.mark.parametrize("ref", ["m", "models:/m", "m@champion", "m@beta", "m/3", "fresh"])
def test_cli_and_service_resolve_the_same_version(registry, monkeypatch, ref) -> None:
    """``tsforge forecast --model REF`` and the service pick the same version (champion != newest)."""
    uri, _ = registry
    from tsforge.cli.core import _load_predictor

    downloaded: list[str] = []

    class Stop(Exception):
        pass

    def fake_download(artifact_uri, dst_path=None):
        downloaded.append(artifact_uri)
        raise Stop

    monkeypatch.setattr(mlflow.artifacts, "download_artifacts", fake_download)
    with pytest.raises(Stop):
        _load_predictor(ref)  # the CLI's path: configure tracking, resolve, download
    # resolve() never calls the loader: this stand-in (it echoes the URI) only has to exist
    echo = cast("Callable[[str], PredictorLike]", lambda model_uri: model_uri)
    store = ModelStore(uri, loader=echo)
    _, (name, version) = store.resolve(ref)
    assert downloaded == [f"models:/{name}/{version}"]
    assert version == resolve_version(ref).version
    if ref in ("m", "models:/m"):
        assert version == "1" and store.alias_of(ref) == "champion"
