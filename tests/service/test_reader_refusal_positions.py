"""A ``/v1`` refusal by the library's time reader names the timestamp the client sent by its
path (``series[0].timestamps[3]``), as every other ``/v1`` refusal names its value, not a
"row" of a "time column 'timestamps'" that the request does not have.

Before: "unparsable date '2018-Q9' in time column 'timestamps' at row 3", and a hint pointing
at another timestamp said "(read like '2020-01-01' at row 0)".
"""

from __future__ import annotations

import re

import pandas as pd
import pytest

from service.schemas.forecast import ForecastRequest
from tests.service.conftest import LONG

QUARTERS = [f"{t.year}-Q{t.quarter}" for t in pd.date_range("2015-01-01", periods=len(LONG), freq="QS")]


def _refusal(client, timestamps: list, **extra) -> dict:
    series = {"id": "a", "values": LONG, "timestamps": timestamps}
    r = client.post("/v1/forecast", json={"series": [series], "horizon": 3, **extra})
    assert r.status_code == 422, r.text
    return r.json()


def _no_rows(message: str) -> None:
    assert re.search(r"\brows?\b", message) is None, message
    assert "time column" not in message, message


def test_an_unreadable_label_is_named_by_its_path(panel_client):
    client, _ = panel_client
    text = list(QUARTERS)
    text[3] = "2015-Q9"
    body = _refusal(client, text)
    assert body["field"] == "series[0].timestamps[3]", body
    assert body["message"] == "unparsable date '2015-Q9' at series[0].timestamps[3]", body
    item = body["errors"][0]
    assert item["field"] == "series[0].timestamps[3]", item
    assert "at series[0].timestamps[3]" in item["message"], item
    _no_rows(body["message"])


def test_a_refusal_that_names_its_place_says_it_once(panel_client):
    """The message says ``series[0].timestamps[2]`` once, not as a prefix and again inside;
    the ``field`` key still carries the path."""
    client, _ = panel_client
    text = list(QUARTERS)
    text[2] = "2015-Q9"
    text[6] = "2016-Q7"
    body = _refusal(client, text)
    assert body["field"] == "series[0].timestamps[2]", body
    assert body["message"].count("series[0].timestamps[2]") == 1, body
    assert not body["message"].startswith("series[0].timestamps[2]:"), body


def test_a_refusal_naming_a_longer_path_keeps_the_prefix():
    """``series[0].timestamps[2]`` is not said by ``series[0].timestamps[21]``: that message
    still gets its field in front."""
    from service.errors import _placed

    said = "unparsable date 'x' at series[0].timestamps[21]"
    assert _placed("series[0].timestamps[2]", said) == f"series[0].timestamps[2]: {said}"
    assert _placed("series[0].timestamps[21]", said) == said
    # a bare field name in prose is no place said: "the body is empty" keeps "body: " in front
    assert _placed("body", "the body is empty") == "body: the body is empty"


def test_a_refusal_that_does_not_name_its_field_keeps_the_prefix(panel_client):
    client, _ = panel_client
    r = client.post("/v1/forecast", json={"series": [{"id": "a", "values": LONG}], "horizon": "x"})
    assert r.status_code == 422, r.text
    body = r.json()
    assert body["field"] == "horizon", body
    assert body["message"].startswith("horizon: "), body


def test_a_count_of_unreadable_timestamps_says_timestamps(panel_client):
    """The library's "(2 unparsable rows in total)" counts the client's timestamps."""
    client, _ = panel_client
    text = list(QUARTERS)
    text[3] = "2015-Q9"
    text[7] = "2016-Q7"
    message = _refusal(client, text)["message"]
    assert "(2 unparsable timestamps in total)" in message, message
    _no_rows(message)


def test_a_time_format_refusal_names_the_position_in_the_second_series(panel_client):
    client, _ = panel_client
    days = [t.strftime("%d/%m/%Y") for t in pd.date_range("2020-01-01", periods=len(LONG), freq="MS")]
    bad = list(days)
    bad[5] = "2020-06-01"
    series = [
        {"id": "a", "values": LONG, "timestamps": days},
        {"id": "b", "values": LONG, "timestamps": bad},
    ]
    r = client.post("/v1/forecast", json={"series": series, "horizon": 3, "time_format": "%d/%m/%Y"})
    assert r.status_code == 422, r.text
    body = r.json()
    assert body["field"] == "series[1].timestamps[5]", body
    assert "'2020-06-01' at series[1].timestamps[5]" in body["message"], body
    _no_rows(body["message"])


def test_request_model_refusal_names_the_path():
    """/v1/recommend and /v1/profile share the schema's reader: the words are the schema's."""
    text = list(QUARTERS)
    text[2] = "2015-Q0"
    with pytest.raises(ValueError) as caught:
        ForecastRequest.model_validate({"series": [{"id": "a", "values": LONG, "timestamps": text}]})
    assert "unparsable date '2015-Q0' at series[0].timestamps[2]" in str(caught.value), caught.value


def test_a_row_written_inside_a_quoted_time_is_kept():
    """Only the reader's own words name the place: a time written ``at row 1`` stays as sent."""
    text = list(QUARTERS)
    text[1] = "at row 1"
    with pytest.raises(ValueError) as caught:
        ForecastRequest.model_validate({"series": [{"id": "a", "values": LONG, "timestamps": text}]})
    assert "unparsable date 'at row 1' at series[0].timestamps[1]" in str(caught.value), caught.value


def test_a_time_written_like_the_readers_words_is_quoted_as_sent():
    """A time whose text is the reader's words for a column (``time column 'timestamps'``) is
    quoted as the client sent it. Before, the service rewrote the reader's sentence after the
    fact and turned that text, too, into ``series[0].timestamps``."""
    years = [str(2000 + k) for k in range(len(LONG))]
    years[3] = "time column 'timestamps'"
    series = {"id": "a", "values": LONG, "timestamps": years}
    with pytest.raises(ValueError) as caught:
        ForecastRequest.model_validate({"series": [series], "time_format": "%Y"})
    assert "unparsable date \"time column 'timestamps'\" at series[0].timestamps[3]" in str(caught.value), (
        caught.value
    )


def test_the_format_a_timestamp_does_not_match_is_said_once():
    """Before: "it does not match time_format='%d/%m/%Y' (time_format '%d/%m/%Y')"."""
    days = [t.strftime("%d/%m/%Y") for t in pd.date_range("2020-01-01", periods=len(LONG), freq="MS")]
    days[5] = "2020-06-01"
    series = {"id": "a", "values": LONG, "timestamps": days}
    with pytest.raises(ValueError) as caught:
        ForecastRequest.model_validate({"series": [series], "time_format": "%d/%m/%Y"})
    said = str(caught.value).split(" [type=")[0]  # the message, not pydantic's echo of the input
    assert "it does not match time_format='%d/%m/%Y'" in said and said.count("%d/%m/%Y") == 1, said
