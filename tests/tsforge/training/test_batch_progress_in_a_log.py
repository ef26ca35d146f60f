"""The per-batch bar of a training epoch in a log (stderr no terminal).

It was dropped there, so an epoch over a 1M-row series printed nothing for 7 minutes. It now
prints a line every :data:`tsforge.progress.LOG_INTERVAL` seconds, from that long after the
epoch's start (set to 0 here: a line at every batch), and nothing in a shorter epoch.
"""

from __future__ import annotations

import re
import sys

import tsforge.progress as progress
from tsforge.data.task import prepare_task
from tsforge.models import ModelContext, build_model
from tsforge.training import TrainConfig
from tsforge.training.fitting import train_forecaster


def _train(toy_series, monkeypatch, interval: float) -> None:
    monkeypatch.setattr(sys.stderr, "isatty", lambda: False, raising=False)
    monkeypatch.setattr(progress, "LOG_INTERVAL", interval)
    task = prepare_task(toy_series, 48, 12)
    model = build_model("dlinear", ModelContext.from_task(task))
    train_forecaster(model, task, train_config=TrainConfig(max_epochs=2, seed=3, progress=True))


def test_a_long_epoch_in_a_log_prints_batch_progress_lines(toy_series, monkeypatch, capsys):
    _train(toy_series, monkeypatch, 0.0)
    out = capsys.readouterr()
    text = (out.out + out.err).replace("\r", "\n")
    states = re.findall(r"train epoch 1/\S+: .*?(\d+)/(\d+) \[", text)
    assert states, text[:2000]
    total = int(states[0][1])
    assert total > 2  # a toy task with several batches, so a state between start and end exists
    shown = {int(done) for done, _ in states}
    assert any(0 < done < total for done in shown)  # progress within the epoch, not only its end
    assert text.count("epoch 1: train") == 1 and text.count("epoch 2: train") == 1  # the summaries stay


def test_a_short_epoch_in_a_log_prints_only_the_epoch_lines(toy_series, monkeypatch, capsys):
    """Guard: epochs shorter than the interval (30 s) leave no bar fragments in the log."""
    _train(toy_series, monkeypatch, 3600.0)
    out = capsys.readouterr()
    text = out.out + out.err
    assert "batch/s" not in text and "\r" not in text
    assert text.count("epoch 1: train") == 1 and text.count("epoch 2: train") == 1
