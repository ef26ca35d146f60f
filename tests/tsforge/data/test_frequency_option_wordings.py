"""The long reader names the frequency's option in the words of the door the user came by:
``freq=`` in Python (the message), ``--freq`` on the command line (``cli_message``).

Before, the same sentence said "(freq= / --freq)" to both: a refusal of a date off the given
grid while filling gaps, and the note that integer steps carry no calendar ("freq= / --freq,
e.g. MS for months").
"""

from __future__ import annotations

import pickle

import pandas as pd
import pytest

from tsforge.data.panel import Panel
from tsforge.errors import DataValidationError, UnknownSeasonWarning


def test_a_date_off_the_given_grid_while_filling_names_the_option_once():
    """Every other month from January: April lies on a month start, yet off that grid."""
    frame = pd.DataFrame(
        {"unique_id": "a", "ds": pd.to_datetime(["2020-01-01", "2020-03-01", "2020-04-01"]), "y": [1.0, 2, 3]}
    )
    with pytest.raises(DataValidationError) as caught:
        Panel.from_long(frame, freq="2MS", fill_gaps=True)
    python, cli = caught.value.message, caught.value.for_cli()
    assert python.endswith(
        "so no missing steps can be inserted around it: correct that time, or set the frequency (freq=...)"
    ), python
    assert (
        "so no missing steps can be inserted around it: correct that time, or set the frequency (--freq)"
        in cli
    )
    assert "--freq" not in python and "freq=" not in cli, (python, cli)


def _no_calendar_note() -> UnknownSeasonWarning:
    frame = pd.DataFrame({"unique_id": ["a"] * 3, "ds": [1, 2, 3], "y": [1.0, 2, 3]})
    with pytest.warns(UnknownSeasonWarning) as caught:
        Panel.from_long(frame)
    (note,) = [w.message for w in caught if isinstance(w.message, UnknownSeasonWarning)]
    return note


def test_integer_steps_are_told_the_frequency_s_option_in_each_door_s_words():
    note = _no_calendar_note()
    python, cli = str(note), getattr(note, "cli_message", None)
    assert python.endswith(
        "no calendar, so the season length is 1 and seasonal models see no season; give the steps' "
        'frequency (freq="MS" for months) if they have one'
    ), python
    assert cli is not None and cli.endswith(
        "give the steps' frequency (--freq MS for months) if they have one"
    )
    assert "--freq" not in python and "freq=" not in cli


def test_the_note_keeps_both_wordings_across_processes():
    """A pool worker's note reaches the driver pickled: both wordings, and its category."""
    note = _no_calendar_note()
    back = pickle.loads(pickle.dumps(note))
    assert isinstance(back, UnknownSeasonWarning)
    assert (str(back), back.cli_message) == (str(note), getattr(note, "cli_message", None))
