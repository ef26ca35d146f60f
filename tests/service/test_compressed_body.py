"""A JSON body sent compressed (``Content-Encoding: gzip``) is a 415 naming Content-Encoding,
with ``Accept-Encoding: identity``, on every route that takes a JSON body.

Before, the gzip bytes reached the JSON parser and the answer was 400 "the body could not be
parsed as JSON (a number with thousands of digits, or nesting too deep)": neither the cause nor
the fix.
"""

from __future__ import annotations

import gzip
import json

import pytest

from tests.service.conftest import LONG

BODY = json.dumps({"series": [{"id": "a", "values": LONG}], "horizon": 2}).encode()


@pytest.mark.parametrize("path", ["/v1/forecast", "/invocations", "/v1/recommend", "/v1/profile"])
def test_a_gzip_body_is_a_415_naming_content_encoding(panel_client, path):
    client, _ = panel_client
    headers = {"Content-Type": "application/json", "Content-Encoding": "gzip"}
    r = client.post(path, content=gzip.compress(BODY), headers=headers)
    assert r.status_code == 415, r.text
    body = r.json()
    assert body["field"] == "Content-Encoding" and "gzip" in body["message"], body
    assert r.headers["accept-encoding"] == "identity"


def test_identity_coding_is_read_as_uncompressed(panel_client):
    client, _ = panel_client
    headers = {"Content-Type": "application/json", "Content-Encoding": "identity"}
    r = client.post("/v1/forecast", content=BODY, headers=headers)
    assert r.status_code == 200, r.text


def test_the_document_says_a_compressed_body_is_a_415(panel_client):
    client, _ = panel_client
    doc = client.get("/openapi.json").json()
    answer = doc["paths"]["/v1/forecast"]["post"]["responses"]["415"]
    assert "Content-Encoding" in answer["description"] and "Accept-Encoding" in answer["headers"]
