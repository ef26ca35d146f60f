"""The ``ensemble`` model: exact combination numerics, members with their own input lengths, the
weights set on validation, the save/load round trip and clear refusals."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import torch

from tsforge.data.frame import TimeSeriesData
from tsforge.data.task import prepare_task
from tsforge.errors import ConfigError
from tsforge.evaluation import evaluate
from tsforge.models import ModelContext, build_model
from tsforge.models.ensemble import GramSums, gram_update, greedy_weights
from tsforge.models.persistence import load_model, save_model
from tsforge.training.fitting import fit_model
from tsforge.training.spec import TrainingSpec

# --- the numerics ---------------------------------------------------------------------------


def _sums(preds, y, mask, batches=3):
    """Gram sums accumulated over ``batches`` slices of the windows, as the model streams them."""
    sums = GramSums.empty(preds.shape[0])
    for idx in np.array_split(np.arange(y.shape[0]), batches):
        gram_update(sums, preds[:, idx], y[idx], mask[idx])
    return sums


def test_gram_sums_give_the_exact_masked_mse_of_any_weighted_average():
    rng = np.random.default_rng(0)
    y = rng.normal(size=(40, 6, 3)).astype(np.float32)
    mask = rng.random((40, 6, 3)) > 0.1
    noise = rng.normal(size=(3, 40, 6, 3)) * np.array([0.3, 0.7, 1.1])[:, None, None, None]
    preds = (y[None] + noise).astype(np.float32)
    sums = _sums(preds, y, mask)
    for w in (np.array([1.0, 0, 0]), np.array([0.2, 0.5, 0.3]), np.array([0.6, -0.1, 0.5])):
        direct = float((((np.tensordot(w, preds, axes=1) - y) ** 2) * mask).sum() / mask.sum())
        assert sums.mse(w) == pytest.approx(direct, rel=1e-9)


def test_greedy_weights_average_members_with_independent_errors_and_drop_a_useless_one():
    rng = np.random.default_rng(1)
    y = rng.normal(size=(500, 8, 2))
    a = y + rng.normal(scale=0.5, size=y.shape)  # two equally good members, independent errors
    b = y + rng.normal(scale=0.5, size=y.shape)
    junk = rng.normal(scale=3.0, size=y.shape)  # unrelated to the target
    sums = _sums(np.stack([a, b, junk]), y, np.ones_like(y, dtype=bool))
    weights, order = greedy_weights(sums)
    assert weights.sum() == pytest.approx(1.0)
    assert weights[2] == 0.0
    assert weights[0] == pytest.approx(0.5, abs=0.1) and weights[1] == pytest.approx(0.5, abs=0.1)
    assert sums.mse(weights) < 0.8 * min(sums.mse(np.eye(3)[0]), sums.mse(np.eye(3)[1]))
    assert order[0] in (0, 1)


def test_greedy_weights_keep_a_single_member_that_nothing_improves():
    rng = np.random.default_rng(2)
    y = rng.normal(size=(200, 4, 1))
    preds = np.stack([y + 1e-3 * rng.normal(size=y.shape), y + rng.normal(size=y.shape)])
    weights, _ = greedy_weights(_sums(preds, y, np.ones_like(y)))
    np.testing.assert_allclose(weights, [1.0, 0.0])


# --- the model ------------------------------------------------------------------------------


def _task(L: int = 96, H: int = 24, n: int = 1200):
    t = np.arange(n, dtype=float)
    rng = np.random.default_rng(3)
    vals = np.stack([np.sin(2 * np.pi * t / 24), np.cos(2 * np.pi * t / 12) + 0.01 * t / 100], 1)
    vals = vals + 0.1 * rng.normal(size=vals.shape)
    ts = pd.date_range("2021-01-04", periods=n, freq="h").values
    return prepare_task(TimeSeriesData(vals, ts, ("a", "b"), "h", name="periodic"), L, H)


QUICK = {"max_epochs": 2, "batch_size": 64}
MEMBERS = [
    {"model": "sparsetsf", "train": QUICK},
    {"model": "cyclenet", "input_len": 48, "train": QUICK},
    {"model": "nlinear", "input_len": 72, "config": {"revin": True}, "train": QUICK},
]


def _fit(weights: str, seed: int = 7):
    task = _task()
    spec = TrainingSpec("ensemble", model_config={"members": MEMBERS, "weights": weights}, seed=seed)
    return fit_model(spec, task), task


def test_members_read_their_own_input_length_and_the_forecast_is_their_weighted_average():
    fitted, task = _fit("validation")
    ens = fitted.forecaster
    assert [m.context.input_len for m in ens.members] == [96, 48, 72]
    assert ens.weights.sum() == pytest.approx(1.0)
    batch = task.dataset("test").get_batch(torch.arange(5))
    by_hand = sum(
        w
        * m.predict(
            {
                **batch,
                "x": batch["x"][:, -L:],
                "x_mask": batch["x_mask"][:, -L:],
                "x_cal": batch["x_cal"][:, -L:],
            }
        )
        for w, m, L in zip(ens.weights, ens.members, (96, 48, 72), strict=True)
    )
    torch.testing.assert_close(ens.predict(batch), by_hand.float())
    # each member was trained on its own windows: the same validation MSE the loop early-stopped on
    for member in fitted.report.extra["members"]:
        assert member["val_mse"] == pytest.approx(member["best_val_loss"], rel=1e-5)
    assert fitted.report.best_val_loss <= min(m["val_mse"] for m in fitted.report.extra["members"]) + 1e-9


def test_a_member_is_the_model_trained_alone_with_the_same_seed():
    """Members are rebuilt after seeding, as ``fit_model`` builds a model: the ensemble's CycleNet
    (input 48 of the ensemble's 96) is exactly the CycleNet trained alone on 48-step windows."""
    fitted, task = _fit("equal", seed=11)
    alone = fit_model(TrainingSpec("cyclenet", train_config=QUICK, seed=11), _task(L=48))
    member = fitted.forecaster.members[1]
    batch = _task(L=48).dataset("test").get_batch(torch.arange(6))
    torch.testing.assert_close(member.predict(batch), alone.forecaster.predict(batch))


def test_members_trained_side_by_side_on_the_engine_are_the_members_trained_in_process():
    """``--n-jobs 2``: each member is one engine task (a forked worker, one thread), and the
    ensemble is the same as the one trained member after member in this process on one thread."""
    from tsforge.engine import LocalEngine, using

    task = _task()
    spec = TrainingSpec(
        "ensemble",
        model_config={"members": MEMBERS, "weights": "validation"},
        train_config={"num_threads": 1},
        seed=5,
    )
    here = fit_model(spec, task)
    with using(LocalEngine(2)):
        pooled = fit_model(spec, task)
    assert here.report.extra["engine"] == "in process"
    assert pooled.report.extra["engine"] == "local x2"
    np.testing.assert_allclose(pooled.forecaster.weights, here.forecaster.weights)
    batch = task.dataset("test").get_batch(torch.arange(16))
    for i, (a, b) in enumerate(zip(pooled.forecaster.members, here.forecaster.members, strict=True)):
        sliced = here.forecaster.member_batch(batch, i)
        torch.testing.assert_close(a.predict(sliced), b.predict(sliced))
    torch.testing.assert_close(pooled.forecaster.predict(batch), here.forecaster.predict(batch))


def test_equal_weights_and_a_deterministic_fit():
    a, task = _fit("equal")
    b, _ = _fit("equal")
    np.testing.assert_allclose(a.forecaster.weights, [1 / 3] * 3)
    batch = task.dataset("val").get_batch(torch.arange(8))
    torch.testing.assert_close(a.forecaster.predict(batch), b.forecaster.predict(batch))


def test_saved_ensemble_predicts_the_same_in_a_fresh_model(tmp_path):
    fitted, task = _fit("validation")
    save_model(fitted.forecaster, task.scaler, tmp_path / "m")
    loaded, _, meta = load_model(tmp_path / "m")
    assert meta["model"] == "ensemble" and len(meta["config"]["members"]) == 3
    np.testing.assert_allclose(loaded.weights, fitted.forecaster.weights)
    assert evaluate(loaded, task, "test").normalized["mse"] == pytest.approx(
        evaluate(fitted.forecaster, task, "test").normalized["mse"], rel=1e-6
    )


def _context(L: int = 96) -> ModelContext:
    return ModelContext(L, 24, ("a", "b"), freq="h", season_length=24)


@pytest.mark.parametrize(
    ("config", "field", "message"),
    [
        ({"members": ["sparsetsf:336"]}, "members[0]", "--input 336"),
        ({"members": ["sparsetsf", "cyclenet:abc"]}, "members[1]", "not a whole number"),
        ({"members": [{"model": "nlinear", "lr": 0.1}]}, "members[0]", "unknown key"),
        ({"members": ["ensemble"]}, "members[0]", "cannot contain an ensemble"),
        ({"members": ["auto_ets"]}, "members[0]", "local model"),
        ({"members": []}, "members", "non-empty"),
        ({"weights": "best"}, "weights", "equal"),
    ],
)
def test_bad_ensembles_are_refused_naming_the_member(config, field, message):
    with pytest.raises(ConfigError, match=message) as err:
        build_model("ensemble", _context(), config)
    assert err.value.where["field"] == field


def test_unknown_member_models_name_themselves():
    with pytest.raises(ConfigError, match="no_such_model.*available: ") as err:
        build_model("ensemble", _context(), {"members": ["sparsetsf", "no_such_model"]})
    assert err.value.where["field"] == "members[1]"


def test_a_panel_is_sent_to_the_routed_ensemble():
    from tsforge.data.synthetic import synthetic_panel
    from tsforge.panels.global_models import fit_global

    with pytest.raises(ConfigError, match="routed"):
        fit_global(synthetic_panel(n_series=4, seed=0), "ensemble", 6)


def test_an_ensemble_without_a_positive_weight_refuses_to_predict_instead_of_returning_none():
    # weights from elsewhere (a hand-edited or older bundle) that are all NaN
    ens = build_model("ensemble", _context(), {"members": ["sparsetsf", "nlinear"]})
    ens.weights = np.array([np.nan, np.nan])
    batch = _task().dataset("test").get_batch(torch.arange(2))
    with pytest.raises(ConfigError, match="no member with a positive weight"):
        ens.predict(batch)


def test_greedy_weights_refuse_sums_without_a_finite_observed_target():
    """Earlier every trial was NaN, argmin picked member 0 and the weights came out 0 / 0 = NaN,
    found only when the stored ensemble was asked to predict."""
    with pytest.raises(ConfigError, match="over 0 targets") as err:
        greedy_weights(GramSums.empty(2))
    assert err.value.where["field"] == "weights"
    rng = np.random.default_rng(4)
    y = rng.normal(size=(20, 4, 1))
    diverged = np.full_like(y, np.nan)
    with pytest.raises(ConfigError, match=r"non-finite members: \[1\]"):
        greedy_weights(_sums(np.stack([y + 0.1, diverged]), y, np.ones_like(y)))


@pytest.mark.parametrize("weights", ["validation", "equal"])
def test_fitting_the_weights_names_a_member_that_forecasts_nan(weights):
    task = _task()
    ens = build_model("ensemble", _context(), {"members": ["sparsetsf", "nlinear"], "weights": weights})
    ens.members[1].predict = lambda batch: torch.full((batch["y"].shape[0], 24, 2), float("nan"))
    with pytest.raises(ConfigError, match=r"nlinear \(members\[1\]\) forecast non-finite") as err:
        ens.fit_weights(task)
    assert err.value.where["field"] == "members"
