"""A routed ensemble says its members' notes as its members', behind every door.

Forecasting with a routed model, a member's own note ("1 of 3 series were too short for
seasonal_naive …") reached the Python API (``predict_frame``) and the MLflow pyfunc as it was: a
model the user never asked for, its count read as one of the request's. Only ``tsforge forecast``
framed it, with a wrapper of its own, and the service with a wording of its own. The ensemble now
frames it itself. Local members behind the shipped router: no training, no MLflow.
"""

from __future__ import annotations

import threading
import warnings

import numpy as np
import pandas as pd

from recommender.per_series import SeriesRouter
from recommender.routed import RoutedPredictor
from recommender.shipped_router import SHIPPED_ROUTER_DIR
from tsforge.errors import FallbackWarning, TsforgeWarning
from tsforge.panels.predictor import PanelPredictor


def _routed(mode: str = "weights", names=("naive", "seasonal_naive"), **meta: str) -> RoutedPredictor:
    members = {m: PanelPredictor(m, 3, freq="MS", season_length=12) for m in names}
    router = SeriesRouter.load(SHIPPED_ROUTER_DIR)
    return RoutedPredictor(router, members, 3, freq="MS", season_length=12, mode=mode, meta=meta)


def _history(lengths=(30, 30, 6)) -> pd.DataFrame:
    """Monthly series ``s0``, ``s1``, …; ``s2`` (6 values) is too short for a seasonal naive."""
    rows = []
    for i, n in enumerate(lengths):
        ds = pd.date_range("2019-01-01", periods=n, freq="MS")
        y = 10 + i + np.sin(np.arange(n) * 2 * np.pi / 12) + 0.1 * np.arange(n)
        rows.append(pd.DataFrame({"unique_id": f"s{i}", "ds": ds, "y": y}))
    return pd.concat(rows, ignore_index=True)


def _notes(predict) -> list[str]:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        predict()
    return [str(w.message) for w in caught if issubclass(w.category, TsforgeWarning)]


def test_predict_frame_says_a_member_note_as_the_registered_ensembles_member():
    """``predictor.predict_frame`` warned "1 of 3 series were too short for seasonal_naive …"
    with no word of the routed model the user loaded, nor which series the member forecast."""
    routed = _routed(name="routed-weights", registered_name="my-routed")
    notes = _notes(lambda: routed.predict_frame(_history()))
    fell = [n for n in notes if "too short for seasonal_naive" in n]
    assert fell, notes
    frame = "routed model 'my-routed', member seasonal_naive (weighted into the forecast of "
    assert all(n.startswith(frame) and n.count("routed model") == 1 for n in fell), fell
    assert "series: s0, s1, s2): 1 of 3 series was too short" in fell[0], fell


def test_an_unregistered_ensemble_is_named_by_its_model_name_and_a_pick_said_as_one():
    """Without a registered name the ensemble is named by its model name; in ``pick`` mode the
    member was picked for its series, not weighted into them."""
    routed = _routed(mode="pick", names=("seasonal_naive",), name="routed-pick")
    notes = _notes(lambda: routed.predict_frame(_history((30, 6))))
    fell = [n for n in notes if "too short for seasonal_naive" in n]
    assert fell, notes
    frame = "routed model 'routed-pick', member seasonal_naive (picked for 2 series: s0, s1): 1 of 2 series"
    assert all(n.startswith(frame) for n in fell), fell
    many = routed.member_frame("seasonal_naive", [f"s{i}" for i in range(7)])
    assert many.endswith("(picked for 7 series: s0, s1, s2, s3, s4 and 2 more)"), many


def test_the_frame_is_said_of_the_routed_forecasts_thread_only():
    """The service answers requests in several threads: while one routed forecast's member is
    running, a note another thread raises is that thread's, said without the ensemble's frame."""
    routed = _routed(name="routed-weights")
    member = routed.members["seasonal_naive"]
    inside, other_done = threading.Event(), threading.Event()
    own = member.predict_series

    def predict_series(series, *args, **kwargs):
        inside.set()
        assert other_done.wait(30)
        warnings.warn("the member's own note", FallbackWarning, stacklevel=2)
        return own(series, *args, **kwargs)

    member.predict_series = predict_series
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        worker = threading.Thread(target=routed.predict_frame, args=(_history((30, 30)),))
        worker.start()
        assert inside.wait(30)
        warnings.warn("another request's note", TsforgeWarning, stacklevel=1)
        other_done.set()
        worker.join(30)
    said = [str(w.message) for w in caught]
    assert "another request's note" in said, said
    assert any(
        n.startswith("routed model 'routed-weights', member seasonal_naive (")
        and n.endswith(": the member's own note")
        for n in said
    ), said
