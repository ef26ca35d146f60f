"""A routed forecast of series too short to profile: no empty bar, and a note that says so.

``tsforge forecast --model my-routed --input tiny.csv`` (one 8-value series) drew
``profiling: 0series [00:00, ?series/s]`` twice, though nothing was profiled, and said nothing
of the series being routed from its length and the collection alone (``recommend`` says it as a
caveat). Local members behind the shipped router: no training, no MLflow.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

from recommender.per_series import SeriesRouter
from recommender.properties.profile import profiling_bar
from recommender.routed import RoutedPredictor
from recommender.shipped_router import SHIPPED_ROUTER_DIR
from tsforge.data.history import SeriesInput
from tsforge.errors import TsforgeWarning
from tsforge.panels.predictor import PanelPredictor


def _routed() -> RoutedPredictor:
    members = {m: PanelPredictor(m, 3, freq="MS", season_length=12) for m in ("naive", "seasonal_naive")}
    router = SeriesRouter.load(SHIPPED_ROUTER_DIR)
    meta = {"name": "routed-weights", "registered_name": "my-routed"}
    return RoutedPredictor(router, members, 3, freq="MS", season_length=12, meta=meta)


def _history(lengths: dict[str, int]) -> pd.DataFrame:
    rows = []
    for i, (sid, n) in enumerate(lengths.items()):
        ds = pd.date_range("2019-01-01", periods=n, freq="MS")
        y = 10 + i + np.sin(np.arange(n) * 2 * np.pi / 12) + 0.1 * np.arange(n)
        rows.append(pd.DataFrame({"unique_id": sid, "ds": ds, "y": y}))
    return pd.concat(rows, ignore_index=True)


def _unprofiled(caught: list[warnings.WarningMessage]) -> list[str]:
    """The notes of series too short to profile (by their words: the class is new)."""
    return [str(w.message) for w in caught if "too short to profile" in str(w.message)]


def _notes(predict) -> list[warnings.WarningMessage]:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        predict()
    return [w for w in caught if issubclass(w.category, TsforgeWarning)]


def test_no_profiling_bar_opens_with_nothing_to_profile(capsys):
    routed = _routed()
    routed.progress = True  # as `tsforge forecast` sets it
    _notes(lambda: routed.predict_frame(_history({"tiny": 8})))
    err = capsys.readouterr().err
    assert "profiling" not in err, err


def test_the_bar_still_opens_with_series_to_profile(capsys):
    with profiling_bar() as bar:
        assert bar is not None
        bar(0, 0)  # a phase with nothing to profile draws nothing
        bar(0, 2)
        bar(2, 2)
    err = capsys.readouterr().err
    assert "profiling: 0series" not in err and "2/2" in err, err


def test_a_series_too_short_to_profile_is_said_with_the_members_it_went_to():
    routed = _routed()
    caught = _notes(lambda: routed.predict_frame(_history({"long": 40, "tiny": 8})))
    from recommender.routed import UnprofiledSeriesWarning

    said = _unprofiled(caught)
    assert len(said) == 1, [str(w.message) for w in caught]
    assert [w.category for w in caught if str(w.message) == said[0]] == [UnprofiledSeriesWarning]
    note = said[0]
    assert note.startswith("routed model 'my-routed': 1 series was too short to profile"), note
    assert "tiny (8 values) to " in note and "long" not in note.split(":", 2)[2], note
    # the weights of the same request (without a stored prior, the request's series set it)
    frame = _history({"long": 40, "tiny": 8})
    inputs = [
        SeriesInput(sid, g["y"].to_numpy(dtype=np.float64), g["ds"].to_numpy().astype("datetime64[ns]"))
        for sid, g in frame.groupby("unique_id", sort=False)
    ]
    weights = routed.route(inputs)[0]
    base_w, base = routed.router.base_weights(weights)
    for j, name in enumerate(base):
        if base_w[1, j] >= 0.005:
            assert f"{name} {base_w[1, j]:.2f}" in note, note


def test_profiled_series_get_no_such_note():
    routed = _routed()
    caught = _notes(lambda: routed.predict_frame(_history({"a": 30, "b": 40})))
    assert not _unprofiled(caught), [str(w.message) for w in caught]
