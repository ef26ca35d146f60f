"""The note on a series too short to profile says which members read more values than it has.

``tsforge forecast --model my-routed --input tiny.csv`` (one rising 8-value series) gave a falling
forecast: 0.84 of its weight went to lightgbm, dlinear and nlinear, whose 24-value window held 16
copies of the series' first value (a global member left-pads a short history). The note named the
members and their weights, not that most of what those members read was not the series. A global
LightGBM member of a few trees and a local naive member behind the shipped router: no MLflow.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from recommender.per_series import SeriesRouter
from recommender.routed import RoutedPredictor, UnprofiledSeriesWarning, unprofiled_note
from recommender.shipped_router import SHIPPED_ROUTER_DIR
from tsforge.data.history import SeriesInput
from tsforge.data.panel import Panel
from tsforge.panels.global_models import fit_global
from tsforge.panels.predictor import PanelPredictor


@pytest.fixture(scope="module")
def routed() -> RoutedPredictor:
    """naive (local: reads what it is given) and a LightGBM global member (a fixed window)."""
    rng = np.random.default_rng(0)
    arrays = [10 + np.sin(np.arange(48) * 2 * np.pi / 12) + 0.1 * rng.normal(size=48) for _ in range(4)]
    panel = Panel.from_arrays(arrays, ids=list("abcd"), freq="MS", season_length=12, name="p")
    model, _ = fit_global(panel, "lightgbm", 3, model_config={"n_estimators": 5})
    members = {
        "naive": PanelPredictor("naive", 3, freq="MS", season_length=12),
        "lightgbm": PanelPredictor("lightgbm", 3, freq="MS", season_length=12, global_model=model),
    }
    router = SeriesRouter.load(SHIPPED_ROUTER_DIR)
    meta = {"name": "routed-weights", "registered_name": "my-routed"}
    return RoutedPredictor(router, members, 3, freq="MS", season_length=12, meta=meta)


def _series(lengths: dict[str, int]) -> list[SeriesInput]:
    out = []
    for sid, n in lengths.items():
        ds = np.datetime64("2019-01") + np.arange(n)  # monthly stamps
        out.append(SeriesInput(sid, 10 + 0.5 * np.arange(n, dtype=np.float64), ds.astype("datetime64[ns]")))
    return out


def _unprofiled_notes(routed: RoutedPredictor, series: list[SeriesInput]) -> list[str]:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        routed.predict_series(series, 3)
    return [str(w.message) for w in caught if issubclass(w.category, UnprofiledSeriesWarning)]


def test_the_note_says_the_global_member_read_the_first_value_repeated(routed):
    series = _series({"long": 40, "tiny": 8})
    base_w, base = routed.router.base_weights(routed.route(series)[0])
    assert base_w[1, list(base).index("lightgbm")] >= 0.005  # the short series went to it
    k = routed.members["lightgbm"].input_len
    assert k > 8  # the member's window is longer than the short series
    notes = _unprofiled_notes(routed, series)
    assert len(notes) == 1, notes
    said = f"(lightgbm reads {k} values: {k - 8} of them were its first value repeated)"
    assert said in notes[0], notes[0]
    assert "naive reads" not in notes[0] and "long" not in notes[0], notes[0]


def test_members_reading_no_more_than_the_series_are_not_said_padded():
    """The words come from each member's window against the series' length, members grouped by
    window; one that reads no more than the series has (a local model: 1) is not named."""
    panel = Panel.from_arrays([np.arange(5.0), np.arange(40.0)], ids=["s", "l"], freq="MS", season_length=12)
    base = ("naive", "dlinear", "nlinear", "lightgbm")
    base_w = np.array([[0.1, 0.3, 0.2, 0.4], [0.25, 0.25, 0.25, 0.25]])
    lens = {"naive": 1, "dlinear": 24, "nlinear": 36, "lightgbm": 24}
    note = unprofiled_note(panel, base_w, base, lens)
    assert note.endswith(
        "s (5 values) to lightgbm 0.40, dlinear 0.30, nlinear 0.20, naive 0.10 (lightgbm, dlinear read 24 "
        "values: 19 of them were its first value repeated; nlinear reads 36 values: 31 of them were its "
        "first value repeated)"
    ), note
    # a window of exactly the series' length pads nothing
    exact = unprofiled_note(panel, base_w, base, {"naive": 1, "dlinear": 5, "nlinear": 2, "lightgbm": 5})
    assert exact.endswith("s (5 values) to lightgbm 0.40, dlinear 0.30, nlinear 0.20, naive 0.10"), exact
    one = unprofiled_note(panel, base_w, base, {"dlinear": 6})
    assert one.endswith("(dlinear reads 6 values: 1 of them was its first value repeated)"), one
