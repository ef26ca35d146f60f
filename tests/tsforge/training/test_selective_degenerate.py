"""Selective learning where a mask would drop every target, or the asked-for loss would be lost:
refused up front with the option to change, instead of a run that never trains."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from tsforge.data.frame import TimeSeriesData
from tsforge.data.task import prepare_task
from tsforge.errors import ConfigError
from tsforge.models.base import ModelContext
from tsforge.models.registry import build_model
from tsforge.training import TrainConfig, fit
from tsforge.training.selective import SelectiveLearning

torch.set_num_threads(1)


def _task(horizon: int):
    rng = np.random.default_rng(0)
    t = np.arange(400)[:, None]
    values = (np.sin(2 * np.pi * t / 24 + np.arange(2)) + 0.1 * rng.standard_normal((400, 2))).astype(
        np.float32
    )
    return prepare_task(TimeSeriesData(values, None, ("a", "b"), name="sel-degenerate"), 24, horizon, "7:1:2")


class _ZeroEstimator:
    def predict(self, batch):
        return torch.zeros_like(batch["y"])


def _fit(task, sel, **cfg):
    base = {"max_epochs": 2, "batch_size": 32, "lr": 3e-3, "seed": 0, "progress": False, **cfg}
    module = build_model("dlinear", ModelContext.from_task(task)).module
    stride = int(cfg.get("train_stride", 1))
    return fit(
        module,
        task.dataset("train", stride=stride),
        task.dataset("val"),
        TrainConfig(**base),
        loss=sel,
        task=task,
    )


def test_the_anomaly_mask_with_a_horizon_of_one_is_refused():
    """With H=1 a step is its own r_a quantile, and ``dist > quantile`` kept nothing: every epoch
    said "kept 0% of targets", the train loss was 0.0000 and the model stayed untrained."""
    sel = SelectiveLearning(r_u=0.0, r_a=0.3, estimator_forecaster=_ZeroEstimator())
    with pytest.raises(ConfigError, match="horizon 1") as err:
        _fit(_task(1), sel)
    assert err.value.where["field"] == "r_a"


@pytest.mark.parametrize(("horizon", "stride"), [(1, 1), (8, 8), (8, 10)])
def test_the_uncertainty_mask_without_overlapping_windows_is_refused(horizon, stride):
    """No two windows predicting a step: every step's variance is 0, the keep rule ``v < τ``
    with ``τ = 0`` kept nothing, and from epoch 2 on the loss was 0."""
    sel = SelectiveLearning(r_u=0.3, r_a=0.0)
    with pytest.raises(ConfigError, match="no two windows do") as err:
        _fit(_task(horizon), sel, train_stride=stride)
    assert err.value.where["field"] == "r_u"


def test_overlapping_strided_windows_still_train_with_both_masks():
    sel = SelectiveLearning(r_u=0.3, r_a=0.3, estimator_forecaster=_ZeroEstimator())
    result = _fit(_task(8), sel, train_stride=4)
    assert 0.0 < result.history[1]["sel_kept_frac"] < 1.0
    assert result.history[1]["train_loss"] > 0.0


def test_a_quantile_loss_is_refused_instead_of_silently_trained_as_the_mean():
    """``loss=pinball:0.9`` with ``--selective`` trained the squared error: the model forecast
    the mean while the run's parameters said ``train.loss=pinball:0.9``."""
    sel = SelectiveLearning(r_u=0.3, r_a=0.0)
    with pytest.raises(ConfigError, match="pinball:0.9") as err:
        _fit(_task(8), sel, loss="pinball:0.9")
    assert err.value.where["field"] == "loss"


def test_the_pipeline_refuses_before_the_estimator_is_trained(monkeypatch):
    import tsforge.pipeline.multichannel as mc

    def refuse(*args, **kwargs):
        raise AssertionError("the estimator must not be trained for a run that is refused")

    monkeypatch.setattr(mc, "get_or_train_estimator", refuse)
    data = _task(1).data
    with pytest.raises(ConfigError, match="horizon 1"):
        mc.train(data, "dlinear", input_len=24, horizon=1, split="7:1:2", strategy="selective",
                 strategy_config={"r_u": 0.0, "r_a": 0.3}, track=False, progress=False)  # fmt: skip
    with pytest.raises(ConfigError, match="pinball:0.5"):
        mc.train(data, "dlinear", input_len=24, horizon=4, split="7:1:2", strategy="selective",
                 train_config={"loss": "pinball:0.5"}, track=False, progress=False)  # fmt: skip


def test_a_buffer_limit_that_is_not_a_number_is_refused_and_an_infinite_one_is_no_limit():
    """``max_buffer_mb=nan`` passed the "<= 0" check, and ``inf`` failed when the fit started
    (``int(inf)``: OverflowError)."""
    with pytest.raises(ConfigError, match="max_buffer_mb must be positive") as err:
        SelectiveLearning(max_buffer_mb=float("nan"))
    assert err.value.where["field"] == "max_buffer_mb"
    result = _fit(_task(8), SelectiveLearning(r_u=0.3, r_a=0.0, max_buffer_mb=float("inf")))
    assert len(result.history) == 2
