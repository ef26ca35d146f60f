"""The "avoid" lines of a recommendation agree their verb with a plural property
("mostly heteroscedastic windows (14% homoscedastic) work against it", not "works"), as the
explanation's own sentence already did."""

from __future__ import annotations

import recommender.api as api
from recommender.explain import Reason
from tests.recommender.test_recommender import as_data, kb, rec, trending  # noqa: F401 (fixtures)


def test_a_plural_property_works_against_in_the_plural(rec, monkeypatch):  # noqa: F811
    plain = api.recommend(as_data(trending(4, 12), "t"), horizon=24, recommender=rec, top=1)
    assert plain.avoid  # seasonal naive, 1.85× the best error on trends: below the top one and avoided

    def plural_against(contrib, feats, limit=None):
        return [
            Reason(
                "scedasticity", 0.02, "works against", "mostly heteroscedastic windows (14% homoscedastic)"
            )
        ]

    monkeypatch.setattr(api, "reasons_for", plural_against)
    worded = api.recommend(as_data(trending(4, 12), "t"), horizon=24, recommender=rec, top=1)
    assert [a.reason.split("; ", 1)[1] for a in worded.avoid] == [
        "mostly heteroscedastic windows (14% homoscedastic) work against it"
    ]
