"""CycleNet: the learned cycle recovers a known cycle; the calendar clock aligns windows exactly."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pytest
import torch

from tsforge.data.calendar import calendar_indices
from tsforge.data.frame import TimeSeriesData
from tsforge.data.task import prepare_task
from tsforge.errors import DataValidationError
from tsforge.models import ModelContext, build_model
from tsforge.models.cyclenet import CycleNet, CycleNetNet, calendar_clock
from tsforge.training.config import TrainConfig
from tsforge.training.fitting import train_forecaster


def _data(n: int, freq: str, values: np.ndarray, start: str = "2021-03-03 05:00") -> TimeSeriesData:
    ts = pd.date_range(start, periods=n, freq=freq).values
    return TimeSeriesData(values, ts, tuple(f"c{i}" for i in range(values.shape[1])), freq, name="cycle")


def _cyclenet(ctx: ModelContext, options: dict[str, Any] | None = None) -> CycleNet:
    """``build_model`` is typed as any forecaster; these tests read CycleNet's own attributes."""
    model = build_model("cyclenet", ctx, options)
    assert isinstance(model, CycleNet)
    return model


def _cycle(model: CycleNet) -> torch.nn.Parameter:
    """The learned cycle ``Q`` [cycle_len, channels] of a CycleNet's network."""
    assert isinstance(model.module, CycleNetNet)
    return model.module.cycle


def test_cycle_component_recovers_a_known_cycle() -> None:
    """A series = a fixed 24-step pattern + noise: the learned Q is that pattern, phase-aligned."""
    rng = np.random.default_rng(0)
    n, W = 2400, 24
    pattern = rng.standard_normal(W)
    pattern -= pattern.mean()
    start = pd.Timestamp("2021-03-03 05:00")  # the first row is hour 5: phase 5 of the daily cycle
    phase = (start.hour + np.arange(n)) % W
    values = (pattern[phase] + 0.3 * rng.standard_normal(n))[:, None]
    task = prepare_task(_data(n, "h", values), 96, 24)
    torch.manual_seed(0)
    model = _cyclenet(ModelContext.from_task(task), {"revin": False})
    train_forecaster(
        model, task, TrainConfig(max_epochs=20, patience=20, lr=0.01, batch_size=32, progress=False)
    )
    q = _cycle(model).detach().numpy()[:, 0]  # Q indexed by hour of day (normalised units)
    expected = (pattern - pattern.mean()) / task.scaler.std[0]
    # Q is identified up to a constant (the backbone's bias absorbs a level)
    corr = np.corrcoef(q - q.mean(), expected)[0, 1]
    assert corr > 0.99, corr
    np.testing.assert_allclose(q - q.mean(), expected, atol=0.25)


@pytest.mark.parametrize(
    ("freq", "per_day", "start"),
    [
        ("h", 24, "2021-03-03 06:00"),
        ("15min", 96, "2021-03-03 06:15"),
        ("10min", 144, "2021-03-03 05:10"),
        ("2h", 12, "2021-03-03 06:00"),
    ],
)
def test_calendar_clock_gives_the_step_of_the_week(freq: str, per_day: int, start: str) -> None:
    n, L = 3000, 96
    data = _data(n, freq, np.zeros((n, 1)), start=start)
    terms = ("hour", "dow", "dom", "month")
    clock = calendar_clock(
        ModelContext(L, 24, ("c0",), freq=freq, season_length=per_day, calendar_terms=terms)
    )
    assert clock.kind == "subdaily" and clock.period == 7 * per_day
    assert data.timestamps is not None
    cal = torch.from_numpy(calendar_indices(data.timestamps))
    starts = [0, 1, 2, 3, 7, 100, 517, 1999]
    x_cal = torch.stack([cal[s : s + L] for s in starts])
    ts = pd.DatetimeIndex(data.timestamps[starts])
    since_monday = ts - ts.normalize() + pd.to_timedelta(ts.dayofweek, unit="D")
    expected = torch.from_numpy(np.asarray(since_monday // (pd.Timedelta(days=1) / per_day), dtype=np.int64))
    torch.testing.assert_close(clock.phase(x_cal, len(starts)), expected)


def test_without_timestamps_the_cycle_is_not_aligned_but_the_model_still_trains() -> None:
    ctx = ModelContext(48, 12, ("a",), freq=None, season_length=24)
    model = _cyclenet(ctx)
    assert model.clock.kind == "none"
    out = model.predict({"x": torch.randn(2, 48, 1)})
    assert out.shape == (2, 12, 1)


def test_an_unknown_channel_is_refused() -> None:
    ctx = ModelContext(48, 12, ("a", "b"), freq="h", season_length=24, calendar_terms=("hour", "dow"))
    model = build_model("cyclenet", ctx)
    batch = {"x": torch.randn(1, 48, 2), "channels": torch.tensor([[0, -1]])}
    with pytest.raises(DataValidationError, match="column 1"):
        model.predict(batch)


def test_channels_select_their_own_cycle_columns() -> None:
    """A batch of the channels in another order forecasts each with its own cycle."""
    ctx = ModelContext(48, 12, ("a", "b"), freq="h", season_length=24, calendar_terms=("hour", "dow"))
    model = _cyclenet(ctx, {"revin": False})
    with torch.no_grad():
        _cycle(model).copy_(torch.stack([torch.zeros(24), torch.ones(24) * 5], 1))
    x = torch.zeros(1, 48, 2)
    straight = model.predict({"x": x, "channels": torch.tensor([[0, 1]])})
    swapped = model.predict({"x": x, "channels": torch.tensor([[1, 0]])})
    torch.testing.assert_close(swapped, straight.flip(-1))
