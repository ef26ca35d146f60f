"""The service tells notes apart by their warning's class, not by their words, and a routed
ensemble's member note says whose member it is.

* A wide history frame on ``/invocations`` pads the series that end early with nulls, so the
  trimmed-history note (:class:`TrimmedHistoryWarning`) is dropped there. The service found it
  by its words; a note of that class in other words went through, and one quoting the words
  would have been dropped. The class now travels with the text, from a worker process too.
* A routed ensemble forecasts each series as a weighted mix of member models; a local member
  that fell back on a short series warned in its own words ("1 of 2 series were too short for
  auto_ets ..."), and the answer named a model the client never asked for. The service then
  framed it in words of its own, unlike the CLI's and with no word of the series; the ensemble
  now frames it itself, so the service returns the note the library warns.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pytest

from service.inline import COST_PER_VALUE, POOL_MIN_COST
from tests.service.conftest import LONG, OnePredictorStore, serving
from tsforge.errors import FallbackWarning
from tsforge.inference import SeriesForecast, SeriesInput
from tsforge.inference.predictor import TrimmedHistoryWarning

ROOT = Path(__file__).resolve().parents[2]

#: the fake's notes: a trimmed-history note in other words than the library's, and another kind
TRIMMED = "the fake model cut the nulls off the end of a history"
OTHER = "the fake model fell back on a series"


class NotingLocal:
    """A fake local model that warns :data:`TRIMMED` (as a :class:`TrimmedHistoryWarning`) and
    :data:`OTHER` (a :class:`FallbackWarning`) and forecasts each series' last observed value."""

    kind = "local"
    input_len, max_horizon = 1, 3

    def predict_series(self, series, horizon=None, *, level=None, quantiles=None):
        warnings.warn(TRIMMED, TrimmedHistoryWarning, stacklevel=2)
        warnings.warn(OTHER, FallbackWarning, stacklevel=2)
        out = []
        for s in series:
            values = np.asarray(s.values, dtype=float)
            out.append(SeriesForecast(s.id, np.full(horizon, values[~np.isnan(values)][-1])))
        return out

    def interval_shortfall(self, level=None, quantiles=None, horizon=None):
        return None


def _frames(rows: int, columns: int) -> tuple[dict, dict]:
    """``(wide, long)`` /invocations bodies of the same series, the first ending one step early."""
    values: dict[str, list[float | None]] = {
        f"c{j}": [float(j + t % 5) for t in range(rows)] for j in range(columns)
    }
    values["c0"][-1] = None  # what a wide frame does to a series that ends earlier than the others
    wide = {"inputs": {"ds": list(range(rows)), **values}, "params": {"horizon": 2}}
    ids = [c for c in values for _ in range(rows)]
    long = {
        "inputs": {"unique_id": ids, "y": [v for c in values for v in values[c]]},
        "params": {"horizon": 2},
    }
    return wide, long


@pytest.mark.parametrize(
    "rows",
    [
        20,  # answered in the server
        -(-POOL_MIN_COST // COST_PER_VALUE["local"] // 10),  # large: answered by a worker process
    ],
)
def test_a_wide_frames_trimmed_history_note_is_dropped_by_its_class(monkeypatch, rows):
    monkeypatch.syspath_prepend(str(ROOT))  # a worker imports the fake by module name
    wide, long = _frames(rows, 10)
    with serving(OnePredictorStore(NotingLocal(), "noting")) as c:
        r = c.post("/invocations", json=wide)
        assert r.status_code == 200, r.text
        assert r.json()["notes"] == [OTHER]  # the padding's note is no news; the other note stays
        r = c.post("/invocations", json=long)
        assert r.status_code == 200, r.text
        assert r.json()["notes"] == [TRIMMED, OTHER]  # a long frame's nulls were sent: told
        large = rows * 10 * COST_PER_VALUE["local"] >= POOL_MIN_COST
        assert bool(c.app.state.forecast_pool.processes()) == large  # the path this case claims


@pytest.fixture(scope="module")
def tiny_routed():
    """A routed ensemble of four local members (no training) behind the shipped router, its meta
    as :func:`tsforge.tracking.load_predictor` leaves a registered one's."""
    from recommender.per_series import SeriesRouter
    from recommender.routed import RoutedPredictor
    from recommender.shipped_router import shipped_router_dir
    from tsforge.panels.predictor import PanelPredictor

    folder = shipped_router_dir()
    assert folder is not None
    members = {
        m: PanelPredictor(m, 3, freq=None, season_length=12)
        for m in ("naive", "seasonal_naive", "auto_ets", "auto_theta")
    }
    return RoutedPredictor(
        SeriesRouter.load(folder),
        members,
        3,
        freq=None,
        season_length=12,
        meta={"name": "routed-weights", "registered_name": "my-routed", "version": "1"},
    )


def test_a_routed_members_fallback_note_names_the_ensemble_the_client_asked_for(tiny_routed):
    short = [3.0, 4.0, 5.0]
    series = [SeriesInput("long", np.array(LONG)), SeriesInput("short", np.array(short))]
    with pytest.warns(FallbackWarning) as warned:
        tiny_routed.predict_series(series, 3)
    member_notes = [str(w.message) for w in warned if issubclass(w.category, FallbackWarning)]
    assert member_notes  # the members fell back on the short series
    for note in member_notes:  # said as the registered ensemble's members, naming the series
        assert note.startswith("routed model 'my-routed', member "), note
        assert "series: long, short): " in note or "series: short): " in note, note

    body = {"series": [{"id": "long", "values": LONG}, {"id": "short", "values": short}], "horizon": 3}
    rows = {"unique_id": ["long"] * len(LONG) + ["short"] * len(short), "y": LONG + short}
    with serving(OnePredictorStore(tiny_routed, "my-routed")) as c:
        for path, payload in (
            ("/v1/forecast", body),
            ("/invocations", {"inputs": rows, "params": {"horizon": 3}}),
        ):
            r = c.post(path, json=payload)
            assert r.status_code == 200, r.text
            notes = r.json()["notes"]
            # the 3-value series is also too short to profile: the ensemble says so, once
            unprofiled = [n for n in notes if "too short to profile" in n]
            assert len(unprofiled) == 1 and "short (3 values) to " in unprofiled[0], notes
            assert [n for n in notes if n not in unprofiled] == member_notes  # one wording, framed once
