"""``POST /v1/recommend`` (one dataset) carries the recommended candidate's ``contributions`` and
``bias``, which add up to its ``score`` in the ranking.

Why: the library's answer has carried them since they were added to explain the pick exactly,
but the response schema had no such fields and pydantic dropped them, so a REST client saw
reasons it could not check against the score.
"""

from __future__ import annotations

import numpy as np
import pytest

from service.schemas.recommend import RecommendResponse


def _periodic(n: int, seed: int, length: int = 512) -> np.ndarray:
    rng = np.random.default_rng(seed)
    t = np.arange(length)[None, :]
    return np.sin(2 * np.pi * t / 24 + rng.uniform(0, 6, (n, 1))) + 0.01 * rng.standard_normal((n, length))


def test_the_answer_carries_contributions_and_bias_that_add_up_to_the_score(rec_client):
    body = {"series": [{"id": f"p{i}", "values": v.tolist()} for i, v in enumerate(_periodic(2, 5))]}
    r = rec_client.post("/v1/recommend", json={**body, "horizon": 24})
    assert r.status_code == 200, r.text
    out = r.json()
    best = next(m for m in out["ranking"] if m["recommended"])
    assert out["bias"] is not None and out["contributions"]
    assert "data_shape" in out["contributions"] and all(" " not in k for k in out["contributions"])
    assert sum(out["contributions"].values()) + out["bias"] == pytest.approx(best["score"], abs=1e-9)
    for reason in out["reasons"]:  # the reasons are the largest of those groups
        assert out["contributions"][reason["group"]] == pytest.approx(reason["contribution"], abs=1e-12)


def test_the_schema_documents_contributions_and_bias():
    fields = RecommendResponse.model_fields
    assert "add up" in (fields["contributions"].description or "")
    assert "bias" in fields and "score" in (fields["bias"].description or "")
