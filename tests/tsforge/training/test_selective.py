"""Selective learning: mask numerics against direct computations, hooks, estimator cache, memory guard."""

from __future__ import annotations

import json
from typing import Any

import numpy as np
import pytest
import torch

from tsforge.data.frame import TimeSeriesData
from tsforge.data.task import prepare_task
from tsforge.errors import ConfigError, ResourceLimitError
from tsforge.models.base import ModelContext
from tsforge.models.registry import build_model
from tsforge.training import STRATEGIES, TrainConfig, evaluate_loss, fit, masked_mse
from tsforge.training.callbacks import TrainState
from tsforge.training.estimator_cache import estimator_key, get_or_train_estimator
from tsforge.training.fitting import train_forecaster
from tsforge.training.selective import (
    SelectiveLearning,
    anomaly_keep,
    estimate_buffer_bytes,
    residual_variance,
    strategy_from_options,
    uncertainty_keep,
)

torch.set_num_threads(1)


def _series(seed: int = 0, n_steps: int = 600, n_channels: int = 2, rate: float = 0.0, amp: float = 10.0):
    """Daily + slower seasonality + small noise; optional positive spikes in the first 70 % only."""
    rng = np.random.default_rng(seed)
    t = np.arange(n_steps)[:, None]
    clean = (
        np.sin(2 * np.pi * t / 24 + np.arange(n_channels))
        + 0.5 * np.sin(2 * np.pi * t / 60)
        + 0.1 * rng.standard_normal((n_steps, n_channels))
    ).astype(np.float32)
    spiky = clean.copy()
    n_train = int(n_steps * 0.7)
    hit = rng.random((n_train, n_channels)) < rate
    spiky[:n_train][hit] += amp * (1.0 + rng.random(int(hit.sum())))
    ids = tuple(f"c{i}" for i in range(n_channels))
    return TimeSeriesData(spiky, None, ids, name=f"sel-test-{seed}")


def _state(seed: int = 0) -> TrainState:
    return TrainState(model=torch.nn.Identity(), config=TrainConfig(seed=seed, progress=False))


def _cfg(**kw) -> TrainConfig:
    base: dict[str, Any] = {
        "max_epochs": 3,
        "batch_size": 32,
        "lr": 3e-3,
        "patience": 10,
        "seed": 0,
        "progress": False,
    }
    base.update(kw)
    return TrainConfig(**base)


class _ZeroEstimator:
    """Stand-in estimator predicting 0 everywhere (so ``r_lb = |y|``)."""

    def predict(self, batch):
        return torch.zeros_like(batch["y"])


# ----------------------------------------------------------------------------- numerics
@pytest.mark.parametrize("stride", [1, 3])
def test_residual_variance_equals_direct_computation(stride):
    rng = np.random.default_rng(1)
    n, h, c = 17, 5, 3
    starts = 40 + stride * np.arange(n)
    res = np.abs(rng.standard_normal((n, h, c))).astype(np.float32)
    res[rng.random(res.shape) < 0.1] = np.nan  # missing targets / unseen
    var, cnt = residual_variance(torch.from_numpy(res), starts)
    n_abs = starts[-1] - starts[0] + h
    assert var.shape == (n_abs, c)
    for t in range(n_abs):
        for ch in range(c):
            vals = [
                res[i, hh, ch]
                for i in range(n)
                for hh in range(h)
                if starts[i] - starts[0] + hh == t and not np.isnan(res[i, hh, ch])
            ]
            assert cnt[t, ch] == len(vals)
            if vals:
                assert float(var[t, ch]) == pytest.approx(
                    float(np.var(np.asarray(vals, dtype=np.float64))), abs=1e-9
                )
            else:
                assert torch.isnan(var[t, ch])


def test_uncertainty_keep_drops_top_fraction_per_channel():
    rng = np.random.default_rng(2)
    v = torch.from_numpy(rng.random((1000, 4)) * np.array([1.0, 10.0, 0.1, 5.0]))
    v[:7, 3] = torch.nan  # steps without any recorded residual
    keep = uncertainty_keep(v, 0.3)
    for ch in range(4):
        col = v[:, ch]
        valid = ~torch.isnan(col)
        tau = np.quantile(col[valid].numpy(), 0.7)  # linear interpolation, as torch.quantile
        assert torch.equal(keep[valid, ch], col[valid] < tau)
        assert keep[valid, ch].float().mean().item() == pytest.approx(0.7, abs=1.0 / int(valid.sum()) + 1e-9)
        assert keep[~valid, ch].all()
    assert uncertainty_keep(v, 0.0).all()


def test_anomaly_keep_drops_smallest_fraction_per_sample_and_channel():
    rng = np.random.default_rng(3)
    dist = torch.from_numpy(rng.standard_normal((6, 50, 3)).astype(np.float32))
    keep = anomaly_keep(dist, 0.3)
    assert torch.equal(keep.sum(dim=1), torch.full((6, 3), 35))  # 0.3 * 49 = 14.7 → the 15 smallest go
    assert not keep.gather(1, dist.argmin(dim=1, keepdim=True)).any()
    assert anomaly_keep(dist, 0.0).all()


@pytest.mark.parametrize("horizon", [7, 10, 11, 24, 31, 96])
@pytest.mark.parametrize("r_a", [0.1, 0.3, 0.5, 0.7, 0.9])
def test_anomaly_keep_follows_torch_quantile(horizon, r_a):
    rng = np.random.default_rng(horizon)
    dist = torch.from_numpy(rng.standard_normal((4, horizon, 3)).astype(np.float32))
    dist[0, :3, 0] = 0.25  # ties
    observed = torch.from_numpy(rng.random(dist.shape) > 0.2)
    observed[1, :, 1] = True
    full = anomaly_keep(dist, r_a)
    part = anomaly_keep(dist, r_a, observed)
    for b in range(4):
        for ch in range(3):
            d = dist[b, :, ch]
            assert torch.equal(full[b, :, ch], d > torch.quantile(d, r_a))
            obs = observed[b, :, ch]
            if obs.any():  # unobserved steps take no part in the per-sample quantile and are never kept
                assert torch.equal(part[b, obs, ch], d[obs] > torch.quantile(d[obs], r_a))
            assert not part[b, ~obs, ch].any()


# ----------------------------------------------------------------------------- strategy hooks
def test_buffer_is_keyed_by_dataset_index_and_skips_missing_targets():
    task = prepare_task(_series(), 24, 8)
    train = task.dataset("train")
    sel = SelectiveLearning(r_u=0.3, r_a=0.0)
    sel.on_fit_start(_state(), train, task)
    batch = train.get_batch([5, 2, 11])
    batch["y_mask"][0, 3, 1] = False
    batch["y"][0, 3, 1] = 0.0
    pred = batch["y"] + 0.5
    pred[0, 3, 1] = 1e6  # a wild prediction at a missing target
    loss = sel(pred, batch, _state())
    # missing targets stay excluded from the loss ...
    assert float(loss) == pytest.approx(float(masked_mse(pred, batch["y"], batch["y_mask"])))
    assert float(loss) == pytest.approx(0.25)
    # ... and from the residual buffer; rows are written at the dataset index, not the batch position
    buf = sel._buffer
    assert torch.isnan(buf[5, 3, 1])
    assert torch.allclose(buf[2], torch.full_like(buf[2], 0.5))
    assert torch.isnan(buf[0]).all() and torch.isnan(buf[3]).all()


def test_epoch_one_has_no_uncertainty_mask_and_later_epochs_do():
    task = prepare_task(_series(), 24, 8)
    train, val = task.dataset("train"), task.dataset("val")
    sel = SelectiveLearning(r_u=0.3, r_a=0.0)
    module = build_model("dlinear", ModelContext.from_task(task)).module
    result = fit(module, train, val, _cfg(max_epochs=3), loss=sel, task=task)
    first, second = result.history[0], result.history[1]
    assert first["sel_uncertainty_kept_frac"] == 1.0
    assert first["sel_kept_frac"] == 1.0
    # the mask built at the end of epoch 1 drops 30 % of the steps of each channel ...
    n_abs = len(train) - 1 + 8
    assert first["sel_uncertainty_step_kept_frac"] == pytest.approx(0.7, abs=1.0 / n_abs + 1e-9)
    keep = sel._keep_u
    assert keep.shape == (n_abs, 2)
    for ch in range(2):
        assert keep[:, ch].float().mean().item() == pytest.approx(0.7, abs=1.0 / n_abs + 1e-9)
    # ... and is applied from epoch 2 on
    assert 0.55 < second["sel_uncertainty_kept_frac"] < 0.85
    assert second["sel_kept_frac"] == second["sel_uncertainty_kept_frac"]


def test_anomaly_mask_applies_from_epoch_one_with_the_right_fraction():
    task = prepare_task(_series(), 24, 10)
    train = task.dataset("train")
    sel = SelectiveLearning(r_u=0.0, r_a=0.3, estimator_forecaster=_ZeroEstimator())
    sel.on_fit_start(_state(), train, task)
    sel.on_epoch_start(_state())
    batch = train.get_batch(torch.arange(32))
    pred = batch["y"] + torch.linspace(-1, 1, 10)[None, :, None]
    loss = sel(pred, batch, _state())
    dist = (pred - batch["y"]).abs() - batch["y"].abs()
    keep = anomaly_keep(dist, 0.3)
    assert torch.equal(keep.sum(dim=1), torch.full((32, 2), 7))  # 0.3 * 9 = 2.7 → 3 of 10 dropped
    expected = (((pred - batch["y"]) ** 2) * keep).sum() / keep.sum()
    assert float(loss) == pytest.approx(float(expected), rel=1e-6)
    stats = sel.on_epoch_end(_state())
    assert stats["sel_anomaly_kept_frac"] == pytest.approx(0.7)
    assert stats["sel_uncertainty_kept_frac"] == 1.0


@pytest.mark.parametrize("buffer_dtype", ["float32", "float16"])
def test_cached_anomaly_fast_path_equals_the_general_mask(buffer_dtype):
    """The per-batch NumPy path (cached lower bound, fully observed batch) gives the mask of
    :func:`anomaly_keep` on ``resid - lower`` exactly, and so the same loss and counts."""

    class _Scaled:
        def predict(self, batch):
            return 0.7 * batch["y"] + 0.1

    task = prepare_task(_series(seed=3), 24, 12)
    train = task.dataset("train")
    sel = SelectiveLearning(r_u=0.0, r_a=0.4, estimator_forecaster=_Scaled(), buffer_dtype=buffer_dtype)
    sel.on_fit_start(_state(), train, task)
    sel.on_epoch_start(_state())
    idx = torch.tensor([40, 3, 17, 99, 8, 250])
    batch = train.get_batch(idx)
    pred = batch["y"] + 0.3 * torch.randn(batch["y"].shape, generator=torch.Generator().manual_seed(1))
    resid = (pred - batch["y"]).abs()
    lower = (_Scaled().predict(batch) - batch["y"]).abs().to(getattr(torch, buffer_dtype)).float()
    expected = anomaly_keep(resid - lower, 0.4)
    channel_major = torch.from_numpy(sel._anomaly_keep_cached(resid, idx.numpy()))
    assert torch.equal(channel_major.transpose(1, 2), expected)
    loss = sel(pred, batch, _state())
    want = (((pred - batch["y"]) ** 2) * expected).sum() / expected.sum()
    assert float(loss) == pytest.approx(float(want), rel=1e-6)
    assert sel.on_epoch_end(_state())["sel_anomaly_kept_frac"] == pytest.approx(
        float(expected.float().mean())
    )


def test_observed_cpu_batches_get_the_masks_and_loss_of_the_general_path():
    """With both masks on (epoch 2, cached lower bound), the NumPy path of a fully observed batch
    gives the loss and the kept counts of the direct computation: the uncertainty mask gathered
    step by step from ``_keep_u`` and :func:`anomaly_keep` on ``resid - lower``, ANDed."""

    class _Scaled:
        def predict(self, batch):
            return 0.8 * batch["y"] - 0.05

    task = prepare_task(_series(seed=5, n_channels=3), 24, 12)
    train = task.dataset("train", stride=2)  # strided windows: the views are taken at each start
    sel = SelectiveLearning(r_u=0.3, r_a=0.3, estimator_forecaster=_Scaled())
    sel.on_fit_start(_state(), train, task)
    sel.on_epoch_start(_state())
    gen = torch.Generator().manual_seed(2)
    for lo in range(0, len(train), 32):  # epoch 1 records every residual
        batch = train.get_batch(torch.arange(lo, min(lo + 32, len(train))))
        sel(batch["y"] + 0.3 * torch.randn(batch["y"].shape, generator=gen), batch, _state())
    sel.on_epoch_end(_state())
    sel.on_epoch_start(_state())
    idx = torch.tensor([7, 0, 31, 12, len(train) - 1])
    batch = train.get_batch(idx)
    pred = batch["y"] + 0.3 * torch.randn(batch["y"].shape, generator=gen)
    loss = sel(pred, batch, _state())
    steps = (train.starts[idx] - train.starts[0])[:, None] + torch.arange(12)  # [B, H] absolute steps
    keep_u = sel._keep_u[steps]  # [B, H, C]
    resid = (pred - batch["y"]).abs()
    keep_a = anomaly_keep(resid - (_Scaled().predict(batch) - batch["y"]).abs(), 0.3)
    mask = keep_u & keep_a
    assert 0 < int(mask.sum()) < mask.numel()
    want = (((pred - batch["y"]) ** 2) * mask).sum() / mask.sum()
    assert float(loss) == pytest.approx(float(want), rel=1e-6)
    stats = sel.on_epoch_end(_state())
    n = mask.numel()
    assert stats["sel_kept_frac"] == pytest.approx(float(mask.sum()) / n)
    assert stats["sel_uncertainty_kept_frac"] == pytest.approx(float(keep_u.sum()) / n)
    assert stats["sel_anomaly_kept_frac"] == pytest.approx(float(keep_a.sum()) / n)


def test_validation_loss_is_never_masked():
    task = prepare_task(_series(), 24, 8)
    train, val = task.dataset("train"), task.dataset("val")
    calls = []

    class Spy(SelectiveLearning):
        def __call__(self, pred, batch, state):
            calls.append(int(batch["idx"].numel()))
            return super().__call__(pred, batch, state)

    sel = Spy(r_u=0.3, r_a=0.3, estimator_forecaster=_ZeroEstimator())
    module = build_model("dlinear", ModelContext.from_task(task)).module
    result = fit(module, train, val, _cfg(max_epochs=2), loss=sel, task=task)
    # the strategy sees exactly the training windows, every epoch, and nothing else
    assert sum(calls) == 2 * len(train)
    assert result.history[1]["sel_kept_frac"] < 0.6
    # the recorded validation loss is the plain masked MSE of the restored best model
    assert result.best_val_loss == pytest.approx(evaluate_loss(module, val, "mse"), rel=1e-6)


def test_float16_buffer_and_memory_guard():
    task = prepare_task(_series(), 24, 8)
    train = task.dataset("train")
    sel = SelectiveLearning(r_u=0.3, r_a=0.0, buffer_dtype="float16")
    sel.on_fit_start(_state(), train, task)
    assert sel._buffer.dtype == torch.float16
    assert estimate_buffer_bytes(len(train), 8, 2, "float16") * 2 == estimate_buffer_bytes(len(train), 8, 2)
    # ETTm1-sized buffer at H=720 is ~0.68 GB in float32 (spec §3.2)
    assert estimate_buffer_bytes(33_500, 720, 7) == pytest.approx(0.675e9, rel=0.01)
    tiny = SelectiveLearning(r_u=0.3, r_a=0.0, max_buffer_mb=0.01)
    with pytest.raises(ResourceLimitError) as err:
        tiny.on_fit_start(_state(), train, task)
    assert "max_buffer_mb" in str(err.value) and "float16" in str(err.value)
    with pytest.raises(ResourceLimitError, match="max_buffer_mb"):
        SelectiveLearning(r_u=0.3, r_a=0.0, max_buffer_mb=0.01, buffer_dtype="float16").on_fit_start(
            _state(), train, task
        )
    # without the uncertainty mask there is no buffer to guard
    SelectiveLearning(r_u=0.0, r_a=0.0, max_buffer_mb=0.01).on_fit_start(_state(), train, task)


# ----------------------------------------------------------------------------- estimator cache
def test_estimator_cache_is_hit_on_the_second_run(tmp_path):
    task = prepare_task(_series(), 24, 8)
    calls = []

    def trainer(task, estimator, seed, model_config, train_config):
        calls.append((estimator, seed))
        model = build_model(estimator, ModelContext.from_task(task), model_config)
        torch.manual_seed(seed)
        train_forecaster(model, task, train_config=TrainConfig(max_epochs=1, seed=seed, progress=False))
        return model, "run-123"

    first = get_or_train_estimator(task, "dlinear", seed=7, cache_root=tmp_path, trainer=trainer)
    second = get_or_train_estimator(task, "dlinear", seed=7, cache_root=tmp_path, trainer=trainer)
    assert len(calls) == 1 and not first.hit and second.hit
    assert second.run_id == "run-123"
    assert second.path == tmp_path / estimator_key(task, "dlinear", seed=7).dirname
    meta = json.loads((second.path / "estimator.json").read_text())
    assert (meta["dataset"], meta["split"], meta["input_len"], meta["horizon"], meta["seed"]) == (
        "sel-test-0",
        "7:1:2",
        24,
        8,
        7,
    )
    batch = task.dataset("test").get_batch([0, 1])
    assert torch.equal(first.forecaster.predict(batch), second.forecaster.predict(batch))
    # another seed, horizon or data is another estimator
    get_or_train_estimator(task, "dlinear", seed=8, cache_root=tmp_path, trainer=trainer)
    get_or_train_estimator(
        prepare_task(_series(seed=1), 24, 8), "dlinear", seed=7, cache_root=tmp_path, trainer=trainer
    )
    assert len(calls) == 3


def test_selective_strategy_reuses_the_cached_estimator_and_stays_deterministic(tmp_path):
    task = prepare_task(_series(), 24, 8)
    opts = {"r_u": 0.3, "r_a": 0.3, "cache_dir": str(tmp_path), "estimator_train_config": {"max_epochs": 2}}
    losses = []
    for expect_hit in (False, True):
        sel = SelectiveLearning(**opts)
        module = build_model("dlinear", ModelContext.from_task(task)).module
        result = fit(
            module, task.dataset("train"), task.dataset("val"), _cfg(max_epochs=2), loss=sel, task=task
        )
        assert sel.estimator_cache_hit is expect_hit
        losses.append([row["train_loss"] for row in result.history])
    # a cache hit and a miss leave the main run in the same random state
    assert losses[0] == losses[1]


# ----------------------------------------------------------------------------- options
def test_strategy_from_options_and_search_space():
    assert "selective" in STRATEGIES
    sel = strategy_from_options("selective", r_u=0.2, r_a=None, buffer_dtype="float16")
    assert isinstance(sel, SelectiveLearning) and sel.r_u == 0.2 and sel.r_a == 0.3
    assert sel.params()["sel_r_u"] == 0.2 and sel.params()["strategy"] == "selective"
    assert type(strategy_from_options(None)).__name__ == "PlainLoss"
    with pytest.raises(ConfigError, match="r_x"):
        strategy_from_options("selective", r_x=0.1)
    with pytest.raises(ConfigError, match="unknown loss strategy"):
        strategy_from_options("nope")
    with pytest.raises(ConfigError, match="r_a"):
        SelectiveLearning(r_a=1.0)
    with pytest.raises(ConfigError, match="buffer_dtype"):
        SelectiveLearning(buffer_dtype="int8")

    class Trial:
        def suggest_float(self, name, low, high, step=None):
            assert step == 0.1 and low == 0.0
            return high

    assert SelectiveLearning.search_space(Trial()) == {"r_u": 0.3, "r_a": 0.9}
    with pytest.raises(ConfigError, match="needs the task"):
        SelectiveLearning(r_a=0.3).on_fit_start(
            _state(), prepare_task(_series(), 24, 8).dataset("train"), None
        )


# ----------------------------------------------------------------------------- end to end
def test_selective_beats_plain_mse_on_clean_targets_of_a_spiky_series(tmp_path):
    """Spikes (+10..20, 2 % of training steps) pull plain MSE; the test split is clean."""
    data = _series(seed=0, n_steps=2400, rate=0.02, amp=10.0)
    task = prepare_task(data, 48, 24)
    train, val, test = task.dataset("train"), task.dataset("val"), task.dataset("test")
    cfg = _cfg(max_epochs=8, patience=8)
    scores = {}
    for name in ("plain", "selective"):
        torch.manual_seed(0)
        module = build_model("dlinear", ModelContext.from_task(task)).module
        loss = None
        if name == "selective":
            loss = SelectiveLearning(
                cache_dir=str(tmp_path), estimator_train_config={"max_epochs": 8, "lr": 3e-3, "patience": 8}
            )
        fit(module, train, val, cfg, loss=loss, task=task)
        scores[name] = evaluate_loss(module, test, "mse")
    assert scores["selective"] < 0.95 * scores["plain"], scores


@pytest.mark.slow
def test_pipeline_trains_the_estimator_as_its_own_run_and_injects_it(tmp_path, tracking_uri):
    """The orchestrator fetches (or trains, tracked) the estimator before the main fit and injects it."""
    mlflow = pytest.importorskip("mlflow")
    from tsforge.pipeline import train

    options = {
        "input_len": 24,
        "horizon": 8,
        "strategy": "selective",
        "strategy_config": {
            "r_u": 0.3,
            "r_a": 0.3,
            "cache_dir": str(tmp_path / "cache"),
            "estimator_train_config": {"max_epochs": 1},
        },
        "train_config": {"max_epochs": 1},
        "register": False,
        "log_model": False,
        "progress": False,
    }
    first = train(_series(), "dlinear", **options)
    second = train(_series(), "dlinear", **options)
    est_run_id = first.params["strategy.sel_estimator_run_id"]
    assert second.params["strategy.sel_estimator_run_id"] == est_run_id  # cache hit: same run
    est_run = mlflow.get_run(est_run_id)
    assert est_run.data.tags["tsforge.role"] == "selective-estimator"
    assert est_run.data.tags["mlflow.parentRunId"] == first.run_id
    assert est_run.data.params["model"] == "dlinear" and est_run.data.params["horizon"] == "8"
    main = mlflow.get_run(first.run_id)
    assert main.data.tags["tsforge.selective.estimator_run_id"] == est_run_id
    assert mlflow.active_run() is None


def test_an_injected_estimator_is_used_without_the_cache(monkeypatch):
    import tsforge.training.estimator_cache as cache

    def refuse(*args, **kwargs):
        raise AssertionError("the cache must not be asked when an estimator is injected")

    monkeypatch.setattr(cache, "get_or_train_estimator", refuse)
    task = prepare_task(_series(), 24, 8)
    sel = SelectiveLearning(r_u=0.0, r_a=0.3)
    sel.use_estimator(_ZeroEstimator(), run_id="run-9", hit=True)
    module = build_model("dlinear", ModelContext.from_task(task)).module
    fit(module, task.dataset("train"), task.dataset("val"), _cfg(max_epochs=1), loss=sel, task=task)
    assert sel.params()["sel_estimator_run_id"] == "run-9"


@pytest.mark.parametrize(("n", "horizon"), [(1, 5), (7, 1), (2500, 24)])
def test_anti_diagonal_fast_path_equals_direct_sums(n, horizon):
    """Consecutive windows take the strided-view path (three chunks for n = 2500): equal to the
    direct per-step computation, at the first, middle and last steps."""
    rng = np.random.default_rng(4)
    res = np.abs(rng.standard_normal((n, horizon, 2))).astype(np.float32)
    res[rng.random(res.shape) < 0.2] = np.nan
    starts = np.arange(n) + 11
    fast_var, fast_cnt = residual_variance(torch.from_numpy(res), starts)
    assert fast_var.shape == (n - 1 + horizon, 2)
    for t in sorted({0, horizon - 1, n // 2, 1030, n - 1 + horizon - 1} & set(range(n - 1 + horizon))):
        vals = [res[t - h, h] for h in range(horizon) if 0 <= t - h < n]
        vals = np.asarray(vals, dtype=np.float64).reshape(-1, 2)
        for ch in range(2):
            col = vals[:, ch][~np.isnan(vals[:, ch])]
            assert float(fast_cnt[t, ch]) == len(col)
            if len(col):
                assert float(fast_var[t, ch]) == pytest.approx(float(np.var(col)), abs=1e-9)
            else:
                assert torch.isnan(fast_var[t, ch])


def test_the_epoch_line_says_how_much_the_masks_kept(capsys):
    task = prepare_task(_series(), 24, 8)
    sel = SelectiveLearning(r_u=0.3, r_a=0.0)
    module = build_model("dlinear", ModelContext.from_task(task)).module
    result = fit(
        module,
        task.dataset("train"),
        task.dataset("val"),
        _cfg(max_epochs=2, progress=True),
        loss=sel,
        task=task,
    )
    printed = capsys.readouterr()
    lines = [ln for ln in (printed.out + printed.err).splitlines() if " epoch " in ln and "train " in ln]
    assert len(lines) == 2
    assert lines[0].endswith("kept 100% of targets (uncertainty 100%, anomaly 100%)")
    kept = result.history[1]["sel_kept_frac"]
    assert f"kept {kept:.0%} of targets (uncertainty {kept:.0%}, anomaly 100%)" in lines[1]
    assert kept < 0.9


@pytest.mark.parametrize(("n", "horizon"), [(1, 5), (7, 1), (3, 8), (1100, 24)])
def test_complete_buffers_skip_the_nan_masks_with_the_same_bits(n, horizon):
    """A buffer with every residual recorded takes the unmasked path (closed-form counts): its
    variances and counts equal, bit for bit, those of the masked path on the same numbers, which
    a single NaN elsewhere forces (the NaN's own step aside)."""
    rng = np.random.default_rng(5)
    res = np.abs(rng.standard_normal((n, horizon, 3))).astype(np.float32)
    starts = np.arange(n) + 4
    complete_var, complete_cnt = residual_variance(torch.from_numpy(res), starts)
    masked = res.copy()
    masked[n - 1, horizon - 1, 2] = np.nan  # only the last step of channel 2 is affected
    masked_var, masked_cnt = residual_variance(torch.from_numpy(masked), starts)
    last = n - 1 + horizon - 1
    assert torch.equal(complete_cnt[:last], masked_cnt[:last]) and torch.equal(
        complete_var[:last], masked_var[:last]
    )
    assert torch.equal(complete_cnt[last, :2], masked_cnt[last, :2])
    assert torch.equal(complete_var[last, :2], masked_var[last, :2])
    expected_cnt = [sum(1 for i in range(n) if 0 <= t - i < horizon) for t in range(n - 1 + horizon)]
    assert complete_cnt[:, 0].tolist() == [float(c) for c in expected_cnt]
