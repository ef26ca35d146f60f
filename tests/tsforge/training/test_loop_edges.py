"""Edge cases of the one training loop found by a training audit: what is reported and which
weights come back when early stopping, validation or the user interrupt in unusual ways."""

import warnings

import numpy as np
import pandas as pd
import pytest
import torch

from tsforge.data.frame import TimeSeriesData
from tsforge.data.task import prepare_task
from tsforge.errors import ConfigError
from tsforge.models import ModelContext, build_model
from tsforge.training import Callback, TrainConfig, TrainStage, fit
from tsforge.training.fitting import train_forecaster


def _task(series):
    return prepare_task(series, 48, 12)


class _Spoil(Callback):
    """Wreck the weights at the start of every epoch it is told to, so validation gets worse."""

    def __init__(self, spoil) -> None:
        self.spoil = spoil

    def on_epoch_start(self, state):
        if self.spoil(state):
            with torch.no_grad():
                for p in state.model.parameters():
                    p.add_(3.0)


def test_best_epoch_stays_on_an_earlier_stage_when_a_later_one_never_improves(toy_series):
    """Stage one's best is its first epoch; stage two only hurts: the weights are epoch 0's, so
    the reported best epoch must be 0 too (it used to be stage one's *last* epoch)."""
    task = _task(toy_series)
    model = build_model("nlinear", ModelContext.from_task(task))
    spoil = _Spoil(lambda s: s.stage == "two" or s.epoch > 0)
    result = fit(
        model.module,
        task.dataset("train"),
        task.dataset("val"),
        TrainConfig(progress=False, patience=5, lr=1e-6),
        schedule=[TrainStage("one", max_epochs=3), TrainStage("two", max_epochs=2)],
        callbacks=[spoil],
    )
    assert len(result.history) == 5
    best_row = min(result.history, key=lambda r: r["val_loss"])
    assert result.best_epoch == int(best_row["epoch"]) == 0
    assert result.best_val_loss == pytest.approx(best_row["val_loss"])


def test_best_epoch_counts_across_stages_when_a_later_stage_improves(toy_series):
    task = _task(toy_series)
    model = build_model("nlinear", ModelContext.from_task(task))
    result = fit(
        model.module,
        task.dataset("train"),
        task.dataset("val"),
        TrainConfig(progress=False, patience=5),
        schedule=[TrainStage("one", max_epochs=1), TrainStage("two", max_epochs=2)],
    )
    best_row = min(result.history, key=lambda r: r["val_loss"])
    assert result.best_epoch == int(best_row["epoch"])


@pytest.mark.parametrize("patience", [0, -1])
def test_a_patience_below_one_is_refused(patience):
    """``bad_epochs >= patience`` holds at once for patience ≤ 0: training stopped after the
    first epoch even when it had just improved."""
    with pytest.raises(ConfigError, match="patience"):
        TrainConfig(patience=patience)


def _with_missing_validation(series):
    values = series.values.copy()
    values[700:1000, :] = np.nan  # every validation target (rows 840–960 of 1200) unobserved
    ts = pd.date_range("2021-01-01", periods=len(values), freq="h").values
    return TimeSeriesData(values, ts, list(series.channel_ids), "h", name="gappy")


def test_a_validation_split_without_observed_targets_is_a_clear_error(toy_series):
    """The validation loss is NaN then; the loop used to stop after one epoch and hand back the
    *untrained* initial weights, reporting best epoch 0 and best loss inf."""
    task = _task(_with_missing_validation(toy_series))
    model = build_model("nlinear", ModelContext.from_task(task))
    with pytest.raises(ConfigError, match="validation"):
        train_forecaster(model, task, TrainConfig(max_epochs=2, progress=False))


def test_a_divergence_error_does_not_warn_about_converting_a_graph_tensor(toy_series):
    task = _task(toy_series)
    model = build_model("nlinear", ModelContext.from_task(task))

    class _Inf(Callback):
        def on_epoch_start(self, state):
            with torch.no_grad():
                for p in state.model.parameters():
                    p.fill_(float("inf"))

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(ConfigError, match="diverged"):
            fit(
                model.module,
                task.dataset("train"),
                task.dataset("val"),
                TrainConfig(progress=False, max_epochs=1),
                callbacks=[_Inf()],
            )


class _KeepFirstEpoch(Callback):
    """Copies the weights after epoch 0 into ``kept`` (the checkpoint a later failure must leave);
    subclasses break the training in epoch 1."""

    def __init__(self, kept: dict) -> None:
        self.kept = kept

    def on_epoch_end(self, state):
        if state.epoch == 0:
            self.kept.update({k: v.clone() for k, v in state.model.state_dict().items()})


def test_ctrl_c_leaves_the_best_weights_so_far_in_the_module(toy_series):
    """A notebook user who interrupts gets the best checkpoint, not a half-trained epoch."""
    task = _task(toy_series)
    model = build_model("nlinear", ModelContext.from_task(task))
    kept = {}

    class _Interrupt(_KeepFirstEpoch):
        def on_batch_end(self, state):
            if state.epoch == 1:
                with torch.no_grad():
                    for p in state.model.parameters():
                        p.add_(3.0)
                raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        fit(
            model.module,
            task.dataset("train"),
            task.dataset("val"),
            TrainConfig(progress=False, max_epochs=3),
            callbacks=[_Interrupt(kept)],
        )
    for k, v in model.module.state_dict().items():
        assert torch.equal(v, kept[k])


@pytest.mark.parametrize(
    "option",
    [
        {"grad_clip": -1.0},  # clip_grad_norm_ with a negative norm flips the gradient: ascent
        {"weight_decay": -0.1},  # Adam's own ValueError reached the CLI as a traceback
        {"max_batches_per_epoch": -1},  # no batch ran at all, the model stayed untrained
        {"min_delta": -1.0},  # a worse epoch counted as an improvement and was "restored"
        {"num_threads": -2},  # torch's RuntimeError reached the CLI as a traceback
    ],
)
def test_negative_numeric_training_options_are_refused(option):
    (name,) = option
    with pytest.raises(ConfigError, match=name):
        TrainConfig(**option)


@pytest.mark.parametrize("option", [{"grad_clip": 0.0}, {"grad_clip": None}, {"max_batches_per_epoch": None}])
def test_zero_or_none_still_switch_a_limit_off(option):
    TrainConfig(**option)


@pytest.mark.parametrize(
    "option",
    [
        {"lr_schedule": "step"},  # no milestone: the "step" schedule never stepped
        {"lr_schedule": "step", "lr_milestones": (0,)},  # epoch 0 is before any step
        {"lr_schedule": "cosine", "lr_milestones": (2,)},  # milestones were ignored silently
    ],
)
def test_lr_milestones_that_would_do_nothing_are_refused(option):
    with pytest.raises(ConfigError, match="lr_milestones"):
        TrainConfig(**option)


def test_the_step_schedule_halves_the_rate_at_each_milestone(toy_series):
    task = _task(toy_series)
    model = build_model("nlinear", ModelContext.from_task(task))
    cfg = TrainConfig(
        max_epochs=4, patience=10, lr=1e-3, lr_schedule="step", lr_milestones=(1, 3), progress=False
    )
    result = fit(model.module, task.dataset("train"), task.dataset("val"), cfg)
    assert [row["lr"] for row in result.history] == pytest.approx([1e-3, 5e-4, 5e-4, 2.5e-4])


def test_a_divergence_after_a_good_epoch_leaves_that_epoch_s_weights(toy_series):
    """The error says what went wrong; the module a caller still holds is the last validated
    checkpoint, not the weights that just produced a non-finite loss."""
    task = _task(toy_series)
    model = build_model("nlinear", ModelContext.from_task(task))
    kept = {}

    class _Blow(_KeepFirstEpoch):
        def on_epoch_start(self, state):
            if state.epoch == 1:
                with torch.no_grad():
                    for p in state.model.parameters():
                        p.fill_(float("nan"))

    with pytest.raises(ConfigError, match="diverged"):
        fit(
            model.module,
            task.dataset("train"),
            task.dataset("val"),
            TrainConfig(progress=False, max_epochs=3),
            callbacks=[_Blow(kept)],
        )
    for k, v in model.module.state_dict().items():
        assert torch.equal(v, kept[k])


@pytest.mark.parametrize("lr", [float("nan"), float("inf"), 0.0, -0.1])
def test_a_learning_rate_that_is_not_a_positive_finite_number_is_refused(lr):
    """NaN passed the old ``lr <= 0`` check and reached Adam's bare ValueError (a traceback)."""
    with pytest.raises(ConfigError, match="lr must be a positive finite number") as err:
        TrainConfig(lr=lr)
    assert err.value.where["field"] == "lr"


def test_an_update_too_large_for_float32_is_a_divergence_not_a_torch_error(toy_series):
    """At lr=1e38 Adam's step overflowed float32 and raised torch's RuntimeError, which reached
    the CLI as a traceback; it is the loop's "training diverged" error now, naming the rate."""
    task = _task(toy_series)
    model = build_model("nlinear", ModelContext.from_task(task))
    with pytest.raises(ConfigError, match=r"training diverged \(an update too large") as err:
        fit(
            model.module,
            task.dataset("train"),
            task.dataset("val"),
            TrainConfig(progress=False, max_epochs=1, lr=1e38),
        )
    assert err.value.where["field"] == "lr" and "lr=1e+38" in err.value.message
