"""Text timestamps that ``/invocations`` reads as dates (``2018/01/01``, ``2018-01``,
``2018-01-01T00``) are read the same way by ``/v1/forecast``, ``/v1/recommend`` and
``/v1/profile``, as ``tsforge forecast`` reads them from a CSV; text neither door reads is a
422 naming the first position (row) at fault, in the same words at both doors.

Before, the ``/v1`` schema read timestamps with pydantic (RFC 3339 only): a history written
2018/01/01 was forecast by ``/invocations`` (NumPy's and pandas' ISO-8601 readers) and refused by
``/v1/forecast`` ("invalid date separator, expected `-`"), and a list with one unreadable
timestamp was refused at every position, the readable ones included.
"""

from __future__ import annotations

import pandas as pd
import pytest
from fastapi.testclient import TestClient

from service.convert import _parse_ds
from service.schemas.forecast import ForecastRequest
from service.schemas.profile import ProfileRequest
from service.schemas.recommend import RecommendRequest
from tests.service.conftest import LONG

MONTHS = pd.date_range("2020-01-01", periods=len(LONG), freq="MS")
AFTER = ["2023-01-01T00:00:00", "2023-02-01T00:00:00"]

#: how a history's dates are written → the same dates in that writing
WRITTEN = {
    "slashes": [t.strftime("%Y/%m/%d") for t in MONTHS],
    "year-month": [t.strftime("%Y-%m") for t in MONTHS],
    "hour only": [t.strftime("%Y-%m-%dT%H") for t in MONTHS],
    "slashes and time": [t.strftime("%Y/%m/%d %H:%M") for t in MONTHS],
}


def _forecast(client: TestClient, timestamps: list) -> dict:
    series = {"id": "a", "values": LONG, "timestamps": timestamps}
    r = client.post("/v1/forecast", json={"series": [series], "horizon": 2})
    assert r.status_code == 200, r.text
    return r.json()["forecasts"][0]


def _invocations(client: TestClient, ds: list) -> list[dict]:
    body = {"inputs": {"unique_id": ["a"] * len(ds), "ds": ds, "y": LONG}, "params": {"horizon": 2}}
    r = client.post("/invocations", json=body)
    assert r.status_code == 200, r.text
    return r.json()["predictions"]


@pytest.mark.parametrize("written", list(WRITTEN), ids=list(WRITTEN))
def test_forecast_reads_what_invocations_reads(panel_client, written):
    client, _ = panel_client
    native = _forecast(client, WRITTEN[written])
    preds = _invocations(client, WRITTEN[written])
    assert native["timestamps"] == AFTER, native
    assert [p["ds"] for p in preds] == native["timestamps"]
    assert [p["y_hat"] for p in preds] == native["values"]


@pytest.mark.parametrize("model", [ForecastRequest, RecommendRequest, ProfileRequest])
@pytest.mark.parametrize("written", list(WRITTEN), ids=list(WRITTEN))
def test_every_v1_schema_reads_them_as_invocations_does(model, written):
    text = WRITTEN[written]
    req = model.model_validate({"series": [{"id": "a", "values": LONG, "timestamps": text}]})
    read = pd.DatetimeIndex(req.series[0].timestamps).to_numpy()
    assert (read == _parse_ds(text, field="inputs")).all()


def test_times_with_an_offset_keep_their_instant_and_the_last_offset(panel_client):
    client, _ = panel_client
    text = [t.strftime("%Y/%m/%dT%H:%M+02:00") for t in MONTHS]
    out = _forecast(client, text)
    assert out["timestamps"][0].endswith("+02:00"), out
    iso = _forecast(client, [t.strftime("%Y-%m-%dT%H:%M:00+02:00") for t in MONTHS])
    assert out == iso


@pytest.mark.parametrize("bad", ["garbage", "", "NaT"])
def test_an_unreadable_timestamp_is_named_alone_in_the_words_of_invocations(panel_client, bad):
    """Text no reader reads; also text both read as no time at all ("" and "NaT": NumPy gives
    NaT without an error, so /invocations refused them later, in other words)."""
    client, _ = panel_client
    text = list(WRITTEN["slashes"])
    text[3] = bad
    r = client.post("/v1/forecast", json={"series": [{"id": "a", "values": LONG, "timestamps": text}]})
    assert r.status_code == 422, r.text
    body = r.json()
    assert body["field"] == "series[0].timestamps[3]", body
    assert [e["field"] for e in body["errors"]] == ["series[0].timestamps[3]"], body
    said = f"{bad!r} is not an ISO-8601 date or time"
    assert said in body["message"], body
    inv = client.post(
        "/invocations", json={"inputs": {"unique_id": ["a"] * len(text), "ds": text, "y": LONG}}
    ).json()
    assert inv["row"] == 3 and said in inv["message"], inv


def test_day_first_dates_still_need_a_time_format_at_both_doors(panel_client):
    """10/01/2017 is read by neither door without time_format (the CLI guesses its order)."""
    client, _ = panel_client
    text = [t.strftime("%d/%m/%Y") for t in MONTHS]
    r = client.post("/v1/forecast", json={"series": [{"id": "a", "values": LONG, "timestamps": text}]})
    assert r.status_code == 422 and r.json()["field"] == "series[0].timestamps[0]", r.text
    assert "time_format" in r.json()["message"]
    fmt = client.post(
        "/v1/forecast",
        json={"series": [{"id": "a", "values": LONG, "timestamps": text}], "time_format": "%d/%m/%Y"},
    )
    assert fmt.status_code == 200, fmt.text


def test_years_as_text_are_read_as_invocations_reads_them():
    """``"2018"`` is the year 2018 at both doors (it was refused by /v1, which took text numbers
    for pydantic's seconds since 1970; /invocations read it as 2018-01-01): see
    ``test_text_years.py``."""
    req = ForecastRequest.model_validate(
        {"series": [{"id": "a", "values": [1.0, 2.0], "timestamps": ["2018", "2019"]}]}
    )
    assert req.series[0].timestamps == list(
        _parse_ds(["2018", "2019"], field="ds").astype("datetime64[us]").tolist()
    )


#: period labels as the CLI reads them (the day each period starts) → what ``/v1/forecast``
#: reads them as; before, ``/invocations`` refused every one as "not an ISO-8601 date"
QUARTERS = pd.date_range("2015-01-01", periods=len(LONG), freq="QS")
LABELS = {
    "2020-Q1": [f"{t.year}-Q{t.quarter}" for t in QUARTERS],
    "Q1 2020": [f"Q{t.quarter} {t.year}" for t in QUARTERS],
    "2020H1": [
        f"{t.year}H{(t.month - 1) // 6 + 1}" for t in pd.date_range("2000-01-01", periods=36, freq="6MS")
    ],
    "2020M01": [t.strftime("%YM%m") for t in MONTHS],
    "2020-W05": [
        f"{t.isocalendar()[0]}-W{t.isocalendar()[1]:02d}"
        for t in pd.date_range("2020-01-06", periods=36, freq="W-MON")
    ],
}


def _frame(shape: str, ds: list) -> dict | list:
    """The history ``a`` with ``ds`` as a long frame in one of MLflow's row encodings."""
    if shape == "dataframe_split":
        return {
            "columns": ["unique_id", "ds", "y"],
            "data": [["a", d, y] for d, y in zip(ds, LONG, strict=True)],
        }
    return [{"unique_id": "a", "ds": d, "y": y} for d, y in zip(ds, LONG, strict=True)]


@pytest.mark.parametrize("label", list(LABELS), ids=list(LABELS))
def test_period_labels_are_read_alike_by_both_doors(panel_client, label):
    client, _ = panel_client
    native = _forecast(client, LABELS[label])
    for shape in ("dataframe_split", "dataframe_records"):
        r = client.post("/invocations", json={shape: _frame(shape, LABELS[label]), "params": {"horizon": 2}})
        assert r.status_code == 200, (shape, r.text)
        preds = r.json()["predictions"]
        assert [p["ds"] for p in preds] == native["timestamps"], shape
        assert [p["y_hat"] for p in preds] == native["values"], shape


@pytest.mark.parametrize(
    ("shape", "field"),
    [("dataframe_split", "dataframe_split.data[3][1]"), ("dataframe_records", "dataframe_records[3].ds")],
)
def test_an_unreadable_period_label_is_named_at_its_row_in_the_words_of_v1(panel_client, shape, field):
    client, _ = panel_client
    text = list(LABELS["2020-Q1"])
    text[3] = "2015-Q5"
    v1 = client.post(
        "/v1/forecast", json={"series": [{"id": "a", "values": LONG, "timestamps": text}]}
    ).json()
    assert v1["field"] == "series[0].timestamps[3]", v1
    inv = client.post("/invocations", json={shape: _frame(shape, text)}).json()
    assert (inv["field"], inv["column"], inv["row"]) == (field, "ds", 3), inv
    said = v1["message"].removeprefix(f"{v1['field']}: ")
    # the same words, the place said as each door names it: a frame's row, a series' position
    assert said == inv["message"].replace("in time column 'ds' at row 3", "at series[0].timestamps[3]"), (
        inv,
        v1,
    )


def test_a_period_label_after_iso_dates_is_refused_saying_where_labels_are_read(panel_client):
    """Both doors read a series' (a ds column's) times one way, from the first: a label after ISO
    dates was refused as "not an ISO-8601 date ... read by time_format", though labels need no
    format (from the review)."""
    client, _ = panel_client
    text = [f"20{y:02d}-Q{q}" for y in range(10, 19) for q in range(1, 5)]
    text[:3] = ["2010-01-01", "2010-04-01", "2010-07-01"]
    r = client.post("/v1/forecast", json={"series": [{"id": "a", "values": LONG, "timestamps": text}]})
    assert r.status_code == 422 and "period labels (2020-Q1, 2020M01) where the times start" in r.text, r.text
    inv = client.post("/invocations", json={"inputs": {"unique_id": ["a"] * 36, "ds": text, "y": LONG}})
    assert inv.status_code == 422 and "period labels (2020-Q1, 2020M01) where the times start" in inv.text
