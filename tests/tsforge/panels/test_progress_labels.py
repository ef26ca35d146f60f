"""Progress bars say what the user is waiting for: calibrating a local model's intervals while
training showed "cross-validation: 200/200 window", a step the user had not asked for, because
:func:`~tsforge.panels.calibrate.calibration_cv` ran :func:`~tsforge.panels.cv.cross_validation`
under its fixed label."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import tsforge.panels.local as local
from tsforge.data.panel import Panel
from tsforge.panels.calibrate import calibration_cv
from tsforge.panels.cv import cross_validation


class _Bar:
    """Records the label of every bar opened; counts nothing, prints nothing."""

    labels: list[str] = []

    def __init__(self, *args: Any, desc: str = "", **kwargs: Any) -> None:
        _Bar.labels.append(desc)

    def update(self, n: int = 1) -> None:
        pass

    def close(self) -> None:
        pass


@pytest.fixture
def labels(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    _Bar.labels = []
    monkeypatch.setattr(local, "ProgressBar", _Bar)
    return _Bar.labels


def _panel() -> Panel:
    rng = np.random.default_rng(1)
    return Panel.from_arrays([rng.normal(10, 1, 48) for _ in range(3)], ids=["a", "b", "c"])


def test_calibration_says_it_calibrates(labels: list[str]) -> None:
    calibration_cv(_panel(), ["naive"], 3, n_windows=4, progress=True)
    assert labels == ["calibrating intervals"]


def test_cross_validation_keeps_its_label(labels: list[str]) -> None:
    cross_validation(_panel(), ["naive"], 3, n_windows=2, progress=True)
    assert labels == ["cross-validation"]
