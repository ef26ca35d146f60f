import pytest
import torch
from torch import nn

from tsforge.data.task import prepare_task
from tsforge.models import ModelContext, build_model
from tsforge.training import Callback, LossStrategy, TrainConfig, TrainStage, fit
from tsforge.training.fitting import train_forecaster


def _task(toy_series):
    return prepare_task(toy_series, 48, 12)


def test_equal_seeds_give_identical_weights(toy_series):
    task = _task(toy_series)
    states = []
    for _ in range(2):
        torch.manual_seed(7)
        model = build_model("dlinear", ModelContext.from_task(task))
        train_forecaster(model, task, train_config=TrainConfig(max_epochs=2, seed=3, progress=False))
        states.append(model.get_state()["module"])
    for k in states[0]:
        assert torch.equal(states[0][k], states[1][k])


class _Recorder(LossStrategy):
    def __init__(self):
        super().__init__("mse")
        self.events, self.seen_idx = [], set()

    def on_fit_start(self, state, train_data, task):
        self.events.append(("fit_start", len(train_data), task is not None))

    def on_epoch_start(self, state):
        self.events.append(("epoch_start", state.epoch))

    def __call__(self, pred, batch, state):
        self.seen_idx.update(batch["idx"].tolist())
        return super().__call__(pred, batch, state) * 0 + (pred - batch["y"]).abs().mean()  # MAE via the hook

    def on_epoch_end(self, state):
        self.events.append(("epoch_end", state.epoch))
        return {"custom_stat": 0.5}


def test_loss_strategy_sees_every_sample_index_and_epoch_events(toy_series):
    task = _task(toy_series)
    model = build_model("nlinear", ModelContext.from_task(task))
    strategy = _Recorder()
    report = train_forecaster(
        model, task, train_config=TrainConfig(max_epochs=2, patience=5, progress=False), loss=strategy
    )
    assert strategy.events[0] == ("fit_start", len(task.dataset("train")), True)
    assert [e for e in strategy.events if e[0] == "epoch_end"] == [("epoch_end", 0), ("epoch_end", 1)]
    assert strategy.seen_idx == set(range(len(task.dataset("train"))))
    assert all(row["custom_stat"] == 0.5 for row in report.history)


def test_early_stopping_restores_the_best_checkpoint(toy_series):
    task = _task(toy_series)
    model = build_model("nlinear", ModelContext.from_task(task))

    class _Spoil(Callback):
        """From epoch 2 on, wreck the weights before training: val gets worse, so epoch 1's weights
        must come back at the end."""

        def on_epoch_start(self, state):
            if state.epoch > 0:
                with torch.no_grad():
                    for p in state.model.parameters():
                        p.add_(5.0)

        def on_epoch_end(self, state):
            if state.epoch == 0:
                self.best = {k: v.clone() for k, v in state.model.state_dict().items()}

    spoil = _Spoil()
    cfg = TrainConfig(max_epochs=4, patience=2, lr=1e-6, progress=False)
    report = train_forecaster(model, task, train_config=cfg, callbacks=[spoil])
    assert report.best_epoch == 0
    assert len(report.history) == 3  # stopped by patience
    for k, v in model.module.state_dict().items():
        assert torch.equal(v, spoil.best[k])


def test_callback_hook_typos_fail_at_definition():
    with pytest.raises(TypeError, match="not a training hook"):

        class _Typo(Callback):  # noqa: F841
            def on_train_begin(self, state): ...


def test_a_schedule_stage_trains_only_its_parameters(toy_series):
    task = _task(toy_series)

    class Two(nn.Module):
        def __init__(self):
            super().__init__()
            self.a = nn.Linear(48, 12)
            self.b = nn.Linear(48, 12)

        def forward(self, batch):
            x = batch["x"].transpose(1, 2)
            return (self.a(x) + self.b(x)).transpose(1, 2)

    net = Two()
    before_a = net.a.weight.detach().clone()
    before_b = net.b.weight.detach().clone()
    schedule = [TrainStage("only_b", max_epochs=1, trainable=lambda m: m.b.parameters())]
    fit(net, task.dataset("train"), task.dataset("val"), TrainConfig(progress=False), schedule=schedule)
    assert torch.equal(net.a.weight, before_a)
    assert not torch.equal(net.b.weight, before_b)


def test_missing_targets_do_not_count_in_the_loss():
    from tsforge.training.losses import masked_mse

    pred = torch.zeros(1, 2, 1)
    y = torch.tensor([[[1.0], [100.0]]])
    mask = torch.tensor([[[True], [False]]])
    assert float(masked_mse(pred, y, mask)) == pytest.approx(1.0)


def test_a_later_stage_that_only_hurts_keeps_the_earlier_weights(toy_series):
    task = _task(toy_series)
    model = build_model("nlinear", ModelContext.from_task(task))
    seen = {}

    def remember(module):
        seen["after_stage_1"] = {k: v.clone() for k, v in module.state_dict().items()}

    class _Sabotage(Callback):
        def on_epoch_start(self, state):
            if state.stage == "two":
                with torch.no_grad():
                    for p in state.model.parameters():
                        p.add_(3.0)

    schedule = [TrainStage("one", max_epochs=2), TrainStage("two", max_epochs=2, on_start=remember)]
    fit(
        model.module,
        task.dataset("train"),
        task.dataset("val"),
        TrainConfig(progress=False),
        schedule=schedule,
        callbacks=[_Sabotage()],
    )
    for k, v in model.module.state_dict().items():
        assert torch.equal(v, seen["after_stage_1"][k])


@pytest.mark.parametrize("terminal", [True, False])
def test_progress_draws_a_batch_bar_on_a_terminal_and_only_epoch_lines_in_a_log(
    toy_series, terminal, monkeypatch, capsys
):
    """Written to a log, a per-batch bar leaves one carriage-return fragment per redraw; there
    the loop prints only the epoch summaries (and other bars redraw at most every 30 s)."""
    import sys

    import tsforge.progress as progress

    monkeypatch.setattr(sys.stderr, "isatty", lambda: terminal, raising=False)
    assert progress.interactive() is terminal
    in_a_log = {"mininterval": progress.LOG_INTERVAL, "maxinterval": progress.LOG_INTERVAL}
    assert progress.bar_options() == ({} if terminal else in_a_log)
    task = _task(toy_series)
    model = build_model("dlinear", ModelContext.from_task(task))
    train_forecaster(model, task, train_config=TrainConfig(max_epochs=2, seed=3, progress=True))
    out = capsys.readouterr()
    text = out.out + out.err
    assert text.count("epoch 1: train") == 1 and text.count("epoch 2: train") == 1
    assert ("batch/s" in text) is terminal


def test_a_notebook_counts_as_watching_the_bars(monkeypatch):
    """Jupyter's stderr is no terminal, yet its users see tqdm's widget: keep the bars there."""
    import sys
    import types

    import tsforge.progress as progress

    class ZMQInteractiveShell:  # the class name IPython's kernel shell has
        pass

    monkeypatch.setattr(sys.stderr, "isatty", lambda: False, raising=False)
    fake = types.SimpleNamespace(get_ipython=lambda: None)
    monkeypatch.setitem(sys.modules, "IPython", fake)
    assert not progress.interactive()
    fake.get_ipython = lambda: ZMQInteractiveShell()
    assert progress.interactive() and progress.bar_options() == {}


def test_the_history_s_lr_is_the_rate_each_epoch_trained_with(toy_series):
    """``lr`` was read after the epoch's ``sched.step()``: a run at lr=0.005 showed 0.0025 for
    its first epoch. Under halving, epoch k trains at 0.005 / 2**k."""
    task = _task(toy_series)
    model = build_model("dlinear", ModelContext.from_task(task))
    cfg = TrainConfig(max_epochs=3, patience=10, lr=0.005, lr_schedule="halving", progress=False)
    report = train_forecaster(model, task, train_config=cfg)
    assert [row["lr"] for row in report.history] == pytest.approx([0.005, 0.0025, 0.00125])


def test_the_epoch_line_names_the_metrics_it_prints(toy_series, capsys):
    """A model that trains and early-stops on MAE (STPE-MLP does) printed "train 0.41  val 0.43",
    read as MSE beside result tables of validation MSE; the line names both metrics, and the
    strategy's loss where it replaces the config's (a strategy training MSE under loss="mae")."""
    task = _task(toy_series)
    model = build_model("dlinear", ModelContext.from_task(task))
    cfg = TrainConfig(max_epochs=1, seed=3, progress=True, loss="mae", val_metric="mae")
    train_forecaster(model, task, train_config=cfg)
    out = capsys.readouterr()
    assert "epoch 1: train mae " in out.out + out.err

    module = build_model("dlinear", ModelContext.from_task(task)).build_module()
    fit(module, task.dataset("train"), task.dataset("val"), cfg, loss=LossStrategy("mse"))
    out = capsys.readouterr()
    line = next(t for t in (out.out + out.err).splitlines() if "epoch 1:" in t)
    assert "train mse " in line and "val mae " in line
