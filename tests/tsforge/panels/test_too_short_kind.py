"""The holdout's refusals of series too short for a horizon are told apart by their ``kind``,
not by their words, and the ``kind`` changes nothing a client reads.

Why: :func:`~tsforge.panels.protocol.default_horizon_named` recognised these refusals by the
first words of their message, so rewording one would have silently lost the advice that names
the default horizon and ``--horizon``; a subclass instead would have changed the service's JSON
``error`` field (the class name).
"""

from __future__ import annotations

import pickle

import numpy as np
import pytest

from tests.conftest import monthly_frame
from tsforge.data.load import load_panel
from tsforge.errors import DataValidationError
from tsforge.panels.protocol import (
    TOO_SHORT_FOR_HORIZON,
    default_horizon_named,
    drop_short_series,
    holdout_split,
)

DEFAULT = "18 is the default horizon for this data"


def _short_panel():
    """Three monthly series of 6 values: too short for horizon 18's 37."""
    return load_panel(monthly_frame(3, 6)).panel


def _refusals() -> list[DataValidationError]:
    panel = _short_panel()
    caught = []
    for refuse in (lambda: holdout_split(panel, 18), lambda: drop_short_series(panel, 18)):
        with pytest.raises(DataValidationError) as info:
            refuse()
        caught.append(info.value)
    return caught


def test_both_holdout_refusals_carry_the_kind_and_the_same_json_body():
    split_refusal, drop_refusal = _refusals()
    for exc in (split_refusal, drop_refusal):
        assert exc.kind == TOO_SHORT_FOR_HORIZON
        body = exc.to_dict()
        # the service's body: the class name, the message word for word, the where fields; no new key
        assert body["error"] == "DataValidationError"
        assert body["message"] == exc.message and "kind" not in body
        assert "kind" not in str(exc)
    assert split_refusal.message.startswith("series too short: 3 of 3 series have fewer than 37 values")
    assert set(split_refusal.to_dict()) == {"error", "message", "field", "series"}
    assert drop_refusal.message.startswith("no series has the 37 values the holdout needs")
    assert set(drop_refusal.to_dict()) == {"error", "message", "field"}


def test_the_kind_survives_pickling():
    """A pool worker's error reaches the driver pickled; its kind must come with it."""
    exc = _refusals()[0]
    back = pickle.loads(pickle.dumps(exc))
    assert back.kind == TOO_SHORT_FOR_HORIZON and back.message == exc.message and back.where == exc.where


def test_a_too_short_refusal_is_recognised_by_its_kind_not_its_words():
    """The same refusal worded otherwise still gets the default-horizon advice, and keeps its
    kind (and where fields) after it."""
    refusal = DataValidationError("3 series are shorter than the 37 values horizon 18 needs", field="horizon")
    refusal.kind = TOO_SHORT_FOR_HORIZON
    with pytest.raises(DataValidationError) as caught, default_horizon_named(None, 18):
        raise refusal
    # Python's words name the argument, the command line's the flag
    assert DEFAULT in caught.value.message and "horizon=N" in caught.value.message
    assert "--horizon N" in caught.value.for_cli()
    assert caught.value.kind == TOO_SHORT_FOR_HORIZON and caught.value.where == {"field": "horizon"}


def test_words_alone_do_not_make_a_refusal_too_short():
    """An error that merely begins like the holdout's refusal passes through as raised."""
    message = "series too short: input 24 + horizon 18 need 42 values"
    with pytest.raises(DataValidationError) as caught, default_horizon_named(None, 18):
        raise DataValidationError(message, field="horizon")
    assert caught.value.message == message


def test_the_holdout_refusal_inside_the_block_is_reworded_with_its_kind():
    panel = _short_panel()
    with pytest.raises(DataValidationError) as caught, default_horizon_named(None, 18):
        holdout_split(panel, 18)
    assert DEFAULT in caught.value.message and caught.value.kind == TOO_SHORT_FOR_HORIZON
    assert caught.value.where["series"] == str(np.asarray(panel.ids)[0])
