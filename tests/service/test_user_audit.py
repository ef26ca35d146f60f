"""Defects a demanding client met against a running service (session 57's audit), each one a
request that must be a 4xx naming its own field, or an answer that says what it did.

All run on the local seasonal-naive panel model (:func:`panel_client`), no training.
"""

from __future__ import annotations

from collections.abc import Iterator

import pandas as pd
import pytest
from fastapi.testclient import TestClient

from service.dependencies import get_store
from service.main import create_app
from service.settings import ServiceSettings
from tests.service.conftest import LONG, OnePredictorStore, serving
from tsforge.panels.predictor import PanelPredictor

MONTHS = [f"{2020 + t // 12}-{t % 12 + 1:02d}-01" for t in range(len(LONG))]


def _long_frame(ds: list, uid: str = "a") -> dict:
    return {"unique_id": [uid] * len(ds), "ds": ds, "y": LONG[: len(ds)]}


# -- levels and quantiles a key cannot spell ------------------------------------------------


@pytest.mark.parametrize(
    ("key", "value", "field"),
    [("level", [80, 80.0000001], "params.level[1]"), ("quantiles", [0.1234567], "params.quantiles[0]")],
)
def test_invocations_names_the_param_whose_digits_its_key_cannot_spell(panel_client, key, value, field):
    """The check lived in the library and named ``level``: a client of /invocations sent no
    ``level`` (it sent ``params.level``), and every other bad level there names its position."""
    client, _ = panel_client
    r = client.post("/invocations", json={"inputs": _long_frame(MONTHS), "params": {key: value}})
    assert r.status_code == 422, r.text
    assert r.json()["field"] == field, r.json()
    assert "six significant digits" in r.json()["message"]


@pytest.mark.parametrize(
    ("key", "value", "field"),
    [("level", [80, 80.0000001], "level[1]"), ("quantiles", [0.1234567], "quantiles[0]")],
)
def test_forecast_names_the_position_of_a_level_its_key_cannot_spell(panel_client, key, value, field):
    """As ``level[0]`` for a level of 150: the field names which of the levels is at fault."""
    client, _ = panel_client
    series = {"id": "a", "values": LONG, "timestamps": MONTHS}
    r = client.post("/v1/forecast", json={"series": [series], "horizon": 2, key: value})
    assert r.status_code == 422, r.text
    assert r.json()["field"] == field, r.json()
    assert "six significant digits" in r.json()["message"]


# -- history frames' ds ------------------------------------------------------------------------


def test_invocations_refuses_ds_mixing_utc_offsets_and_local_times(panel_client):
    """A naive time beside times with a UTC offset was read as UTC and answered (forecast dates
    29 days apart, no note); /v1/forecast refuses the same history, naming the position."""
    client, _ = panel_client
    ds = [f"{d}T00:00:00+05:00" for d in MONTHS]
    ds[4] = MONTHS[4]
    r = client.post("/invocations", json={"inputs": _long_frame(ds)})
    assert r.status_code == 422, r.text
    body = r.json()
    assert (body["field"], body["column"], body["row"]) == ("inputs.ds[4]", "ds", 4), body
    assert "offset" in body["message"]


def test_invocations_names_the_row_of_an_unparsable_ds_in_one_line(panel_client):
    """pandas' multi-line advice ("passing `format` if your strings ...") was the message, with
    no row: the client gets the row and what a ds must look like."""
    client, _ = panel_client
    ds = [f"{d}T00:00:00+01:00" for d in MONTHS]
    ds[7] = "yesterday"
    r = client.post("/invocations", json={"inputs": _long_frame(ds)})
    assert r.status_code == 422, r.text
    body = r.json()
    assert (body["field"], body["column"], body["row"]) == ("inputs.ds[7]", "ds", 7), body
    assert "\n" not in body["message"] and "'yesterday'" in body["message"], body["message"]
    assert "passing `format`" not in body["message"]


# -- limits --------------------------------------------------------------------------------


@pytest.fixture()
def two_series_client(panel_client) -> Iterator[TestClient]:
    """The panel model behind a service that takes at most two series a request."""
    _, predictor = panel_client
    store = OnePredictorStore(predictor, "snaive")
    app = create_app(ServiceSettings(alias_poll_seconds=0, max_series=2), store=store)  # type: ignore[arg-type]
    app.dependency_overrides[get_store] = lambda: store
    with TestClient(app) as c:
        yield c


@pytest.mark.parametrize("layout", ["long", "wide"])
def test_invocations_too_many_series_names_the_payload_key(two_series_client, layout):
    """The 413 named ``series``, a field /invocations does not have: it names the payload."""
    if layout == "long":
        frame = {k: v * 3 for k, v in _long_frame(MONTHS[:12]).items()}
        frame["unique_id"] = ["a"] * 12 + ["b"] * 12 + ["c"] * 12
    else:
        frame = {"ds": MONTHS[:12], "a": LONG[:12], "b": LONG[:12], "c": LONG[:12]}
    r = two_series_client.post("/invocations", json={"inputs": frame})
    assert r.status_code == 413, r.text
    assert r.json()["field"] == "inputs", r.json()


# -- what an answer says ---------------------------------------------------------------------


def test_a_forecast_that_starts_inside_the_sent_dates_says_why(panel_client):
    """A history ending in nulls is forecast from its last observed value (the trailing nulls
    are trimmed), so the answer's first dates were dates the client sent: it said nothing, and a
    client reading ``timestamps`` found forecasts for months it had posted."""
    client, _ = panel_client
    values = [*LONG[:-3], None, None, None]
    sent = {"id": "a", "values": values, "timestamps": MONTHS}
    full = {"id": "b", "values": LONG, "timestamps": MONTHS}
    r = client.post("/v1/forecast", json={"series": [sent, full], "horizon": 2})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["forecasts"][0]["timestamps"][0] == f"{MONTHS[-3]}T00:00:00"  # what the note explains
    notes = [n for n in body.get("notes", []) if "trailing" in n]
    assert len(notes) == 1 and "'a' (3)" in notes[0] and "'b'" not in notes[0], body.get("notes")
    assert "1 of 2 series" in notes[0]
    # a wide history frame pads the series that end early with nulls, by design: no such note
    wide = {"ds": MONTHS, "a": values, "b": LONG}
    r = client.post("/invocations", json={"inputs": wide, "params": {"horizon": 2}})
    assert r.status_code == 200, r.text
    assert not [n for n in r.json().get("notes", []) if "trailing" in n], r.json().get("notes")


# -- series of one request on different calendar grids -----------------------------------------


def _month_ends() -> list[str]:
    return [str((pd.Timestamp(d) + pd.offsets.MonthEnd(0)).date()) for d in MONTHS]


@pytest.mark.parametrize(
    "other",
    [
        pytest.param(_month_ends(), id="month-ends"),
        pytest.param([f"{d}T00:00:00-03:00" for d in MONTHS], id="utc-offset"),
    ],
)
def test_series_off_the_grid_the_others_set_name_their_timestamps(other):
    """Each series alone is answered (month ends continue on month ends, an offset at that
    offset); together with a month-start series the library refused the request naming
    ``freq``, a field no request of this service has. The answer names the series' own
    timestamps and says what to do."""
    predictor = PanelPredictor("seasonal_naive", 3, freq="MS", season_length=12, interval_method="native")
    store = OnePredictorStore(predictor, "snaive")
    with serving(store) as client:
        alone = client.post(
            "/v1/forecast", json={"series": [{"id": "b", "values": LONG, "timestamps": other}]}
        )
        assert alone.status_code == 200, alone.text
        both = [
            {"id": "a", "values": LONG, "timestamps": MONTHS},
            {"id": "b", "values": LONG, "timestamps": other},
        ]
        r = client.post("/v1/forecast", json={"series": both})
        assert r.status_code == 422, r.text
        assert r.json()["field"] == "series[1].timestamps", r.json()
        assert "separate request" in r.json()["message"], r.json()["message"]
        frame = {
            "unique_id": ["a"] * len(LONG) + ["b"] * len(LONG),
            "ds": MONTHS + other,
            "y": LONG + LONG,
        }
        r = client.post("/invocations", json={"inputs": frame})
        if r.status_code == 422:  # a frame's ds is read in UTC: the offset case may land on one grid
            assert r.json()["field"] == "inputs" and r.json().get("unique_id") == "b", r.json()


def test_models_listing_says_what_input_len_means_for_a_panel_model(panel_client):
    """``input_len`` of a loaded auto_theta model is 1 ("History length the model reads"), so a
    client sent one value and got "a series needs two"; a routed ensemble showed its DLinear
    member's 24 and answered 3-value series. The description says what the number is for each
    kind of model."""
    client, _ = panel_client
    schema = client.get("/openapi.json").json()["components"]["schemas"]["ModelVersionOut"]
    text = schema["properties"]["input_len"]["description"]
    assert "whole history" in text and "two observed values" in text, text


# -- profiles of nothing -------------------------------------------------------------------


@pytest.mark.parametrize(
    "values",
    [
        pytest.param([None] * 10 + [float(t % 7) for t in range(40)], id="20%-missing"),
        pytest.param([1e308] * 50, id="too-large-to-compute"),
    ],
)
def test_a_series_no_window_of_which_can_be_profiled_is_422(panel_client, values):
    """A 50-value history with 10 leading nulls has one window (its length), which is left out
    for its missing values: the answer was a 200 with n_windows 0, every property null and every
    bucket 0, and nothing said why. It is refused, naming the series, and says what to change."""
    client, _ = panel_client
    ok = {"id": "ok", "values": [float(t % 7) for t in range(50)]}
    r = client.post("/v1/profile", json={"series": [ok, {"id": "gappy", "values": values}]})
    assert r.status_code == 422, r.text
    assert r.json()["field"] == "series[1].values", r.json()
    assert "window" in r.json()["message"], r.json()["message"]
