"""Safe promotion: ``@champion`` moves only to a version that serves what the champion serves and
beats it on the same validation (issue #18, finding 1: a routine H=12 training took over an H=24
champion and broke 80 % of live forecasts)."""

from __future__ import annotations

import math
from typing import Any

import mlflow
import pytest

from tsforge.pipeline import train
from tsforge.tracking.contract import ServingContract, Validation, serving_problems, validation_problems

FAST = {"max_epochs": 2, "batch_size": 64}


def _alias(name: str) -> str:
    return str(mlflow.MlflowClient().get_model_version_by_alias(name, "champion").version)


def test_champion_is_not_taken_by_a_shorter_horizon_and_moves_only_when_better(tracking_uri, toy_series):
    common = dict(input_len=48, registered_name="demo", progress=False)
    first = train(toy_series, "naive", horizon=24, **common)
    assert (first.version, first.champion_version, _alias("demo")) == ("1", "1", "1")
    assert "first champion" in first.promotion

    # The finding: a model trained for H=12 (whatever its score) must not replace an H=24 champion.
    short = train(toy_series, "dlinear", horizon=12, train_config=FAST, **common)
    assert short.version == "2" and short.champion_version == "1" and _alias("demo") == "1"
    assert "horizon 12 < 24 served now" in short.promotion
    client = mlflow.MlflowClient()
    assert client.get_model_version("demo", "2").aliases == []

    better = train(toy_series, "dlinear", horizon=24, train_config=FAST, **common)
    assert better.metrics["val_mse"] < first.metrics["val_mse"]
    assert (better.version, better.champion_version, _alias("demo")) == ("3", "3", "3")
    assert "new champion" in better.promotion

    worse = train(toy_series, "naive", horizon=24, **common)
    assert worse.champion_version == "3" and _alias("demo") == "3"
    assert "does not beat it" in worse.promotion

    # Longer input than callers send today: refused as well (the service could not satisfy it).
    longer = train(toy_series, "dlinear", input_len=96, horizon=24, train_config=FAST, registered_name="demo",
                   progress=False)  # fmt: skip
    assert _alias("demo") == "3" and "needs 96 input values" in longer.promotion


def test_versions_and_model_describe_themselves(tracking_uri, toy_series):
    out = train(toy_series, "dlinear", input_len=48, horizon=12, train_config=FAST, registered_name="toy",
                progress=False)  # fmt: skip
    client = mlflow.MlflowClient()
    mv = client.get_model_version("toy", out.version)
    tags = mv.tags
    assert tags["tsforge.dataset"] == toy_series.name and tags["tsforge.horizon"] == "12"
    assert tags["tsforge.input_len"] == "48" and tags["tsforge.protocol"] == "7:1:2"
    assert math.isclose(float(tags["tsforge.score.val_mse"]), out.metrics["val_mse"], rel_tol=1e-3)
    assert "tsforge.score.test_mse" in tags and tags["tsforge.command"].startswith("python")
    assert "input length 48, horizon 12" in mv.description and "Trained by:" in mv.description
    model = client.get_registered_model("toy")
    assert "@champion" in model.description and model.tags["tsforge.kind"] == "window"
    run = client.get_run(out.run_id)
    assert run.data.tags["tsforge.registered"] == f"toy/{out.version}"
    assert run.data.tags["tsforge.promotion"] == out.promotion


def test_a_model_registered_after_training_describes_itself_like_one_registered_by_train(
    tracking_uri, toy_series
):
    """`tsforge demo` trains two candidates unregistered, then registers the better one: it called
    the registry directly, and that version had no description, tags or serving contract."""
    from tsforge.pipeline import register_outcome

    out = train(toy_series, "naive", input_len=48, horizon=12, register=False, progress=False)
    assert out.version is None and out.model_uri
    register_outcome(out, "later")
    client = mlflow.MlflowClient()
    mv = client.get_model_version("later", out.version)
    assert (out.version, out.champion_version, _alias("later")) == ("1", "1", "1")
    assert mv.tags["tsforge.horizon"] == "12" and mv.tags["tsforge.protocol"] == "7:1:2"
    assert mv.tags["tsforge.run_id"] == out.run_id and "tsforge.score.val_mse" in mv.tags
    assert "input length 48, horizon 12" in mv.description
    assert "@champion" in client.get_registered_model("later").description
    assert client.get_run(out.run_id).data.tags["tsforge.registered"] == "later/1"


def test_a_window_model_headlines_its_smape_in_original_units(tracking_uri, toy_series):
    """A window run's ``test_smape`` is the sMAPE of normalised values (near zero wherever a
    series is near its mean): it headlined the run and the version (0.358 where the sMAPE in
    original units was 0.028). The original-unit one headlines instead; both stay in the table."""
    out = train(toy_series, "naive", input_len=48, horizon=12, registered_name="smape", progress=False)
    assert {"test_smape", "test_orig_smape"} <= set(out.metrics)
    logged = mlflow.get_run(out.run_id).data.metrics
    assert "test_orig_smape" in logged and "test_smape" not in logged
    tags = mlflow.MlflowClient().get_model_version("smape", out.version).tags
    assert "tsforge.score.test_orig_smape" in tags and "tsforge.score.test_smape" not in tags


def _contract(**kw) -> ServingContract:
    base: dict[str, Any] = dict(
        kind="window", freq="h", horizon=24, input_len=96, known_ids=("a", "b"), ids_digest="x"
    )
    base.update(kw)
    return ServingContract(**base)


@pytest.mark.parametrize(
    ("candidate", "problem"),
    [
        (_contract(horizon=12), "horizon 12 < 24"),
        (_contract(input_len=192), "needs 192 input values"),
        (_contract(freq="D"), "frequency 'D' != 'h'"),
        (_contract(needs_known_ids=True, known_ids=("a",)), "does not know series b"),
        (_contract(needs_known_ids=True, known_ids=None, ids_digest="y"), "other series ids"),
    ],
)
def test_serving_problems_name_what_breaks(candidate, problem):
    (got,) = serving_problems(candidate, _contract())
    assert problem in got


def test_serving_contract_accepts_longer_horizon_shorter_input_and_round_trips_tags():
    assert serving_problems(_contract(horizon=48, input_len=48), _contract()) == []
    c = _contract(needs_known_ids=True)
    assert ServingContract.from_tags(c.to_tags()) == c


def test_only_equal_validations_compare():
    v = Validation("panel", "holdout", "m1", "d1", 18, "val_mase", 1.0)
    assert validation_problems(v, v) == []
    other = Validation("window", "holdout", "m1", "d2", 12, "val_mase", 1.0)
    assert validation_problems(other, v) == [
        "window model vs panel model",
        "same dataset name, different data",
        "validated at H=12 vs H=18",
    ]
