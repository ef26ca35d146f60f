"""``/invocations`` reads a text ``ds`` of eight digits (``"20210105"``) as the library does.

Found: the service read ``ds`` with NumPy's ISO-8601 reader first, which takes any run of digits
for a year: ``"20210105"`` was the year 20,210,105, and the frame was refused as "timestamps must
lie between 1700-01-01 and 2200-01-01", naming no row and no value, while ``tsforge forecast``
and the pyfunc (:func:`tsforge.data.history.histories_from_frame`) forecast it from 2021-01-05.
Such a ``ds`` now goes to the library's reader, which names the row of a value it cannot read.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from service.convert import _parse_ds
from tests.service.conftest import LONG
from tsforge.data.history import histories_from_frame

DAYS = pd.date_range("2021-01-05", periods=len(LONG), freq="D")
AFTER = [str(t.date()) + "T00:00:00" for t in pd.date_range(DAYS[-1], periods=4, freq="D")[1:]]


def _split(ds: list[Any], ids: list[str] | None = None) -> dict[str, Any]:
    ids = ids or ["a"] * len(ds)
    values = (LONG * 2)[: len(ds)]
    rows = [[i, d, v] for i, d, v in zip(ids, ds, values, strict=True)]
    return {"dataframe_split": {"columns": ["unique_id", "ds", "y"], "data": rows}, "params": {"horizon": 3}}


def _digits(days: pd.DatetimeIndex = DAYS) -> list[str]:
    return [t.strftime("%Y%m%d") for t in days]


def test_eight_digit_text_is_read_as_the_librarys_reader_reads_it():
    ds = ["20210105", "20210106", "20210107"]
    got = _parse_ds(ds, field="dataframe_split")
    want = np.array(["2021-01-05", "2021-01-06", "2021-01-07"], dtype="datetime64[ns]")
    np.testing.assert_array_equal(got, want)
    (library,) = histories_from_frame({"unique_id": ["a"] * 3, "ds": ds, "y": [1.0, 2.0, 3.0]})
    np.testing.assert_array_equal(got, library.timestamps)


def test_a_frame_of_eight_digit_dates_is_forecast_with_those_dates(panel_client):
    client, _ = panel_client
    r = client.post("/invocations", json=_split(_digits()))
    assert r.status_code == 200, r.text
    preds = r.json()["predictions"]
    assert [p["ds"] for p in preds] == AFTER, preds
    iso = client.post("/invocations", json=_split([str(t.date()) for t in DAYS]))
    assert iso.status_code == 200, iso.text
    assert preds == iso.json()["predictions"]


def test_a_day_no_calendar_has_is_a_422_naming_its_value_and_place(panel_client):
    client, _ = panel_client
    ds = _digits()
    ds[4] = "20210231"  # 31 February
    r = client.post("/invocations", json=_split(ds))
    assert r.status_code == 422, r.text
    body = r.json()
    assert body["field"] == "dataframe_split.data[4][1]", body
    assert "'20210231'" in body["message"], body


def test_series_written_two_ways_are_each_read_and_a_refusal_names_the_series_once(panel_client):
    """Series ``a`` in ISO-8601, ``b`` in eight digits: each is read its own way; two bad days
    of ``b`` are refused naming the series before the row, without a second bracket."""
    client, _ = panel_client
    n = len(LONG)
    iso = [str(t.date()) for t in DAYS]
    ids = ["a"] * n + ["b"] * n
    r = client.post("/invocations", json=_split(iso + _digits(), ids))
    assert r.status_code == 200, r.text
    by_id = {sid: [p["ds"] for p in r.json()["predictions"] if p["unique_id"] == sid] for sid in "ab"}
    assert by_id == {"a": AFTER, "b": AFTER}, by_id
    bad = _digits()
    bad[2], bad[3] = "20210230", "20210231"
    r = client.post("/invocations", json=_split(iso + bad, ids))
    assert r.status_code == 422, r.text
    body = r.json()
    assert body["field"] == f"dataframe_split.data[{n + 2}][1]", body
    message = body["message"]
    assert f"'20210230' in time column 'ds' for series 'b' at row {n + 2} (2 unparsable" in message, message
    assert ") (" not in message, message


def test_an_iso_time_out_of_range_is_named_at_its_row(panel_client):
    client, _ = panel_client
    ds = [str(t.date()) for t in DAYS]
    ds[7] = "1500-01-01"
    r = client.post("/invocations", json=_split(ds))
    assert r.status_code == 422, r.text
    body = r.json()
    assert body["field"] == "dataframe_split.data[7][1]", body
    assert "'1500-01-01'" in body["message"] and "(1677-09-21 to 2262-04-11)" in body["message"], body
