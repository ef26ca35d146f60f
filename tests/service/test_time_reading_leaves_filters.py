"""Reading a request's times never changes the process's warning filters.

Why: the service answers requests from several threads, and ``warnings.simplefilter`` inside
``catch_warnings`` swaps the one filter list they all share. Two readers turned every warning
into an error for the time they ran (``iso_text_times``, to catch NumPy's warning on a UTC
offset; ``times_by_format``, to refuse ``Jan-10`` labels), so another request's warning was
raised as an exception in its own thread meanwhile, and two overlapping blocks could leave the
"error" filter in place for good. Each reader now decides from the text (a UTC offset) or from
a flag of its own thread (:func:`tsforge.data.period_labels.guessed_labels_refused`).
"""

from __future__ import annotations

import threading
import warnings

import numpy as np
import polars as pl
import pytest

from service.schemas.common import iso_text_times, times_by_format
from tsforge.data.period_labels import GuessedLabelsWarning, guessed_labels_refused, read_period_labels
from tsforge.errors import DataValidationError


@pytest.fixture
def actions(monkeypatch) -> list[str]:
    """The actions every ``warnings.simplefilter`` call asks for while the test runs."""
    seen: list[str] = []
    original = warnings.simplefilter

    def spy(action, *args, **kwargs):
        seen.append(action)
        return original(action, *args, **kwargs)

    monkeypatch.setattr(warnings, "simplefilter", spy)
    return seen


@pytest.mark.parametrize(
    "raw",
    [
        ["2024-01-01T05:00:00+05:00", "2024-01-01T06:00:00+05:00"],
        ["2024-01-01T00:00Z"],
        ["2024-01-01", "2024-01-02"],
    ],
)
def test_text_times_are_read_without_turning_warnings_into_errors(raw, actions):
    out, _ = iso_text_times(raw)
    expected = np.array([np.datetime64(t[:10]) for t in raw], dtype="datetime64[us]")
    if raw[0].endswith("+05:00"):  # 05:00 at +05:00 is midnight UTC
        expected = np.array(["2024-01-01T00:00", "2024-01-01T01:00"], dtype="datetime64[us]")
    assert (out == expected).all(), out
    assert "error" not in actions


def test_ambiguous_labels_are_refused_without_turning_warnings_into_errors(actions):
    with pytest.raises(DataValidationError, match="time_format"):
        times_by_format(
            ["Jan-10", "Feb-10", "Mar-10"],
            None,
            column="timestamps",
            what="timestamps",
            unit="position",
            format_field="time_format",
        )
    assert "error" not in actions


def test_the_refusal_is_this_threads_alone():
    """Inside the block the guess is raised here; another thread reading labels meanwhile is
    told, as the command line and the Python API are."""
    labels = pl.Series("month", ["Jan-10", "Feb-10", "Mar-10"])
    elsewhere: list[type[Warning]] = []

    def read_in_another_thread() -> None:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            read_period_labels(labels, column="month")
        elsewhere.extend(w.category for w in caught)

    with guessed_labels_refused():
        thread = threading.Thread(target=read_in_another_thread)
        thread.start()
        thread.join(timeout=60)
        with pytest.raises(GuessedLabelsWarning):
            read_period_labels(labels, column="month")
    assert elsewhere == [GuessedLabelsWarning]
