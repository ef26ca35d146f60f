"""A local fit silences its libraries' warnings without touching other threads' warnings.

Why: the fits silenced warnings with ``catch_warnings`` + ``simplefilter("ignore")``, which swaps
the process-wide filter list. While one thread fitted, a tsforge note raised by another thread (a
request answered beside it) was ignored, and two fits overlapping left the "ignore" filter in
front for good. The fit is held inside statsforecast's place by events, so the overlap happens on
every run.
"""

from __future__ import annotations

import threading
import warnings
from collections.abc import Iterator
from typing import Any

import numpy as np
import pytest

from tsforge.errors import TsforgeWarning
from tsforge.models.statistical import LOCAL_MODELS, forecast_series

SERIES = np.arange(1.0, 25.0)


class _HeldModel:
    """A statsforecast stand-in whose ``forecast`` waits, inside the fit, until released; it
    warns as statsforecast and numpy do (noise that must stay silent)."""

    def __init__(self) -> None:
        self.inside = threading.Event()
        self.release = threading.Event()

    def forecast(self, y: np.ndarray, h: int, level: Any = None) -> dict[str, np.ndarray]:
        warnings.warn_explicit(
            "Setting seasonal period to 1", UserWarning, "arima.py", 1, "statsforecast.arima"
        )
        np.ones(1) / np.zeros(1)  # divide by zero
        self.inside.set()
        assert self.release.wait(30)
        return {"mean": np.full(h, float(y[-1]))}


def _fit_in_thread(model: _HeldModel) -> threading.Thread:
    def fit() -> None:
        forecast_series(LOCAL_MODELS["auto_ets"], SERIES, 3, 1, cache={"auto_ets": model})

    thread = threading.Thread(target=fit)
    thread.start()
    return thread


@pytest.fixture
def shown() -> Iterator[list[warnings.WarningMessage]]:
    """Every warning shown in the process while the test runs, tsforge's each time."""
    with warnings.catch_warnings(record=True) as rec:
        warnings.simplefilter("always", TsforgeWarning)
        yield rec


def test_a_note_raised_beside_a_fit_is_shown_and_the_fits_noise_is_not(shown) -> None:
    model = _HeldModel()
    thread = _fit_in_thread(model)
    try:
        assert model.inside.wait(30)
        warnings.warn("beside", TsforgeWarning, stacklevel=1)
    finally:
        model.release.set()
        thread.join(timeout=60)
    assert [str(w.message) for w in shown] == ["beside"]


def test_two_fits_overlapping_leave_the_filters_as_they_found_them(shown) -> None:
    before = list(warnings.filters)
    first, second = _HeldModel(), _HeldModel()
    a = _fit_in_thread(first)
    assert first.inside.wait(30)
    b = _fit_in_thread(second)
    assert second.inside.wait(30)
    first.release.set()  # A leaves while B is inside, then B leaves
    a.join(timeout=60)
    second.release.set()
    b.join(timeout=60)
    assert warnings.filters == before
    warnings.warn("after", TsforgeWarning, stacklevel=1)
    assert [str(w.message) for w in shown] == ["after"]


def test_a_real_fit_shows_nothing_of_what_its_libraries_warn(shown) -> None:
    """Guard: ETS divides by zero fitting a series that drops to ~0 (numpy warns); it stays silent."""
    warnings.simplefilter("always")
    forecast_series(LOCAL_MODELS["auto_ets"], np.r_[np.full(20, 1e12), np.full(20, 1e-12)], 3, 12)
    assert [str(w.message) for w in shown] == []
