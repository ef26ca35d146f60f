"""A history that ends in missing values is forecast from its last observed value, so its
forecast's first steps are times the caller gave as missing: every door says so once.

Why: only the REST service said it (a note of its own); ``tsforge forecast``, ``predict_frame`` /
``predict_series`` and the MLflow pyfunc trimmed the trailing nulls silently. The library now
warns (a :class:`~tsforge.errors.TsforgeWarning`): the CLI prints it as a ``note:`` line and the
service returns it as its one note; a wide ``/invocations`` frame, which pads the series that end
early with nulls by design, stays quiet.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from tests.conftest import monthly_frame, run_cli
from tests.service.conftest import LONG, OnePredictorStore, serving
from tsforge.errors import TsforgeWarning
from tsforge.inference import SeriesInput
from tsforge.panels.predictor import PanelPredictor
from tsforge.pipeline import TrackingOptions, train_panel

MONTHS = [f"{2020 + t // 12}-{t % 12 + 1:02d}-01" for t in range(len(LONG))]


@pytest.fixture(scope="module")
def trained() -> PanelPredictor:
    """Seasonal naive on three monthly series (horizon 3)."""
    out = train_panel(
        monthly_frame(3, 48),
        "seasonal_naive",
        horizon=3,
        tracking=TrackingOptions(track=False, progress=False),
    )
    return out.predictor


def _gapped_history() -> pd.DataFrame:
    """Three monthly series; ``s1`` ends with 3 nulls, ``s2`` with 1."""
    frame = monthly_frame(3, 48)
    for sid, gap in (("s1", 3), ("s2", 1)):
        rows = frame.index[frame["unique_id"] == sid][-gap:]
        frame.loc[rows, "y"] = np.nan
    return frame


def _trailing_warnings(caught: list[warnings.WarningMessage]) -> list[str]:
    return [
        str(w.message)
        for w in caught
        if issubclass(w.category, TsforgeWarning) and "trailing nulls" in str(w.message)
    ]


def test_predict_frame_warns_once_naming_each_trimmed_series(trained):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        trained.predict_frame(_gapped_history(), 3)
    notes = _trailing_warnings(caught)
    assert len(notes) == 1, [str(w.message) for w in caught]
    assert "2 of 3 series" in notes[0] and "'s1' (3)" in notes[0] and "'s2' (1)" in notes[0], notes[0]
    assert "'s0'" not in notes[0] and "leave the trailing nulls out" in notes[0], notes[0]


def test_predict_series_of_undated_histories_warns_too(trained):
    values = np.asarray(LONG[:-2] + [np.nan, np.nan])
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        trained.predict_series([SeriesInput("a", values), SeriesInput("b", np.asarray(LONG))], 2)
    notes = _trailing_warnings(caught)
    assert len(notes) == 1 and "1 of 2 series" in notes[0] and "'a' (2)" in notes[0], notes


def test_a_complete_history_gets_no_such_warning(trained):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        trained.predict_frame(monthly_frame(3, 48), 3)
    assert not _trailing_warnings(caught), [str(w.message) for w in caught]


def test_cli_forecast_prints_the_note(trained, tmp_path: Path, capsys, monkeypatch):
    monkeypatch.setenv("TSFORGE_CACHE_DIR", str(tmp_path / "cache"))
    model = trained.save(tmp_path / "model")
    path = tmp_path / "history.csv"
    _gapped_history().to_csv(path, index=False)
    code, out, err = run_cli(capsys, "forecast", str(path), "--model", str(model))
    assert code == 0, out + err
    flat = " ".join(err.split())
    assert flat.count("note: 2 of 3 series end with empty cells in history.csv") == 1, err
    assert "'s1' (3)" in flat and "'s2' (1)" in flat, err


@pytest.fixture()
def client():
    store = OnePredictorStore(
        PanelPredictor("seasonal_naive", 3, freq=None, season_length=12, interval_method="native"), "snaive"
    )
    with serving(store) as c:
        yield c


def _service_trailing_notes(body: dict) -> list[str]:
    return [n for n in body.get("notes") or [] if "trailing nulls" in n]


@pytest.mark.parametrize("dated", [True, False], ids=["dated", "undated"])
def test_the_service_answer_carries_exactly_one_such_note(client, dated):
    """Dated histories got the service's own note before; undated ones got none (the note
    compared dates). The library's warning is now the one note, either way."""
    gapped = {"id": "a", "values": [*LONG[:-3], None, None, None]}
    full = {"id": "b", "values": LONG}
    if dated:
        gapped["timestamps"] = full["timestamps"] = MONTHS
    r = client.post("/v1/forecast", json={"series": [gapped, full], "horizon": 2})
    assert r.status_code == 200, r.text
    notes = _service_trailing_notes(r.json())
    assert len(notes) == 1 and "1 of 2 series" in notes[0] and "'a' (3)" in notes[0], r.json().get("notes")


def test_a_wide_invocations_frame_stays_quiet(client):
    """Guard: a wide frame pads the series that end early with nulls by its layout, so the
    library's warning is not returned as a note there."""
    values = [*LONG[:-3], None, None, None]
    r = client.post(
        "/invocations", json={"inputs": {"ds": MONTHS, "a": values, "b": LONG}, "params": {"horizon": 2}}
    )
    assert r.status_code == 200, r.text
    assert not _service_trailing_notes(r.json()), r.json().get("notes")


def test_a_long_invocations_frame_says_its_trailing_nulls_were_trimmed(client):
    """A long frame's trailing nulls were sent by the client (no layout pads them), so its
    answer carries the note, as /v1/forecast's does."""
    values = [*LONG[:-3], None, None, None]
    frame = {
        "unique_id": ["a"] * len(MONTHS) + ["b"] * len(MONTHS),
        "ds": MONTHS + MONTHS,
        "y": values + LONG,
    }
    r = client.post("/invocations", json={"inputs": frame, "params": {"horizon": 2}})
    assert r.status_code == 200, r.text
    notes = _service_trailing_notes(r.json())
    assert len(notes) == 1 and "'a' (3)" in notes[0], r.json().get("notes")
