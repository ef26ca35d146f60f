"""``tsforge.panels.cv.cross_validation`` from Python warns, as ``tsforge cv`` notes, of the
series no window scores and of those that fit fewer windows than asked (it said nothing: the
scores silently covered fewer series, or fewer windows of some); callers that place windows for
another purpose (calibration) pass ``note_short=False``."""

from __future__ import annotations

import warnings

import numpy as np

from tsforge.data.panel import Panel
from tsforge.errors import ShortSeriesWarning
from tsforge.panels.cv import cross_validation


def _panel() -> Panel:
    return Panel.from_arrays(
        [np.arange(30.0), np.arange(3.0), np.arange(2.0)], ids=["long", "short", "tiny"], freq="D", name="x"
    )


def test_series_too_short_for_the_windows_asked_are_named_in_a_warning():
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        frame = cross_validation(_panel(), ["naive"], 2, n_windows=3, progress=False)
    notes = [str(w.message) for w in caught if issubclass(w.category, ShortSeriesWarning)]
    assert set(frame["unique_id"]) == {"long", "short"}
    assert len(notes) == 2, notes
    assert notes[0].startswith("1 of 3 series is too short for any of the 3 windows of 2 steps")
    assert notes[0].endswith("is not scored: tiny"), notes[0]
    assert notes[1].startswith("1 of 3 series fits fewer than the 3 windows") and notes[1].endswith(": short")


def test_no_warning_where_every_series_fits_or_the_caller_says_not_to():
    long = Panel.from_arrays([np.arange(30.0), np.arange(20.0)], ids=["a", "b"], freq="D", name="x")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        cross_validation(long, ["naive"], 2, n_windows=3, progress=False)
        cross_validation(_panel(), ["naive"], 2, n_windows=3, progress=False, note_short=False)
    assert not [w for w in caught if issubclass(w.category, ShortSeriesWarning)]
